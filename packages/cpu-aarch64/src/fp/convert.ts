import {
  FMT_D,
  FMT_H,
  FMT_S,
  FPCR_AHP,
  FPCR_DN,
  FPCR_FZ,
  FPSR_IOC,
  FPSR_IXC,

  RM,
  RN,
  RO,
  RP,
  RZ,
  fpcrRMode,
  type FpState,
} from './state.js';
import { S_F32, S_F64, S_U32, S_W32, TWO32, ldexp, pow2, twoSumErr } from './scratch.js';
import { RF_AHP, RF_FZ, packDefaultNaN, packInf, packZero, roundPack } from './round.js';
import { C_INF, C_QNAN, C_SNAN, C_ZERO, cls, expo, mant, rawHi, rawLo, sgn, unpackD, unpackH, unpackS } from './unpack.js';

// Conversions: between precisions (FCVT, FCVTXN), float to integer/fixed (FCVT[NAPMZ][SU]),
// integer/fixed to float (SCVTF/UCVTF) and round to integral (FRINT*).

function fzOf(st: FpState): boolean {
  return (st.fpcr & FPCR_FZ) !== 0;
}

/**
 * Converts unpacked operand 0 (source format srcFmt) to dstFmt (Arm FPConvert).
 * NaN payloads keep their top fraction bits; AHP half outputs have no NaN/infinity.
 */
function convertCore(st: FpState, srcFmt: number, dstFmt: number, rmode: number): number {
  const c = cls[0];
  const s = sgn[0];
  const ahpOut = dstFmt === FMT_H && (st.fpcr & FPCR_AHP) !== 0;
  if (c === C_QNAN || c === C_SNAN) {
    if (c === C_SNAN || ahpOut) st.fpsr |= FPSR_IOC;
    if (ahpOut) return packZero(st, FMT_H, s);
    if ((st.fpcr & FPCR_DN) !== 0) return packDefaultNaN(st, dstFmt);
    // Fraction as a 51-bit-aligned payload: top fraction bits below the quiet bit.
    let hiF: number; // payload bits 50..29 (22 bits, as a single's fraction below its quiet bit)
    let loF = 0; // payload bits 28..0 (double only)
    if (srcFmt === FMT_D) {
      const fh = rawHi[0] & 0x7ffff; // fraction bits 50..32
      hiF = fh * 8 + (rawLo[0] >>> 29);
      loF = rawLo[0] & 0x1fffffff;
    } else if (srcFmt === FMT_S) {
      hiF = rawLo[0] & 0x3fffff;
    } else {
      hiF = (rawLo[0] & 0x1ff) << 13;
    }
    if (dstFmt === FMT_D) {
      st.rhi = ((s << 31) | 0x7ff80000 | (hiF >>> 3)) >>> 0;
      return (((hiF & 7) << 29) | loF) >>> 0;
    }
    if (dstFmt === FMT_S) return ((s << 31) | 0x7fc00000 | hiF) >>> 0;
    return (s << 15) | 0x7e00 | (hiF >>> 13);
  }
  if (c === C_INF) {
    if (ahpOut) {
      st.fpsr |= FPSR_IOC;
      return s ? 0xffff : 0x7fff;
    }
    return packInf(st, dstFmt, s);
  }
  if (c === C_ZERO) return packZero(st, dstFmt, s);
  const rf = dstFmt === FMT_H ? (ahpOut ? RF_AHP : 0) : fzOf(st) ? RF_FZ : 0;
  return roundPack(st, mant[0], 0, 0, expo[0], dstFmt, rmode, rf);
}

