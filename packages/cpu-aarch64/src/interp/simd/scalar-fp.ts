/**
 * Scalar floating-point data processing (Arm ARM C4.1.6): 1/2/3 source, compare, conditional
 * compare and select, FMOV immediate, conversions to and from integers and fixed point.
 * Single and double precision; half precision only as an FCVT source/destination (no FEAT_FP16).
 */
import {
  f16ToF32,
  addDAt,
  addSAt,
  divDAt,
  divSAt,
  fmaDAt,
  fmaSAt,
  mulDAt,
  mulSAt,
  f16ToF64,
  f32Abs,
  f32Add,
  f32Cmp,
  f32Div,
  f32Fmadd,
  f32Fmsub,
  f32Fnmadd,
  f32Fnmsub,
  f32Max,
  f32MaxNm,
  f32Min,
  f32MinNm,
  f32Mul,
  f32Neg,
  f32Nmul,
  f32RoundInt,
  f32Sqrt,
  f32Sub,
  f32ToF16,
  f32ToF64,
  f32ToI32,
  f32ToI64,
  f64Add,
  f64Cmp,
  f64Div,
  f64Fmadd,
  f64Fmsub,
  f64Fnmadd,
  f64Fnmsub,
  f64Max,
  f64MaxNm,
  f64Min,
  f64MinNm,
  f64Mul,
  f64Nmul,
  f64RoundInt,
  f64Sqrt,
  f64Sub,
  f64ToF16,
  f64ToF32,
  f64ToI32,
  f64ToI64,
  fpcrRMode,
  i32ToF32,
  i32ToF64,
  i64ToF32,
  i64ToF64,
  RA,
  RZ,
} from '../../fp/index.js';
import { F32, F64, V32, st, type SimdCtx } from './lanes.js';

// Two- and three-source operations by opcode, as switches with direct calls (a call through a
// table of functions is megamorphic and cannot be inlined).

function bin32(opc: number, a: number, b: number): number {
  switch (opc) {
    case 0:
      return f32Mul(st, a, b);
    case 1:
      return f32Div(st, a, b);
    case 2:
      return f32Add(st, a, b);
    case 3:
      return f32Sub(st, a, b);
    case 4:
      return f32Max(st, a, b);
    case 5:
      return f32Min(st, a, b);
    case 6:
      return f32MaxNm(st, a, b);
    case 7:
      return f32MinNm(st, a, b);
    default:
      return f32Nmul(st, a, b);
  }
}

function bin64(opc: number, alo: number, ahi: number, blo: number, bhi: number): number {
  switch (opc) {
    case 0:
      return f64Mul(st, alo, ahi, blo, bhi);
    case 1:
      return f64Div(st, alo, ahi, blo, bhi);
    case 2:
      return f64Add(st, alo, ahi, blo, bhi);
    case 3:
      return f64Sub(st, alo, ahi, blo, bhi);
    case 4:
      return f64Max(st, alo, ahi, blo, bhi);
    case 5:
      return f64Min(st, alo, ahi, blo, bhi);
    case 6:
      return f64MaxNm(st, alo, ahi, blo, bhi);
    case 7:
      return f64MinNm(st, alo, ahi, blo, bhi);
    default:
      return f64Nmul(st, alo, ahi, blo, bhi);
  }
}

function tri32(k: number, n: number, m: number, a: number): number {
  switch (k) {
    case 0:
      return f32Fmadd(st, n, m, a);
    case 1:
      return f32Fmsub(st, n, m, a);
    case 2:
      return f32Fnmadd(st, n, m, a);
    default:
      return f32Fnmsub(st, n, m, a);
  }
}

function tri64(k: number, nlo: number, nhi: number, mlo: number, mhi: number, alo: number, ahi: number): number {
  switch (k) {
    case 0:
      return f64Fmadd(st, nlo, nhi, mlo, mhi, alo, ahi);
    case 1:
      return f64Fmsub(st, nlo, nhi, mlo, mhi, alo, ahi);
    case 2:
      return f64Fnmadd(st, nlo, nhi, mlo, mhi, alo, ahi);
    default:
      return f64Fnmsub(st, nlo, nhi, mlo, mhi, alo, ahi);
  }
}

/**
 * The fast paths of the common two- and three-source forms (FMUL, FDIV, FADD, FSUB; FMADD,
 * FMSUB) on the float views: true when Sd/Dd was written (the caller zeroes the rest of the
 * register), false when the bit-pattern functions must decide.
 */
