/**
 * FP/AdvSIMD dispatch. The integer core owns the V register file, FPCR/FPSR
 * and the CPACR_EL1.FPEN trap; it implements only the moves the kernel needs
 * (FMOV to/from general registers, FMOV register, MOVI/MVNI/ORR/BIC/FMOV
 * vector immediates, DUP/INS/UMOV/SMOV, the bitwise three-same group) here in
 * `executeFpMove`. Every other FP/AdvSIMD encoding reaches `executeFpSimd`,
 * which the FP engine fills in: it returns false for encodings it does not
 * implement, and the CPU raises UNDEFINED.
 */

import { V8, V16, V32, bind, st } from './simd/lanes.js';
import { threeSameInt } from './simd/three-same.js';
import { twoRegMiscInt } from './simd/two-reg-misc.js';
import { acrossLanes, scalarPairwise } from './simd/across-lanes.js';
import { threeDifferent } from './simd/three-different.js';
import { extract, permute, tableLookup } from './simd/permute.js';
import { shiftImm } from './simd/shift-imm.js';
import { indexed } from './simd/indexed.js';
import { scalarDup, crypto } from './simd/misc.js';
import { fpThreeSame, fpTwoRegMisc } from './simd/fp-vector.js';
import { scalarFp } from './simd/scalar-fp.js';
import { loadStoreSingle, type SimdMemory } from './simd/load-store.js';

/** What an FP/SIMD instruction may touch. */
export interface FpSimdContext extends SimdMemory {
  /** V registers: 32 x 128 bits, little-endian lanes (V64[2r] = low half of Vr). */
  readonly V64: BigUint64Array;
  readonly V32: Uint32Array;
  readonly V8: Uint8Array;
  fpcr: number;
  fpsr: number;
  /** General registers: BigUint64Array slots 0..30, slot 31 reads as zero (XZR), SP in slot 32. */
  readonly R: BigUint64Array;
  readonly R32: Int32Array;
  /** PSTATE.NZCV in bits 31..28 (FCMP, FCCMP, FCSEL). */
  nzcv(): number;
  setNzcv(v: number): void;
}

/**
 * The FP/SIMD engine's entry point (issue 4). `insn` is the 32-bit encoding;
 * the FPEN check has already passed. Returns true when executed.
 */
export function executeFpSimd(ctx: FpSimdContext, insn: number): boolean {
  bind(ctx);
  st.fpcr = ctx.fpcr;
  st.fpsr = ctx.fpsr;
  const ok = dispatch(ctx, insn);
  ctx.fpsr = st.fpsr;
  return ok;
}

/** Routes an encoding to its group (Arm ARM C4.1.6 "Data processing -- scalar FP and Advanced SIMD"). */
function dispatch(ctx: FpSimdContext, w: number): boolean {
  if ((w & 0x1e000000) === 0x0c000000) return loadStoreSingle(ctx, w);
  if ((w & 0x5f000000) === 0x1e000000 || (w & 0x5f000000) === 0x1f000000) {
    // FMOV between X and V.D[1] can reach here (the decoder's unsigned compare misses it).
    if ((w & 0x7f20fc00) === 0x1e200000 && ((w >>> 17) & 3) === 3) return executeFpMove(ctx, w);
    return scalarFp(ctx, w);
  }
  if ((w & 0x9f200400) === 0x0e200400 || (w & 0xdf200400) === 0x5e200400) {
    return ((w >>> 11) & 31) >= 0x18 ? fpThreeSame(w) : threeSameInt(w);
  }
  if ((w & 0x9f3e0c00) === 0x0e200800 || (w & 0xdf3e0c00) === 0x5e200800) {
    return isFpMisc(w) ? fpTwoRegMisc(w) : twoRegMiscInt(w);
  }
  if ((w & 0x9f3e0c00) === 0x0e300800) return acrossLanes(w);
  if ((w & 0xdf3e0c00) === 0x5e300800) return scalarPairwise(w);
  if ((w & 0x9f200c00) === 0x0e200000 || (w & 0xdf200c00) === 0x5e200000) return threeDifferent(w);
  if ((w & 0xbfe08c00) === 0x0e000000) return tableLookup(w);
  if ((w & 0xbf208c00) === 0x0e000800) return permute(w);
  if ((w & 0xbfe08400) === 0x2e000000) return extract(w);
  if (((w & 0x9f800400) === 0x0f000400 || (w & 0xdf800400) === 0x5f000400) && ((w >>> 19) & 15) !== 0) return shiftImm(w);
  if ((w & 0x9f000400) === 0x0f000000 || (w & 0xdf000400) === 0x5f000000) return indexed(w);
  if ((w & 0xffe0fc00) === 0x5e000400) return scalarDup(w);
  return crypto(w);
}