/** FCVT Sd, Hn (AHP per FPCR). */
export function f16ToF32(st: FpState, h: number): number {
  unpackH(0, h & 0xffff, (st.fpcr & FPCR_AHP) !== 0);
  return convertCore(st, FMT_H, FMT_S, RN);
}
/** FCVT Dd, Hn. */
export function f16ToF64(st: FpState, h: number): number {
  unpackH(0, h & 0xffff, (st.fpcr & FPCR_AHP) !== 0);
  return convertCore(st, FMT_H, FMT_D, RN);
}
/** FCVT Hd, Sn (FPCR rounding mode and AHP). */
export function f32ToF16(st: FpState, a: number): number {
  unpackS(st, 0, a, fzOf(st));
  return convertCore(st, FMT_S, FMT_H, fpcrRMode(st.fpcr));
}
/** FCVT Dd, Sn. */
export function f32ToF64(st: FpState, a: number): number {
  if (fastSrcS(st, a)) {
    // Exact: every single is a double.
    S_F64[0] = S_F32[0];
    st.rhi = S_U32[1];
    return S_U32[0];
  }
  unpackS(st, 0, a, fzOf(st));
  return convertCore(st, FMT_S, FMT_D, RN);
}
/** FCVT Hd, Dn. */
export function f64ToF16(st: FpState, lo: number, hi: number): number {
  unpackD(st, 0, lo, hi, fzOf(st));
  return convertCore(st, FMT_D, FMT_H, fpcrRMode(st.fpcr));
}
/** FCVT Sd, Dn. */
export function f64ToF32(st: FpState, lo: number, hi: number): number {
  if ((st.fpcr & 0x01c00000) === 0 && fastSrcD(st, lo, hi)) {
    // RN, FZ = 0: Math.fround is the correctly rounded result when it is a normal single.
    const x = S_F64[0];
    const r = Math.fround(x);
    const m = Math.abs(r);
    if (m >= 1.1754943508222875e-38 && m < Infinity && Math.abs(x) >= 1.1754943508222875e-38) {
      if (r !== x) st.fpsr |= FPSR_IXC;
      S_F32[0] = r;
      return S_W32[0];
    }
  }
  unpackD(st, 0, lo, hi, fzOf(st));
  return convertCore(st, FMT_D, FMT_S, fpcrRMode(st.fpcr));
}
/** FCVTXN: double to single with round-to-odd. */
export function f64ToF32Odd(st: FpState, lo: number, hi: number): number {
  unpackD(st, 0, lo, hi, fzOf(st));
  return convertCore(st, FMT_D, FMT_S, RO);
}

// ---------------------------------------------------------------------------------------------
// Float to integer / fixed point (Arm FPToFixed).

/** Rounds x to an integer in mode rmode; sets `rInexact`. */
let rInexact = false;
function roundToInt(x: number, rmode: number): number {
  const i = Math.floor(x);
  rInexact = x !== i;
  if (!rInexact) return i;
  // Sign of (x - i) - 1/2, exact in sign (i + 0.5 is exact below 2^52, where x can be fractional).
  const d = x - (i + 0.5);
  let up: boolean;
  switch (rmode) {
    case RN:
      up = d > 0 || (d === 0 && i % 2 !== 0);
      break;
    case RP:
      up = true;
      break;
    case RM:
      up = false;
      break;
    case RZ:
      up = i < 0;
      break;
    default: // RA
      up = d > 0 || (d === 0 && i >= 0);
  }
  return up ? i + 1 : i;
}

const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

/**
 * The unpacked operand 0 converted to an integer of `bits` (32 or 64) bits, saturated, as a JS
 * number (exact for 32-bit; for 64-bit the caller splits it). Sets IOC on NaN/overflow and IXC
 * when inexact.
 */
let satHigh = false;
function toFixedCore(st: FpState, rmode: number, unsigned: boolean, fbits: number, bits: number): number {
  satHigh = false;
  const c = cls[0];
  if (c === C_QNAN || c === C_SNAN) {
    st.fpsr |= FPSR_IOC;
    return 0;
  }
  if (c === C_ZERO) return 0;
  if (c === C_INF) return saturate(st, sgn[0] ? -Infinity : Infinity, unsigned, bits);
  return toFixedValue(st, ldexp(mant[0], expo[0] + fbits), rmode, unsigned, bits);
}

/** Saturation of an out-of-range (or infinite) value. */
function saturate(st: FpState, x: number, unsigned: boolean, bits: number): number {
  st.fpsr |= FPSR_IOC;
  if (x < 0) return unsigned ? 0 : bits === 32 ? -2147483648 : -TWO63;
  satHigh = true;
  return unsigned ? (bits === 32 ? 4294967295 : TWO64) : bits === 32 ? 2147483647 : TWO63;
}

/** Rounds the finite value x (already scaled by 2^fbits) to a saturated integer. */
function toFixedValue(st: FpState, x: number, rmode: number, unsigned: boolean, bits: number): number {
  satHigh = false;
  const lo = unsigned ? 0 : bits === 32 ? -2147483648 : -TWO63;
  const hiLim = unsigned ? (bits === 32 ? 4294967295 : TWO64) : bits === 32 ? 2147483647 : TWO63;
  const r = roundToInt(x, rmode);
  if (r < lo) {
    st.fpsr |= FPSR_IOC;
    return lo;
  }
  if (bits === 32 ? r > hiLim : r >= hiLim) {
    st.fpsr |= FPSR_IOC;
    satHigh = true;
    return hiLim;
  }
  if (rInexact) st.fpsr |= FPSR_IXC;
  return r;
}

