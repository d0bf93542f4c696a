import { FPSR_QC, type FpState } from './state.js';
import { TWO32, pow2 } from './scratch.js';

// Advanced SIMD integer lane helpers whose arithmetic is not a one-liner: saturation (QC),
// doubling multiplies, rounding/saturating shifts, saturating narrows and polynomial multiply.
// Lanes of 8, 16 or 32 bits are passed and returned as their unsigned bit patterns; 64-bit
// lanes as (lo, hi) with the result's high word in st.rhi.

/** Sign-extends an unsigned lane value. */
export function sext(a: number, bits: number): number {
  if (bits === 32) return a | 0;
  const sh = 32 - bits;
  return (a << sh) >> sh;
}

/** The unsigned lane pattern of an integer (mod 2^bits). */
export function lane(v: number, bits: number): number {
  if (bits === 32) return v >>> 0;
  return v & ((1 << bits) - 1);
}

/** Saturates v into the signed or unsigned range of `bits` (<= 32), setting QC; returns lane bits. */
export function satLane(st: FpState, v: number, bits: number, signed: boolean): number {
  // The limits come from constants, not 2 ** bits: V8 does not fold a run-time `**` and this
  // runs once per lane of every saturating instruction.
  if (signed) {
    const max = bits === 8 ? 0x7f : bits === 16 ? 0x7fff : bits === 32 ? 0x7fffffff : 2 ** (bits - 1) - 1;
    if (v > max) {
      st.fpsr |= FPSR_QC;
      return max;
    }
    if (v < -max - 1) {
      st.fpsr |= FPSR_QC;
      return max + 1; // the lane pattern of -2^(bits-1)
    }
    return lane(v, bits);
  }
  const max = bits === 8 ? 0xff : bits === 16 ? 0xffff : bits === 32 ? 0xffffffff : 2 ** bits - 1;
  if (v > max) {
    st.fpsr |= FPSR_QC;
    return max;
  }
  if (v < 0) {
    st.fpsr |= FPSR_QC;
    return 0;
  }
  return v >>> 0;
}

/** SQADD / SQSUB (sub) on signed lanes. */
export function sqadd(st: FpState, a: number, b: number, bits: number, sub = false): number {
  const x = sext(a, bits);
  const y = sext(b, bits);
  return satLane(st, sub ? x - y : x + y, bits, true);
}
/** UQADD / UQSUB on unsigned lanes. */
export function uqadd(st: FpState, a: number, b: number, bits: number, sub = false): number {
  const x = lane(a, bits);
  const y = lane(b, bits);
  return satLane(st, sub ? x - y : x + y, bits, false);
}
/** SUQADD: signed a + unsigned b, signed saturation. */
export function suqadd(st: FpState, a: number, b: number, bits: number): number {
  return satLane(st, sext(a, bits) + lane(b, bits), bits, true);
}
/** USQADD: unsigned a + signed b, unsigned saturation. */
export function usqadd(st: FpState, a: number, b: number, bits: number): number {
  return satLane(st, lane(a, bits) + sext(b, bits), bits, false);
}
/** SQABS / SQNEG (neg). */
export function sqabs(st: FpState, a: number, bits: number, neg = false): number {
  const x = sext(a, bits);
  return satLane(st, neg ? -x : Math.abs(x), bits, true);
}

/** floor((2*a*b + (round ? 2^(bits-1) : 0)) / 2^bits) for signed 16/32-bit a, b, exact. */
function dmulHigh(a: number, b: number, bits: number, round: boolean): number {
  if (bits === 16) return Math.floor((2 * a * b + (round ? 0x8000 : 0)) / 65536);
  // 32-bit: a*b up to 2^62; split a into 16-bit halves so every partial product is exact.
  const ah = a >> 16; // signed high half
  const al = a & 0xffff;
  // a*b = ah*b*2^16 + al*b; floor((a*b + c) / 2^31) with c = round ? 2^30 : 0.
  const hiP = ah * b; // |.| < 2^47
  const loP = al * b; // |.| < 2^48
  // a*b = hiP*2^16 + loP. Write hiP = q*2^15 + r (0 <= r < 2^15): a*b = q*2^31 + r*2^16 + loP.
  const q = Math.floor(hiP / 32768);
  const r = hiP - q * 32768;
  return q + Math.floor((r * 65536 + loP + (round ? 1073741824 : 0)) / 2147483648);
}

