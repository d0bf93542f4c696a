/**
 * AdvSIMD floating-point forms of the three-same and two-register-miscellaneous groups, vector
 * and scalar: arithmetic, pairwise, compares, conversions, rounding, estimates (single and
 * double precision; no FEAT_FP16).
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
  f32Abd,
  f32AbsGe,
  f32AbsGt,
  f32Add,
  f32CmpEq,
  f32CmpGe,
  f32CmpGt,
  f32Div,
  f32Fmadd,
  f32Fmsub,
  f32Max,
  f32MaxNm,
  f32Min,
  f32MinNm,
  f32Mul,
  f32Mulx,
  f32Recps,
  f32RecpEst,
  f32Recpx,
  f32RoundInt,
  f32Rsqrts,
  f32RsqrtEst,
  f32Sqrt,
  f32Sub,
  f32ToF16,
  f32ToF64,
  f32ToI32,
  f64Abd,
  f64AbsGe,
  f64AbsGt,
  f64Add,
  f64CmpEq,
  f64CmpGe,
  f64CmpGt,
  f64Div,
  f64Fmadd,
  f64Fmsub,
  f64Max,
  f64MaxNm,
  f64Min,
  f64MinNm,
  f64Mul,
  f64Mulx,
  f64Recps,
  f64RecpEst,
  f64Recpx,
  f64RoundInt,
  f64Rsqrts,
  f64RsqrtEst,
  f64Sqrt,
  f64Sub,
  f64ToF32,
  f64ToF32Odd,
  f64ToI64,
  fpcrRMode,
  i32ToF32,
  i64ToF64,
  RA,
  RM,
  RN,
  RP,
  RZ,
} from '../../fp/index.js';
import { F32, F64, O16, O32, V16, V32, commit, commitScalar, clearOut, put64, st } from './lanes.js';

// Three-same operation codes: (U << 4) | (a << 3) | opcode<2:0>.
const FMAXNM = 0x00;
const FMLA = 0x01;
const FADD = 0x02;
const FMULX = 0x03;
const FCMEQ = 0x04;
const FMAX = 0x06;
const FRECPS = 0x07;
const FMINNM = 0x08;
const FMLS = 0x09;
const FSUB = 0x0a;
const FMIN = 0x0e;
const FRSQRTS = 0x0f;
const FMAXNMP = 0x10;
const FADDP = 0x12;
const FMUL = 0x13;
const FCMGE = 0x14;
const FACGE = 0x15;
const FMAXP = 0x16;
const FDIV = 0x17;
const FMINNMP = 0x18;
const FABD = 0x1a;
const FCMGT = 0x1c;
const FACGT = 0x1d;
const FMINP = 0x1e;

function op32(k: number, a: number, b: number, d: number): number {
  switch (k) {
    case FMAXNM:
    case FMAXNMP:
      return f32MaxNm(st, a, b);
    case FMINNM:
    case FMINNMP:
      return f32MinNm(st, a, b);
    case FMLA:
      return f32Fmadd(st, a, b, d);
    case FMLS:
      return f32Fmsub(st, a, b, d);
    case FADD:
    case FADDP:
      return f32Add(st, a, b);
    case FSUB:
      return f32Sub(st, a, b);
    case FMULX:
      return f32Mulx(st, a, b);
    case FMUL:
      return f32Mul(st, a, b);
    case FDIV:
      return f32Div(st, a, b);
    case FMAX:
    case FMAXP:
      return f32Max(st, a, b);
    case FMIN:
    case FMINP:
      return f32Min(st, a, b);
    case FRECPS:
      return f32Recps(st, a, b);
    case FRSQRTS:
      return f32Rsqrts(st, a, b);
    case FABD:
      return f32Abd(st, a, b);
    case FCMEQ:
      return f32CmpEq(st, a, b) ? -1 : 0;
    case FCMGE:
      return f32CmpGe(st, a, b) ? -1 : 0;
    case FCMGT:
      return f32CmpGt(st, a, b) ? -1 : 0;
    case FACGE:
      return f32AbsGe(st, a, b) ? -1 : 0;
    default:
      return f32AbsGt(st, a, b) ? -1 : 0;
  }
}

/** Double op; result low word returned, high word in st.rhi. */
function op64(k: number, alo: number, ahi: number, blo: number, bhi: number, dlo: number, dhi: number): number {
  let t: boolean;
  switch (k) {
    case FMAXNM:
    case FMAXNMP:
      return f64MaxNm(st, alo, ahi, blo, bhi);
    case FMINNM:
    case FMINNMP:
      return f64MinNm(st, alo, ahi, blo, bhi);
    case FMLA:
      return f64Fmadd(st, alo, ahi, blo, bhi, dlo, dhi);
    case FMLS:
      return f64Fmsub(st, alo, ahi, blo, bhi, dlo, dhi);
    case FADD:
    case FADDP:
      return f64Add(st, alo, ahi, blo, bhi);
    case FSUB:
      return f64Sub(st, alo, ahi, blo, bhi);
    case FMULX:
      return f64Mulx(st, alo, ahi, blo, bhi);
    case FMUL:
      return f64Mul(st, alo, ahi, blo, bhi);
    case FDIV:
      return f64Div(st, alo, ahi, blo, bhi);
    case FMAX:
    case FMAXP:
      return f64Max(st, alo, ahi, blo, bhi);
    case FMIN:
    case FMINP:
      return f64Min(st, alo, ahi, blo, bhi);
    case FRECPS:
      return f64Recps(st, alo, ahi, blo, bhi);
    case FRSQRTS:
      return f64Rsqrts(st, alo, ahi, blo, bhi);
    case FABD:
      return f64Abd(st, alo, ahi, blo, bhi);
    case FCMEQ:
      t = f64CmpEq(st, alo, ahi, blo, bhi);
      break;
    case FCMGE:
      t = f64CmpGe(st, alo, ahi, blo, bhi);
      break;
    case FCMGT:
      t = f64CmpGt(st, alo, ahi, blo, bhi);
      break;
    case FACGE:
      t = f64AbsGe(st, alo, ahi, blo, bhi);
      break;
    default:
      t = f64AbsGt(st, alo, ahi, blo, bhi);
  }
  st.rhi = t ? -1 : 0;
  return t ? -1 : 0;
}

