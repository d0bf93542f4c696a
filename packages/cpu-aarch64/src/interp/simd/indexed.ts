/**
 * AdvSIMD (scalar) x indexed element: 0 Q U 01111 size L M Rm opcode H 0 Rn Rd and
 * 01 U 11111 size L M Rm opcode H 0 Rn Rd.
 */
import {
  fmaSAt,
  mulSAt,
  f32Fmadd,
  f32Fmsub,
  f32Mul,
  f32Mulx,
  f64Fmadd,
  f64Fmsub,
  f64Mul,
  f64Mulx,
  sqadd,
  sqadd64,
  sqdmulh,
  sqdmull16,
  sqdmull32,
} from '../../fp/index.js';
import { F32, O32, V32, commit, commitScalar, clearOut, get64, getS, getU, hi32, lo32, from2, put, put64, st } from './lanes.js';

function fpIndexed(w: number, scalar: number, q: number, u: boolean, opc: number): boolean {
  const sz = (w >>> 22) & 1;
  if (((w >>> 23) & 1) === 0) return false; // FP16 forms not implemented (no FEAT_FP16)
  const L = (w >>> 21) & 1;
  const H = (w >>> 11) & 1;
  const rm = (w >>> 16) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  let kind: number; // 0 FMLA 1 FMLS 2 FMUL 3 FMULX
  if (!u && opc === 0x1) kind = 0;
  else if (!u && opc === 0x5) kind = 1;
  else if (opc === 0x9) kind = u ? 3 : 2;
  else return false;
  if (sz === 1 && (L === 1 || (!scalar && !q))) return false;
  const index = sz ? H : (H << 1) | L;
  const n = scalar ? 1 : sz ? 2 : q ? 4 : 2;
  if (scalar) clearOut();
  if (sz === 0 && !scalar && kind !== 3) {
    // Vector FMLA/FMLS/FMUL by element, in place: lane i of Vd depends only on lane i of Vn and Vd
    // and on the element, whose lane (when Vm is Vd) is done last so every lane reads its old
    // value. Fast path per lane on the float views, bit-pattern function when it declines.
    const bv = V32[rm * 4 + index]!;
    const e = rm * 4 + index;
    const no = rn * 4;
    const o = rd * 4;
    const last = rm === rd && index < n ? index : -1;
    for (let j = 0; j < n; j++) {
      const i = last < 0 ? j : j < n - 1 ? (j < last ? j : j + 1) : last;
      if (kind === 2 ? mulSAt(st, F32, no + i, e, o + i) : fmaSAt(st, F32, no + i, e, o + i, o + i, kind === 1)) continue;
      const a = V32[no + i]!;
      const d = V32[o + i]!;
      V32[o + i] = kind === 0 ? f32Fmadd(st, a, bv, d) : kind === 1 ? f32Fmsub(st, a, bv, d) : f32Mul(st, a, bv);
    }
    if (!q) {
      V32[o + 2] = 0;
      V32[o + 3] = 0;
    }
    return true;
  }
  if (sz === 0) {
    const b = V32[rm * 4 + index]!;
    for (let i = 0; i < n; i++) {
      const a = V32[rn * 4 + i]!;
      const d = V32[rd * 4 + i]!;
      O32[i] = kind === 0 ? f32Fmadd(st, a, b, d) : kind === 1 ? f32Fmsub(st, a, b, d) : kind === 2 ? f32Mul(st, a, b) : f32Mulx(st, a, b);
    }
    if (scalar) commitScalar(rd, 2);
    else commit(rd, q);
  } else {
    const blo = V32[rm * 4 + 2 * index]!;
    const bhi = V32[rm * 4 + 2 * index + 1]!;
    for (let i = 0; i < n; i++) {
      const alo = V32[rn * 4 + 2 * i]!;
      const ahi = V32[rn * 4 + 2 * i + 1]!;
      const dlo = V32[rd * 4 + 2 * i]!;
      const dhi = V32[rd * 4 + 2 * i + 1]!;
      O32[2 * i] =
        kind === 0
          ? f64Fmadd(st, alo, ahi, blo, bhi, dlo, dhi)
          : kind === 1
            ? f64Fmsub(st, alo, ahi, blo, bhi, dlo, dhi)
            : kind === 2
              ? f64Mul(st, alo, ahi, blo, bhi)
              : f64Mulx(st, alo, ahi, blo, bhi);
      O32[2 * i + 1] = st.rhi;
    }
    if (scalar) commitScalar(rd, 3);
    else commit(rd, 1);
  }
  return true;
}

