/**
 * AdvSIMD three different (widening, narrowing, long multiply): 0 Q U 01110 size 1 Rm opcode 00 Rn Rd,
 * and the scalar SQDMLAL/SQDMLSL/SQDMULL (01 U 11110 size 1 Rm opcode 00 Rn Rd).
 */
import { pmull64, pmull8, sqadd, sqadd64, sqdmull16, sqdmull32 } from '../../fp/index.js';
import { O32, commit, commitScalar, clearOut, get64, getS, getU, hi32, lo32, from2, put, put64, st } from './lanes.js';

/** Widened lane value of source `r` lane i (size = source size). */
function wide(r: number, size: number, i: number, signed: boolean): number {
  return signed ? getS(r, size, i) : getU(r, size, i);
}

/** The saturating doubling multiply-long of one lane pair; 64-bit result as bigint for size 2. */
function sqdmull(size: number, a: number, b: number): bigint | number {
  if (size === 1) return sqdmull16(st, a, b);
  const lo = sqdmull32(st, a, b);
  return from2(lo, st.rhi);
}

function accumulateQ(size: number, acc: number | bigint, p: number | bigint, sub: boolean): number | bigint {
  if (size === 1) return sqadd(st, acc as number, p as number, 32, sub);
  const a = acc as bigint;
  const b = p as bigint;
  const lo = sqadd64(st, lo32(a), hi32(a), lo32(b), hi32(b), sub);
  return from2(lo, st.rhi);
}

export function threeDifferent(w: number): boolean {
  const scalar = (w >>> 28) & 1;
  const q = (w >>> 30) & 1;
  const u = ((w >>> 29) & 1) === 1;
  const size = (w >>> 22) & 3;
  const rm = (w >>> 16) & 31;
  const opc = (w >>> 12) & 15;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (scalar) {
    if (u || (opc !== 0x9 && opc !== 0xb && opc !== 0xd) || size === 0 || size === 3) return false;
    clearOut();
    const p = sqdmull(size, getU(rn, size, 0), getU(rm, size, 0));
    const r = opc === 0xd ? p : accumulateQ(size, size === 1 ? getU(rd, 2, 0) : get64(rd, 0), p, opc === 0xb);
    if (size === 1) put(2, 0, r as number);
    else put64(0, r as bigint);
    commitScalar(rd, size + 1);
    return true;
  }
  if (opc === 0xf) return false;
  if (opc === 0xe) {
    // PMULL / PMULL2
    if (u) return false;
    if (size === 0) {
      const off = q * 8;
      for (let i = 0; i < 8; i++) put(1, i, pmull8(getU(rn, 0, off + i), getU(rm, 0, off + i)));
      commit(rd, 1);
      return true;
    }
    if (size === 3) {
      const a = get64(rn, q);
      const b = get64(rm, q);
      O32[0] = pmull64(st, lo32(a), hi32(a), lo32(b), hi32(b));
      O32[1] = st.rhi;
      O32[2] = st.r2;
      O32[3] = st.r3;
      commit(rd, 1);
      return true;
    }
    return false;
  }
  if (size === 3) return false;
  const n = 8 >>> size; // destination lanes (wide) or narrow lanes
  const off = q ? n : 0;
  const signed = !u;
  if (opc === 0x4 || opc === 0x6) {
    // ADDHN/RADDHN/SUBHN/RSUBHN: wide sources, narrow result into low or high half.
    put64(0, q ? get64(rd, 0) : 0n);
    put64(1, 0n);
    const bits = 8 << size;
    for (let i = 0; i < n; i++) {
      let hiPart: number;
      if (size < 2) {
        const a = getU(rn, size + 1, i);
        const b = getU(rm, size + 1, i);
        let s = opc === 0x4 ? a + b : a - b;
        if (u) s += 2 ** (bits - 1);
        hiPart = Math.floor(s / 2 ** bits);
      } else {
        let s = opc === 0x4 ? get64(rn, i) + get64(rm, i) : get64(rn, i) - get64(rm, i);
        if (u) s += 1n << 31n;
        hiPart = Number(BigInt.asUintN(64, s) >> 32n);
      }
      put(size, off + i, hiPart);
    }
    commit(rd, 1);
    return true;
  }
  if ((opc === 0x9 || opc === 0xb || opc === 0xd) && (u || size === 0)) return false;
  for (let i = 0; i < n; i++) {
    if (opc === 0x1 || opc === 0x3) {
      // SADDW/UADDW/SSUBW/USUBW: wide Vn, narrow Vm
      const b = wide(rm, size, off + i, signed);
      if (size < 2) {
        const a = getU(rn, size + 1, i);
        put(size + 1, i, opc === 0x1 ? a + b : a - b);
      } else put64(i, opc === 0x1 ? get64(rn, i) + BigInt(b) : get64(rn, i) - BigInt(b));
      continue;
    }
    const a = wide(rn, size, off + i, signed);
    const b = wide(rm, size, off + i, signed);
    if (opc === 0x9 || opc === 0xb || opc === 0xd) {
      const p = sqdmull(size, getU(rn, size, off + i), getU(rm, size, off + i));
      const r = opc === 0xd ? p : accumulateQ(size, size === 1 ? getU(rd, 2, i) : get64(rd, i), p, opc === 0xb);
      if (size === 1) put(2, i, r as number);
      else put64(i, r as bigint);
      continue;
    }
    if (size < 2) {
      const d = getU(rd, size + 1, i);
      let r: number;
      switch (opc) {
        case 0x0:
          r = a + b;
          break;
        case 0x2:
          r = a - b;
          break;
        case 0x5:
          r = d + Math.abs(a - b);
          break;
        case 0x7:
          r = Math.abs(a - b);
          break;
        case 0x8:
          r = d + a * b;
          break;
        case 0xa:
          r = d - a * b;
          break;
        case 0xc:
          r = a * b;
          break;
        default:
          return false;
      }
      put(size + 1, i, r);
    } else {
      const d = get64(rd, i);
      const A = BigInt(a);
      const B = BigInt(b);
      let r: bigint;
      switch (opc) {
        case 0x0:
          r = A + B;
          break;
        case 0x2:
          r = A - B;
          break;
        case 0x5:
          r = d + (A > B ? A - B : B - A);
          break;
        case 0x7:
          r = A > B ? A - B : B - A;
          break;
        case 0x8:
          r = d + A * B;
          break;
        case 0xa:
          r = d - A * B;
          break;
        case 0xc:
          r = A * B;
          break;
        default:
          return false;
      }
      put64(i, r);
    }
  }
  commit(rd, 1);
  return true;
}
