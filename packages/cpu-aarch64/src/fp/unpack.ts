import { FMT_D, FMT_S, FPCR_DN, FPSR_IDC, FPSR_IOC, type FpState } from './state.js';
import { S_F64, S_U32, TWO32 } from './scratch.js';
import { packDefaultNaN } from './round.js';

// Operand classes.
export const C_ZERO = 0;
export const C_FINITE = 1;
export const C_INF = 2;
export const C_QNAN = 3;
export const C_SNAN = 4;

/**
 * Unpacked operands (index 0..2, in Arm operand order). For finite nonzero values the value is
 * mant * 2^expo with |mant| in [1, 2) and the sign carried by mant.
 */
export const cls = new Int32Array(3);
export const sgn = new Int32Array(3);
export const mant = new Float64Array(3);
export const expo = new Int32Array(3);
export const rawLo = new Uint32Array(3);
export const rawHi = new Uint32Array(3);

function setFinite(i: number, neg: number, m: number, e: number): void {
  cls[i] = C_FINITE;
  mant[i] = neg ? -m : m;
  expo[i] = e;
}

/** Normalises a positive integer f (< 2^53) times 2^sh into operand i. */
function setFromInt(i: number, neg: number, f: number, sh: number): void {
  S_F64[0] = f;
  const fe = ((S_U32[1] >>> 20) & 0x7ff) - 1023;
  S_U32[1] = (S_U32[1] & 0x000fffff) | 0x3ff00000;
  setFinite(i, neg, S_F64[0], fe + sh);
}

/** Unpacks a double (lo, hi); fz flushes denormals to zero with IDC. */
export function unpackD(st: FpState, i: number, lo: number, hi: number, fz: boolean): number {
  rawLo[i] = lo;
  rawHi[i] = hi;
  const neg = hi >>> 31;
  sgn[i] = neg;
  const ex = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  if (ex === 0x7ff) {
    return (cls[i] = fh === 0 && lo === 0 ? C_INF : (fh & 0x80000) !== 0 ? C_QNAN : C_SNAN);
  }
  if (ex === 0) {
    if (fh === 0 && lo === 0) return (cls[i] = C_ZERO);
    if (fz) {
      st.fpsr |= FPSR_IDC;
      return (cls[i] = C_ZERO);
    }
    setFromInt(i, neg, fh * TWO32 + lo, -1074);
    return C_FINITE;
  }
  S_U32[0] = lo;
  S_U32[1] = fh | 0x3ff00000;
  setFinite(i, neg, S_F64[0], ex - 1023);
  return C_FINITE;
}

/** Unpacks a single. */
export function unpackS(st: FpState, i: number, a: number, fz: boolean): number {
  rawLo[i] = a;
  const neg = a >>> 31;
  sgn[i] = neg;
  const ex = (a >>> 23) & 0xff;
  const f = a & 0x7fffff;
  if (ex === 0xff) return (cls[i] = f === 0 ? C_INF : (f & 0x400000) !== 0 ? C_QNAN : C_SNAN);
  if (ex === 0) {
    if (f === 0) return (cls[i] = C_ZERO);
    if (fz) {
      st.fpsr |= FPSR_IDC;
      return (cls[i] = C_ZERO);
    }
    setFromInt(i, neg, f, -149);
    return C_FINITE;
  }
  setFinite(i, neg, 1 + f / 8388608, ex - 127);
  return C_FINITE;
}

/** Unpacks a half; ahp treats exponent 31 as normal numbers. Half inputs are never flushed (FZ16 = 0). */
export function unpackH(i: number, a: number, ahp: boolean): number {
  rawLo[i] = a;
  const neg = (a >>> 15) & 1;
  sgn[i] = neg;
  const ex = (a >>> 10) & 0x1f;
  const f = a & 0x3ff;
  if (ex === 0x1f && !ahp) return (cls[i] = f === 0 ? C_INF : (f & 0x200) !== 0 ? C_QNAN : C_SNAN);
  if (ex === 0) {
    if (f === 0) return (cls[i] = C_ZERO);
    setFromInt(i, neg, f, -24);
    return C_FINITE;
  }
  setFinite(i, neg, 1 + f / 1024, ex - 15);
  return C_FINITE;
}

/** Arm FPProcessNaN for operand i: quiets an SNaN (IOC), or gives the default NaN under DN. */
export function processNaN(st: FpState, fmt: number, i: number): number {
  if (cls[i] === C_SNAN) st.fpsr |= FPSR_IOC;
  if ((st.fpcr & FPCR_DN) !== 0) return packDefaultNaN(st, fmt);
  if (fmt === FMT_D) {
    st.rhi = (rawHi[i] | 0x80000) >>> 0;
    return rawLo[i];
  }
  if (fmt === FMT_S) return (rawLo[i] | 0x400000) >>> 0;
  return rawLo[i] | 0x200;
}

/**
 * Arm FPProcessNaNs for operands 0..n-1: the first SNaN, else the first QNaN. Returns -1 when no
 * operand is a NaN.
 */
export function processNaNs(st: FpState, fmt: number, n: number): number {
  for (let i = 0; i < n; i++) if (cls[i] === C_SNAN) return processNaN(st, fmt, i);
  for (let i = 0; i < n; i++) if (cls[i] === C_QNAN) return processNaN(st, fmt, i);
  return -1;
}

/** Default NaN with Invalid Operation. */
export function invalid(st: FpState, fmt: number): number {
  st.fpsr |= FPSR_IOC;
  return packDefaultNaN(st, fmt);
}