/** The FP opcodes of the two-register miscellaneous group. */
function isFpMisc(w: number): boolean {
  const opc = (w >>> 12) & 31;
  const size = (w >>> 22) & 3;
  if (opc >= 0x0c && opc <= 0x0f) return size >= 2;
  if (opc === 0x16 || opc === 0x17) return true;
  if (opc === 0x1c) return size < 2 || (w >>> 28) & 1 ? true : false;
  return opc >= 0x18;
}

// AdvSIMDExpandImm result: the 64-bit pattern as two 32-bit words (module scratch, no allocation).
let immLo = 0;
let immHi = 0;

/** AdvSIMDExpandImm into immLo/immHi; false if reserved. */
function expandImm(op: number, cmode: number, imm8: number): boolean {
  let v: number;
  switch (cmode >>> 1) {
    case 0:
      v = imm8;
      break;
    case 1:
      v = imm8 << 8;
      break;
    case 2:
      v = imm8 << 16;
      break;
    case 3:
      v = imm8 << 24;
      break;
    case 4:
      v = imm8 | (imm8 << 16);
      break;
    case 5:
      v = (imm8 << 8) | (imm8 << 24);
      break;
    case 6:
      v = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff;
      break;
    default:
      if ((cmode & 1) === 0 && op === 0) {
        v = imm8 * 0x01010101;
        break;
      }
      if ((cmode & 1) === 0 && op === 1) {
        let lo = 0;
        let hi = 0;
        for (let i = 0; i < 4; i++) if ((imm8 >>> i) & 1) lo |= 0xff << (8 * i);
        for (let i = 0; i < 4; i++) if ((imm8 >>> (i + 4)) & 1) hi |= 0xff << (8 * i);
        immLo = lo;
        immHi = hi;
        return true;
      }
      if ((cmode & 1) === 1 && op === 0) {
        // FMOV single-precision immediate, replicated.
        const a = (imm8 >>> 7) & 1;
        const b = (imm8 >>> 6) & 1;
        v = (a << 31) | ((b ? 0x1f : 0x20) << 25) | ((imm8 & 0x3f) << 19);
        break;
      }
      if ((cmode & 1) === 1 && op === 1) {
        const a = (imm8 >>> 7) & 1;
        const b = (imm8 >>> 6) & 1;
        immLo = 0;
        immHi = (a << 31) | ((b ? 0xff : 0x100) << 22) | ((imm8 & 0x3f) << 16);
        return true;
      }
      return false;
  }
  immLo = v;
  immHi = v;
  return true;
}

// General registers as 32-bit words: X[r] = R32[2r] (low) and R32[2r + 1] (high); r = 31 is XZR.

function xLo(c: FpSimdContext, r: number): number {
  return r === 31 ? 0 : c.R32[2 * r]!;
}
function xHi(c: FpSimdContext, r: number): number {
  return r === 31 ? 0 : c.R32[2 * r + 1]!;
}
function writeXWords(c: FpSimdContext, r: number, lo: number, hi: number): void {
  if (r === 31) return;
  c.R32[2 * r] = lo;
  c.R32[2 * r + 1] = hi;
}

/** Lane `index` of `esize` bytes (1, 2, 4) of Vr, unsigned. */
function laneU(r: number, esize: number, index: number): number {
  if (esize === 1) return V8[r * 16 + index]!;
  if (esize === 2) return V16[r * 8 + index]!;
  return V32[r * 4 + index]!;
}

/** Writes lane `index` of `esize` bytes (1, 2, 4, 8: lo/hi words) of Vr. */
function setLane(r: number, esize: number, index: number, lo: number, hi: number): void {
  if (esize === 1) V8[r * 16 + index] = lo;
  else if (esize === 2) V16[r * 8 + index] = lo;
  else if (esize === 4) V32[r * 4 + index] = lo;
  else {
    V32[r * 4 + 2 * index] = lo;
    V32[r * 4 + 2 * index + 1] = hi;
  }
}

