import { FMT_D, FMT_S, FPCR_FZ, FPSR_DZC, FPSR_IXC, FPSR_OFC, FPSR_UFC, RM, RN, RP, fpcrRMode, type FpState } from './state.js';
import { TWO32 } from './scratch.js';
import { invalid, processNaN, C_INF, C_QNAN, C_SNAN, C_ZERO, unpackD, unpackS } from './unpack.js';
import { packInf, packMaxNormal, packZero } from './round.js';

// Reciprocal and reciprocal-square-root estimates as the Arm ARM specifies them
// (RecipEstimate / RecipSqrtEstimate on 9-bit fixed-point values, no FEAT_RPRES),
// plus FRECPX and the unsigned integer forms URECPE/URSQRTE.

/** RECIP[a - 256] for a in 256..511: round(2^19 / (2a+1)) halved, in 256..511. */
const RECIP = new Uint16Array(256);
/** RSQRT[a - 128] for a in 128..511. */
const RSQRT = new Uint16Array(384);
for (let a = 256; a < 512; a++) {
  const b = Math.floor(524288 / (a * 2 + 1));
  RECIP[a - 256] = (b + 1) >> 1;
}
for (let a0 = 128; a0 < 512; a0++) {
  const a = a0 < 256 ? a0 * 2 + 1 : (((a0 >> 1) << 1) + 1) * 2;
  let b = 512;
  while (a * (b + 1) * (b + 1) < 268435456) b++;
  RSQRT[a0 - 128] = (b + 1) >> 1;
}

function fzOf(st: FpState): boolean {
  return (st.fpcr & FPCR_FZ) !== 0;
}

function overflowResult(st: FpState, fmt: number, neg: number): number {
  const rm = fpcrRMode(st.fpcr);
  const toInf = rm === RN || (rm === RP && !neg) || (rm === RM && neg === 1);
  st.fpsr |= FPSR_OFC | FPSR_IXC;
  return toInf ? packInf(st, fmt, neg) : packMaxNormal(st, fmt, neg);
}

/** FRECPE on a single. */
export function f32RecpEst(st: FpState, a: number): number {
  const c = unpackS(st, 0, a, fzOf(st));
  const neg = a >>> 31;
  if (c === C_QNAN || c === C_SNAN) return processNaN(st, FMT_S, 0);
  if (c === C_INF) return packZero(st, FMT_S, neg);
  if (c === C_ZERO) {
    st.fpsr |= FPSR_DZC;
    return packInf(st, FMT_S, neg);
  }
  let exp = (a >>> 23) & 0xff;
  let frac = a & 0x7fffff;
  if (exp === 0 && frac < 0x200000) return overflowResult(st, FMT_S, neg); // |x| < 2^-128
  if (fzOf(st) && exp >= 253) {
    st.fpsr |= FPSR_UFC;
    return packZero(st, FMT_S, neg);
  }
  if (exp === 0) {
    if ((frac & 0x400000) === 0) {
      exp = -1;
      frac = (frac << 2) & 0x7fffff;
    } else frac = (frac << 1) & 0x7fffff;
  }
  const est = RECIP[frac >>> 15];
  let rexp = 253 - exp;
  let rf = (est & 0xff) << 15;
  if (rexp === 0) rf = 0x400000 | (rf >>> 1);
  else if (rexp === -1) {
    rf = 0x200000 | (rf >>> 2);
    rexp = 0;
  }
  return ((neg << 31) | (rexp << 23) | rf) >>> 0;
}

/** FRECPE on a double (lo, hi): low word returned, high in st.rhi. */
export function f64RecpEst(st: FpState, lo: number, hi: number): number {
  const c = unpackD(st, 0, lo, hi, fzOf(st));
  const neg = hi >>> 31;
  if (c === C_QNAN || c === C_SNAN) return processNaN(st, FMT_D, 0);
  if (c === C_INF) return packZero(st, FMT_D, neg);
  if (c === C_ZERO) {
    st.fpsr |= FPSR_DZC;
    return packInf(st, FMT_D, neg);
  }
  let exp = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  if (exp === 0 && fh < 0x40000) return overflowResult(st, FMT_D, neg); // |x| < 2^-1024
  if (fzOf(st) && exp >= 2045) {
    st.fpsr |= FPSR_UFC;
    return packZero(st, FMT_D, neg);
  }
  let top8: number;
  if (exp === 0) {
    if ((fh & 0x80000) === 0) {
      exp = -1;
      top8 = (fh >>> 10) & 0xff;
    } else top8 = (fh >>> 11) & 0xff;
  } else top8 = fh >>> 12;
  const est = RECIP[top8];
  let rexp = 2045 - exp;
  let rf = (est & 0xff) << 12; // fraction bits 51..32 (the low word stays zero)
  if (rexp === 0) rf = 0x80000 | (rf >>> 1);
  else if (rexp === -1) {
    rf = 0x40000 | (rf >>> 2);
    rexp = 0;
  }
  st.rhi = ((neg << 31) | (rexp << 20) | rf) >>> 0;
  return 0;
}

