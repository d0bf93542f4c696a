/**
 * AdvSIMD permute (UZP1/2, TRN1/2, ZIP1/2), extract (EXT) and table lookup (TBL/TBX).
 */
import { O8, O32, V8, V32, commit, getU, put } from './lanes.js';

/** 0 Q 001110 size 0 Rm 0 opcode 10 Rn Rd. */
export function permute(w: number): boolean {
  const q = (w >>> 30) & 1;
  const size = (w >>> 22) & 3;
  const rm = (w >>> 16) & 31;
  const opc = (w >>> 12) & 7;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (opc === 0 || opc === 4 || (size === 3 && !q)) return false;
  const part = opc >>> 2; // 0 = "1", 1 = "2"
  const kind = opc & 3; // 1 UZP, 2 TRN, 3 ZIP
  if (size === 3) {
    // 64-bit lanes: work on bytes of 8.
    return permuteBytes(kind, part, 8, 2, rn, rm, rd, q);
  }
  const n = (q ? 16 : 8) >>> size;
  const half = n >>> 1;
  for (let i = 0; i < n; i++) {
    let v: number;
    if (kind === 1) {
      const j = 2 * i + part;
      v = j < n ? getU(rn, size, j) : getU(rm, size, j - n);
    } else if (kind === 2) {
      const p = i >>> 1;
      v = (i & 1) === 0 ? getU(rn, size, 2 * p + part) : getU(rm, size, 2 * p + part);
    } else {
      const p = (i >>> 1) + part * half;
      v = (i & 1) === 0 ? getU(rn, size, p) : getU(rm, size, p);
    }
    put(size, i, v);
  }
  commit(rd, q);
  return true;
}

function permuteBytes(kind: number, part: number, esize: number, n: number, rn: number, rm: number, rd: number, q: number): boolean {
  const half = n >>> 1;
  for (let i = 0; i < n; i++) {
    let src: number;
    let j: number;
    if (kind === 1) {
      const k = 2 * i + part;
      src = k < n ? rn : rm;
      j = k < n ? k : k - n;
    } else if (kind === 2) {
      const p = i >>> 1;
      src = (i & 1) === 0 ? rn : rm;
      j = 2 * p + part;
    } else {
      src = (i & 1) === 0 ? rn : rm;
      j = (i >>> 1) + part * half;
    }
    for (let b = 0; b < esize; b++) O8[i * esize + b] = V8[src * 16 + j * esize + b]!;
  }
  commit(rd, q);
  return true;
}

/** EXT: 0 Q 101110 00 0 Rm 0 imm4 0 Rn Rd. */
export function extract(w: number): boolean {
  const q = (w >>> 30) & 1;
  const rm = (w >>> 16) & 31;
  const imm4 = (w >>> 11) & 15;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (!q && imm4 >= 8) return false;
  const n = q ? 16 : 8;
  if ((imm4 & 3) === 0) {
    // Whole 32-bit words (the float-lane shuffles): word j of the result is word j + imm4/4 of Vm:Vn.
    const nw = n >>> 2;
    const k0 = imm4 >>> 2;
    for (let j = 0; j < nw; j++) {
      const k = j + k0;
      O32[j] = k < nw ? V32[rn * 4 + k]! : V32[rm * 4 + k - nw]!;
    }
    commit(rd, q);
    return true;
  }
  for (let i = 0; i < n; i++) {
    const k = i + imm4;
    O8[i] = k < n ? V8[rn * 16 + k]! : V8[rm * 16 + k - n]!;
  }
  commit(rd, q);
  return true;
}

/** TBL/TBX: 0 Q 001110 00 0 Rm 0 len op 00 Rn Rd. */
export function tableLookup(w: number): boolean {
  const q = (w >>> 30) & 1;
  const rm = (w >>> 16) & 31;
  const len = ((w >>> 13) & 3) + 1;
  const tbx = (w >>> 12) & 1;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  const n = q ? 16 : 8;
  for (let i = 0; i < n; i++) {
    const idx = V8[rm * 16 + i]!;
    if (idx < 16 * len) {
      const reg = (rn + (idx >>> 4)) % 32;
      put(0, i, V8[reg * 16 + (idx & 15)]!);
    } else put(0, i, tbx ? V8[rd * 16 + i]! : 0);
  }
  commit(rd, q);
  return true;
}
