import { FMT_D, FMT_S, FPCR_FZ, FPSR_DZC, FPSR_IXC, RM, fpcrRMode, type FpState } from './state.js';
import { S_F32, S_F64, S_U32, S_W32, ldexp, pow2, twoProdErr, twoSumErr } from './scratch.js';
import { RF_FZ, packInf, packZero, roundPack } from './round.js';
import {
  C_FINITE,
  C_INF,
  C_QNAN,

  C_ZERO,
  cls,
  expo,
  invalid,
  mant,
  processNaNs,
  rawHi,
  rawLo,
  sgn,
  unpackD,
  unpackS,
} from './unpack.js';

// Generic arithmetic on the unpacked operands of ./unpack.ts, for single and double.
// Every finite case goes through roundPack with an exact (value, error) representation.

function rflags(st: FpState): number {
  return (st.fpcr & FPCR_FZ) !== 0 ? RF_FZ : 0;
}

/** Rounds operand i's finite value (exact; used when the other operand is zero). */
function roundOperand(st: FpState, fmt: number, i: number, neg: number): number {
  const m = mant[i];
  return roundPack(st, neg ? -Math.abs(m) : Math.abs(m), 0, 0, expo[i], fmt, fpcrRMode(st.fpcr), rflags(st));
}

/** value(op0) + value(op1) (op1's sign flipped when negB). */
export function addCore(st: FpState, fmt: number, negB: number): number {
  const nan = processNaNs(st, fmt, 2);
  if (nan >= 0) return nan;
  const ca = cls[0];
  const cb = cls[1];
  const sa = sgn[0];
  const sb = sgn[1] ^ negB;
  const rmode = fpcrRMode(st.fpcr);
  if (ca === C_INF || cb === C_INF) {
    if (ca === C_INF && cb === C_INF && sa !== sb) return invalid(st, fmt);
    return packInf(st, fmt, ca === C_INF ? sa : sb);
  }
  if (ca === C_ZERO) {
    if (cb === C_ZERO) return packZero(st, fmt, sa === sb ? sa : rmode === RM ? 1 : 0);
    return roundOperand(st, fmt, 1, sb);
  }
  if (cb === C_ZERO) return roundOperand(st, fmt, 0, sa);
  let ma = mant[0];
  let mb = negB ? -mant[1] : mant[1];
  let ea = expo[0];
  let eb = expo[1];
  if (ea < eb) {
    const t = ma;
    ma = mb;
    mb = t;
    const u = ea;
    ea = eb;
    eb = u;
  }
  const d = ea - eb;
  const rf = rflags(st);
  if (d > 120) return roundPack(st, ma, 0, mb, ea, fmt, rmode, rf);
  const b2 = mb * pow2(-d);
  const s = ma + b2;
  if (s === 0) return packZero(st, fmt, rmode === RM ? 1 : 0);
  return roundPack(st, s, twoSumErr(ma, b2, s), 0, ea, fmt, rmode, rf);
}

/** value(op0) * value(op1); mulx gives +-2 for infinity times zero (FMULX). */
export function mulCore(st: FpState, fmt: number, mulx: boolean): number {
  const nan = processNaNs(st, fmt, 2);
  if (nan >= 0) return nan;
  const ca = cls[0];
  const cb = cls[1];
  const s = sgn[0] ^ sgn[1];
  if (ca === C_INF || cb === C_INF) {
    if (ca === C_ZERO || cb === C_ZERO) {
      if (mulx) return roundPack(st, s ? -1 : 1, 0, 0, 1, fmt, 0, 0);
      return invalid(st, fmt);
    }
    return packInf(st, fmt, s);
  }
  if (ca === C_ZERO || cb === C_ZERO) return packZero(st, fmt, s);
  const p = mant[0] * mant[1];
  return roundPack(st, p, twoProdErr(mant[0], mant[1], p), 0, expo[0] + expo[1], fmt, fpcrRMode(st.fpcr), rflags(st));
}

