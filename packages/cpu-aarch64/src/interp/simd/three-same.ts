/**
 * AdvSIMD three same (integer part), vector and scalar forms:
 * 0 Q U 01110 size 1 Rm opcode 1 Rn Rd, and 01 U 11110 size 1 Rm opcode 1 Rn Rd.
 * The bitwise group (opcode 00011) belongs to executeFpMove; FP opcodes (11xxx) to fp-vector.ts.
 */
import { TWO32 } from '../../fp/scratch.js';
import { FPSR_QC, shlReg, shlReg64, sqadd, sqadd64, sqdmulh, uqadd, uqadd64, pmul8 } from '../../fp/index.js';
import { O32, V8, V16, V32, commit, commitScalar, clearOut, get, getS, getU, mask, put, st } from './lanes.js';

type LaneView = Uint8Array | Uint16Array | Uint32Array;

/** Lane i of a view, sign-extended from 32 - sh bits when sh >= 0 (sh < 0: unsigned). */
function ld(U: LaneView, i: number, sh: number): number {
  const x = U[i]!;
  return sh < 0 ? x : (x << sh) >> sh;
}

/**
 * The element-wise vector forms on 8/16/32-bit lanes as one loop per operation over the whole
 * register (lane i of the result depends only on lane i of the sources, so Vd is written in
 * place). Returns false for the operations it leaves to the generic per-lane path below.
 */
function elementwise(opc: number, u: boolean, size: number, q: number, rn: number, rm: number, rd: number): boolean {
  const U: LaneView = size === 0 ? V8 : size === 1 ? V16 : V32;
  const per = 16 >>> size;
  const n = q ? per : per >>> 1;
  const nb = rn * per;
  const mb = rm * per;
  const db = rd * per;
  const bits = 8 << size;
  const sh = u ? -1 : 32 - bits;
  switch (opc) {
    case 0x00: // SHADD/UHADD
      for (let i = 0; i < n; i++) U[db + i] = Math.floor((ld(U, nb + i, sh) + ld(U, mb + i, sh)) / 2);
      break;
    case 0x02: // SRHADD/URHADD
      for (let i = 0; i < n; i++) U[db + i] = Math.floor((ld(U, nb + i, sh) + ld(U, mb + i, sh) + 1) / 2);
      break;
    case 0x04: // SHSUB/UHSUB
      for (let i = 0; i < n; i++) U[db + i] = Math.floor((ld(U, nb + i, sh) - ld(U, mb + i, sh)) / 2);
      break;
    case 0x01: // SQADD/UQADD
    case 0x05: {
      // SQSUB/UQSUB
      const hi = u ? mask(size) : bits === 32 ? 0x7fffffff : (1 << (bits - 1)) - 1;
      const lo = u ? 0 : -hi - 1;
      const neg = opc === 0x05;
      let qc = false;
      for (let i = 0; i < n; i++) {
        const a = ld(U, nb + i, sh);
        const b = ld(U, mb + i, sh);
        let r = neg ? a - b : a + b;
        if (r > hi) {
          r = hi;
          qc = true;
        } else if (r < lo) {
          r = lo;
          qc = true;
        }
        U[db + i] = r;
      }
      if (qc) st.fpsr |= FPSR_QC;
      break;
    }
    case 0x06: // CMGT/CMHI
      for (let i = 0; i < n; i++) U[db + i] = ld(U, nb + i, sh) > ld(U, mb + i, sh) ? -1 : 0;
      break;
    case 0x07: // CMGE/CMHS
      for (let i = 0; i < n; i++) U[db + i] = ld(U, nb + i, sh) >= ld(U, mb + i, sh) ? -1 : 0;
      break;
    case 0x0c: // SMAX/UMAX
      for (let i = 0; i < n; i++) {
        const a = ld(U, nb + i, sh);
        const b = ld(U, mb + i, sh);
        U[db + i] = a > b ? a : b;
      }
      break;
    case 0x0d: // SMIN/UMIN
      for (let i = 0; i < n; i++) {
        const a = ld(U, nb + i, sh);
        const b = ld(U, mb + i, sh);
        U[db + i] = a < b ? a : b;
      }
      break;
    case 0x0e: // SABD/UABD
      for (let i = 0; i < n; i++) U[db + i] = Math.abs(ld(U, nb + i, sh) - ld(U, mb + i, sh));
      break;
    case 0x0f: // SABA/UABA
      for (let i = 0; i < n; i++) U[db + i] = U[db + i]! + Math.abs(ld(U, nb + i, sh) - ld(U, mb + i, sh));
      break;
    case 0x10: // ADD/SUB
      if (u) for (let i = 0; i < n; i++) U[db + i] = U[nb + i]! - U[mb + i]!;
      else for (let i = 0; i < n; i++) U[db + i] = U[nb + i]! + U[mb + i]!;
      break;
    case 0x11: // CMTST/CMEQ
      if (u) for (let i = 0; i < n; i++) U[db + i] = U[nb + i]! === U[mb + i]! ? -1 : 0;
      else for (let i = 0; i < n; i++) U[db + i] = (U[nb + i]! & U[mb + i]!) !== 0 ? -1 : 0;
      break;
    case 0x12: // MLA/MLS
      if (u) for (let i = 0; i < n; i++) U[db + i] = U[db + i]! - Math.imul(U[nb + i]!, U[mb + i]!);
      else for (let i = 0; i < n; i++) U[db + i] = U[db + i]! + Math.imul(U[nb + i]!, U[mb + i]!);
      break;
    case 0x13: // MUL (PMUL stays on the per-lane path)
      if (u) return false;
      for (let i = 0; i < n; i++) U[db + i] = Math.imul(U[nb + i]!, U[mb + i]!);
      break;
    default:
      return false;
  }
  if (!q) {
    V32[rd * 4 + 2] = 0;
    V32[rd * 4 + 3] = 0;
  }
  return true;
}

