/**
 * AdvSIMD shift by immediate, vector (0 Q U 011110 immh immb opcode 1 Rn Rd) and scalar
 * (01 U 111110 immh immb opcode 1 Rn Rd); immh = 0 is the modified-immediate group.
 */
import { i32ToF32, i64ToF64, f32ToI32, f64ToI64, qshlImm, qshlImm64, qshrn, qshrn64, RZ, shlReg, shlReg64 } from '../../fp/index.js';
import { pow2 } from '../../fp/scratch.js';
import { O32, V8, V16, V32, commit, commitScalar, clearOut, get64, getU, hi32, lo32, from2, put, put64, st } from './lanes.js';

type LaneView = Uint8Array | Uint16Array | Uint32Array;

/** (alo, ahi) + (blo, bhi) mod 2^64 on unsigned words: low word returned, high word in st.rhi. */
function add64w(alo: number, ahi: number, blo: number, bhi: number): number {
  let lo = (alo >>> 0) + (blo >>> 0);
  let c = 0;
  if (lo >= 4294967296) {
    lo -= 4294967296;
    c = 1;
  }
  st.rhi = ((ahi >>> 0) + (bhi >>> 0) + c) >>> 0;
  return lo;
}

/**
 * The common vector forms on 8/16/32-bit lanes (SSHR/USHR, SSRA/USRA, SRI, SHL, SLI) as one
 * integer loop over the register, Vd written in place (lane i reads lane i only). `sh` is the
 * right shift (1..bits) or the left shift (0..bits-1). False: left to the generic path.
 */
function elementwiseShift(opc: number, u: boolean, size: number, q: number, sh: number, rn: number, rd: number): boolean {
  const U: LaneView = size === 0 ? V8 : size === 1 ? V16 : V32;
  const per = 16 >>> size;
  const n = q ? per : per >>> 1;
  const nb = rn * per;
  const db = rd * per;
  const bits = 8 << size;
  const ext = 32 - bits; // sign extension from the lane width
  const rs = sh > 31 ? 31 : sh; // an arithmetic shift by the lane width gives the sign, as by 31
  switch (opc) {
    case 0x00: // SSHR/USHR
    case 0x02: {
      // SSRA/USRA
      const acc = opc === 0x02;
      for (let i = 0; i < n; i++) {
        const a = U[nb + i]!;
        const r = u ? (sh >= bits ? 0 : a >>> sh) : ((a << ext) >> ext) >> rs;
        U[db + i] = acc ? U[db + i]! + r : r;
      }
      break;
    }
    case 0x08: {
      // SRI (U = 1): the top sh bits of each lane of Vd stay
      if (!u) return false;
      if (sh >= bits) break; // Vd unchanged (the upper half is still cleared below unless Q)
      const keep = ~((bits === 32 ? 0xffffffff : (1 << bits) - 1) >>> sh);
      for (let i = 0; i < n; i++) U[db + i] = (U[db + i]! & keep) | (U[nb + i]! >>> sh);
      break;
    }
    case 0x0a: {
      // SHL (U = 0), SLI (U = 1): the low sh bits of each lane of Vd stay
      if (!u) for (let i = 0; i < n; i++) U[db + i] = U[nb + i]! << sh;
      else {
        const low = sh === 0 ? 0 : (1 << sh) - 1;
        for (let i = 0; i < n; i++) U[db + i] = (U[nb + i]! << sh) | (U[db + i]! & low);
      }
      break;
    }
    default:
      return false;
  }
  if (!q) {
    V32[rd * 4 + 2] = 0;
    V32[rd * 4 + 3] = 0;
  }
  return true;
}

/** Right shift (1..bits) with optional rounding of a signed/unsigned lane via the register-shift helper. */
function shr(a: number, sh: number, bits: number, signed: boolean, round: boolean): number {
  if (round) return shlReg(st, a, -sh & 0xff, bits, signed, round, false);
  if (!signed) return sh >= 32 ? 0 : a >>> sh;
  const x = (a << (32 - bits)) >> (32 - bits);
  return x >> (sh > 31 ? 31 : sh);
}
function shr64(a: bigint, sh: number, signed: boolean, round: boolean): bigint {
  const r = shlReg64(st, lo32(a), hi32(a), -sh & 0xff, signed, round, false);
  return from2(r, st.rhi);
}

