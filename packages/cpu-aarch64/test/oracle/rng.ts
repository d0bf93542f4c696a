/** A small seeded PRNG (xoshiro128**), so a failing oracle case is reproducible from its seed. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    // SplitMix32 to spread the seed over the state.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** `bits` random bits (up to 32) as an unsigned number. */
  bits(bits: number): number {
    return bits >= 32 ? this.u32() : this.u32() >>> (32 - bits);
  }

  bool(p = 0.5): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const INTERESTING: readonly bigint[] = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fff_ffffn,
  0x8000_0000n,
  0xffff_ffffn,
  0x1_0000_0000n,
  0x7fff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n,
  0xffff_ffff_ffff_ffffn,
  0xffff_ffff_ffff_fffen,
  0xffff_ffff_8000_0000n,
  0x0000_0000_ffff_fffen,
];

/** A register value biased towards edge cases (zero, sign boundaries, all ones, small numbers). */
export function interestingU64(rng: Rng): bigint {
  const k = rng.int(8);
  if (k === 0) return rng.pick(INTERESTING);
  if (k === 1) return BigInt(rng.int(64));
  if (k === 2) return BigInt.asUintN(64, -BigInt(rng.range(1, 64)));
  if (k === 3) return BigInt(rng.u32());
  if (k === 4) return BigInt.asUintN(64, BigInt(rng.u32() | 0)); // sign-extended 32-bit
  return rng.u64();
}