/** value(op0) / value(op1). */
export function divCore(st: FpState, fmt: number): number {
  const nan = processNaNs(st, fmt, 2);
  if (nan >= 0) return nan;
  const ca = cls[0];
  const cb = cls[1];
  const s = sgn[0] ^ sgn[1];
  if (ca === C_INF) {
    if (cb === C_INF) return invalid(st, fmt);
    return packInf(st, fmt, s);
  }
  if (cb === C_INF) return packZero(st, fmt, s);
  if (cb === C_ZERO) {
    if (ca === C_ZERO) return invalid(st, fmt);
    st.fpsr |= FPSR_DZC;
    return packInf(st, fmt, s);
  }
  if (ca === C_ZERO) return packZero(st, fmt, s);
  const ma = mant[0];
  const mb = mant[1];
  const q = ma / mb;
  const ph = q * mb;
  const r = ma - ph - twoProdErr(q, mb, ph); // exact remainder
  return roundPack(st, q, 0, r / mb, expo[0] - expo[1], fmt, fpcrRMode(st.fpcr), rflags(st));
}

/** sqrt(value(op0)). */
export function sqrtCore(st: FpState, fmt: number): number {
  const nan = processNaNs(st, fmt, 1);
  if (nan >= 0) return nan;
  const c = cls[0];
  if (c === C_ZERO) return packZero(st, fmt, sgn[0]);
  if (sgn[0]) return invalid(st, fmt);
  if (c === C_INF) return packInf(st, fmt, 0);
  let m = mant[0];
  let e = expo[0];
  if (e % 2 !== 0) {
    m *= 2;
    e -= 1;
  }
  const r = Math.sqrt(m);
  const ph = r * r;
  const rem = m - ph - twoProdErr(r, r, ph);
  return roundPack(st, r, 0, rem, e / 2, fmt, fpcrRMode(st.fpcr), rflags(st));
}

/**
 * Fused value(op0) + value(op1) * value(op2) with one rounding (Arm FPMulAdd operand order).
 * kind 0: FMADD family (NaNs of all three operands; QNaN addend with inf*0 gives the default NaN);
 * kind 1: FRECPS (op0 is the constant 2, only op1/op2 NaNs, inf*0 gives 2);
 * kind 2: FRSQRTS (op0 is 3, result halved, inf*0 gives 1.5).
 */
export function fmaCore(st: FpState, fmt: number, kind: number): number {
  const nan = processNaNs(st, fmt, 3);
  const c1 = cls[1];
  const c2 = cls[2];
  const infZero = (c1 === C_INF && c2 === C_ZERO) || (c1 === C_ZERO && c2 === C_INF);
  if (nan >= 0) {
    if (kind === 0 && cls[0] === C_QNAN && infZero) return invalid(st, fmt);
    return nan;
  }
  const rmode = fpcrRMode(st.fpcr);
  const scaleAdj = kind === 2 ? -1 : 0;
  if (infZero) {
    if (kind === 0) return invalid(st, fmt);
    return roundPack(st, kind === 1 ? 1 : 1.5, 0, 0, kind === 1 ? 1 : 0, fmt, 0, 0);
  }
  const ca = cls[0];
  const sa = sgn[0];
  const ps = sgn[1] ^ sgn[2];
  if (c1 === C_INF || c2 === C_INF) {
    if (ca === C_INF && sa !== ps) return invalid(st, fmt);
    return packInf(st, fmt, ps);
  }
  if (ca === C_INF) return packInf(st, fmt, sa);
  const rf = rflags(st);
  if (c1 === C_ZERO || c2 === C_ZERO) {
    if (ca === C_ZERO) return packZero(st, fmt, sa === ps ? sa : rmode === RM ? 1 : 0);
    return roundPack(st, mant[0], 0, 0, expo[0] + scaleAdj, fmt, rmode, rf);
  }
  const ph = mant[1] * mant[2];
  const pl = twoProdErr(mant[1], mant[2], ph);
  const pe = expo[1] + expo[2];
  if (ca === C_ZERO) return roundPack(st, ph, pl, 0, pe + scaleAdj, fmt, rmode, rf);
  const ma = mant[0];
  const d = expo[0] - pe;
  if (d > 200) return roundPack(st, ma, 0, ph, expo[0] + scaleAdj, fmt, rmode, rf);
  if (d < -200) return roundPack(st, ph, pl, ma, pe + scaleAdj, fmt, rmode, rf);
  const c = ldexp(ma, d);
  const s = ph + c;
  const e = twoSumErr(ph, c, s);
  const u = e + pl;
  const v = twoSumErr(e, pl, u);
  const h = s + u;
  const w = twoSumErr(s, u, h);
  if (h === 0) return packZero(st, fmt, rmode === RM ? 1 : 0);
  const w2 = w + v;
  const v2 = twoSumErr(w, v, w2);
  return roundPack(st, h, w2, v2, pe + scaleAdj, fmt, rmode, rf);
}