function op32(opc: number, u: boolean, size: number, a: number, b: number, d: number): number | null {
  const bits = 8 << size;
  const m = mask(size);
  switch (opc) {
    case 0x00: // SHADD/UHADD
      return Math.floor((a + b) / 2);
    case 0x01:
      return u ? uqadd(st, a & m, b & m, bits) : sqadd(st, a & m, b & m, bits);
    case 0x02: // SRHADD/URHADD
      return Math.floor((a + b + 1) / 2);
    case 0x04: // SHSUB/UHSUB
      return Math.floor((a - b) / 2);
    case 0x05:
      return u ? uqadd(st, a & m, b & m, bits, true) : sqadd(st, a & m, b & m, bits, true);
    case 0x06: // CMGT/CMHI
      return a > b ? m : 0;
    case 0x07: // CMGE/CMHS
      return a >= b ? m : 0;
    case 0x08: // SSHL/USHL
      return shlReg(st, a & m, b & 0xff, bits, !u, false, false);
    case 0x09:
      return shlReg(st, a & m, b & 0xff, bits, !u, false, true);
    case 0x0a:
      return shlReg(st, a & m, b & 0xff, bits, !u, true, false);
    case 0x0b:
      return shlReg(st, a & m, b & 0xff, bits, !u, true, true);
    case 0x0c:
      return a > b ? a : b;
    case 0x0d:
      return a < b ? a : b;
    case 0x0e:
      return Math.abs(a - b);
    case 0x0f:
      return d + Math.abs(a - b);
    case 0x10:
      return u ? a - b : a + b;
    case 0x11:
      return u ? ((a & m) === (b & m) ? m : 0) : (a & b & m) !== 0 ? m : 0;
    case 0x12:
      return u ? d - Math.imul(a, b) : d + Math.imul(a, b);
    case 0x13:
      if (u) return size === 0 ? pmul8(a & 0xff, b & 0xff) : null;
      return Math.imul(a, b);
    case 0x16:
      if (size === 0 || size === 3) return null;
      return sqdmulh(st, a & m, b & m, bits, u);
    default:
      return null;
  }
}

/** The opcodes with a 64-bit lane form (vector .2D and scalar D). */
function has64(opc: number): boolean {
  return opc === 0x01 || opc === 0x05 || opc === 0x06 || opc === 0x07 || (opc >= 0x08 && opc <= 0x0b) || opc === 0x10 || opc === 0x11;
}

/** 64-bit sum (or difference) of (alo, ahi) and (blo, bhi) as words: low word returned, high in st.rhi. */
function add64(alo: number, ahi: number, blo: number, bhi: number, sub: boolean): number {
  let lo = sub ? alo - blo : alo + blo;
  let c = 0;
  if (lo < 0) {
    lo += TWO32;
    c = -1;
  } else if (lo >= TWO32) {
    lo -= TWO32;
    c = 1;
  }
  st.rhi = ((sub ? ahi - bhi : ahi + bhi) + c) >>> 0;
  return lo;
}

