/**
 * FP/AdvSIMD dispatch. The integer core owns the V register file, FPCR/FPSR
 * and the CPACR_EL1.FPEN trap; it implements only the moves the kernel needs
 * (FMOV to/from general registers, FMOV register, MOVI/MVNI/ORR/BIC/FMOV
 * vector immediates, DUP/INS/UMOV/SMOV, the bitwise three-same group) here in
 * `executeFpMove`. Every other FP/AdvSIMD encoding reaches `executeFpSimd`,
 * which the FP engine fills in: it returns false for encodings it does not
 * implement, and the CPU raises UNDEFINED.
 */

import { bind, st } from './simd/lanes.js';
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

/** AdvSIMDExpandImm. Returns [lo, hi] 32-bit words of the 64-bit pattern, or null if reserved. */
function expandImm(op: number, cmode: number, imm8: number): [number, number] | null {
  switch (cmode >>> 1) {
    case 0:
      return [imm8, imm8];
    case 1:
      return [imm8 << 8, imm8 << 8];
    case 2:
      return [imm8 << 16, imm8 << 16];
    case 3:
      return [imm8 << 24, imm8 << 24];
    case 4: {
      const h = imm8 | (imm8 << 16);
      return [h, h];
    }
    case 5: {
      const h = (imm8 << 8) | (imm8 << 24);
      return [h, h];
    }
    case 6: {
      const v = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff;
      return [v, v];
    }
    default:
      if ((cmode & 1) === 0 && op === 0) {
        const b = imm8 * 0x01010101;
        return [b | 0, b | 0];
      }
      if ((cmode & 1) === 0 && op === 1) {
        let lo = 0;
        let hi = 0;
        for (let i = 0; i < 4; i++) if ((imm8 >>> i) & 1) lo |= 0xff << (8 * i);
        for (let i = 0; i < 4; i++) if ((imm8 >>> (i + 4)) & 1) hi |= 0xff << (8 * i);
        return [lo, hi];
      }
      if ((cmode & 1) === 1 && op === 0) {
        // FMOV single-precision immediate, replicated.
        const a = (imm8 >>> 7) & 1;
        const b = (imm8 >>> 6) & 1;
        const s = (a << 31) | ((b ? 0x1f : 0x20) << 25) | ((imm8 & 0x3f) << 19);
        return [s, s];
      }
      if ((cmode & 1) === 1 && op === 1) {
        const a = (imm8 >>> 7) & 1;
        const b = (imm8 >>> 6) & 1;
        const hi = (a << 31) | ((b ? 0xff : 0x100) << 22) | ((imm8 & 0x3f) << 16);
        return [0, hi];
      }
      return null;
  }
}

function readLane(c: FpSimdContext, reg: number, esize: number, index: number): bigint {
  const base = reg * 16 + index * esize;
  let v = 0n;
  for (let i = esize - 1; i >= 0; i--) v = (v << 8n) | BigInt(c.V8[base + i]!);
  return v;
}

