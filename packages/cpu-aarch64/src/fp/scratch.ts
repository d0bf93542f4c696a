// Shared scratch views for moving between bit patterns and JS numbers.
// Only non-NaN values go through the float views: NaN payloads are handled on integer bits.

const buf64 = new ArrayBuffer(8);
export const S_F64 = new Float64Array(buf64);
export const S_U32 = new Uint32Array(buf64);
const buf32 = new ArrayBuffer(4);
export const S_F32 = new Float32Array(buf32);
export const S_W32 = new Uint32Array(buf32);

export const TWO32 = 4294967296;
export const TWO31 = 2147483648;
export const TWO52 = 4503599627370496;
export const TWO53 = 9007199254740992;

const P2_OFF = 1100;
/** P2[n + P2_OFF] = 2^n for -1074 <= n <= 1023 (0 or Infinity outside). */
const P2 = new Float64Array(2 * P2_OFF + 1);
for (let n = -P2_OFF; n <= P2_OFF; n++) P2[n + P2_OFF] = Math.pow(2, n);

/** 2^n for -1074 <= n <= 1023. */
export function pow2(n: number): number {
  return P2[n + P2_OFF];
}

/** x * 2^n, exact while the result is a normal double; splits large |n|. */
export function ldexp(x: number, n: number): number {
  if (n > 1000) {
    x *= P2[1000 + P2_OFF];
    n -= 1000;
    if (n > 1000) {
      x *= P2[1000 + P2_OFF];
      n -= 1000;
    }
  } else if (n < -1000) {
    x *= P2[-1000 + P2_OFF];
    n += 1000;
    if (n < -1000) {
      x *= P2[-1000 + P2_OFF];
      n += 1000;
    }
  }
  return x * P2[n + P2_OFF];
}

/** A double from its two 32-bit halves (never pass a NaN you care about). */
export function f64FromBits(lo: number, hi: number): number {
  S_U32[0] = lo;
  S_U32[1] = hi;
  return S_F64[0];
}

/** A single's value (exact, as a double) from its bits. */
export function f32FromBits(a: number): number {
  S_W32[0] = a;
  return S_F32[0];
}

/** floor(log2(x)) for a positive normal double. */
export function ilog2(x: number): number {
  S_F64[0] = x;
  return ((S_U32[1] >>> 20) & 0x7ff) - 1023;
}

const SPLIT = 134217729; // 2^27 + 1
/** The exact error of the product a*b (p = fl(a*b)), Dekker/Veltkamp; needs no over/underflow. */
export function twoProdErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}

/** The exact error of s = fl(a+b) (Knuth TwoSum). */
export function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}