/** One 64-bit lane of an opcode accepted by has64, on unsigned 32-bit words: low word returned, high in st.rhi. */
function op64(opc: number, u: boolean, alo: number, ahi: number, blo: number, bhi: number): number {
  let t: boolean;
  switch (opc) {
    case 0x01:
      return u ? uqadd64(st, alo, ahi, blo, bhi) : sqadd64(st, alo, ahi, blo, bhi);
    case 0x05:
      return u ? uqadd64(st, alo, ahi, blo, bhi, true) : sqadd64(st, alo, ahi, blo, bhi, true);
    case 0x06:
    case 0x07: {
      const x = u ? ahi : ahi | 0;
      const y = u ? bhi : bhi | 0;
      t = x > y || (x === y && (opc === 0x06 ? alo > blo : alo >= blo));
      break;
    }
    case 0x10:
      return add64(alo, ahi, blo, bhi, u);
    case 0x11:
      t = u ? alo === blo && ahi === bhi : ((alo & blo) | (ahi & bhi)) !== 0;
      break;
    default:
      // SSHL/USHL, SQSHL/UQSHL, SRSHL/URSHL, SQRSHL/UQRSHL
      return shlReg64(st, alo, ahi, blo & 0xff, !u, (opc & 2) !== 0, (opc & 1) !== 0);
  }
  st.rhi = t ? 0xffffffff : 0;
  return t ? 0xffffffff : 0;
}

/** Ops that read signed lanes when U = 0 (all but the bitwise-looking ones read as unsigned). */
function signedLanes(opc: number, u: boolean): boolean {
  if (u) return false;
  return opc !== 0x01 && opc !== 0x05 && opc !== 0x08 && opc !== 0x09 && opc !== 0x0a && opc !== 0x0b && opc !== 0x16;
}

export function threeSameInt(w: number): boolean {
  const scalar = (w >>> 28) & 1;
  const q = (w >>> 30) & 1;
  const u = ((w >>> 29) & 1) === 1;
  const size = (w >>> 22) & 3;
  const rm = (w >>> 16) & 31;
  const opc = (w >>> 11) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (scalar) {
    const ok =
      opc === 0x01 || opc === 0x05 || opc === 0x09 || opc === 0x0b || (opc === 0x16 && (size === 1 || size === 2)) || (size === 3 && (opc === 0x06 || opc === 0x07 || opc === 0x08 || opc === 0x0a || opc === 0x10 || opc === 0x11));
    if (!ok) return false;
    clearOut();
    if (size === 3) {
      if (!has64(opc)) return false;
      O32[0] = op64(opc, u, V32[rn * 4]!, V32[rn * 4 + 1]!, V32[rm * 4]!, V32[rm * 4 + 1]!);
      O32[1] = st.rhi;
    } else {
      const sg = signedLanes(opc, u);
      const r = op32(opc, u, size, get(rn, size, 0, sg), get(rm, size, 0, sg), 0);
      if (r === null) return false;
      put(size, 0, r);
    }
    commitScalar(rd, size);
    return true;
  }
  if (size === 3) {
    if (!q) return false;
    const no = rn * 4;
    const mo = rm * 4;
    const o = rd * 4;
    if (opc === 0x17) {
      if (u) return false;
      // ADDP .2D
      O32[0] = add64(V32[no]!, V32[no + 1]!, V32[no + 2]!, V32[no + 3]!, false);
      O32[1] = st.rhi;
      O32[2] = add64(V32[mo]!, V32[mo + 1]!, V32[mo + 2]!, V32[mo + 3]!, false);
      O32[3] = st.rhi;
      commit(rd, 1);
      return true;
    }
    if (!has64(opc)) return false;
    // Lane i reads only lane i of the sources: Vd is written in place.
    for (let i = 0; i < 4; i += 2) {
      const lo = op64(opc, u, V32[no + i]!, V32[no + i + 1]!, V32[mo + i]!, V32[mo + i + 1]!);
      V32[o + i] = lo;
      V32[o + i + 1] = st.rhi;
    }
    return true;
  }
  const n = (q ? 16 : 8) >>> size;
  if (opc >= 0x14 && opc <= 0x17 && opc !== 0x16) {
    // Pairwise: SMAXP/UMAXP, SMINP/UMINP, ADDP.
    if (opc === 0x17 && u) return false;
    const half = n >>> 1;
    for (let i = 0; i < n; i++) {
      const src = i < half ? rn : rm;
      const j = (i < half ? i : i - half) * 2;
      const a = u ? getU(src, size, j) : getS(src, size, j);
      const b = u ? getU(src, size, j + 1) : getS(src, size, j + 1);
      put(size, i, opc === 0x17 ? a + b : opc === 0x14 ? (a > b ? a : b) : a < b ? a : b);
    }
    commit(rd, q);
    return true;
  }
  if (elementwise(opc, u, size, q, rn, rm, rd)) return true;
  const sg = signedLanes(opc, u);
  for (let i = 0; i < n; i++) {
    const r = op32(opc, u, size, get(rn, size, i, sg), get(rm, size, i, sg), getU(rd, size, i));
    if (r === null) return false;
    put(size, i, r);
  }
  commit(rd, q);
  return true;
}
