/**
 * Lane access for the AdvSIMD engine: typed views on the V register file, a
 * result buffer (so a destination that is also a source reads the old value),
 * and the shared FP state synchronised with FPCR/FPSR around each instruction.
 */
import { FpState } from '../../fp/index.js';

/** What an AdvSIMD/FP instruction touches (the CPU's V file, FPCR/FPSR, X registers, NZCV). */
export interface SimdCtx {
  readonly V64: BigUint64Array;
  readonly V32: Uint32Array;
  readonly V8: Uint8Array;
  fpcr: number;
  fpsr: number;
  readonly R: BigUint64Array;
  /** The same registers as 32-bit words (X[r] = R32[2r] low, R32[2r + 1] high). */
  readonly R32: Int32Array;
  nzcv(): number;
  setNzcv(v: number): void;
}

export const st = new FpState();

let bound: SimdCtx | null = null;
export let V8: Uint8Array = new Uint8Array(0);
export let V16: Uint16Array = new Uint16Array(0);
export let V32: Uint32Array = new Uint32Array(0);
export let V64: BigUint64Array = new BigUint64Array(0);
/**
 * Float views of the same registers, for the FP fast paths: they only ever read values whose
 * bit patterns are finite numbers (a NaN read here fails the fast path's range checks and the
 * bit-pattern path takes over) and only write finite results, so no NaN bits pass through them.
 */
export let F32: Float32Array = new Float32Array(0);
export let F64: Float64Array = new Float64Array(0);

/** Binds the views to this CPU's register file (a CPU's V file never moves: checked by identity). */
export function bind(c: SimdCtx): void {
  if (c !== bound) {
    bound = c;
    V8 = c.V8;
    V16 = new Uint16Array(c.V8.buffer, c.V8.byteOffset, 256);
    V32 = c.V32;
    V64 = c.V64;
    F32 = new Float32Array(c.V8.buffer, c.V8.byteOffset, 128);
    F64 = new Float64Array(c.V8.buffer, c.V8.byteOffset, 64);
  }
}

/** Result buffer: one 128-bit register. */
export const O8 = new Uint8Array(16);
export const O16 = new Uint16Array(O8.buffer);
export const O32 = new Uint32Array(O8.buffer);
export const O64 = new BigUint64Array(O8.buffer);

/** Unsigned element `i` of `size` (0..2) of register `r`. */
export function getU(r: number, size: number, i: number): number {
  if (size === 0) return V8[r * 16 + i]!;
  if (size === 1) return V16[r * 8 + i]!;
  return V32[r * 4 + i]!;
}

/** Signed element. */
export function getS(r: number, size: number, i: number): number {
  if (size === 0) return (V8[r * 16 + i]! << 24) >> 24;
  if (size === 1) return (V16[r * 8 + i]! << 16) >> 16;
  return V32[r * 4 + i]! | 0;
}

export function get(r: number, size: number, i: number, signed: boolean): number {
  return signed ? getS(r, size, i) : getU(r, size, i);
}

/** Writes element `i` of the result buffer (low bits of v). */
export function put(size: number, i: number, v: number): void {
  if (size === 0) O8[i] = v;
  else if (size === 1) O16[i] = v;
  else O32[i] = v;
}

export function get64(r: number, i: number): bigint {
  return V64[r * 2 + i]!;
}

export function put64(i: number, v: bigint): void {
  O64[i] = BigInt.asUintN(64, v);
}

/** Copies the result buffer to Vd; the upper half is zeroed unless q. */
export function commit(rd: number, q: number): void {
  const o = rd * 4;
  V32[o] = O32[0]!;
  V32[o + 1] = O32[1]!;
  V32[o + 2] = q ? O32[2]! : 0;
  V32[o + 3] = q ? O32[3]! : 0;
}

/** Writes a scalar result of `size` bytes log2 (0..3) held in the result buffer's element 0, zeroing the rest. */
export function commitScalar(rd: number, size: number): void {
  const o = rd * 4;
  V32[o] = size === 0 ? O8[0]! : size === 1 ? O16[0]! : O32[0]!;
  V32[o + 1] = size === 3 ? O32[1]! : 0;
  V32[o + 2] = 0;
  V32[o + 3] = 0;
}

export function clearOut(): void {
  O32[0] = 0;
  O32[1] = 0;
  O32[2] = 0;
  O32[3] = 0;
}

/** Lane mask for size 0..2. */
export function mask(size: number): number {
  return size === 0 ? 0xff : size === 1 ? 0xffff : 0xffffffff;
}

/** Unsigned value of the low 32/64 bits as lo/hi words. */
export function lo32(v: bigint): number {
  return Number(v & 0xffffffffn);
}
export function hi32(v: bigint): number {
  return Number((v >> 32n) & 0xffffffffn);
}
export function from2(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