/** The opcodes (bit k) with a vector form, with a scalar form, and the pairwise ones. */
const VECTOR_OK = opMask([FMAXNM, FMLA, FADD, FMULX, FCMEQ, FMAX, FRECPS, FMINNM, FMLS, FSUB, FMIN, FRSQRTS, FMAXNMP, FADDP, FMUL, FCMGE, FACGE, FMAXP, FDIV, FMINNMP, FABD, FCMGT, FACGT, FMINP]);
const SCALAR_OK = opMask([FMULX, FCMEQ, FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT]);
const PAIRWISE = opMask([FMAXNMP, FADDP, FMAXP, FMINNMP, FMINP]);

function opMask(ks: readonly number[]): number {
  let m = 0;
  for (const k of ks) m |= 1 << k;
  return m;
}
function has(set: number, k: number): boolean {
  return ((set >>> k) & 1) !== 0;
}

/**
 * Element-wise single-precision vector op on n lanes, written into Vd in place (lane i reads
 * only lane i of the sources): one loop per common operation. Each lane first tries the
 * fast path on the float views; when it declines, the bit-pattern function (exact path, NaN
 * rules, flags) decides that lane.
 */
function lanes32(k: number, n: number, ao: number, bo: number, o: number): void {
  switch (k) {
    case FMLA:
    case FMLS: {
      const sub = k === FMLS;
      for (let i = 0; i < n; i++) {
        if (fmaSAt(st, F32, ao + i, bo + i, o + i, o + i, sub)) continue;
        V32[o + i] = sub ? f32Fmsub(st, V32[ao + i]!, V32[bo + i]!, V32[o + i]!) : f32Fmadd(st, V32[ao + i]!, V32[bo + i]!, V32[o + i]!);
      }
      return;
    }
    case FADD:
    case FSUB: {
      const sub = k === FSUB;
      for (let i = 0; i < n; i++) {
        if (addSAt(st, F32, ao + i, bo + i, o + i, sub)) continue;
        V32[o + i] = sub ? f32Sub(st, V32[ao + i]!, V32[bo + i]!) : f32Add(st, V32[ao + i]!, V32[bo + i]!);
      }
      return;
    }
    case FMUL:
      for (let i = 0; i < n; i++) if (!mulSAt(st, F32, ao + i, bo + i, o + i)) V32[o + i] = f32Mul(st, V32[ao + i]!, V32[bo + i]!);
      return;
    case FDIV:
      for (let i = 0; i < n; i++) if (!divSAt(st, F32, ao + i, bo + i, o + i)) V32[o + i] = f32Div(st, V32[ao + i]!, V32[bo + i]!);
      return;
    default:
      for (let i = 0; i < n; i++) V32[o + i] = op32(k, V32[ao + i]!, V32[bo + i]!, V32[o + i]!);
  }
}