export function indexed(w: number): boolean {
  const scalar = (w >>> 28) & 1;
  const q = (w >>> 30) & 1;
  const u = ((w >>> 29) & 1) === 1;
  const size = (w >>> 22) & 3;
  const opc = (w >>> 12) & 15;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if (opc === 0x1 || opc === 0x5 || opc === 0x9) return fpIndexed(w, scalar, q, u, opc);
  if (size !== 1 && size !== 2) return false;
  const L = (w >>> 21) & 1;
  const M = (w >>> 20) & 1;
  const H = (w >>> 11) & 1;
  const rm = size === 1 ? (w >>> 16) & 15 : (w >>> 16) & 31;
  const index = size === 1 ? (H << 2) | (L << 1) | M : (H << 1) | L;
  const bits = 8 << size;
  // Which operation: 0 MUL 1 MLA 2 MLS 3 long (S/U MULL/MLAL/MLSL) 4 SQDMULL-family 5 SQDMULH 6 SQRDMULH
  const isLong = opc === 0x2 || opc === 0x6 || opc === 0xa || opc === 0x3 || opc === 0x7 || opc === 0xb;
  const sat = opc === 0x3 || opc === 0x7 || opc === 0xb;
  if (sat && u) return false;
  if (!(isLong || opc === 0x8 || opc === 0x0 || opc === 0x4 || opc === 0xc || opc === 0xd)) return false;
  if (u && (opc === 0x8 || opc === 0xc || opc === 0xd)) return false;
  if (!u && (opc === 0x0 || opc === 0x4)) return false;
  if (scalar && !(sat || ((opc === 0xc || opc === 0xd) && !u))) return false;
  if (isLong) {
    const n = scalar ? 1 : 8 >>> size >>> 0;
    const lanes = scalar ? 1 : (8 >>> size);
    const off = scalar ? 0 : q ? lanes : 0;
    if (scalar) clearOut();
    const sub = opc === 0x6 || opc === 0x7;
    for (let i = 0; i < n; i++) {
      if (sat) {
        const a = getU(rn, size, off + i);
        const b = getU(rm, size, index);
        if (size === 1) {
          let p = sqdmull16(st, a, b);
          if (opc !== 0xb) p = sqadd(st, getU(rd, 2, i), p, 32, sub);
          put(2, i, p);
        } else {
          let p = from2(sqdmull32(st, a, b), st.rhi);
          if (opc !== 0xb) {
            const d = get64(rd, i);
            p = from2(sqadd64(st, lo32(d), hi32(d), lo32(p), hi32(p), sub), st.rhi);
          }
          put64(i, p);
        }
        continue;
      }
      const a = u ? getU(rn, size, off + i) : getS(rn, size, off + i);
      const b = u ? getU(rm, size, index) : getS(rm, size, index);
      if (size === 1) {
        const d = getU(rd, 2, i);
        put(2, i, opc === 0xa ? a * b : sub ? d - a * b : d + a * b);
      } else {
        const p = BigInt(a) * BigInt(b);
        const d = get64(rd, i);
        put64(i, opc === 0xa ? p : sub ? d - p : d + p);
      }
    }
    if (scalar) commitScalar(rd, size + 1);
    else commit(rd, 1);
    return true;
  }
  const n = scalar ? 1 : (q ? 16 : 8) >>> size;
  if (scalar) clearOut();
  const b = getU(rm, size, index);
  for (let i = 0; i < n; i++) {
    const a = getU(rn, size, i);
    let r: number;
    if (opc === 0xc || opc === 0xd) r = sqdmulh(st, a, b, bits, opc === 0xd);
    else {
      const p = Math.imul(a, b);
      r = opc === 0x8 ? p : opc === 0x0 ? getU(rd, size, i) + p : getU(rd, size, i) - p;
    }
    put(size, i, r);
  }
  if (scalar) commitScalar(rd, size);
  else commit(rd, q);
  return true;
}
