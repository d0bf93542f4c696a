import { describe, expect, it } from 'vitest';
import * as fp from '../../src/fp/index.js';
import { Rng, bitsOfF32, bitsOfF64 } from './gen.js';
import { Z, casesPerOp, runSuite, w32, type Pair, type TestOp, type Words } from './harness.js';

// The arithmetic fast paths (FPCR = 0: round to nearest, no flush to zero) against qemu-aarch64 on
// operands with few significant bits, as in integer-derived data (the fpbench matrix product:
// 32-bit integers scaled by 2^-31). Exact results then often fall on or next to a rounding
// midpoint, and an addend near -(a*b) cancels part of the product: the cases where an FMA
// emulation's tie handling decides the last bit.

/** A double with 1..maxBits significant bits and an exponent in [-lo, lo). */
function structured(r: Rng, maxBits: number, lo: number): number {
  const bits = 1 + r.int(maxBits);
  let m = 1;
  for (let i = 1; i < bits; i++) m = m * 2 + (r.u32() & 1);
  const v = m * 2 ** (r.int(2 * lo) - lo - bits);
  return r.bool() ? -v : v;
}

/** An addend for a*b: independent, or -(a*b) times a factor in [0.25, 1.25) kept to a few bits. */
function addend(r: Rng, a: number, b: number, maxBits: number, lo: number, round: (x: number) => number): number {
  if (r.int(3) === 0) return structured(r, maxBits, lo);
  const k = 1 + r.int(maxBits);
  const p = round(a * b);
  const f = 0.25 + r.int(1 << 10) / (1 << 10);
  const e = Math.floor(Math.log2(Math.abs(p) || 1));
  const c = Math.round(-p * f * 2 ** (k - e)) * 2 ** (e - k);
  return round(c);
}

/**
 * [a, b, c] with c a full-precision value (p significant bits) and a*b = ±(1 - 2^-2j) times half
 * of c's ulp: the exact c + a*b lies a hair beside a rounding midpoint, below the precision of a
 * double next to c (the tie-breaking residue of the FMA emulation, and double rounding for single).
 */
function nearTie(r: Rng, p: number, jmin: number, jmax: number, erange: number): [number, number, number] {
  let m = 1;
  for (let i = 1; i < p; i++) m = m * 2 + (r.u32() & 1);
  const e = r.int(2 * erange) - erange; // c in [2^e, 2^(e+1))
  const c = (r.bool() ? -m : m) * 2 ** (e - p + 1);
  const j = jmin + r.int(jmax - jmin + 1);
  const x = r.int(9) - 4;
  const a = (1 + 2 ** -j) * 2 ** x * (r.bool() ? -1 : 1);
  const b = (1 - 2 ** -j) * 2 ** (e - p - x) * (r.bool() ? -1 : 1);
  return [a, b, c];
}

const asD = (x: number): Pair => bitsOfF64(x);
const asS = (x: number): Pair => w32(bitsOfF32(Math.fround(x)));
const FPCR0 = () => 0;

type D2 = (st: fp.FpState, alo: number, ahi: number, blo: number, bhi: number) => number;
type D3 = (st: fp.FpState, nlo: number, nhi: number, mlo: number, mhi: number, alo: number, ahi: number) => number;
type S2 = (st: fp.FpState, a: number, b: number) => number;
type S3 = (st: fp.FpState, n: number, m: number, a: number) => number;

const d3 = (insn: string, f: D3): TestOp => ({
  name: `${insn}.d`,
  asm: `${insn} d3, d0, d1, d2`,
  fpcr: FPCR0,
  gen: (r) => {
    if (r.int(3) === 0) {
      const [a, b, c] = nearTie(r, 53, 27, 52, 60);
      return [asD(a), asD(b), asD(c)];
    }
    const a = structured(r, 40, 40);
    const b = structured(r, 40, 40);
    const c = addend(r, a, b, 53, 80, (x) => x);
    return [asD(a), asD(b), asD(insn === 'fmadd' ? c : -c)];
  },
  impl: (st, a, b, c): Words => [f(st, a[0], a[1], b[0], b[1], c[0], c[1]), st.rhi, 0, 0],
});
const d2 = (insn: string, f: D2): TestOp => ({
  name: `${insn}.d`,
  asm: `${insn} d3, d0, d1`,
  fpcr: FPCR0,
  gen: (r) => {
    const a = structured(r, 53, 60);
    return [asD(a), asD(r.int(2) === 0 ? structured(r, 53, 60) : -a * (0.5 + r.int(64) / 64)), Z];
  },
  impl: (st, a, b): Words => [f(st, a[0], a[1], b[0], b[1]), st.rhi, 0, 0],
});
const s3 = (insn: string, f: S3): TestOp => ({
  name: `${insn}.s`,
  asm: `${insn} s3, s0, s1, s2`,
  fpcr: FPCR0,
  gen: (r) => {
    if (r.int(3) === 0) {
      const [a, b, c] = nearTie(r, 24, 12, 23, 30);
      return [asS(a), asS(b), asS(c)];
    }
    const a = Math.fround(structured(r, 24, 30));
    const b = Math.fround(structured(r, 24, 30));
    const c = addend(r, a, b, 24, 40, Math.fround);
    return [asS(a), asS(b), asS(insn === 'fmadd' ? c : -c)];
  },
  impl: (st, a, b, c): Words => [f(st, a[0], b[0], c[0]), 0, 0, 0],
});
const s2 = (insn: string, f: S2): TestOp => ({
  name: `${insn}.s`,
  asm: `${insn} s3, s0, s1`,
  fpcr: FPCR0,
  gen: (r) => {
    const a = Math.fround(structured(r, 24, 40));
    return [asS(a), asS(r.int(2) === 0 ? structured(r, 24, 40) : -a * (0.5 + r.int(64) / 64)), Z];
  },
  impl: (st, a, b): Words => [f(st, a[0], b[0]), 0, 0, 0],
});

const OPS: TestOp[] = [
  d3('fmadd', fp.f64Fmadd),
  d3('fmsub', fp.f64Fmsub),
  d2('fadd', fp.f64Add),
  d2('fsub', fp.f64Sub),
  d2('fmul', fp.f64Mul),
  d2('fdiv', fp.f64Div),
  s3('fmadd', fp.f32Fmadd),
  s3('fmsub', fp.f32Fmsub),
  s2('fadd', fp.f32Add),
  s2('fsub', fp.f32Sub),
  s2('fmul', fp.f32Mul),
  s2('fdiv', fp.f32Div),
];

describe('FP fast paths (FPCR = 0) on few-bit operands against qemu-aarch64', () => {
  it('matches every result bit and FPSR flag', () => {
    const { failures, total } = runSuite(OPS, casesPerOp(4000), 0xfa57);
    expect(total).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});