/** The same for the two double lanes of a Q register (ao, bo, o: word offsets). */
function lanes64(k: number, ao: number, bo: number, o: number): void {
  for (let i = 0; i < 4; i += 2) {
    const a = (ao + i) >>> 1;
    const b = (bo + i) >>> 1;
    const d = (o + i) >>> 1;
    let done: boolean;
    switch (k) {
      case FMLA:
        done = fmaDAt(st, F64, a, b, d, d, false);
        break;
      case FADD:
      case FSUB:
        done = addDAt(st, F64, a, b, d, k === FSUB);
        break;
      case FMUL:
        done = mulDAt(st, F64, a, b, d);
        break;
      case FDIV:
        done = divDAt(st, F64, a, b, d);
        break;
      default:
        done = false;
    }
    if (done) continue;
    V32[o + i] = op64(k, V32[ao + i]!, V32[ao + i + 1]!, V32[bo + i]!, V32[bo + i + 1]!, V32[o + i]!, V32[o + i + 1]!);
    V32[o + i + 1] = st.rhi;
  }
}

export function fpThreeSame(w: number): boolean {
  const scalar = (w >>> 28) & 1;
  const q = (w >>> 30) & 1;
  const sz = (w >>> 22) & 1;
  const k = (((w >>> 29) & 1) << 4) | (((w >>> 23) & 1) << 3) | ((w >>> 11) & 7);
  const rm = (w >>> 16) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (scalar) {
    if (!has(SCALAR_OK, k)) return false;
    clearOut();
    if (sz) {
      O32[0] = op64(k, V32[rn * 4]!, V32[rn * 4 + 1]!, V32[rm * 4]!, V32[rm * 4 + 1]!, 0, 0);
      O32[1] = st.rhi;
      commitScalar(rd, 3);
    } else {
      O32[0] = op32(k, V32[rn * 4]!, V32[rm * 4]!, 0);
      commitScalar(rd, 2);
    }
    return true;
  }
  if (!has(VECTOR_OK, k) || (sz && !q)) return false;
  const pair = has(PAIRWISE, k);
  if (!pair) {
    if (sz) lanes64(k, rn * 4, rm * 4, rd * 4);
    else lanes32(k, q ? 4 : 2, rn * 4, rm * 4, rd * 4);
    if (!q) {
      V32[rd * 4 + 2] = 0;
      V32[rd * 4 + 3] = 0;
    }
    return true;
  }
  if (sz) {
    for (let i = 0; i < 2; i++) {
      let ao: number;
      let bo: number;
      if (pair) {
        const src = i === 0 ? rn : rm;
        ao = src * 4;
        bo = src * 4 + 2;
      } else {
        ao = rn * 4 + 2 * i;
        bo = rm * 4 + 2 * i;
      }
      O32[2 * i] = op64(k, V32[ao]!, V32[ao + 1]!, V32[bo]!, V32[bo + 1]!, V32[rd * 4 + 2 * i]!, V32[rd * 4 + 2 * i + 1]!);
      O32[2 * i + 1] = st.rhi;
    }
    commit(rd, 1);
    return true;
  }
  const n = q ? 4 : 2;
  const half = n >>> 1;
  for (let i = 0; i < n; i++) {
    let a: number;
    let b: number;
    if (pair) {
      const src = i < half ? rn : rm;
      const j = (i < half ? i : i - half) * 2;
      a = V32[src * 4 + j]!;
      b = V32[src * 4 + j + 1]!;
    } else {
      a = V32[rn * 4 + i]!;
      b = V32[rm * 4 + i]!;
    }
    O32[i] = op32(k, a, b, V32[rd * 4 + i]!);
  }
  commit(rd, q);
  return true;
}