function fastBin(dbl: boolean, opc: number, rn: number, rm: number, rd: number): boolean {
  if (dbl) {
    const n = rn * 2;
    const m = rm * 2;
    const d = rd * 2;
    switch (opc) {
      case 0:
        return mulDAt(st, F64, n, m, d);
      case 1:
        return divDAt(st, F64, n, m, d);
      case 2:
      case 3:
        return addDAt(st, F64, n, m, d, opc === 3);
      default:
        return false;
    }
  }
  const n = rn * 4;
  const m = rm * 4;
  const d = rd * 4;
  switch (opc) {
    case 0:
      return mulSAt(st, F32, n, m, d);
    case 1:
      return divSAt(st, F32, n, m, d);
    case 2:
    case 3:
      return addSAt(st, F32, n, m, d, opc === 3);
    default:
      return false;
  }
}
function fastTri(dbl: boolean, k: number, rn: number, rm: number, ra: number, rd: number): boolean {
  if (k > 1) return false;
  return dbl ? fmaDAt(st, F64, rn * 2, rm * 2, ra * 2, rd * 2, k === 1) : fmaSAt(st, F32, rn * 4, rm * 4, ra * 4, rd * 4, k === 1);
}
/** Zeroes the rest of Vd after a fast-path result in Sd or Dd. */
function zeroAbove(rd: number, dbl: boolean): void {
  const o = rd * 4;
  if (!dbl) V32[o + 1] = 0;
  V32[o + 2] = 0;
  V32[o + 3] = 0;
}

function setS(rd: number, v: number): void {
  const o = rd * 4;
  V32[o] = v;
  V32[o + 1] = 0;
  V32[o + 2] = 0;
  V32[o + 3] = 0;
}

function setD(rd: number, lo: number, hi: number): void {
  const o = rd * 4;
  V32[o] = lo;
  V32[o + 1] = hi;
  V32[o + 2] = 0;
  V32[o + 3] = 0;
}

/** ConditionHolds on NZCV in bits 31..28. */
export function conditionHolds(nzcv: number, cond: number): boolean {
  const n = (nzcv >>> 31) & 1;
  const z = (nzcv >>> 30) & 1;
  const c = (nzcv >>> 29) & 1;
  const v = (nzcv >>> 28) & 1;
  let r: boolean;
  switch (cond >>> 1) {
    case 0:
      r = z === 1;
      break;
    case 1:
      r = c === 1;
      break;
    case 2:
      r = n === 1;
      break;
    case 3:
      r = v === 1;
      break;
    case 4:
      r = c === 1 && z === 0;
      break;
    case 5:
      r = n === v;
      break;
    case 6:
      r = n === v && z === 0;
      break;
    default:
      r = true;
  }
  return (cond & 1) === 1 && cond !== 15 ? !r : r;
}

/** VFPExpandImm for single (returns the word) or double (returns the high word; low is 0). */
function expandFpImm(imm8: number, dbl: boolean): number {
  const a = (imm8 >>> 7) & 1;
  const b = (imm8 >>> 6) & 1;
  const cdefgh = imm8 & 0x3f;
  if (!dbl) return ((a << 31) | ((b ? 0x1f : 0x20) << 25) | (cdefgh << 19)) >>> 0;
  return ((a << 31) | ((b ? 0xff : 0x100) << 22) | (cdefgh << 16)) >>> 0;
}

/** X or W register r as 32-bit words (R32 aliases the BigUint64Array register file); r = 31 is XZR. */
function xLo(c: SimdCtx, r: number): number {
  return r === 31 ? 0 : c.R32[2 * r]! >>> 0;
}
function xHi(c: SimdCtx, r: number): number {
  return r === 31 ? 0 : c.R32[2 * r + 1]! >>> 0;
}

function writeX(c: SimdCtx, r: number, lo: number, hi: number, sf: number): void {
  if (r === 31) return;
  c.R32[2 * r] = lo;
  c.R32[2 * r + 1] = sf ? hi : 0;
}

