/** Scalar DUP (element) and the cryptographic extension groups. */
import { O64, V32, V64, commitScalar, clearOut, getU, put } from './lanes.js';

/** DUP (element), scalar: 01 0 11110000 imm5 0 0000 1 Rn Rd (alias MOV Vd, Vn.T[i]). */
export function scalarDup(w: number): boolean {
  const imm5 = (w >>> 16) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if ((imm5 & 15) === 0) return false;
  const size = 31 - Math.clz32(imm5 & -imm5);
  const index = imm5 >>> (size + 1);
  clearOut();
  if (size === 3) O64[0] = V64[rn * 2 + index]!;
  else put(size, 0, getU(rn, size, index));
  commitScalar(rd, size);
  void V32;
  return true;
}

export function crypto(_w: number): boolean {
  return false;
}