function writeLane(c: FpSimdContext, reg: number, esize: number, index: number, v: bigint): void {
  const base = reg * 16 + index * esize;
  for (let i = 0; i < esize; i++) {
    c.V8[base + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  }
}

function readX(c: FpSimdContext, r: number): bigint {
  return r === 31 ? 0n : c.R[r]!;
}

function writeX(c: FpSimdContext, r: number, v: bigint): void {
  if (r !== 31) c.R[r] = BigInt.asUintN(64, v);
}

/** The moves the integer core implements itself. Returns false for UNDEFINED. */
export function executeFpMove(c: FpSimdContext, w: number): boolean {
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  const V64 = c.V64;
  // FMOV (general): sf 0011110 ptype 1 rmode opcode 000000.
  if ((w & 0x7f20fc00) === 0x1e200000) {
    const sf = w >>> 31;
    const ptype = (w >>> 22) & 3;
    const rmode = (w >>> 19) & 3;
    const opcode = (w >>> 16) & 7;
    if (opcode !== 6 && opcode !== 7) return false;
    const toFp = opcode === 7;
    if (sf === 0 && ptype === 0 && rmode === 0) {
      if (toFp) {
        V64[2 * rd] = readX(c, rn) & 0xffff_ffffn;
        V64[2 * rd + 1] = 0n;
      } else writeX(c, rd, V64[2 * rn]! & 0xffff_ffffn);
      return true;
    }
    if (sf === 1 && ptype === 1 && rmode === 0) {
      if (toFp) {
        V64[2 * rd] = readX(c, rn);
        V64[2 * rd + 1] = 0n;
      } else writeX(c, rd, V64[2 * rn]!);
      return true;
    }
    if (sf === 1 && ptype === 2 && rmode === 1) {
      if (toFp) V64[2 * rd + 1] = readX(c, rn);
      else writeX(c, rd, V64[2 * rn + 1]!);
      return true;
    }
    return false;
  }
  // FMOV (register): S or D.
  if ((w & 0xffbffc00) === 0x1e204000) {
    const dbl = (w >>> 22) & 1;
    V64[2 * rd] = dbl ? V64[2 * rn]! : V64[2 * rn]! & 0xffff_ffffn;
    V64[2 * rd + 1] = 0n;
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
    const imm = expandImm(op, cmode, imm8);
    if (!imm) return false;
    const v = (BigInt(imm[1] >>> 0) << 32n) | BigInt(imm[0] >>> 0);
    const isShiftedOrrBic = (cmode < 12 && (cmode & 1) === 1) || (cmode >= 8 && cmode < 12 && (cmode & 1) === 1);
    const inv = op === 1 && !(cmode === 14) && !(cmode === 15);
    let lo: bigint;
    let hi: bigint;
    if (isShiftedOrrBic) {
      // ORR (op 0) / BIC (op 1) with the shifted immediate.
      if (op === 0) {
        lo = V64[2 * rd]! | v;
        hi = V64[2 * rd + 1]! | v;
      } else {
        lo = V64[2 * rd]! & ~v;
        hi = V64[2 * rd + 1]! & ~v;
      }
    } else {
      lo = inv ? ~v & 0xffff_ffff_ffff_ffffn : v;
      hi = lo;
    }
    V64[2 * rd] = BigInt.asUintN(64, lo);
    V64[2 * rd + 1] = q ? BigInt.asUintN(64, hi) : 0n;
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
      if (q === 0) return false;
      const src = imm4 >>> size;
      writeLane(c, rd, esize, index, readLane(c, rn, esize, src));
      return true;
    }
    switch (imm4) {
      case 0: {
        if (size === 3 && q === 0) return false;
        const v = readLane(c, rn, esize, index);
        const lanes = (q ? 16 : 8) / esize;
        for (let i = 0; i < lanes; i++) writeLane(c, rd, esize, i, v);
        if (!q) V64[2 * rd + 1] = 0n;
        return true;
      }
      case 1: {
        if (size === 3 && q === 0) return false;
        const v = readX(c, rn) & ((1n << BigInt(8 * esize)) - 1n);
        const lanes = (q ? 16 : 8) / esize;
        for (let i = 0; i < lanes; i++) writeLane(c, rd, esize, i, v);
        if (!q) V64[2 * rd + 1] = 0n;
        return true;
      }
      case 3:
        if (q === 0) return false;
        writeLane(c, rd, esize, index, readX(c, rn) & ((1n << BigInt(8 * esize)) - 1n));
        return true;
      case 5: {
        // SMOV: Q selects the 64-bit destination; byte/half (and word with Q=1).
        if (size === 3 || (size === 2 && q === 0)) return false;
        const v = BigInt.asIntN(8 * esize, readLane(c, rn, esize, index));
        writeX(c, rd, q ? v : BigInt.asUintN(32, v));
        return true;
      }
      case 7: {
        if ((q === 1) !== (size === 3)) return false;
        writeX(c, rd, readLane(c, rn, esize, index));
        return true;
      }
      default:
        return false;
    }
  }
  // AdvSIMD three same, bitwise: AND BIC ORR ORN EOR BSL BIT BIF.
  if ((w & 0x9f20fc00) === 0x0e201c00) {
    const u = (w >>> 29) & 1;
    const size = (w >>> 22) & 3;
    const rm = (w >>> 16) & 31;
    const parts = q ? 2 : 1;
    for (let k = 0; k < parts; k++) {
      const n = V64[2 * rn + k]!;
      const m = V64[2 * rm + k]!;
      const d = V64[2 * rd + k]!;
      let r: bigint;
      if (!u) r = size === 0 ? n & m : size === 1 ? n & ~m : size === 2 ? n | m : n | ~m;
      else if (size === 0) r = n ^ m;
      else if (size === 1) r = (d & n) | (~d & m);
      else if (size === 2) r = (d & ~m) | (n & m);
      else r = (d & m) | (n & ~m);
      V64[2 * rd + k] = BigInt.asUintN(64, r);
    }
    if (!q) V64[2 * rd + 1] = 0n;
    return true;
  }
  return false;
}