/** SQDMULH / SQRDMULH (round) on 16- or 32-bit signed lanes. */
export function sqdmulh(st: FpState, a: number, b: number, bits: number, round: boolean): number {
  return satLane(st, dmulHigh(sext(a, bits), sext(b, bits), bits, round), bits, true);
}

/** SQDMULL on 16-bit lanes: 32-bit result bits. */
export function sqdmull16(st: FpState, a: number, b: number): number {
  return satLane(st, 2 * sext(a, 16) * sext(b, 16), 32, true);
}
/** SQDMULL on 32-bit lanes: 64-bit result, low word returned, high word in st.rhi. */
export function sqdmull32(st: FpState, a: number, b: number): number {
  const x = a | 0;
  const y = b | 0;
  if (x === -2147483648 && y === -2147483648) {
    st.fpsr |= FPSR_QC;
    st.rhi = 0x7fffffff;
    return 0xffffffff;
  }
  // 2*x*y exactly as hi*2^32 + lo.
  const xh = x >> 16;
  const xl = x & 0xffff;
  const p1 = xh * y * 2; // times 2^16
  const p0 = xl * y * 2;
  const q = Math.floor(p1 / 65536);
  const r = p1 - q * 65536; // 0 <= r < 2^16
  let lo = r * 65536 + p0; // may be outside [0, 2^32)
  let hi = q;
  const carry = Math.floor(lo / TWO32);
  hi += carry;
  lo -= carry * TWO32;
  st.rhi = hi >>> 0;
  return lo >>> 0;
}

/**
 * Shift by a signed register amount (SSHL/USHL, SRSHL/URSHL with round, SQSHL/UQSHL and
 * SQRSHL/UQRSHL with sat) on 8/16/32-bit lanes. `shift` is the low byte of the shift lane.
 */
export function shlReg(st: FpState, a: number, shiftByte: number, bits: number, signed: boolean, round: boolean, sat: boolean): number {
  const x = signed ? sext(a, bits) : lane(a, bits);
  const sh = (shiftByte << 24) >> 24;
  let v: number;
  if (sh >= 0) {
    v = sh >= 64 ? (x === 0 ? 0 : x * Infinity) : x * pow2(sh);
  } else {
    const n = -sh;
    if (round) v = n > bits + 1 ? 0 : Math.floor((x + pow2(n - 1)) / pow2(n));
    else v = n >= bits ? (x < 0 ? -1 : 0) : Math.floor(x / pow2(n));
  }
  if (sat) return satLane(st, v, bits, signed);
  if (sh >= 0) return sh >= bits ? 0 : lane(x << sh, bits);
  return lane(v, bits);
}

/** SQSHL/UQSHL/SQSHLU by immediate (shift 0..bits-1); srcSigned/dstSigned pick the form. */
export function qshlImm(st: FpState, a: number, shift: number, bits: number, srcSigned: boolean, dstSigned: boolean): number {
  const x = srcSigned ? sext(a, bits) : lane(a, bits);
  return satLane(st, x * pow2(shift), bits, dstSigned);
}

/** SQXTN/UQXTN/SQXTUN: saturating narrow of a srcBits (16/32) lane to srcBits/2. */
export function qnarrow(st: FpState, a: number, srcBits: number, srcSigned: boolean, dstSigned: boolean): number {
  const x = srcSigned ? sext(a, srcBits) : lane(a, srcBits);
  return satLane(st, x, srcBits / 2, dstSigned);
}
/** The same from a 64-bit lane (lo, hi) to 32 bits. */
export function qnarrow64(st: FpState, lo: number, hi: number, srcSigned: boolean, dstSigned: boolean): number {
  const x = srcSigned ? (hi | 0) * TWO32 + (lo >>> 0) : (hi >>> 0) * TWO32 + (lo >>> 0); // inexact only far outside the range
  return satLane(st, x, 32, dstSigned);
}

/**
 * Shift right narrow with saturation (SQSHRN, SQRSHRN, UQSHRN, UQRSHRN, SQSHRUN, SQRSHRUN) from a
 * 16/32-bit lane; shift 1..srcBits/2.
 */
