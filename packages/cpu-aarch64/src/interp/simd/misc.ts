/** Scalar DUP (element) and the cryptographic extension groups. */
import { aesd, aese, aesimc, aesmc, sha1h, sha1hash, sha1su0, sha1su1, sha256hash, sha256su0, sha256su1 } from '../../fp/index.js';
import { O32, V32, commitScalar, clearOut, getU, put } from './lanes.js';

/** DUP (element), scalar: 01 0 11110000 imm5 0 0000 1 Rn Rd (alias MOV Vd, Vn.T[i]). */
export function scalarDup(w: number): boolean {
  const imm5 = (w >>> 16) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if ((imm5 & 15) === 0) return false;
  const size = 31 - Math.clz32(imm5 & -imm5);
  const index = imm5 >>> (size + 1);
  clearOut();
  if (size === 3) {
    O32[0] = V32[rn * 4 + 2 * index]!;
    O32[1] = V32[rn * 4 + 2 * index + 1]!;
  } else put(size, 0, getU(rn, size, index));
  commitScalar(rd, size);
  return true;
}

/** AES (0x4e280800), SHA three-register (0x5e000000) and SHA two-register (0x5e280800) groups. */
export function crypto(w: number): boolean {
  const rm = (w >>> 16) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  const d = rd * 4;
  const n = rn * 4;
  if ((w & 0xfffe0c00) === 0x4e280800) {
    switch ((w >>> 12) & 31) {
      case 4:
        aese(V32, d, n);
        return true;
      case 5:
        aesd(V32, d, n);
        return true;
      case 6:
        aesmc(V32, d, n);
        return true;
      case 7:
        aesimc(V32, d, n);
        return true;
      default:
        return false;
    }
  }
  if ((w & 0xffe08c00) === 0x5e000000) {
    const op = (w >>> 12) & 7;
    if (op <= 2) sha1hash(V32, d, n, rm * 4, op);
    else if (op === 3) sha1su0(V32, d, n, rm * 4);
    else if (op === 4 || op === 5) sha256hash(V32, d, n, rm * 4, op === 4);
    else if (op === 6) sha256su1(V32, d, n, rm * 4);
    else return false;
    return true;
  }
  if ((w & 0xfffe0c00) === 0x5e280800) {
    switch ((w >>> 12) & 31) {
      case 0: {
        const r = sha1h(V32[n]!);
        V32[d] = r;
        V32[d + 1] = 0;
        V32[d + 2] = 0;
        V32[d + 3] = 0;
        return true;
      }
      case 1:
        sha1su1(V32, d, n);
        return true;
      case 2:
        sha256su0(V32, d, n);
        return true;
      default:
        return false;
    }
  }
  return false;
}