function oneSource(w: number): boolean {
  const ptype = (w >>> 22) & 3;
  const opc = (w >>> 15) & 63;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if ((w >>> 29) !== 0) return false; // M, S
  const n0 = V32[rn * 4]!;
  const n1 = V32[rn * 4 + 1]!;
  if (opc >= 4 && opc <= 7) {
    // FCVT between precisions: ptype = source, opc<1:0> = destination.
    const dst = opc & 3;
    if (dst === 2 || dst === ptype || ptype === 2) return false;
    if (ptype === 0) {
      if (dst === 1) setD(rd, f32ToF64(st, n0), st.rhi);
      else setS(rd, f32ToF16(st, n0) & 0xffff);
    } else if (ptype === 1) {
      if (dst === 0) setS(rd, f64ToF32(st, n0, n1));
      else setS(rd, f64ToF16(st, n0, n1) & 0xffff);
    } else {
      const h = n0 & 0xffff;
      if (dst === 0) setS(rd, f16ToF32(st, h));
      else setD(rd, f16ToF64(st, h), st.rhi);
    }
    return true;
  }
  if (ptype > 1) return false;
  const dbl = ptype === 1;
  let mode: number;
  let exact = false;
  switch (opc) {
    case 0x00:
      if (dbl) setD(rd, n0, n1);
      else setS(rd, n0);
      return true;
    case 0x01:
      if (dbl) setD(rd, n0, n1 & 0x7fffffff);
      else setS(rd, f32Abs(n0));
      return true;
    case 0x02:
      if (dbl) setD(rd, n0, (n1 ^ 0x80000000) >>> 0);
      else setS(rd, f32Neg(n0));
      return true;
    case 0x03:
      if (dbl) setD(rd, f64Sqrt(st, n0, n1), st.rhi);
      else setS(rd, f32Sqrt(st, n0));
      return true;
    case 0x08:
    case 0x09:
    case 0x0a:
    case 0x0b:
      mode = opc & 3; // N P M Z
      break;
    case 0x0c:
      mode = RA;
      break;
    case 0x0e:
      mode = fpcrRMode(st.fpcr);
      exact = true;
      break;
    case 0x0f:
      mode = fpcrRMode(st.fpcr);
      break;
    default:
      return false;
  }
  if (dbl) setD(rd, f64RoundInt(st, n0, n1, mode, exact), st.rhi);
  else setS(rd, f32RoundInt(st, n0, mode, exact));
  return true;
}

function convert(c: SimdCtx, w: number, fixed: boolean): boolean {
  const sf = w >>> 31;
  const ptype = (w >>> 22) & 3;
  const rmode = (w >>> 19) & 3;
  const opc = (w >>> 16) & 7;
  const scale = (w >>> 10) & 63;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (((w >>> 29) & 1) !== 0 || ptype > 1) return false;
  const dbl = ptype === 1;
  let fbits = 0;
  if (fixed) {
    if (sf === 0 && scale < 32) return false;
    fbits = 64 - scale;
    if (!((rmode === 0 && (opc === 2 || opc === 3)) || (rmode === 3 && (opc === 0 || opc === 1)))) return false;
  }
  if (opc === 2 || opc === 3) {
    if (rmode !== 0) return false;
    const unsigned = opc === 3;
    const lo = xLo(c, rn);
    const hi = xHi(c, rn);
    if (sf) {
      if (dbl) setD(rd, i64ToF64(st, lo, hi, unsigned, fbits), st.rhi);
      else setS(rd, i64ToF32(st, lo, hi, unsigned, fbits));
    } else if (dbl) setD(rd, i32ToF64(st, lo, unsigned, fbits), st.rhi);
    else setS(rd, i32ToF32(st, lo, unsigned, fbits));
    return true;
  }
  let mode: number;
  if (opc === 0 || opc === 1) mode = fixed ? RZ : rmode;
  else if (opc === 4 || opc === 5) {
    if (rmode !== 0) return false;
    mode = RA;
  } else return false;
  const unsigned = (opc & 1) === 1;
  const n0 = V32[rn * 4]!;
  const n1 = V32[rn * 4 + 1]!;
  let lo: number;
  let hi = 0;
  if (sf) {
    lo = dbl ? f64ToI64(st, n0, n1, mode, unsigned, fbits) : f32ToI64(st, n0, mode, unsigned, fbits);
    hi = st.rhi;
  } else lo = dbl ? f64ToI32(st, n0, n1, mode, unsigned, fbits) : f32ToI32(st, n0, mode, unsigned, fbits);
  writeX(c, rd, lo, hi, sf);
  return true;
}

