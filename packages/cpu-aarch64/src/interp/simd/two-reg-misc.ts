/**
 * AdvSIMD two-register miscellaneous (integer part), vector and scalar:
 * 0 Q U 01110 size 10000 opcode 10 Rn Rd, and 01 U 11110 size 10000 opcode 10 Rn Rd.
 * FP opcodes are handled in fp-vector.ts.
 */
import { qnarrow, qnarrow64, sqabs, sqabs64, suqadd, suqadd64, usqadd, usqadd64, urecpe, ursqrte } from '../../fp/index.js';
import { V8, V16, V32, commit, commitScalar, clearOut, get64, getS, getU, hi32, lo32, from2, mask, put, put64, st } from './lanes.js';

/**
 * SADDLP/UADDLP and SADALP/UADALP from 8- or 16-bit lanes as one loop: destination lane i is
 * the bytes of source lanes 2i and 2i+1, read before it is written, so Vd is updated in place.
 */
function pairwiseLong(u: boolean, size: number, q: number, acc: boolean, rn: number, rd: number): void {
  const half = (q ? 8 : 4) >>> size;
  if (size === 0) {
    const sb = rn * 16;
    const db = rd * 8;
    for (let i = 0; i < half; i++) {
      let a = V8[sb + 2 * i]!;
      let b = V8[sb + 2 * i + 1]!;
      if (!u) {
        a = (a << 24) >> 24;
        b = (b << 24) >> 24;
      }
      V16[db + i] = a + b + (acc ? V16[db + i]! : 0);
    }
  } else {
    const sb = rn * 8;
    const db = rd * 4;
    for (let i = 0; i < half; i++) {
      let a = V16[sb + 2 * i]!;
      let b = V16[sb + 2 * i + 1]!;
      if (!u) {
        a = (a << 16) >> 16;
        b = (b << 16) >> 16;
      }
      V32[db + i] = a + b + (acc ? V32[db + i]! : 0);
    }
  }
  if (!q) {
    V32[rd * 4 + 2] = 0;
    V32[rd * 4 + 3] = 0;
  }
}

function clz(v: number, bits: number): number {
  return Math.clz32(v) - (32 - bits);
}

function int32Op(opc: number, u: boolean, size: number, a: number, d: number): number | null {
  const bits = 8 << size;
  const m = mask(size);
  const s = (a << (32 - bits)) >> (32 - bits); // signed view
  switch (opc) {
    case 0x03:
      return u ? usqadd(st, d, a, bits) : suqadd(st, d, a, bits);
    case 0x04:
      if (u) return clz(a, bits);
      return clz(((s >> (bits - 1)) ^ s) & m, bits) - 1;
    case 0x07:
      return sqabs(st, a, bits, u);
    case 0x08:
      return u ? (s >= 0 ? m : 0) : s > 0 ? m : 0;
    case 0x09:
      return u ? (s <= 0 ? m : 0) : s === 0 ? m : 0;
    case 0x0a:
      return u ? null : s < 0 ? m : 0;
    case 0x0b:
      return u ? -s : Math.abs(s);
    default:
      return null;
  }
}

function int64Op(opc: number, u: boolean, a: bigint, d: bigint): bigint | null {
  const s = BigInt.asIntN(64, a);
  switch (opc) {
    case 0x03: {
      const r = u ? usqadd64(st, lo32(d), hi32(d), lo32(a), hi32(a)) : suqadd64(st, lo32(d), hi32(d), lo32(a), hi32(a));
      return from2(r, st.rhi);
    }
    case 0x07: {
      const r = sqabs64(st, lo32(a), hi32(a), u);
      return from2(r, st.rhi);
    }
    case 0x08:
      return (u ? s >= 0n : s > 0n) ? -1n : 0n;
    case 0x09:
      return (u ? s <= 0n : s === 0n) ? -1n : 0n;
    case 0x0a:
      return u ? null : s < 0n ? -1n : 0n;
    case 0x0b:
      return u ? -s : s < 0n ? -s : s;
    default:
      return null;
  }
}

function rbit8(x: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((x >>> i) & 1) << (7 - i);
  return r;
}

function popcount8(x: number): number {
  x = x - ((x >>> 1) & 0x55);
  x = (x & 0x33) + ((x >>> 2) & 0x33);
  return (x + (x >>> 4)) & 0x0f;
}

/** Narrowing forms (XTN, SQXTN, UQXTN, SQXTUN): returns false when not one of them. */
function narrow(scalar: number, q: number, u: boolean, size: number, opc: number, rn: number, rd: number): boolean | null {
  if (opc !== 0x12 && opc !== 0x14) return null;
  if (opc === 0x12 && !u && scalar) return false; // XTN has no scalar form
  if (size === 3) return false;
  const n = 8 >>> size;
  const dstBits = 8 << size;
  const srcSigned = opc === 0x12 ? true : !u; // SQXTUN: signed source, unsigned dest
  const dstSigned = opc === 0x12 ? false : !u;
  if (scalar) {
    clearOut();
    const r = size < 2 ? qnarrow(st, getU(rn, size + 1, 0), dstBits * 2, srcSigned, dstSigned) : qnarrow64(st, lo32(get64(rn, 0)), hi32(get64(rn, 0)), srcSigned, dstSigned);
    put(size, 0, r);
    commitScalar(rd, size);
    return true;
  }
  // Result lanes go to the low half (Q=0, upper half zeroed) or the upper half (Q=1, low half kept).
  const V = q ? 1 : 0;
  // Read the current low half of Vd before overwriting when Q=1.
  put64(0, q ? get64(rd, 0) : 0n);
  put64(1, 0n);
  const base = V * n;
  for (let i = 0; i < n; i++) {
    let r: number;
    if (opc === 0x12 && !u) {
      r = size < 2 ? getU(rn, size + 1, i) : lo32(get64(rn, i));
    } else if (size < 2) r = qnarrow(st, getU(rn, size + 1, i), dstBits * 2, srcSigned, dstSigned);
    else {
      const x = get64(rn, i);
      r = qnarrow64(st, lo32(x), hi32(x), srcSigned, dstSigned);
    }
    put(size, base + i, r);
  }
  commit(rd, 1);
  return true;
}

