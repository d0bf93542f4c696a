// Seeded operand generators aimed at the hard cases: NaNs with payloads (signalling and quiet),
// infinities, signed zeros, denormals, the extreme normals, integer-conversion boundaries,
// halfway cases and cancellation.

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  constructor(seed: number) {
    this.s0 = seed >>> 0 || 1;
    this.s1 = 0x9e3779b9;
    this.s2 = 0x243f6a88;
    this.s3 = 0xb7e15162;
    for (let i = 0; i < 16; i++) this.u32();
  }
  /** xoshiro128** */
  u32(): number {
    const r = Math.imul(this.rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = this.rotl(this.s3, 11);
    return r;
  }
  private rotl(x: number, k: number): number {
    return (x << k) | (x >>> (32 - k));
  }
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  bool(): boolean {
    return (this.u32() & 1) === 1;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const buf = new ArrayBuffer(8);
const f64 = new Float64Array(buf);
const u32 = new Uint32Array(buf);
const f32 = new Float32Array(buf);

export function bitsOfF64(x: number): [number, number] {
  f64[0] = x;
  return [u32[0], u32[1]];
}
export function bitsOfF32(x: number): number {
  f32[0] = x;
  return u32[0];
}
export function f64OfBits(lo: number, hi: number): number {
  u32[0] = lo;
  u32[1] = hi;
  return f64[0];
}
export function f32OfBits(b: number): number {
  u32[0] = b;
  return f32[0];
}

/** Boundary magnitudes for integer conversions. */
const BOUNDS = [0.5, 1, 1.5, 2.5, 2 ** 15, 2 ** 16, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 63, 2 ** 64];

/** A random single-precision bit pattern drawn from edge-heavy categories. */
export function genS(r: Rng): number {
  const s = r.bool() ? 0x80000000 : 0;
  switch (r.int(16)) {
    case 0:
      return r.u32();
    case 1:
      return s; // zero
    case 2:
      return (s | 0x7f800000) >>> 0; // inf
    case 3:
      return (s | 0x7fc00000 | r.int(0x400000)) >>> 0; // qnan
    case 4:
      return (s | 0x7f800000 | (1 + r.int(0x3fffff))) >>> 0; // snan
    case 5:
      return (s | (1 + r.int(0x7fffff))) >>> 0; // denormal
    case 6:
      return (s | (0x00800000 + r.int(64) - 32)) >>> 0; // near min normal
    case 7:
      return (s | (0x7f7fffff - r.int(64))) >>> 0; // near max
    case 8: {
      // integer / halfway values near conversion bounds
      const b = r.pick(BOUNDS);
      const v = Math.fround(b + (r.int(9) - 4) * (r.bool() ? 0.5 : 1));
      const bits = bitsOfF32(s ? -v : v);
      return (bits + r.int(5) - 2) >>> 0;
    }
    case 9:
      return bitsOfF32(Math.fround((r.int(2001) - 1000) / (r.bool() ? 2 : 4)));
    case 10:
      return (s | ((r.int(40) + 1) << 23) | r.int(0x800000)) >>> 0; // small normals
    case 11:
      return (s | ((r.int(40) + 215) << 23) | r.int(0x800000)) >>> 0; // large normals
    case 12:
      return (s | ((r.int(8) + 123) << 23) | (r.int(8) << 20)) >>> 0; // few mantissa bits
    default:
      return (s | ((r.int(60) + 97) << 23) | r.int(0x800000)) >>> 0; // moderate
  }
}

/** A random double-precision bit pattern [lo, hi] from edge-heavy categories. */
export function genD(r: Rng): [number, number] {
  const s = r.bool() ? 0x80000000 : 0;
  const lo = r.u32();
  switch (r.int(16)) {
    case 0:
      return [lo, r.u32()];
    case 1:
      return [0, s];
    case 2:
      return [0, (s | 0x7ff00000) >>> 0];
    case 3:
      return [lo, (s | 0x7ff80000 | r.int(0x80000)) >>> 0];
    case 4: {
      const h = r.int(0x80000);
      return [h === 0 && lo === 0 ? 1 : lo, (s | 0x7ff00000 | h) >>> 0];
    }
    case 5:
      return [lo, (s | r.int(0x100000)) >>> 0];
    case 6:
      return r.bool() ? [lo, (s | 0x00100000) >>> 0] : [0xffffffff - r.int(64), (s | 0x000fffff) >>> 0];
    case 7:
      return [0xffffffff - r.int(64), (s | 0x7fefffff) >>> 0];
    case 8: {
      const b = r.pick(BOUNDS);
      const v = b + (r.int(9) - 4) * (r.bool() ? 0.5 : 1);
      const [l, h] = bitsOfF64(s ? -v : v);
      const d = r.int(5) - 2;
      const nl = l + d;
      return nl < 0 ? [nl + 4294967296, h - 1] : nl >= 4294967296 ? [nl - 4294967296, h + 1] : [nl, h];
    }
    case 9:
      return bitsOfF64((r.int(2001) - 1000) / (r.bool() ? 2 : 4));
    case 10:
      return [lo, (s | ((r.int(60) + 1) << 20) | r.int(0x100000)) >>> 0];
    case 11:
      return [lo, (s | ((r.int(60) + 1987) << 20) | r.int(0x100000)) >>> 0];
    case 12:
      return [0, (s | ((r.int(8) + 1019) << 20) | (r.int(16) << 16)) >>> 0];
    case 13:
      // single-representable values (for conversions)
      return bitsOfF64(f32OfBits(genS(r)));
    default:
      return [lo, (s | ((r.int(200) + 923) << 20) | r.int(0x100000)) >>> 0];
  }
}

/** A random half-precision bit pattern. */
export function genH(r: Rng): number {
  const s = r.bool() ? 0x8000 : 0;
  switch (r.int(8)) {
    case 0:
      return r.int(0x10000);
    case 1:
      return s | r.pick([0, 0x7c00, 0x7bff, 0x0400, 0x03ff, 0x0001]);
    case 2:
      return s | 0x7e00 | r.int(0x200);
    case 3:
      return s | 0x7c00 | (1 + r.int(0x1ff));
    case 4:
      return s | r.int(0x400);
    default:
      return s | (((r.int(30) + 1) << 10) | r.int(0x400));
  }
}

/** An FPCR value: random rounding mode, FZ, DN and AHP. */
export function genFpcr(r: Rng): number {
  // A third of the cases use Linux's default FPCR (0) or DN only: the helpers' fast paths.
  if (r.int(3) === 0) return r.bool() ? 0 : 1 << 25;
  return ((r.int(4) << 22) | (r.bool() ? 1 << 24 : 0) | (r.bool() ? 1 << 25 : 0) | (r.bool() ? 1 << 26 : 0)) >>> 0;
}