/** Value of operand i as a JS number (finite, zero or infinite operands). */
function valueOf(i: number): number {
  const c = cls[i];
  if (c === C_ZERO) return 0;
  if (c === C_INF) return sgn[i] ? -Infinity : Infinity;
  return ldexp(mant[i], expo[i]);
}

/**
 * FMAX/FMIN/FMAXNM/FMINNM on operands 0 and 1. Returns the chosen operand's bits (the high word
 * of a double in st.rhi).
 */
export function maxMinCore(st: FpState, fmt: number, isMax: boolean, isNum: boolean): number {
  if (isNum) {
    // A single quiet NaN is treated as -inf (max) or +inf (min).
    const q0 = cls[0] === C_QNAN;
    const q1 = cls[1] === C_QNAN;
    if (q0 !== q1) {
      const i = q0 ? 0 : 1;
      if (cls[1 - i] !== C_QNAN) {
        cls[i] = C_INF;
        sgn[i] = isMax ? 1 : 0;
      }
    }
  }
  const nan = processNaNs(st, fmt, 2);
  if (nan >= 0) return nan;
  const v0 = valueOf(0);
  const v1 = valueOf(1);
  const pick = isMax ? (v0 > v1 ? 0 : 1) : v0 < v1 ? 0 : 1;
  const c = cls[pick];
  if (c === C_INF) return packInf(st, fmt, sgn[pick]);
  if (c === C_ZERO) {
    const s = isMax ? sgn[0] & sgn[1] : sgn[0] | sgn[1];
    // The other operand may be a nonzero value only when pick's value is not zero.
    if (cls[1 - pick] === C_ZERO) return packZero(st, fmt, s);
    return packZero(st, fmt, sgn[pick]);
  }
  if (fmt === FMT_D) st.rhi = rawHi[pick];
  return rawLo[pick];
}


// ---------------------------------------------------------------------------------------------
// Fast paths: FPCR.RMode = RN and FZ = 0, operands neither infinite nor NaN, result a normal
// number well inside the range. They compute the same bits and flags as the exact core (the
// oracle suite runs through both) and return -1 to defer to it otherwise.

const FAST_MASK = 0x01c00000; // RMode and FZ
const MIN_S_FAST = 2 ** -125;
const MIN_D_FAST = 2 ** -1000;
const MAX_D_FAST = 2 ** 1000;

function f32v(a: number): number {
  S_W32[0] = a;
  return S_F32[0];
}
function f32bits(x: number): number {
  S_F32[0] = x;
  return S_W32[0];
}
function f64v(lo: number, hi: number): number {
  S_U32[0] = lo;
  S_U32[1] = hi;
  return S_F64[0];
}
/** Writes a double's bits: low word returned, high word in st.rhi. */
function f64out(st: FpState, x: number): number {
  S_F64[0] = x;
  st.rhi = S_U32[1];
  return S_U32[0];
}
// The fast paths work on values: `fastXxxS/D` take the operands as JS numbers, as a caller
// reading a Float32Array/Float64Array view of the register file has them (no trip through the
// scratch buffers), and return the correctly rounded result or NaN to defer to the exact path.
// Any NaN operand fails their range checks, so they accept exactly the operands whose bit
// patterns are finite (and normal where required); flags are set only when a result is returned.
// The bit-pattern entry points below convert and call them.

const MIN_NORMAL_D = 2 ** -1022;