export function qshrn(st: FpState, a: number, shift: number, srcBits: number, srcSigned: boolean, dstSigned: boolean, round: boolean): number {
  const x = srcSigned ? sext(a, srcBits) : lane(a, srcBits);
  const v = Math.floor((x + (round ? pow2(shift - 1) : 0)) / pow2(shift));
  return satLane(st, v, srcBits / 2, dstSigned);
}
/** The same from a 64-bit lane (lo, hi) to 32 bits; shift 1..32. */
export function qshrn64(st: FpState, lo: number, hi: number, shift: number, srcSigned: boolean, dstSigned: boolean, round: boolean): number {
  // (hi*2^32 + lo + r) >> shift computed exactly: split at the shift.
  const h = srcSigned ? hi | 0 : hi >>> 0;
  const l = lo >>> 0;
  const r = round ? pow2(shift - 1) : 0;
  // value = h*2^32 + l + r; floor(value / 2^shift) = h*2^(32-shift) + floor((l + r) / 2^shift)
  const v = h * pow2(32 - shift) + Math.floor((l + r) / pow2(shift));
  return satLane(st, v, 32, dstSigned);
}

/** PMUL: carry-less product of two bytes, low 8 bits. */
export function pmul8(a: number, b: number): number {
  return pmull8(a, b) & 0xff;
}
/** PMULL (8-bit lanes): 16-bit carry-less product. */
export function pmull8(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if ((b >>> i) & 1) r ^= (a & 0xff) << i;
  return r;
}

let clHi = 0;
/** 32x32 carry-less product: low word returned, high word in clHi. */
function clmul32(a: number, b: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 32; i++) {
    if ((b >>> i) & 1) {
      lo ^= a << i;
      if (i !== 0) hi ^= a >>> (32 - i);
    }
  }
  clHi = hi >>> 0;
  return lo >>> 0;
}

/** PMULL/PMULL2 on 64-bit lanes: 128-bit product; word 0 returned, words 1..3 in st.rhi, st.r2, st.r3. */
export function pmull64(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  const w0 = clmul32(alo, blo);
  const w1a = clHi;
  const m1 = clmul32(alo, bhi);
  const m1h = clHi;
  const m2 = clmul32(ahi, blo);
  const m2h = clHi;
  const h0 = clmul32(ahi, bhi);
  const h1 = clHi;
  st.rhi = (w1a ^ m1 ^ m2) >>> 0;
  st.r2 = (h0 ^ m1h ^ m2h) >>> 0;
  st.r3 = h1;
  return w0;
}

// ---------------------------------------------------------------------------------------------
// 64-bit lanes as (lo, hi) pairs. An exact intermediate is kept as H * 2^32 + L with L in
// [0, 2^32) and H a (possibly wider than 32-bit) integer; results go out as lo + st.rhi.

let pH = 0;
let pL = 0;
function norm(H: number, L: number): void {
  const c = Math.floor(L / TWO32);
  pH = H + c;
  pL = L - c * TWO32;
}

/** Saturates the exact pair (pH, pL) to signed or unsigned 64 bits (QC), writing lo / st.rhi. */
function sat64(st: FpState, signed: boolean): number {
  if (signed) {
    if (pH >= 0x80000000) {
      st.fpsr |= FPSR_QC;
      st.rhi = 0x7fffffff;
      return 0xffffffff;
    }
    if (pH < -0x80000000) {
      st.fpsr |= FPSR_QC;
      st.rhi = 0x80000000;
      return 0;
    }
  } else {
    if (pH >= TWO32) {
      st.fpsr |= FPSR_QC;
      st.rhi = 0xffffffff;
      return 0xffffffff;
    }
    if (pH < 0) {
      st.fpsr |= FPSR_QC;
      st.rhi = 0;
      return 0;
    }
  }
  st.rhi = pH >>> 0;
  return pL >>> 0;
}