/** Fills the lanes of Vd (the low 64 bits unless q) with one value; zeroes the upper half unless q. */
function replicate(rd: number, esize: number, q: number, lo: number, hi: number): void {
  const o = rd * 4;
  let w: number;
  if (esize === 8) {
    V32[o] = lo;
    V32[o + 1] = hi;
    V32[o + 2] = q ? lo : 0;
    V32[o + 3] = q ? hi : 0;
    return;
  }
  if (esize === 1) w = (lo & 0xff) * 0x01010101;
  else if (esize === 2) w = (lo & 0xffff) * 0x10001;
  else w = lo;
  V32[o] = w;
  V32[o + 1] = w;
  V32[o + 2] = q ? w : 0;
  V32[o + 3] = q ? w : 0;
}

/**
 * The moves the integer core implements itself. Returns false for UNDEFINED. Everything works
 * on 32-bit words of the V file and of the general registers (R32): no BigInt.
 */
export function executeFpMove(c: FpSimdContext, w: number): boolean {
  bind(c);
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  // AdvSIMD three same, bitwise: AND BIC ORR ORN EOR BSL BIT BIF (the most frequent here: first).
  if ((w & 0x9f20fc00) === 0x0e201c00) {
    const q = (w >>> 30) & 1;
    const u = (w >>> 29) & 1;
    const size = (w >>> 22) & 3;
    const rm = (w >>> 16) & 31;
    const words = q ? 4 : 2;
    const no = rn * 4;
    const mo = rm * 4;
    const o = rd * 4;
    const op = (u << 2) | size;
    for (let k = 0; k < words; k++) {
      const n = V32[no + k]!;
      const m = V32[mo + k]!;
      const d = V32[o + k]!;
      let r: number;
      switch (op) {
        case 0:
          r = n & m;
          break;
        case 1:
          r = n & ~m;
          break;
        case 2:
          r = n | m;
          break;
        case 3:
          r = n | ~m;
          break;
        case 4:
          r = n ^ m;
          break;
        case 5:
          r = (d & n) | (~d & m); // BSL
          break;
        case 6:
          r = (d & ~m) | (n & m); // BIT
          break;
        default:
          r = (d & m) | (n & ~m); // BIF
      }
      V32[o + k] = r;
    }
    if (!q) {
      V32[o + 2] = 0;
      V32[o + 3] = 0;
    }
    return true;
  }
  // FMOV (general): sf 0011110 ptype 1 rmode opcode 000000.
  if ((w & 0x7f20fc00) === 0x1e200000) {
    const sf = w >>> 31;
    const ptype = (w >>> 22) & 3;
    const rmode = (w >>> 19) & 3;
    const opcode = (w >>> 16) & 7;
    if (opcode !== 6 && opcode !== 7) return false;
    const toFp = opcode === 7;
    const o = rd * 4;
    if (sf === 0 && ptype === 0 && rmode === 0) {
      if (toFp) {
        V32[o] = xLo(c, rn);
        V32[o + 1] = 0;
        V32[o + 2] = 0;
        V32[o + 3] = 0;
      } else writeXWords(c, rd, V32[rn * 4]!, 0);
      return true;
    }
    if (sf === 1 && ptype === 1 && rmode === 0) {
      if (toFp) {
        V32[o] = xLo(c, rn);
        V32[o + 1] = xHi(c, rn);
        V32[o + 2] = 0;
        V32[o + 3] = 0;
      } else writeXWords(c, rd, V32[rn * 4]!, V32[rn * 4 + 1]!);
      return true;
    }
    if (sf === 1 && ptype === 2 && rmode === 1) {
      if (toFp) {
        V32[o + 2] = xLo(c, rn);
        V32[o + 3] = xHi(c, rn);
      } else writeXWords(c, rd, V32[rn * 4 + 2]!, V32[rn * 4 + 3]!);
      return true;
    }
    return false;
  }
  // FMOV (register): S or D.
  if ((w & 0xffbffc00) === 0x1e204000) {
    const dbl = (w >>> 22) & 1;
    const lo = V32[rn * 4]!;
    const hi = dbl ? V32[rn * 4 + 1]! : 0;
    const o = rd * 4;
    V32[o] = lo;
    V32[o + 1] = hi;
    V32[o + 2] = 0;
    V32[o + 3] = 0;
    return true;
  }
  const q = (w >>> 30) & 1;
  // AdvSIMD modified immediate.
  if ((w & 0x9ff80400) === 0x0f000400) {
    if ((w >>> 11) & 1) return false;
    const op = (w >>> 29) & 1;
    const cmode = (w >>> 12) & 15;
    const imm8 = (((w >>> 16) & 7) << 5) | ((w >>> 5) & 31);
    if (cmode === 15 && op === 1 && q === 0) return false;
    if (!expandImm(op, cmode, imm8)) return false;
    const o = rd * 4;
    if (cmode < 12 && (cmode & 1) === 1) {
      // ORR (op 0) / BIC (op 1) with the shifted immediate.
      if (op === 0) {
        V32[o] |= immLo;
        V32[o + 1] |= immHi;
        V32[o + 2] = q ? V32[o + 2]! | immLo : 0;
        V32[o + 3] = q ? V32[o + 3]! | immHi : 0;
      } else {
        V32[o] &= ~immLo;
        V32[o + 1] &= ~immHi;
        V32[o + 2] = q ? V32[o + 2]! & ~immLo : 0;
        V32[o + 3] = q ? V32[o + 3]! & ~immHi : 0;
      }
      return true;
    }
    const inv = op === 1 && cmode !== 14 && cmode !== 15;
    const lo = inv ? ~immLo : immLo;
    const hi = inv ? ~immHi : immHi;
    V32[o] = lo;
    V32[o + 1] = hi;
    V32[o + 2] = q ? lo : 0;
    V32[o + 3] = q ? hi : 0;
    return true;
  }
  // AdvSIMD copy: DUP (element/general), SMOV, UMOV, INS (general/element).
  if ((w & 0x9fe08400) === 0x0e000400) {
    const op = (w >>> 29) & 1;
    const imm5 = (w >>> 16) & 31;
    const imm4 = (w >>> 11) & 15;
    const size = imm5 === 0 ? -1 : 31 - Math.clz32(imm5 & -imm5);
    if (size < 0 || size > 3) return false;
    const esize = 1 << size;
    const index = imm5 >>> (size + 1);
    if (op === 1) {
      // INS (element)
      if (q === 0) return false;
      const src = imm4 >>> size;
      if (esize === 8) setLane(rd, 8, index, V32[rn * 4 + 2 * src]!, V32[rn * 4 + 2 * src + 1]!);
      else setLane(rd, esize, index, laneU(rn, esize, src), 0);
      return true;
    }
    switch (imm4) {
      case 0: {
        // DUP (element)
        if (size === 3 && q === 0) return false;
        if (esize === 8) replicate(rd, 8, q, V32[rn * 4 + 2 * index]!, V32[rn * 4 + 2 * index + 1]!);
        else replicate(rd, esize, q, laneU(rn, esize, index), 0);
        return true;
      }
      case 1: {
        // DUP (general)
        if (size === 3 && q === 0) return false;
        replicate(rd, esize, q, xLo(c, rn), xHi(c, rn));
        return true;
      }
      case 3:
        // INS (general)
        if (q === 0) return false;
        setLane(rd, esize, index, xLo(c, rn), xHi(c, rn));
        return true;
      case 5: {
        // SMOV: Q selects the 64-bit destination; byte/half (and word with Q=1).
        if (size === 3 || (size === 2 && q === 0)) return false;
        const sh = 32 - 8 * esize;
        const v = (laneU(rn, esize, index) << sh) >> sh;
        writeXWords(c, rd, v, q ? v >> 31 : 0);
        return true;
      }
      case 7: {
        // UMOV
        if ((q === 1) !== (size === 3)) return false;
        if (esize === 8) writeXWords(c, rd, V32[rn * 4 + 2 * index]!, V32[rn * 4 + 2 * index + 1]!);
        else writeXWords(c, rd, laneU(rn, esize, index), 0);
        return true;
      }
      default:
        return false;
    }
  }
  return false;
}