export function twoRegMiscInt(w: number): boolean {
  const scalar = (w >>> 28) & 1;
  const q = (w >>> 30) & 1;
  const u = ((w >>> 29) & 1) === 1;
  const size = (w >>> 22) & 3;
  const opc = (w >>> 12) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  const nr = narrow(scalar, q, u, size, opc, rn, rd);
  if (nr !== null) return nr;
  if (scalar) {
    if (!(opc === 0x03 || opc === 0x07 || ((opc >= 0x08 && opc <= 0x0b) && size === 3))) return false;
    clearOut();
    if (size === 3) {
      const r = int64Op(opc, u, get64(rn, 0), get64(rd, 0));
      if (r === null) return false;
      put64(0, r);
    } else {
      const r = int32Op(opc, u, size, getU(rn, size, 0), getU(rd, size, 0));
      if (r === null) return false;
      put(size, 0, r);
    }
    commitScalar(rd, size);
    return true;
  }
  const n = (q ? 16 : 8) >>> size;
  switch (opc) {
    case 0x00: // REV64 / REV32
    case 0x01: {
      // REV16 (U=0 only)
      if (opc === 0x01 && u) return false;
      const cont = opc === 0x01 ? 1 : u ? 2 : 3; // container log2 bytes
      if (size >= cont) return false;
      const per = 1 << (cont - size);
      for (let i = 0; i < n; i++) {
        const base = i - (i % per);
        put(size, i, getU(rn, size, base + per - 1 - (i % per)));
      }
      commit(rd, q);
      return true;
    }
    case 0x02: // SADDLP / UADDLP
    case 0x06: {
      // SADALP / UADALP
      if (size === 3) return false;
      if (size < 2) {
        pairwiseLong(u, size, q, opc === 0x06, rn, rd);
        return true;
      }
      const half = n >>> 1;
      if (size === 2) {
        for (let i = 0; i < half; i++) {
          const a = u ? getU(rn, 2, 2 * i) : getS(rn, 2, 2 * i);
          const b = u ? getU(rn, 2, 2 * i + 1) : getS(rn, 2, 2 * i + 1);
          let r = BigInt(a) + BigInt(b);
          if (opc === 0x06) r += get64(rd, i);
          put64(i, r);
        }
      } else {
        for (let i = 0; i < half; i++) {
          const a = u ? getU(rn, size, 2 * i) : getS(rn, size, 2 * i);
          const b = u ? getU(rn, size, 2 * i + 1) : getS(rn, size, 2 * i + 1);
          put(size + 1, i, a + b + (opc === 0x06 ? getU(rd, size + 1, i) : 0));
        }
      }
      commit(rd, q);
      return true;
    }
    case 0x05: {
      if (size === 0) {
        // CNT / NOT, in place
        const sb = rn * 16;
        const db = rd * 16;
        if (u) for (let i = 0; i < n; i++) V8[db + i] = ~V8[sb + i]!;
        else for (let i = 0; i < n; i++) V8[db + i] = popcount8(V8[sb + i]!);
        if (!q) {
          V32[rd * 4 + 2] = 0;
          V32[rd * 4 + 3] = 0;
        }
        return true;
      } else if (size === 1 && u) {
        for (let i = 0; i < n * 2; i++) put(0, i, rbit8(getU(rn, 0, i)));
      } else return false;
      commit(rd, q);
      return true;
    }
    case 0x13: {
      // SHLL/SHLL2 (U=1)
      if (!u || size === 3) return false;
      const h = 8 >>> size;
      const off = q ? h : 0;
      for (let i = 0; i < h; i++) {
        if (size === 2) put64(i, BigInt(getU(rn, 2, off + i)) << 32n);
        else put(size + 1, i, getU(rn, size, off + i) << (8 << size));
      }
      commit(rd, 1);
      return true;
    }
    case 0x1c: {
      // URECPE / URSQRTE (size 10)
      if (size !== 2) return false;
      for (let i = 0; i < n; i++) put(2, i, u ? ursqrte(getU(rn, 2, i)) : urecpe(getU(rn, 2, i)));
      commit(rd, q);
      return true;
    }
    default:
      break;
  }
  if (opc === 0x04 && size === 3) return false;
  if (size === 3) {
    if (!q) return false;
    for (let i = 0; i < 2; i++) {
      const r = int64Op(opc, u, get64(rn, i), get64(rd, i));
      if (r === null) return false;
      put64(i, r);
    }
    commit(rd, 1);
    return true;
  }
  for (let i = 0; i < n; i++) {
    const r = int32Op(opc, u, size, getU(rn, size, i), getU(rd, size, i));
    if (r === null) return false;
    put(size, i, r);
  }
  commit(rd, q);
  return true;
}