/** Splits an integer (or a saturation marker) into 64-bit halves: low returned, high in st.rhi. */
function split64(st: FpState, r: number, unsigned: boolean): number {
  if (satHigh) {
    st.rhi = unsigned ? 0xffffffff : 0x7fffffff;
    return 0xffffffff;
  }
  const neg = r < 0;
  const a = neg ? -r : r;
  let hi = Math.floor(a / TWO32);
  let lo = a - hi * TWO32;
  if (neg) {
    // two's complement of (hi, lo)
    lo = lo === 0 ? 0 : TWO32 - lo;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  st.rhi = hi >>> 0;
  return lo >>> 0;
}

/** A finite single that FZ does not flush: loads its value into S_F32[0]. */
function fastSrcS(st: FpState, a: number): boolean {
  const e = a & 0x7f800000;
  if (e === 0x7f800000 || (e === 0 && (st.fpcr & FPCR_FZ) !== 0)) return false;
  S_W32[0] = a;
  return true;
}
/** A finite double that FZ does not flush: loads its value into S_F64[0]. */
function fastSrcD(st: FpState, lo: number, hi: number): boolean {
  const e = hi & 0x7ff00000;
  if (e === 0x7ff00000 || (e === 0 && (st.fpcr & FPCR_FZ) !== 0)) return false;
  S_U32[0] = lo;
  S_U32[1] = hi;
  return true;
}

/**
 * FCVT{N,P,M,Z,A}{S,U} Wd/Xd, Sn (and the fixed-point FCVTZS/FCVTZU #fbits forms).
 * rmode: RN, RP, RM, RZ or RA. 32-bit results are returned as uint32 bits.
 */
export function f32ToI32(st: FpState, a: number, rmode: number, unsigned: boolean, fbits = 0): number {
  if (fastSrcS(st, a)) return toFixedValue(st, S_F32[0] * pow2(fbits), rmode, unsigned, 32) >>> 0;
  unpackS(st, 0, a, fzOf(st));
  return toFixedCore(st, rmode, unsigned, fbits, 32) >>> 0;
}
export function f64ToI32(st: FpState, lo: number, hi: number, rmode: number, unsigned: boolean, fbits = 0): number {
  if (fastSrcD(st, lo, hi)) return toFixedValue(st, S_F64[0] * pow2(fbits), rmode, unsigned, 32) >>> 0;
  unpackD(st, 0, lo, hi, fzOf(st));
  return toFixedCore(st, rmode, unsigned, fbits, 32) >>> 0;
}
/** 64-bit results: low word returned, high word in st.rhi. */
export function f32ToI64(st: FpState, a: number, rmode: number, unsigned: boolean, fbits = 0): number {
  if (fastSrcS(st, a)) return split64(st, toFixedValue(st, S_F32[0] * pow2(fbits), rmode, unsigned, 64), unsigned);
  unpackS(st, 0, a, fzOf(st));
  return split64(st, toFixedCore(st, rmode, unsigned, fbits, 64), unsigned);
}
export function f64ToI64(st: FpState, lo: number, hi: number, rmode: number, unsigned: boolean, fbits = 0): number {
  if (fastSrcD(st, lo, hi)) return split64(st, toFixedValue(st, S_F64[0] * pow2(fbits), rmode, unsigned, 64), unsigned);
  unpackD(st, 0, lo, hi, fzOf(st));
  return split64(st, toFixedCore(st, rmode, unsigned, fbits, 64), unsigned);
}

// ---------------------------------------------------------------------------------------------
// Integer / fixed point to float (Arm FixedToFP), FPCR rounding mode.

function fromIntCore(st: FpState, neg: boolean, h: number, w: number, fbits: number, fmt: number): number {
  if (h === 0) return packZero(st, fmt, 0);
  const rf = fmt !== FMT_H && fzOf(st) ? RF_FZ : 0;
  return roundPack(st, neg ? -h : h, neg ? -w : w, 0, -fbits, fmt, fpcrRMode(st.fpcr), rf);
}

/** SCVTF/UCVTF Sd, Wn (#fbits). */
export function i32ToF32(st: FpState, x: number, unsigned: boolean, fbits = 0): number {
  const v = unsigned ? x >>> 0 : x | 0;
  if (v !== 0 && (st.fpcr & 0x00c00000) === 0) {
    // RN: one rounding of the exact value (results are never tiny).
    const d = v * pow2(-fbits);
    const r = Math.fround(d);
    if (r !== d) st.fpsr |= FPSR_IXC;
    S_F32[0] = r;
    return S_W32[0];
  }
  return fromIntCore(st, v < 0, Math.abs(v), 0, fbits, FMT_S);
}
/** SCVTF/UCVTF Dd, Wn: low word returned, high in st.rhi. */
export function i32ToF64(st: FpState, x: number, unsigned: boolean, fbits = 0): number {
  const v = unsigned ? x >>> 0 : x | 0;
  if (v !== 0) {
    // Exact in any mode.
    S_F64[0] = v * pow2(-fbits);
    st.rhi = S_U32[1];
    return S_U32[0];
  }
  return fromIntCore(st, v < 0, Math.abs(v), 0, fbits, FMT_D);
}

function fromI64(st: FpState, lo: number, hi: number, unsigned: boolean, fbits: number, fmt: number): number {
  lo >>>= 0;
  hi >>>= 0;
  const neg = !unsigned && hi >= 0x80000000;
  if (neg) {
    lo = lo === 0 ? 0 : TWO32 - lo;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    if (hi === 0 && lo === 0) hi = 0x80000000; // -2^63
  }
  const big = hi * TWO32;
  const h = big + lo;
  return fromIntCore(st, neg, h, twoSumErr(big, lo, h), fbits, fmt);
}
/** SCVTF/UCVTF Sd, Xn (#fbits): the 64-bit source as (lo, hi). */
export function i64ToF32(st: FpState, lo: number, hi: number, unsigned: boolean, fbits = 0): number {
  return fromI64(st, lo, hi, unsigned, fbits, FMT_S);
}
export function i64ToF64(st: FpState, lo: number, hi: number, unsigned: boolean, fbits = 0): number {
  if ((st.fpcr & 0x00c00000) === 0) {
    const big = (unsigned ? hi >>> 0 : hi | 0) * TWO32;
    const d = big + (lo >>> 0);
    if (d !== 0) {
      if (twoSumErr(big, lo >>> 0, d) !== 0) st.fpsr |= FPSR_IXC;
      S_F64[0] = d * pow2(-fbits);
      st.rhi = S_U32[1];
      return S_U32[0];
    }
  }
  return fromI64(st, lo, hi, unsigned, fbits, FMT_D);
}

// ---------------------------------------------------------------------------------------------
// Round to integral (Arm FPRoundInt): FRINTN/A/P/M/Z (fixed modes), FRINTX (FPCR mode, exact),
// FRINTI (FPCR mode).

function roundIntCore(st: FpState, fmt: number, rmode: number, exact: boolean): number {
  const c = cls[0];
  if (c === C_QNAN || c === C_SNAN) {
    if (c === C_SNAN) st.fpsr |= FPSR_IOC;
    if ((st.fpcr & FPCR_DN) !== 0) return packDefaultNaN(st, fmt);
    if (fmt === FMT_D) {
      st.rhi = (rawHi[0] | 0x80000) >>> 0;
      return rawLo[0];
    }
    return (rawLo[0] | 0x400000) >>> 0;
  }
  if (c === C_INF) return packInf(st, fmt, sgn[0]);
  if (c === C_ZERO) return packZero(st, fmt, sgn[0]);
  const x = ldexp(mant[0], expo[0]);
  const r = roundToInt(x, rmode);
  if (rInexact && exact) st.fpsr |= FPSR_IXC;
  if (r === 0) return packZero(st, fmt, sgn[0]);
  if (fmt === FMT_D) {
    S_F64[0] = r;
    st.rhi = S_U32[1];
    return S_U32[0];
  }
  S_F32[0] = r;
  return S_W32[0];
}

/** FRINT* on a single. rmode RN/RP/RM/RZ/RA; exact sets IXC when the value changes (FRINTX). */
export function f32RoundInt(st: FpState, a: number, rmode: number, exact: boolean): number {
  unpackS(st, 0, a, fzOf(st));
  return roundIntCore(st, FMT_S, rmode, exact);
}
export function f64RoundInt(st: FpState, lo: number, hi: number, rmode: number, exact: boolean): number {
  unpackD(st, 0, lo, hi, fzOf(st));
  return roundIntCore(st, FMT_D, rmode, exact);
}