/** FRSQRTE on a single. */
export function f32RsqrtEst(st: FpState, a: number): number {
  const c = unpackS(st, 0, a, fzOf(st));
  const neg = a >>> 31;
  if (c === C_QNAN || c === C_SNAN) return processNaN(st, FMT_S, 0);
  if (c === C_ZERO) {
    st.fpsr |= FPSR_DZC;
    return packInf(st, FMT_S, neg);
  }
  if (neg) return invalid(st, FMT_S);
  if (c === C_INF) return 0;
  let exp = (a >>> 23) & 0xff;
  let frac = a & 0x7fffff;
  if (exp === 0) {
    while ((frac & 0x400000) === 0) {
      frac <<= 1;
      exp -= 1;
    }
    frac = (frac << 1) & 0x7fffff;
  }
  const scaled = (exp & 1) === 0 ? 256 + (frac >>> 15) : 128 + (frac >>> 16);
  const rexp = Math.floor((380 - exp) / 2);
  return ((rexp << 23) | ((RSQRT[scaled - 128] & 0xff) << 15)) >>> 0;
}

/** FRSQRTE on a double. */
export function f64RsqrtEst(st: FpState, lo: number, hi: number): number {
  const c = unpackD(st, 0, lo, hi, fzOf(st));
  const neg = hi >>> 31;
  if (c === C_QNAN || c === C_SNAN) return processNaN(st, FMT_D, 0);
  if (c === C_ZERO) {
    st.fpsr |= FPSR_DZC;
    return packInf(st, FMT_D, neg);
  }
  if (neg) return invalid(st, FMT_D);
  if (c === C_INF) {
    st.rhi = 0;
    return 0;
  }
  let exp = (hi >>> 20) & 0x7ff;
  let f = (hi & 0xfffff) * TWO32 + lo; // 52-bit fraction, exact
  if (exp === 0) {
    while (f < 2251799813685248) {
      f *= 2;
      exp -= 1;
    }
    f = f * 2 - 4503599627370496;
  }
  const top8 = Math.floor(f / 17592186044416); // bits 51..44
  const scaled = (exp & 1) === 0 ? 256 + top8 : 128 + (top8 >>> 1);
  const rexp = Math.floor((3068 - exp) / 2);
  st.rhi = ((rexp << 20) | ((RSQRT[scaled - 128] & 0xff) << 12)) >>> 0;
  return 0;
}

/** FRECPX on a single. */
export function f32Recpx(st: FpState, a: number): number {
  const c = unpackS(st, 0, a, fzOf(st));
  if (c === C_QNAN || c === C_SNAN) return processNaN(st, FMT_S, 0);
  const exp = (a >>> 23) & 0xff;
  const s = a & 0x80000000;
  return (s | ((exp === 0 ? 0xfe : ~exp & 0xff) << 23)) >>> 0;
}

/** FRECPX on a double. */
export function f64Recpx(st: FpState, lo: number, hi: number): number {
  const c = unpackD(st, 0, lo, hi, fzOf(st));
  if (c === C_QNAN || c === C_SNAN) return processNaN(st, FMT_D, 0);
  const exp = (hi >>> 20) & 0x7ff;
  st.rhi = ((hi & 0x80000000) | ((exp === 0 ? 0x7fe : ~exp & 0x7ff) << 20)) >>> 0;
  return 0;
}

/** URECPE on a 32-bit lane. */
export function urecpe(a: number): number {
  if ((a & 0x80000000) === 0) return 0xffffffff;
  return (RECIP[(a >>> 23) - 256] << 23) >>> 0;
}

/** URSQRTE on a 32-bit lane. */
export function ursqrte(a: number): number {
  if ((a >>> 30) === 0) return 0xffffffff;
  return (RSQRT[(a >>> 23) - 128] << 23) >>> 0;
}