/** A single result of a correctly rounded double d (|r| normal, finite) or NaN. */
function fastS(st: FpState, r: number, inexact: boolean): number {
  const m = Math.abs(r);
  if (!(m >= MIN_S_FAST && m < Infinity)) return NaN;
  if (inexact) st.fpsr |= FPSR_IXC;
  return r;
}

/** x + y on single values (pass -y for a subtraction). */
export function fastAddS(st: FpState, x: number, y: number): number {
  if ((st.fpcr & FAST_MASK) !== 0 || !(Math.abs(x) < Infinity) || !(Math.abs(y) < Infinity)) return NaN;
  const d = x + y;
  const r = Math.fround(d);
  return fastS(st, r, r !== d || twoSumErr(x, y, d) !== 0);
}
export function fastMulS(st: FpState, x: number, y: number): number {
  if ((st.fpcr & FAST_MASK) !== 0 || !(Math.abs(x) < Infinity) || !(Math.abs(y) < Infinity)) return NaN;
  const d = x * y;
  const r = Math.fround(d);
  return fastS(st, r, r !== d);
}
export function fastDivS(st: FpState, x: number, y: number): number {
  if ((st.fpcr & FAST_MASK) !== 0 || !(Math.abs(x) < Infinity) || !(Math.abs(y) < Infinity)) return NaN;
  if (y === 0) return NaN;
  const r = Math.fround(x / y);
  return fastS(st, r, r * y !== x);
}
/** c + x*y, fused, on single values (pass -x for FMSUB). */
export function fastFmaS(st: FpState, x: number, y: number, c: number): number {
  if ((st.fpcr & FAST_MASK) !== 0 || !(Math.abs(c) < Infinity) || !(Math.abs(x) < Infinity) || !(Math.abs(y) < Infinity)) return NaN;
  const p = x * y;
  let s = p + c;
  const e = twoSumErr(p, c, s);
  if (e !== 0) {
    // Round to odd in double so that the final rounding to single is correct: an even last
    // bit moves one ulp (s is a normal double here) toward the exact value.
    S_F64[0] = s;
    const lo = S_U32[0];
    if ((lo & 1) === 0) {
      const ulp = pow2(((S_U32[1] >>> 20) & 0x7ff) - 1075);
      const away = e > 0 === s > 0;
      if (away) s = s > 0 ? s + ulp : s - ulp;
      else if (lo !== 0) s = s > 0 ? s - ulp : s + ulp;
      else return NaN;
    }
  }
  const r = Math.fround(s);
  return fastS(st, r, e !== 0 || r !== s);
}

