import { FPCR_FZ, FPSR_IOC, type FpState } from './state.js';
import { S_F32, S_F64, S_U32, S_W32, ldexp } from './scratch.js';
import { C_INF, C_QNAN, C_SNAN, C_ZERO, cls, expo, mant, sgn, unpackD, unpackS } from './unpack.js';

// Compares. FCMP/FCMPE give NZCV; the vector compares give a boolean (the caller makes the mask).

/** NZCV for unordered, equal, less and greater. */
export const NZCV_UN = 0b0011;
export const NZCV_EQ = 0b0110;
export const NZCV_LT = 0b1000;
export const NZCV_GT = 0b0010;

function val(i: number): number {
  const c = cls[i];
  if (c === C_ZERO) return 0;
  if (c === C_INF) return sgn[i] ? -Infinity : Infinity;
  return ldexp(mant[i], expo[i]);
}

function isNaNCls(c: number): boolean {
  return c === C_QNAN || c === C_SNAN;
}

function cmpCore(st: FpState, signalAll: boolean): number {
  const c0 = cls[0];
  const c1 = cls[1];
  if (isNaNCls(c0) || isNaNCls(c1)) {
    if (signalAll || c0 === C_SNAN || c1 === C_SNAN) st.fpsr |= FPSR_IOC;
    return NZCV_UN;
  }
  const a = val(0);
  const b = val(1);
  return a === b ? NZCV_EQ : a < b ? NZCV_LT : NZCV_GT;
}

function un2S(st: FpState, a: number, b: number): void {
  const fz = (st.fpcr & FPCR_FZ) !== 0;
  unpackS(st, 0, a, fz);
  unpackS(st, 1, b, fz);
}
function un2D(st: FpState, alo: number, ahi: number, blo: number, bhi: number): void {
  const fz = (st.fpcr & FPCR_FZ) !== 0;
  unpackD(st, 0, alo, ahi, fz);
  unpackD(st, 1, blo, bhi, fz);
}

// Fast path (FZ = 0, no NaN operand): JS comparison of the exact values; -1 defers.
function fastCmp(x: number, y: number): number {
  return x === y ? NZCV_EQ : x < y ? NZCV_LT : x > y ? NZCV_GT : -1;
}
function fastCmpS(st: FpState, a: number, b: number): number {
  if ((st.fpcr & FPCR_FZ) !== 0) return -1;
  S_W32[0] = a;
  const x = S_F32[0];
  S_W32[0] = b;
  return fastCmp(x, S_F32[0]);
}
function fastCmpD(st: FpState, alo: number, ahi: number, blo: number, bhi: number): number {
  if ((st.fpcr & FPCR_FZ) !== 0) return -1;
  S_U32[0] = alo;
  S_U32[1] = ahi;
  const x = S_F64[0];
  S_U32[0] = blo;
  S_U32[1] = bhi;
  return fastCmp(x, S_F64[0]);
}

/** FCMP (signalAll false) / FCMPE (true): returns NZCV in bits 3..0. FCMP #0.0: pass b = 0. */
export function f32Cmp(st: FpState, a: number, b: number, signalAll: boolean): number {
  const r = fastCmpS(st, a, b);
  if (r >= 0) return r;
  un2S(st, a, b);
  return cmpCore(st, signalAll);
}
export function f64Cmp(st: FpState, alo: number, ahi: number, blo: number, bhi: number, signalAll: boolean): number {
  const r = fastCmpD(st, alo, ahi, blo, bhi);
  if (r >= 0) return r;
  un2D(st, alo, ahi, blo, bhi);
  return cmpCore(st, signalAll);
}

/** FCMEQ: IOC only for signalling NaNs. */
function eqCore(st: FpState): boolean {
  return cmpCore(st, false) === NZCV_EQ;
}
/** FCMGE/FCMGT: IOC for any NaN. */
function geCore(st: FpState, orEqual: boolean): boolean {
  const r = cmpCore(st, true);
  return r === NZCV_GT || (orEqual && r === NZCV_EQ);
}

export function f32CmpEq(st: FpState, a: number, b: number): boolean {
  const r = fastCmpS(st, a, b);
  if (r >= 0) return r === NZCV_EQ;
  un2S(st, a, b);
  return eqCore(st);
}
export function f32CmpGe(st: FpState, a: number, b: number): boolean {
  const r = fastCmpS(st, a, b);
  if (r >= 0) return r === NZCV_GT || r === NZCV_EQ;
  un2S(st, a, b);
  return geCore(st, true);
}
export function f32CmpGt(st: FpState, a: number, b: number): boolean {
  const r = fastCmpS(st, a, b);
  if (r >= 0) return r === NZCV_GT;
  un2S(st, a, b);
  return geCore(st, false);
}
/** FACGE/FACGT: compares absolute values. */
export function f32AbsGe(st: FpState, a: number, b: number): boolean {
  un2S(st, a & 0x7fffffff, b & 0x7fffffff);
  return geCore(st, true);
}
export function f32AbsGt(st: FpState, a: number, b: number): boolean {
  un2S(st, a & 0x7fffffff, b & 0x7fffffff);
  return geCore(st, false);
}
export function f64CmpEq(st: FpState, alo: number, ahi: number, blo: number, bhi: number): boolean {
  const r = fastCmpD(st, alo, ahi, blo, bhi);
  if (r >= 0) return r === NZCV_EQ;
  un2D(st, alo, ahi, blo, bhi);
  return eqCore(st);
}
export function f64CmpGe(st: FpState, alo: number, ahi: number, blo: number, bhi: number): boolean {
  const r = fastCmpD(st, alo, ahi, blo, bhi);
  if (r >= 0) return r === NZCV_GT || r === NZCV_EQ;
  un2D(st, alo, ahi, blo, bhi);
  return geCore(st, true);
}
export function f64CmpGt(st: FpState, alo: number, ahi: number, blo: number, bhi: number): boolean {
  const r = fastCmpD(st, alo, ahi, blo, bhi);
  if (r >= 0) return r === NZCV_GT;
  un2D(st, alo, ahi, blo, bhi);
  return geCore(st, false);
}
export function f64AbsGe(st: FpState, alo: number, ahi: number, blo: number, bhi: number): boolean {
  un2D(st, alo, ahi & 0x7fffffff, blo, bhi & 0x7fffffff);
  return geCore(st, true);
}
export function f64AbsGt(st: FpState, alo: number, ahi: number, blo: number, bhi: number): boolean {
  un2D(st, alo, ahi & 0x7fffffff, blo, bhi & 0x7fffffff);
  return geCore(st, false);
}
