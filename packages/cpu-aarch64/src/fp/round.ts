import {
  FMT_D,
  FMT_H,
  FMT_S,
  FPSR_IOC,
  FPSR_IXC,
  FPSR_OFC,
  FPSR_UFC,
  RA,
  RM,
  RN,
  RO,
  RP,
  type FpState,
} from './state.js';
import { S_F64, S_U32, TWO31, TWO32, TWO52, ldexp, pow2 } from './scratch.js';

/** Precision (with the implicit bit), minimum normal exponent, all-ones biased exponent. */
export const PREC = [11, 24, 53];
export const EMIN = [-14, -126, -1022];
export const MAXBE = [31, 255, 2047];

/** Flags for `roundPack`. */
export const RF_FZ = 1; // flush tiny results to zero (FPCR.FZ, single/double only)
export const RF_AHP = 2; // alternative half precision (no infinities/NaNs)

/**
 * Packs a signed zero of the format. Doubles return the low word and leave the high word in st.rhi.
 */
export function packZero(st: FpState, fmt: number, neg: number): number {
  if (fmt === FMT_D) {
    st.rhi = neg ? 0x80000000 : 0;
    return 0;
  }
  if (fmt === FMT_S) return neg ? 0x80000000 : 0;
  return neg ? 0x8000 : 0;
}

export function packInf(st: FpState, fmt: number, neg: number): number {
  if (fmt === FMT_D) {
    st.rhi = neg ? 0xfff00000 : 0x7ff00000;
    return 0;
  }
  if (fmt === FMT_S) return neg ? 0xff800000 : 0x7f800000;
  return neg ? 0xfc00 : 0x7c00;
}

export function packMaxNormal(st: FpState, fmt: number, neg: number): number {
  if (fmt === FMT_D) {
    st.rhi = neg ? 0xffefffff : 0x7fefffff;
    return 0xffffffff;
  }
  if (fmt === FMT_S) return neg ? 0xff7fffff : 0x7f7fffff;
  return neg ? 0xfbff : 0x7bff;
}

export function packDefaultNaN(st: FpState, fmt: number): number {
  if (fmt === FMT_D) {
    st.rhi = 0x7ff80000;
    return 0;
  }
  return fmt === FMT_S ? 0x7fc00000 : 0x7e00;
}

/** Packs sign * (2^(PREC-1) + frac... ) fields: biased exponent be and fraction (no implicit bit). */
function packFields(st: FpState, fmt: number, neg: boolean, be: number, frac: number): number {
  if (fmt === FMT_D) {
    const fh = Math.floor(frac / TWO32);
    st.rhi = (neg ? TWO31 : 0) + be * 1048576 + fh;
    return frac - fh * TWO32;
  }
  if (fmt === FMT_S) return (neg ? TWO31 : 0) + be * 8388608 + frac;
  return (neg ? 0x8000 : 0) + be * 1024 + frac;
}

/**
 * Rounds the exact real sign(h) * (|h| + w' + v') * 2^scale to the format, where (w', v') are
 * w and v taken relative to the sign of h, and ORs the FPSR flags into st. Requirements:
 * h is a nonzero normal double; |w| is at most about ulp(h)/2 (a TwoSum/TwoProduct error or
 * similar); v is either 0, or below w's resolution (|v| <= ulp(w)/2), or, when w is 0, any value
 * smaller than ulp(h)/2 whose sign alone is used (a "sticky" tail).
 * The rounding follows Arm's FPRoundBase: tininess is detected before rounding, FZ flushes tiny
 * results to zero with UFC, overflow gives infinity or the largest normal depending on mode,
 * AHP overflow gives the all-ones pattern with IOC.
 */