/** SQADD/SQSUB on 64-bit lanes. */
export function sqadd64(st: FpState, alo: number, ahi: number, blo: number, bhi: number, sub = false): number {
  if (sub) norm((ahi | 0) - (bhi | 0), (alo >>> 0) - (blo >>> 0));
  else norm((ahi | 0) + (bhi | 0), (alo >>> 0) + (blo >>> 0));
  return sat64(st, true);
}
/** UQADD/UQSUB on 64-bit lanes. */
export function uqadd64(st: FpState, alo: number, ahi: number, blo: number, bhi: number, sub = false): number {
  if (sub) norm((ahi >>> 0) - (bhi >>> 0), (alo >>> 0) - (blo >>> 0));
  else norm((ahi >>> 0) + (bhi >>> 0), (alo >>> 0) + (blo >>> 0));
  return sat64(st, false);
}
/** SUQADD (signed a + unsigned b) on 64-bit lanes. */
export function suqadd64(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  norm((ahi | 0) + (bhi >>> 0), (alo >>> 0) + (blo >>> 0));
  return sat64(st, true);
}
/** USQADD (unsigned a + signed b) on 64-bit lanes. */
export function usqadd64(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  norm((ahi >>> 0) + (bhi | 0), (alo >>> 0) + (blo >>> 0));
  return sat64(st, false);
}
/** SQABS/SQNEG on 64-bit lanes. */
export function sqabs64(st: FpState, lo: number, hi: number, neg = false): number {
  const h = hi | 0;
  if (neg || h < 0) norm(-h, -(lo >>> 0));
  else norm(h, lo >>> 0);
  return sat64(st, true);
}

/**
 * Shift of a 64-bit lane by a signed register amount (SSHL/USHL/SRSHL/URSHL/SQSHL/UQSHL/SQRSHL/
 * UQRSHL, 64-bit forms; also the immediate right shifts with a negative amount).
 */
export function shlReg64(st: FpState, lo: number, hi: number, shiftByte: number, signed: boolean, round: boolean, sat: boolean): number {
  const sh = (shiftByte << 24) >> 24;
  let H = signed ? hi | 0 : hi >>> 0;
  let L = lo >>> 0;
  if (sh >= 0) {
    if (sat) {
      // Does x * 2^sh fit? Compare x against the range limits shifted right by sh.
      const isZero = H === 0 && L === 0;
      if (!isZero) {
        const k = (signed ? 63 : 64) - sh; // |x| must be below 2^k (signed: x in [-2^k, 2^k))
        let fits: boolean;
        if (k < 0) fits = false;
        else if (H >= 0) fits = k >= 32 ? H < pow2(k - 32) : H === 0 && L < pow2(k);
        else fits = signed && (k >= 32 ? H >= -(pow2(k - 32)) : H === -1 && L >= TWO32 - pow2(k));
        if (!fits) {
          pH = H < 0 ? -TWO32 * 2 : TWO32 * 2; // out of range: saturate
          pL = 0;
          return sat64(st, signed);
        }
      }
    }
    if (sh >= 64) {
      st.rhi = 0;
      return 0;
    }
    if (sh >= 32) {
      st.rhi = (L << (sh - 32)) >>> 0;
      return 0;
    }
    if (sh === 0) {
      st.rhi = H >>> 0;
      return L;
    }
    st.rhi = ((H << sh) | (L >>> (32 - sh))) >>> 0;
    return (L << sh) >>> 0;
  }
  const n = -sh;
  if (round) {
    if (n > 65) {
      st.rhi = 0;
      return 0;
    }
    // add 2^(n-1)
    if (n - 1 >= 32) H += pow2(n - 33);
    else L += pow2(n - 1);
    norm(H, L);
    H = pH;
    L = pL;
  } else if (n >= 64) {
    const neg = H < 0;
    st.rhi = neg ? 0xffffffff : 0;
    return neg ? 0xffffffff : 0;
  }
  if (n >= 32) {
    const q = Math.floor(H / pow2(n - 32));
    const qh = Math.floor(q / TWO32);
    pH = qh;
    pL = q - qh * TWO32;
  } else {
    const d = pow2(n);
    const qh = Math.floor(H / d);
    pH = qh;
    pL = (H - qh * d) * pow2(32 - n) + Math.floor(L / d);
  }
  if (sat) return sat64(st, signed);
  st.rhi = pH >>> 0;
  return pL >>> 0;
}

/** SQSHL/UQSHL/SQSHLU by immediate on a 64-bit lane (shift 0..63). */
export function qshlImm64(st: FpState, lo: number, hi: number, shift: number, srcSigned: boolean, dstSigned: boolean): number {
  if (srcSigned === dstSigned) return shlReg64(st, lo, hi, shift, srcSigned, false, true);
  // SQSHLU: negative inputs saturate to 0.
  if ((hi | 0) < 0) {
    st.fpsr |= FPSR_QC;
    st.rhi = 0;
    return 0;
  }
  return shlReg64(st, lo, hi, shift, false, false, true);
}