export function shiftImm(w: number): boolean {
  const scalar = (w >>> 28) & 1;
  const q = (w >>> 30) & 1;
  const u = ((w >>> 29) & 1) === 1;
  const immh = (w >>> 19) & 15;
  const immhb = (w >>> 16) & 127;
  const opc = (w >>> 11) & 31;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  const size = 31 - Math.clz32(immh); // 0..3
  const bits = 8 << size;
  const shrAmt = 2 * bits - immhb;
  const shlAmt = immhb - bits;
  const narrowing = opc >= 0x10 && opc <= 0x13;
  const long = opc === 0x14;
  if (narrowing || long) {
    if (size === 3 || scalar && long) return false;
    if (scalar && opc === 0x10 && !u) return false; // SHRN has no scalar form
    if (scalar && opc === 0x11 && !u) return false;
  } else if (!scalar && size === 3 && !q) return false;
  else if (scalar && size !== 3 && opc <= 0x0a) return false;
  if (scalar && (opc === 0x1c || opc === 0x1f) && size < 2) return false;
  if (narrowing) {
    // source lanes are 2*bits wide, shift 1..bits
    const s = 2 * bits - immhb;
    const n = scalar ? 1 : 8 >>> size;
    const srcSize = size + 1;
    const round = (opc & 1) === 1;
    let srcSigned: boolean;
    let dstSigned: boolean;
    let plain = false;
    if (opc <= 0x11) {
      if (!u) plain = true; // SHRN / RSHRN
      srcSigned = true; // SQSHRUN / SQRSHRUN
      dstSigned = false;
    } else {
      srcSigned = !u;
      dstSigned = !u;
    }
    if (scalar) clearOut();
    else {
      put64(0, q ? get64(rd, 0) : 0n);
      put64(1, 0n);
    }
    const base = scalar ? 0 : q * n;
    for (let i = 0; i < n; i++) {
      let r: number;
      if (srcSize < 3) {
        const a = getU(rn, srcSize, i);
        r = plain ? shr(a, s, 2 * bits, false, round) : qshrn(st, a, s, 2 * bits, srcSigned, dstSigned, round);
      } else {
        const a = get64(rn, i);
        r = plain ? lo32(shr64(a, s, false, round)) : qshrn64(st, lo32(a), hi32(a), s, srcSigned, dstSigned, round);
      }
      put(size, base + i, r);
    }
    if (scalar) commitScalar(rd, size);
    else commit(rd, 1);
    return true;
  }
  if (long) {
    // SSHLL/USHLL (SXTL/UXTL)
    const n = 8 >>> size;
    const off = q ? n : 0;
    for (let i = 0; i < n; i++) {
      const a = getU(rn, size, off + i);
      const x = u ? a : (a << (32 - bits)) >> (32 - bits);
      if (size === 2) put64(i, BigInt(x) << BigInt(shlAmt));
      else put(size + 1, i, x * pow2(shlAmt));
    }
    commit(rd, 1);
    return true;
  }
  if (!scalar && size < 3 && elementwiseShift(opc, u, size, q, opc === 0x0a ? shlAmt : shrAmt, rn, rd)) return true;
  const n = scalar ? 1 : (q ? 16 : 8) >>> size;
  if (scalar) clearOut();
  if ((opc === 0x1c || opc === 0x1f) && size < 2) return false;
  for (let i = 0; i < n; i++) {
    if (size === 3) {
      const alo = V32[rn * 4 + 2 * i]!;
      const ahi = V32[rn * 4 + 2 * i + 1]!;
      const dlo = V32[rd * 4 + 2 * i]!;
      const dhi = V32[rd * 4 + 2 * i + 1]!;
      let lo: number;
      let hi: number;
      switch (opc) {
        case 0x00:
        case 0x02:
        case 0x04:
        case 0x06: {
          // SSHR/USHR, SSRA/USRA, SRSHR/URSHR, SRSRA/URSRA: a right shift by a negative register amount
          lo = shlReg64(st, alo, ahi, -shrAmt & 0xff, !u, opc >= 0x04, false);
          hi = st.rhi;
          if (opc === 0x02 || opc === 0x06) {
            lo = add64w(dlo, dhi, lo, hi);
            hi = st.rhi;
          }
          break;
        }
        case 0x08: {
          // SRI: the top shrAmt bits of Vd stay
          if (!u) return false;
          if (shrAmt === 64) {
            lo = dlo;
            hi = dhi;
            break;
          }
          const slo = shlReg64(st, alo, ahi, -shrAmt & 0xff, false, false, false);
          const shi = st.rhi;
          const mlo = shrAmt >= 32 ? 0xffffffff >>> (shrAmt - 32) : 0xffffffff;
          const mhi = shrAmt >= 32 ? 0 : 0xffffffff >>> shrAmt;
          lo = (dlo & ~mlo) | slo;
          hi = (dhi & ~mhi) | shi;
          break;
        }
        case 0x0a: {
          // SHL; SLI keeps the low shlAmt bits of Vd
          lo = shlReg64(st, alo, ahi, shlAmt, false, false, false);
          hi = st.rhi;
          if (u) {
            const mlo = shlAmt >= 32 ? 0 : 0xffffffff << shlAmt;
            const mhi = shlAmt >= 32 ? 0xffffffff << (shlAmt - 32) : 0xffffffff;
            lo |= dlo & ~mlo;
            hi |= dhi & ~mhi;
          }
          break;
        }
        case 0x0c:
          // SQSHLU
          if (!u) return false;
          lo = qshlImm64(st, alo, ahi, shlAmt, true, false);
          hi = st.rhi;
          break;
        case 0x0e:
          lo = qshlImm64(st, alo, ahi, shlAmt, !u, !u);
          hi = st.rhi;
          break;
        case 0x1c:
          lo = i64ToF64(st, alo, ahi, u, shrAmt);
          hi = st.rhi;
          break;
        case 0x1f:
          lo = f64ToI64(st, alo, ahi, RZ, u, shrAmt);
          hi = st.rhi;
          break;
        default:
          return false;
      }
      O32[2 * i] = lo;
      O32[2 * i + 1] = hi;
      continue;
    }
    const a = getU(rn, size, i);
    const d = getU(rd, size, i);
    let r: number;
    switch (opc) {
      case 0x00:
        r = shr(a, shrAmt, bits, !u, false);
        break;
      case 0x02:
        r = d + shr(a, shrAmt, bits, !u, false);
        break;
      case 0x04:
        r = shr(a, shrAmt, bits, !u, true);
        break;
      case 0x06:
        r = d + shr(a, shrAmt, bits, !u, true);
        break;
      case 0x08: {
        if (!u) return false;
        const low = pow2(bits - shrAmt);
        r = shrAmt >= bits ? d : d - (d % low) + Math.floor(a / pow2(shrAmt));
        break;
      }
      case 0x0a: {
        const sh = a * pow2(shlAmt); // exact below 2^64
        if (u) {
          const keep = d % pow2(shlAmt);
          r = (sh % pow2(bits)) + keep;
        } else r = sh % pow2(bits);
        break;
      }
      case 0x0c:
        if (!u) return false;
        r = qshlImm(st, a, shlAmt, bits, true, false);
        break;
      case 0x0e:
        r = qshlImm(st, a, shlAmt, bits, !u, !u);
        break;
      case 0x1c:
        r = i32ToF32(st, a, u, shrAmt);
        break;
      case 0x1f:
        r = f32ToI32(st, a, RZ, u, shrAmt);
        break;
      default:
        return false;
    }
    put(size, i, r);
  }
  if (scalar) commitScalar(rd, size);
  else commit(rd, q);
  return true;
}