export function roundPack(
  st: FpState,
  h: number,
  w: number,
  v: number,
  scale: number,
  fmt: number,
  rmode: number,
  rflags: number,
): number {
  const neg = h < 0;
  if (neg) {
    h = -h;
    w = -w;
    v = -v;
  }
  S_F64[0] = h;
  const hh = S_U32[1];
  const e = ((hh >>> 20) & 0x7ff) - 1023;
  const M = (hh & 0xfffff) * TWO32 + S_U32[0] + TWO52; // 53-bit integer significand
  let fl = 0;
  let sticky = false;
  if (w !== 0) {
    let wl = ldexp(w, 63 - e);
    if (wl === 0 || (wl > -1e-300 && wl < 1e-300)) wl = w < 0 ? -0.5 : 0.5; // only sign and nonzeroness matter
    fl = Math.floor(wl);
    sticky = wl !== fl;
  }
  if (!sticky && v !== 0) {
    sticky = true;
    if (v < 0) fl -= 1;
  }
  // 64-bit significand in two limbs: (M << 11) + fl.
  let hi = Math.floor(M / 2097152);
  let lo = (M - hi * 2097152) * 2048 + fl;
  if (lo < 0) {
    lo += TWO32;
    hi -= 1;
  } else if (lo >= TWO32) {
    lo -= TWO32;
    hi += 1;
  }
  let E = e + scale;
  if (hi >= TWO32) {
    if (lo % 2 !== 0) sticky = true;
    lo = Math.floor(lo / 2) + (hi % 2) * TWO31;
    hi = Math.floor(hi / 2);
    E += 1;
  } else if (hi < TWO31) {
    const top = lo >= TWO31 ? 1 : 0;
    hi = hi * 2 + top;
    lo = (lo - top * TWO31) * 2;
    E -= 1;
  }
  const p = PREC[fmt];
  const emin = EMIN[fmt];
  const tiny = E < emin;
  if (tiny && (rflags & RF_FZ) !== 0) {
    st.fpsr |= FPSR_UFC;
    return packZero(st, fmt, neg ? 1 : 0);
  }
  const k = tiny ? p - (emin - E) : p; // bits kept
  let kept: number;
  let rb: number;
  let sb: boolean;
  if (k <= 0) {
    kept = 0;
    if (k === 0) {
      rb = 1; // hi has its top bit set
      sb = sticky || lo !== 0 || hi !== TWO31;
    } else {
      rb = 0;
      sb = true;
    }
  } else if (k <= 32) {
    const s = 32 - k; // bits of hi dropped: 0..31
    if (s === 0) {
      kept = hi;
      rb = lo >= TWO31 ? 1 : 0;
      sb = sticky || lo - rb * TWO31 !== 0;
    } else {
      const div = pow2(s);
      kept = Math.floor(hi / div);
      const rem = hi - kept * div;
      const half = div / 2;
      rb = rem >= half ? 1 : 0;
      sb = sticky || lo !== 0 || rem - rb * half !== 0;
    }
  } else {
    const d = 64 - k; // bits of lo dropped: 11..31
    const div = pow2(d);
    const lq = Math.floor(lo / div);
    kept = hi * pow2(32 - d) + lq;
    const rem = lo - lq * div;
    const half = div / 2;
    rb = rem >= half ? 1 : 0;
    sb = sticky || rem - rb * half !== 0;
  }
  const inexact = rb !== 0 || sb;
  let flags = 0;
  if (inexact) {
    flags = FPSR_IXC;
    if (tiny) flags |= FPSR_UFC;
    let up: boolean;
    switch (rmode) {
      case RN:
        up = rb !== 0 && (sb || kept % 2 === 1);
        break;
      case RP:
        up = !neg;
        break;
      case RM:
        up = neg;
        break;
      case RA:
        up = rb !== 0;
        break;
      default:
        up = false;
    }
    if (up) kept += 1;
    else if (rmode === RO && kept % 2 === 0) kept += 1;
  }
  let be: number;
  const implicit = pow2(p - 1);
  if (!tiny) {
    be = E - emin + 1;
    if (kept === implicit * 2) {
      kept = implicit;
      be += 1;
    }
    kept -= implicit;
  } else {
    be = 0;
    if (kept === implicit) {
      be = 1;
      kept = 0;
    }
  }
  if ((rflags & RF_AHP) !== 0 && fmt === FMT_H) {
    if (be > 31) {
      st.fpsr |= FPSR_IOC | (flags & FPSR_UFC);
      return neg ? 0xffff : 0x7fff;
    }
  } else if (be >= MAXBE[fmt]) {
    st.fpsr |= FPSR_OFC | FPSR_IXC;
    const toInf = rmode === RN || rmode === RA || (rmode === RP && !neg) || (rmode === RM && neg);
    return toInf ? packInf(st, fmt, neg ? 1 : 0) : packMaxNormal(st, fmt, neg ? 1 : 0);
  }
  st.fpsr |= flags;
  return packFields(st, fmt, neg, be, kept);
}

export { FMT_D, FMT_H, FMT_S };
