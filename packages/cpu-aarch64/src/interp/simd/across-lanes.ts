/**
 * AdvSIMD across lanes (0 Q U 01110 size 11000 opcode 10 Rn Rd) and scalar pairwise
 * (01 U 11110 size 11000 opcode 10 Rn Rd), integer and FP.
 */
import { f32Add, f32Max, f32MaxNm, f32Min, f32MinNm, f64Add, f64Max, f64MaxNm, f64Min, f64MinNm } from '../../fp/index.js';
import { V32, clearOut, commitScalar, get64, getS, getU, put, put64, st } from './lanes.js';

type F32Op = (s: typeof st, a: number, b: number) => number;
type F64Op = (s: typeof st, alo: number, ahi: number, blo: number, bhi: number) => number;

const TMP = new Uint32Array(4);

export function acrossLanes(w: number): boolean {
  const q = (w >>> 30) & 1;
  const u = ((w >>> 29) & 1) === 1;
  const size = (w >>> 22) & 3;
  const opc = (w >>> 12) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  clearOut();
  if (opc === 0x0c || opc === 0x0f) {
    // FMAXNMV/FMINNMV, FMAXV/FMINV: single precision, Q=1 only (no FP16).
    if (!u || (size & 1) !== 0 || !q) return false;
    const isMin = (size & 2) !== 0;
    const f: F32Op = opc === 0x0c ? (isMin ? f32MinNm : f32MaxNm) : isMin ? f32Min : f32Max;
    const a = f(st, V32[rn * 4]!, V32[rn * 4 + 1]!);
    const b = f(st, V32[rn * 4 + 2]!, V32[rn * 4 + 3]!);
    put(2, 0, f(st, a, b));
    commitScalar(rd, 2);
    return true;
  }
  if (size === 3 || (size === 2 && !q)) return false;
  const n = (q ? 16 : 8) >>> size;
  switch (opc) {
    case 0x03: {
      // SADDLV / UADDLV
      let sum = 0;
      for (let i = 0; i < n; i++) sum += u ? getU(rn, size, i) : getS(rn, size, i);
      if (size === 2) put64(0, BigInt(sum));
      else put(size + 1, 0, sum);
      commitScalar(rd, size + 1);
      return true;
    }
    case 0x0a:
    case 0x1a: {
      // SMAXV/UMAXV, SMINV/UMINV
      let r = u ? getU(rn, size, 0) : getS(rn, size, 0);
      for (let i = 1; i < n; i++) {
        const x = u ? getU(rn, size, i) : getS(rn, size, i);
        if (opc === 0x0a ? x > r : x < r) r = x;
      }
      put(size, 0, r);
      commitScalar(rd, size);
      return true;
    }
    case 0x1b: {
      if (u) return false;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += getU(rn, size, i);
      put(size, 0, sum);
      commitScalar(rd, size);
      return true;
    }
    default:
      return false;
  }
}

export function scalarPairwise(w: number): boolean {
  const u = ((w >>> 29) & 1) === 1;
  const size = (w >>> 22) & 3;
  const opc = (w >>> 12) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  clearOut();
  if (!u) {
    if (opc !== 0x1b || size !== 3) return false;
    put64(0, get64(rn, 0) + get64(rn, 1));
    commitScalar(rd, 3);
    return true;
  }
  const sz = size & 1;
  const isMin = (size & 2) !== 0;
  let f32: F32Op;
  let f64: F64Op;
  switch (opc) {
    case 0x0c:
      f32 = isMin ? f32MinNm : f32MaxNm;
      f64 = isMin ? f64MinNm : f64MaxNm;
      break;
    case 0x0d:
      if (isMin) return false;
      f32 = f32Add;
      f64 = f64Add;
      break;
    case 0x0f:
      f32 = isMin ? f32Min : f32Max;
      f64 = isMin ? f64Min : f64Max;
      break;
    default:
      return false;
  }
  if (sz === 0) {
    put(2, 0, f32(st, V32[rn * 4]!, V32[rn * 4 + 1]!));
    commitScalar(rd, 2);
  } else {
    TMP[0] = f64(st, V32[rn * 4]!, V32[rn * 4 + 1]!, V32[rn * 4 + 2]!, V32[rn * 4 + 3]!);
    TMP[1] = st.rhi;
    put(2, 0, TMP[0]!);
    put(2, 1, TMP[1]!);
    commitScalar(rd, 3);
  }
  return true;
}