/** x + y on double values (pass -y for a subtraction). */
export function fastAddD(st: FpState, x: number, y: number): number {
  if ((st.fpcr & FAST_MASK) !== 0 || !(Math.abs(x) < Infinity) || !(Math.abs(y) < Infinity)) return NaN;
  const d = x + y;
  const m = Math.abs(d);
  if (!(m >= MIN_D_FAST && m < Infinity)) return NaN;
  if (twoSumErr(x, y, d) !== 0) st.fpsr |= FPSR_IXC;
  return d;
}
export function fastMulD(st: FpState, x: number, y: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  if ((st.fpcr & FAST_MASK) !== 0 || !(ax >= MIN_NORMAL_D) || !(ay >= MIN_NORMAL_D)) return NaN;
  const d = x * y;
  const m = Math.abs(d);
  if (!(m >= 2 ** -900 && m < MAX_D_FAST) || !(ax < 2 ** 990) || !(ay < 2 ** 990)) return NaN; // Veltkamp split must not overflow
  if (twoProdErr(x, y, d) !== 0) st.fpsr |= FPSR_IXC;
  return d;
}
export function fastDivD(st: FpState, x: number, y: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  if ((st.fpcr & FAST_MASK) !== 0 || !(ax >= MIN_NORMAL_D) || !(ay >= MIN_NORMAL_D)) return NaN;
  const q = x / y;
  const m = Math.abs(q);
  if (!(m >= MIN_D_FAST && m < MAX_D_FAST) || !(ax < 2 ** 900 && ax > 2 ** -900) || !(ay < 2 ** 900 && ay > 2 ** -900)) return NaN;
  const ph = q * y;
  if (x - ph - twoProdErr(q, y, ph) !== 0) st.fpsr |= FPSR_IXC;
  return q;
}
/** c + x*y, fused, on double values (pass -x for FMSUB). */
export function fastFmaD(st: FpState, x: number, y: number, c: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  if ((st.fpcr & FAST_MASK) !== 0 || !(ax >= MIN_NORMAL_D) || !(ay >= MIN_NORMAL_D)) return NaN;
  const ph = x * y;
  const mp = Math.abs(ph);
  const mc = Math.abs(c);
  if (!(mp >= 2 ** -800 && mp < 2 ** 900) || !(ax < 2 ** 900) || !(ay < 2 ** 900) || !(mc < 2 ** 900)) return NaN;
  if (mc !== 0 && mc < 2 ** -800) return NaN;
  const pl = twoProdErr(x, y, ph);
  const s = ph + c;
  const e = twoSumErr(ph, c, s);
  const u = e + pl;
  const v = twoSumErr(e, pl, u);
  const h = s + u;
  const w = twoSumErr(s, u, h);
  const w2 = w + v;
  const v2 = twoSumErr(w, v, w2);
  const mh = Math.abs(h);
  if (!(mh >= MIN_D_FAST && mh < MAX_D_FAST)) return NaN;
  // The exact result is h + w2 + v2, |w2| at most half the spacing of doubles next to h on w2's
  // side and |v2| tiny next to w2. h is the rounded result unless w2 is exactly that half (then
  // n = h + 2*w2, the neighbour, is exact): v2 then says which side of the midpoint the exact
  // value lies, and an exact tie (v2 = 0) goes to the neighbour with the even significand.
  let r = h;
  if (w2 !== 0) {
    const n = h + 2 * w2;
    if (n - h === 2 * w2) {
      if (v2 === 0) {
        S_F64[0] = h;
        if ((S_U32[0] & 1) !== 0) r = n;
      } else if (v2 > 0 === w2 > 0) r = n;
      const mr = Math.abs(r);
      if (!(mr >= MIN_D_FAST && mr < MAX_D_FAST)) return NaN;
    }
  }
  if (w2 !== 0 || v2 !== 0) st.fpsr |= FPSR_IXC;
  return r;
}

// Array forms of the fast paths, for the interpreter's float views of the V registers: the
// operands are read from and the result written to F[index] (only when the fast path applies;
// the return value says whether it did). Only indices, arrays and booleans cross the call, so a
// call V8 does not inline boxes no double.

/** F[d] = F[a] + F[n]*F[m] (FMADD; FMSUB with negN), single precision, or false. */
export function fmaSAt(st: FpState, F: Float32Array, n: number, m: number, a: number, d: number, negN: boolean): boolean {
  const x = F[n]!;
  const r = fastFmaS(st, negN ? -x : x, F[m]!, F[a]!);
  if (r !== r) return false;
  F[d] = r;
  return true;
}
/** F[d] = F[n] + F[m] (FSUB with negM), single precision, or false. */
export function addSAt(st: FpState, F: Float32Array, n: number, m: number, d: number, negM: boolean): boolean {
  const y = F[m]!;
  const r = fastAddS(st, F[n]!, negM ? -y : y);
  if (r !== r) return false;
  F[d] = r;
  return true;
}
export function mulSAt(st: FpState, F: Float32Array, n: number, m: number, d: number): boolean {
  const r = fastMulS(st, F[n]!, F[m]!);
  if (r !== r) return false;
  F[d] = r;
  return true;
}
export function divSAt(st: FpState, F: Float32Array, n: number, m: number, d: number): boolean {
  const r = fastDivS(st, F[n]!, F[m]!);
  if (r !== r) return false;
  F[d] = r;
  return true;
}
/** F[d] = F[a] + F[n]*F[m] (FMADD; FMSUB with negN), double precision, or false. */
export function fmaDAt(st: FpState, F: Float64Array, n: number, m: number, a: number, d: number, negN: boolean): boolean {
  const x = F[n]!;
  const r = fastFmaD(st, negN ? -x : x, F[m]!, F[a]!);
  if (r !== r) return false;
  F[d] = r;
  return true;
}
export function addDAt(st: FpState, F: Float64Array, n: number, m: number, d: number, negM: boolean): boolean {
  const y = F[m]!;
  const r = fastAddD(st, F[n]!, negM ? -y : y);
  if (r !== r) return false;
  F[d] = r;
  return true;
}
export function mulDAt(st: FpState, F: Float64Array, n: number, m: number, d: number): boolean {
  const r = fastMulD(st, F[n]!, F[m]!);
  if (r !== r) return false;
  F[d] = r;
  return true;
}
export function divDAt(st: FpState, F: Float64Array, n: number, m: number, d: number): boolean {
  const r = fastDivD(st, F[n]!, F[m]!);
  if (r !== r) return false;
  F[d] = r;
  return true;
}