/** Two-register miscellaneous, FP opcodes. */
export function fpTwoRegMisc(w: number): boolean {
  const scalar = (w >>> 28) & 1;
  const q = (w >>> 30) & 1;
  const u = ((w >>> 29) & 1) === 1;
  const a = (w >>> 23) & 1;
  const sz = (w >>> 22) & 1;
  const opc = (w >>> 12) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (opc === 0x16 || opc === 0x17) return narrowWiden(w, scalar, q, u, a, sz, opc, rn, rd);
  // Classify into a lane operation.
  let kind: number; // see laneOp
  let mode = 0;
  let exact = false;
  let scalarOk = true;
  switch (opc) {
    case 0x0c:
      kind = u ? 2 : 1; // FCMGE #0 / FCMGT #0
      break;
    case 0x0d:
      kind = u ? 4 : 3; // FCMLE #0 / FCMEQ #0
      break;
    case 0x0e:
      if (u) return false;
      kind = 5; // FCMLT #0
      break;
    case 0x0f:
      kind = u ? 7 : 6; // FNEG / FABS
      scalarOk = false;
      break;
    case 0x18:
    case 0x19:
      scalarOk = false;
      kind = 8; // FRINT*
      if (!u) mode = opc === 0x18 ? (a ? RP : RN) : a ? RZ : RM;
      else if (opc === 0x18) {
        if (a) return false;
        mode = RA;
      } else {
        mode = fpcrRMode(st.fpcr);
        exact = !a;
      }
      break;
    case 0x1a:
    case 0x1b:
    case 0x1c:
      if (opc === 0x1c && a) return false;
      kind = 9; // FCVT{N,P,M,Z,A}{S,U}
      mode = opc === 0x1a ? (a ? RP : RN) : opc === 0x1b ? (a ? RZ : RM) : RA;
      break;
    case 0x1d:
      kind = a ? (u ? 12 : 11) : 10; // SCVTF/UCVTF, FRECPE, FRSQRTE
      break;
    case 0x1f:
      if (!a) return false;
      if (u) {
        kind = 13; // FSQRT
        scalarOk = false;
      } else {
        if (!scalar) return false;
        kind = 14; // FRECPX
      }
      break;
    default:
      return false;
  }
  if (opc >= 0x0c && opc <= 0x0f && !a) return false;
  if (scalar && !scalarOk) return false;
  if (!scalar && sz && !q) return false;
  const n = scalar ? 1 : sz ? 2 : q ? 4 : 2;
  if (scalar) clearOut();
  for (let i = 0; i < n; i++) {
    if (sz) {
      const lo = V32[rn * 4 + 2 * i]!;
      const hi = V32[rn * 4 + 2 * i + 1]!;
      O32[2 * i] = lane64(kind, lo, hi, mode, exact, u);
      O32[2 * i + 1] = st.rhi;
    } else O32[i] = lane32(kind, V32[rn * 4 + i]!, mode, exact, u);
  }
  if (scalar) commitScalar(rd, sz ? 3 : 2);
  else commit(rd, q);
  return true;
}