export function scalarFp(c: SimdCtx, w: number): boolean {
  if ((w & 0x5f000000) === 0x1f000000) {
    // 3-source
    if ((w >>> 29) !== 0) return false;
    const ptype = (w >>> 22) & 3;
    if (ptype > 1) return false;
    const k = (((w >>> 21) & 1) << 1) | ((w >>> 15) & 1);
    const rm = (w >>> 16) & 31;
    const ra = (w >>> 10) & 31;
    const rn = (w >>> 5) & 31;
    const rd = w & 31;
    if (fastTri(ptype === 1, k, rn, rm, ra, rd)) {
      zeroAbove(rd, ptype === 1);
      return true;
    }
    if (ptype === 0) setS(rd, tri32(k, V32[rn * 4]!, V32[rm * 4]!, V32[ra * 4]!));
    else setD(rd, tri64(k, V32[rn * 4]!, V32[rn * 4 + 1]!, V32[rm * 4]!, V32[rm * 4 + 1]!, V32[ra * 4]!, V32[ra * 4 + 1]!), st.rhi);
    return true;
  }
  if (((w >>> 21) & 1) === 0) return convert(c, w, true);
  const low = (w >>> 10) & 3;
  if (low === 0) {
    if (((w >>> 10) & 63) === 0) return convert(c, w, false);
    if (((w >>> 10) & 31) === 16) return oneSource(w);
    if (((w >>> 10) & 15) === 8) {
      // compare
      if ((w >>> 29) !== 0 || ((w >>> 14) & 3) !== 0 || (w & 7) !== 0) return false;
      const ptype = (w >>> 22) & 3;
      if (ptype > 1) return false;
      const rm = (w >>> 16) & 31;
      const rn = (w >>> 5) & 31;
      const zero = ((w >>> 3) & 1) === 1;
      const signal = ((w >>> 4) & 1) === 1;
      const flags =
        ptype === 0
          ? f32Cmp(st, V32[rn * 4]!, zero ? 0 : V32[rm * 4]!, signal)
          : f64Cmp(st, V32[rn * 4]!, V32[rn * 4 + 1]!, zero ? 0 : V32[rm * 4]!, zero ? 0 : V32[rm * 4 + 1]!, signal);
      c.setNzcv(flags << 28);
      return true;
    }
    if (((w >>> 10) & 7) === 4) {
      // FMOV (scalar, immediate)
      if ((w >>> 29) !== 0 || ((w >>> 5) & 31) !== 0) return false;
      const ptype = (w >>> 22) & 3;
      if (ptype > 1) return false;
      const imm8 = (w >>> 13) & 0xff;
      const rd = w & 31;
      if (ptype === 0) setS(rd, expandFpImm(imm8, false));
      else setD(rd, 0, expandFpImm(imm8, true));
      return true;
    }
    return false;
  }
  if ((w >>> 29) !== 0) return false;
  const ptype = (w >>> 22) & 3;
  if (ptype > 1) return false;
  const rm = (w >>> 16) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (low === 2) {
    const opc = (w >>> 12) & 15;
    if (opc > 8) return false;
    if (fastBin(ptype === 1, opc, rn, rm, rd)) {
      zeroAbove(rd, ptype === 1);
      return true;
    }
    if (ptype === 0) setS(rd, bin32(opc, V32[rn * 4]!, V32[rm * 4]!));
    else setD(rd, bin64(opc, V32[rn * 4]!, V32[rn * 4 + 1]!, V32[rm * 4]!, V32[rm * 4 + 1]!), st.rhi);
    return true;
  }
  const cond = (w >>> 12) & 15;
  const holds = conditionHolds(c.nzcv(), cond);
  if (low === 1) {
    // FCCMP / FCCMPE
    if (!holds) {
      c.setNzcv((w & 15) << 28);
      return true;
    }
    const signal = ((w >>> 4) & 1) === 1;
    const flags =
      ptype === 0 ? f32Cmp(st, V32[rn * 4]!, V32[rm * 4]!, signal) : f64Cmp(st, V32[rn * 4]!, V32[rn * 4 + 1]!, V32[rm * 4]!, V32[rm * 4 + 1]!, signal);
    c.setNzcv(flags << 28);
    return true;
  }
  // FCSEL
  const src = holds ? rn : rm;
  if (ptype === 0) setS(rd, V32[src * 4]!);
  else setD(rd, V32[src * 4]!, V32[src * 4 + 1]!);
  return true;
}