// Bit-pattern forms of the fast paths: the result's bits, or -1 to defer.
function bitsS(r: number): number {
  return r === r ? f32bits(r) : -1;
}
function bitsD(st: FpState, r: number): number {
  return r === r ? f64out(st, r) : -1;
}

// ---------------------------------------------------------------------------------------------
// Public single-precision helpers: operands and results are uint32 bit patterns.

function fzOf(st: FpState): boolean {
  return (st.fpcr & FPCR_FZ) !== 0;
}

function un2S(st: FpState, a: number, b: number): void {
  const fz = fzOf(st);
  unpackS(st, 0, a, fz);
  unpackS(st, 1, b, fz);
}

function un2D(st: FpState, alo: number, ahi: number, blo: number, bhi: number): void {
  const fz = fzOf(st);
  unpackD(st, 0, alo, ahi, fz);
  unpackD(st, 1, blo, bhi, fz);
}

export function f32Add(st: FpState, a: number, b: number): number {
  const r = bitsS(fastAddS(st, f32v(a), f32v(b)));
  if (r >= 0) return r;
  un2S(st, a, b);
  return addCore(st, FMT_S, 0);
}
export function f32Sub(st: FpState, a: number, b: number): number {
  const r = bitsS(fastAddS(st, f32v(a), -f32v(b)));
  if (r >= 0) return r;
  un2S(st, a, b);
  return addCore(st, FMT_S, 1);
}
export function f32Mul(st: FpState, a: number, b: number): number {
  const r = bitsS(fastMulS(st, f32v(a), f32v(b)));
  if (r >= 0) return r;
  un2S(st, a, b);
  return mulCore(st, FMT_S, false);
}
export function f32Mulx(st: FpState, a: number, b: number): number {
  un2S(st, a, b);
  return mulCore(st, FMT_S, true);
}
export function f32Nmul(st: FpState, a: number, b: number): number {
  return (f32Mul(st, a, b) ^ 0x80000000) >>> 0;
}
export function f32Div(st: FpState, a: number, b: number): number {
  const r = bitsS(fastDivS(st, f32v(a), f32v(b)));
  if (r >= 0) return r;
  un2S(st, a, b);
  return divCore(st, FMT_S);
}
export function f32Sqrt(st: FpState, a: number): number {
  if ((st.fpcr & FAST_MASK) === 0 && a > 0 && a < 0x7f800000) {
    // Positive finite single: sqrt in double then fround is correctly rounded, and r*r is exact.
    const x = f32v(a);
    const r = Math.fround(Math.sqrt(x));
    if (r * r !== x) st.fpsr |= FPSR_IXC;
    return f32bits(r);
  }
  unpackS(st, 0, a, fzOf(st));
  return sqrtCore(st, FMT_S);
}
export function f32Abd(st: FpState, a: number, b: number): number {
  return f32Sub(st, a, b) & 0x7fffffff;
}
export function f32Max(st: FpState, a: number, b: number): number {
  un2S(st, a, b);
  return maxMinCore(st, FMT_S, true, false);
}
export function f32Min(st: FpState, a: number, b: number): number {
  un2S(st, a, b);
  return maxMinCore(st, FMT_S, false, false);
}
export function f32MaxNm(st: FpState, a: number, b: number): number {
  un2S(st, a, b);
  return maxMinCore(st, FMT_S, true, true);
}
export function f32MinNm(st: FpState, a: number, b: number): number {
  un2S(st, a, b);
  return maxMinCore(st, FMT_S, false, true);
}
export function f32Neg(a: number): number {
  return (a ^ 0x80000000) >>> 0;
}
export function f32Abs(a: number): number {
  return a & 0x7fffffff;
}