function lane32(kind: number, x: number, mode: number, exact: boolean, u: boolean): number {
  switch (kind) {
    case 1:
      return f32CmpGt(st, x, 0) ? -1 : 0;
    case 2:
      return f32CmpGe(st, x, 0) ? -1 : 0;
    case 3:
      return f32CmpEq(st, x, 0) ? -1 : 0;
    case 4:
      return f32CmpGe(st, 0, x) ? -1 : 0;
    case 5:
      return f32CmpGt(st, 0, x) ? -1 : 0;
    case 6:
      return x & 0x7fffffff;
    case 7:
      return x ^ 0x80000000;
    case 8:
      return f32RoundInt(st, x, mode, exact);
    case 9:
      return f32ToI32(st, x, mode, u);
    case 10:
      return i32ToF32(st, x, u);
    case 11:
      return f32RecpEst(st, x);
    case 12:
      return f32RsqrtEst(st, x);
    case 13:
      return f32Sqrt(st, x);
    default:
      return f32Recpx(st, x);
  }
}

function lane64(kind: number, lo: number, hi: number, mode: number, exact: boolean, u: boolean): number {
  let t: boolean;
  switch (kind) {
    case 1:
      t = f64CmpGt(st, lo, hi, 0, 0);
      break;
    case 2:
      t = f64CmpGe(st, lo, hi, 0, 0);
      break;
    case 3:
      t = f64CmpEq(st, lo, hi, 0, 0);
      break;
    case 4:
      t = f64CmpGe(st, 0, 0, lo, hi);
      break;
    case 5:
      t = f64CmpGt(st, 0, 0, lo, hi);
      break;
    case 6:
      st.rhi = hi & 0x7fffffff;
      return lo;
    case 7:
      st.rhi = hi ^ 0x80000000;
      return lo;
    case 8:
      return f64RoundInt(st, lo, hi, mode, exact);
    case 9:
      return f64ToI64(st, lo, hi, mode, u);
    case 10:
      return i64ToF64(st, lo, hi, u);
    case 11:
      return f64RecpEst(st, lo, hi);
    case 12:
      return f64RsqrtEst(st, lo, hi);
    case 13:
      return f64Sqrt(st, lo, hi);
    default:
      return f64Recpx(st, lo, hi);
  }
  st.rhi = t ? -1 : 0;
  return t ? -1 : 0;
}

/** FCVTN/FCVTN2, FCVTXN/FCVTXN2 (and scalar FCVTXN), FCVTL/FCVTL2. */
function narrowWiden(w: number, scalar: number, q: number, u: boolean, a: number, sz: number, opc: number, rn: number, rd: number): boolean {
  void w;
  if (a) return false;
  if (opc === 0x16) {
    if (u && !sz) return false; // FCVTXN needs a double source
    if (scalar) {
      if (!u) return false;
      clearOut();
      O32[0] = f64ToF32Odd(st, V32[rn * 4]!, V32[rn * 4 + 1]!);
      commitScalar(rd, 2);
      return true;
    }
    // Keep the low half of Vd for the "2" forms.
    put64(0, 0n);
    put64(1, 0n);
    if (q) {
      O32[0] = V32[rd * 4]!;
      O32[1] = V32[rd * 4 + 1]!;
    }
    if (sz) {
      for (let i = 0; i < 2; i++) {
        const lo = V32[rn * 4 + 2 * i]!;
        const hi = V32[rn * 4 + 2 * i + 1]!;
        O32[q * 2 + i] = u ? f64ToF32Odd(st, lo, hi) : f64ToF32(st, lo, hi);
      }
    } else {
      for (let i = 0; i < 4; i++) O16[q * 4 + i] = f32ToF16(st, V32[rn * 4 + i]!);
    }
    commit(rd, 1);
    return true;
  }
  // FCVTL
  if (u || scalar) return false;
  if (sz) {
    for (let i = 0; i < 2; i++) {
      O32[2 * i] = f32ToF64(st, V32[rn * 4 + q * 2 + i]!);
      O32[2 * i + 1] = st.rhi;
    }
  } else {
    for (let i = 0; i < 4; i++) O32[i] = f16ToF32(st, V16[rn * 8 + q * 4 + i]!);
  }
  commit(rd, 1);
  return true;
}
