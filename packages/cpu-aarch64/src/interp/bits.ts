/** Bit helpers shared by the decoder and the interpreter (decode-time helpers may use BigInt). */

export const MASK64 = 0xffff_ffff_ffff_ffffn;

/** Sign-extends the low `bits` bits of `v`. */
export function sext(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

/** A 64-bit value from two 32-bit halves. */
export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function ones(n: number): bigint {
  return (1n << BigInt(n)) - 1n;
}

function rorN(v: bigint, r: number, size: number): bigint {
  if (r === 0) return v;
  const b = BigInt(r);
  return ((v >> b) | (v << BigInt(size - r))) & ones(size);
}

/**
 * DecodeBitMasks from the Arm ARM (logical immediates and bitfield moves):
 * returns [wmask, tmask] for a `size`-bit operation, or null if reserved.
 */
export function decodeBitMasks(n: number, imms: number, immr: number, immediate: boolean, size: number): [bigint, bigint] | null {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return null;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return null;
  const levels = (1 << len) - 1;
  if (immediate && (imms & levels) === levels) return null;
  const s = imms & levels;
  const r = immr & levels;
  const diff = (s - r) & levels;
  const esize = 1 << len;
  if (esize > size) return null;
  const welem = rorN(ones(s + 1), r, esize);
  const telem = ones(diff + 1);
  let wmask = 0n;
  let tmask = 0n;
  for (let i = 0; i < size; i += esize) {
    wmask |= welem << BigInt(i);
    tmask |= telem << BigInt(i);
  }
  return [wmask, tmask];
}

// ---- 64-bit shifts on (lo, hi) int32 pairs; the high word of the result is left in `hi64` ----
export const pair = { hi: 0 };

export function lsl64(lo: number, hi: number, s: number): number {
  if (s === 0) {
    pair.hi = hi;
    return lo;
  }
  if (s < 32) {
    pair.hi = (hi << s) | (lo >>> (32 - s));
    return lo << s;
  }
  pair.hi = lo << (s - 32);
  return 0;
}

export function lsr64(lo: number, hi: number, s: number): number {
  if (s === 0) {
    pair.hi = hi;
    return lo;
  }
  if (s < 32) {
    pair.hi = hi >>> s;
    return (lo >>> s) | (hi << (32 - s));
  }
  pair.hi = 0;
  return hi >>> (s - 32);
}

export function asr64(lo: number, hi: number, s: number): number {
  if (s === 0) {
    pair.hi = hi;
    return lo;
  }
  if (s < 32) {
    pair.hi = hi >> s;
    return (lo >>> s) | (hi << (32 - s));
  }
  pair.hi = hi >> 31;
  return hi >> (s - 32);
}

export function ror64(lo: number, hi: number, s: number): number {
  if (s >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    s -= 32;
  }
  if (s === 0) {
    pair.hi = hi;
    return lo;
  }
  pair.hi = (hi >>> s) | (lo << (32 - s));
  return (lo >>> s) | (hi << (32 - s));
}

export function ror32(v: number, s: number): number {
  s &= 31;
  return s === 0 ? v : (v >>> s) | (v << (32 - s));
}

export function rbit32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >>> 16) | (v << 16);
}

export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) | 0;
}

export function rev16w(v: number): number {
  return (((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)) | 0;
}

/** CLS of a 32-bit value: leading bits equal to the sign bit, not counting it. */
export function cls32(v: number): number {
  return Math.clz32(v ^ (v >> 31)) - 1;
}