function fma3S(st: FpState, a: number, n: number, m: number): number {
  const fz = fzOf(st);
  unpackS(st, 0, a, fz);
  unpackS(st, 1, n, fz);
  unpackS(st, 2, m, fz);
  return fmaCore(st, FMT_S, 0);
}
/** FMADD: a + n*m. */
export function f32Fmadd(st: FpState, n: number, m: number, a: number): number {
  const r = bitsS(fastFmaS(st, f32v(n), f32v(m), f32v(a)));
  if (r >= 0) return r;
  return fma3S(st, a, n, m);
}
/** FMSUB: a - n*m (n negated first, as Arm's FPNeg does, NaNs included). */
export function f32Fmsub(st: FpState, n: number, m: number, a: number): number {
  const nn = (n ^ 0x80000000) >>> 0;
  const r = bitsS(fastFmaS(st, f32v(nn), f32v(m), f32v(a)));
  if (r >= 0) return r;
  return fma3S(st, a, nn, m);
}
/** FNMADD: -a - n*m. */
export function f32Fnmadd(st: FpState, n: number, m: number, a: number): number {
  return fma3S(st, (a ^ 0x80000000) >>> 0, (n ^ 0x80000000) >>> 0, m);
}
/** FNMSUB: -a + n*m. */
export function f32Fnmsub(st: FpState, n: number, m: number, a: number): number {
  return fma3S(st, (a ^ 0x80000000) >>> 0, n, m);
}

function stepS(st: FpState, a: number, b: number, kind: number): number {
  const fz = fzOf(st);
  cls[0] = C_FINITE;
  sgn[0] = 0;
  mant[0] = kind === 1 ? 1 : 1.5;
  expo[0] = 1;
  unpackS(st, 1, (a ^ 0x80000000) >>> 0, fz);
  unpackS(st, 2, b, fz);
  return fmaCore(st, FMT_S, kind);
}
/** FRECPS: 2 - a*b, fused. */
export function f32Recps(st: FpState, a: number, b: number): number {
  return stepS(st, a, b, 1);
}
/** FRSQRTS: (3 - a*b) / 2, fused. */
export function f32Rsqrts(st: FpState, a: number, b: number): number {
  return stepS(st, a, b, 2);
}

// ---------------------------------------------------------------------------------------------
// Public double-precision helpers: operands as (lo, hi) uint32 halves; the result's low word is
// returned and its high word left in st.rhi.

export function f64Add(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  const r = bitsD(st, fastAddD(st, f64v(alo, ahi), f64v(blo, bhi)));
  if (r >= 0) return r;
  un2D(st, alo, ahi, blo, bhi);
  return addCore(st, FMT_D, 0);
}
export function f64Sub(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  const r = bitsD(st, fastAddD(st, f64v(alo, ahi), -f64v(blo, bhi)));
  if (r >= 0) return r;
  un2D(st, alo, ahi, blo, bhi);
  return addCore(st, FMT_D, 1);
}
export function f64Mul(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  const r = bitsD(st, fastMulD(st, f64v(alo, ahi), f64v(blo, bhi)));
  if (r >= 0) return r;
  un2D(st, alo, ahi, blo, bhi);
  return mulCore(st, FMT_D, false);
}
export function f64Mulx(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  un2D(st, alo, ahi, blo, bhi);
  return mulCore(st, FMT_D, true);
}
export function f64Nmul(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  const lo = f64Mul(st, alo, ahi, blo, bhi);
  st.rhi = (st.rhi ^ 0x80000000) >>> 0;
  return lo;
}
export function f64Div(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  const r = bitsD(st, fastDivD(st, f64v(alo, ahi), f64v(blo, bhi)));
  if (r >= 0) return r;
  un2D(st, alo, ahi, blo, bhi);
  return divCore(st, FMT_D);
}
export function f64Sqrt(st: FpState, alo: number, ahi: number): number {
  if ((st.fpcr & FAST_MASK) === 0 && ahi >= 0x07b00000 && ahi < 0x7ff00000) {
    // Positive double >= 2^-900: Math.sqrt is correctly rounded; the remainder x - r*r is exact.
    const x = f64v(alo, ahi);
    const r = Math.sqrt(x);
    const p = r * r;
    if (x - p - twoProdErr(r, r, p) !== 0) st.fpsr |= FPSR_IXC;
    return f64out(st, r);
  }
  unpackD(st, 0, alo, ahi, fzOf(st));
  return sqrtCore(st, FMT_D);
}
export function f64Abd(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  const lo = f64Sub(st, alo, ahi, blo, bhi);
  st.rhi = st.rhi & 0x7fffffff;
  return lo;
}
export function f64Max(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  un2D(st, alo, ahi, blo, bhi);
  return maxMinCore(st, FMT_D, true, false);
}
export function f64Min(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  un2D(st, alo, ahi, blo, bhi);
  return maxMinCore(st, FMT_D, false, false);
}
export function f64MaxNm(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  un2D(st, alo, ahi, blo, bhi);
  return maxMinCore(st, FMT_D, true, true);
}
export function f64MinNm(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  un2D(st, alo, ahi, blo, bhi);
  return maxMinCore(st, FMT_D, false, true);
}

function fma3D(st: FpState, alo: number, ahi: number, nlo: number, nhi: number, mlo: number, mhi: number): number {
  const fz = fzOf(st);
  unpackD(st, 0, alo, ahi, fz);
  unpackD(st, 1, nlo, nhi, fz);
  unpackD(st, 2, mlo, mhi, fz);
  return fmaCore(st, FMT_D, 0);
}
/** FMADD: a + n*m. */
export function f64Fmadd(st: FpState, nlo: number, nhi: number, mlo: number, mhi: number, alo: number, ahi: number): number {
  const r = bitsD(st, fastFmaD(st, f64v(nlo, nhi), f64v(mlo, mhi), f64v(alo, ahi)));
  if (r >= 0) return r;
  return fma3D(st, alo, ahi, nlo, nhi, mlo, mhi);
}
/** FMSUB: a - n*m. */
export function f64Fmsub(st: FpState, nlo: number, nhi: number, mlo: number, mhi: number, alo: number, ahi: number): number {
  const nh = (nhi ^ 0x80000000) >>> 0;
  const r = bitsD(st, fastFmaD(st, f64v(nlo, nh), f64v(mlo, mhi), f64v(alo, ahi)));
  if (r >= 0) return r;
  return fma3D(st, alo, ahi, nlo, nh, mlo, mhi);
}
/** FNMADD: -a - n*m. */
export function f64Fnmadd(st: FpState, nlo: number, nhi: number, mlo: number, mhi: number, alo: number, ahi: number): number {
  return fma3D(st, alo, (ahi ^ 0x80000000) >>> 0, nlo, (nhi ^ 0x80000000) >>> 0, mlo, mhi);
}
/** FNMSUB: -a + n*m. */
export function f64Fnmsub(st: FpState, nlo: number, nhi: number, mlo: number, mhi: number, alo: number, ahi: number): number {
  return fma3D(st, alo, (ahi ^ 0x80000000) >>> 0, nlo, nhi, mlo, mhi);
}

function stepD(st: FpState, alo: number, ahi: number, blo: number, bhi: number, kind: number): number {
  const fz = fzOf(st);
  cls[0] = C_FINITE;
  sgn[0] = 0;
  mant[0] = kind === 1 ? 1 : 1.5;
  expo[0] = 1;
  unpackD(st, 1, alo, (ahi ^ 0x80000000) >>> 0, fz);
  unpackD(st, 2, blo, bhi, fz);
  return fmaCore(st, FMT_D, kind);
}
export function f64Recps(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  return stepD(st, alo, ahi, blo, bhi, 1);
}
export function f64Rsqrts(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  return stepD(st, alo, ahi, blo, bhi, 2);
}


