import { describe, expect, it } from 'vitest';
import * as fp from '../../src/fp/index.js';
import { bitsOfF32, bitsOfF64, genD, genS, type Rng } from './gen.js';
import { Z, casesPerOp, fmaAddendD, fmaAddendS, relD, relS, runSuite, w32, type TestOp, type Words } from './harness.js';

type S2 = (st: fp.FpState, a: number, b: number) => number;
type D2 = (st: fp.FpState, alo: number, ahi: number, blo: number, bhi: number) => number;

const s2 = (name: string, insn: string, f: S2): TestOp => ({
  name: `${name}.s`,
  asm: `${insn} s3, s0, s1`,
  gen: (r: Rng) => {
    const a = genS(r);
    return [w32(a), w32(relS(r, a)), Z];
  },
  impl: (st, a, b): Words => [f(st, a[0], b[0]), 0, 0, 0],
});
const d2 = (name: string, insn: string, f: D2): TestOp => ({
  name: `${name}.d`,
  asm: `${insn} d3, d0, d1`,
  gen: (r: Rng) => {
    const a = genD(r);
    return [a, relD(r, a), Z];
  },
  impl: (st, a, b): Words => {
    const lo = f(st, a[0], a[1], b[0], b[1]);
    return [lo, st.rhi, 0, 0];
  },
});

type S3 = (st: fp.FpState, n: number, m: number, a: number) => number;
type D3 = (st: fp.FpState, nlo: number, nhi: number, mlo: number, mhi: number, alo: number, ahi: number) => number;
const s3 = (insn: string, f: S3): TestOp => ({
  name: `${insn}.s`,
  asm: `${insn} s3, s0, s1, s2`,
  gen: (r: Rng) => {
    const a = genS(r);
    const b = genS(r);
    return [w32(a), w32(b), w32(fmaAddendS(r, a, b) ^ (insn === 'fmadd' || insn === 'fnmsub' ? 0 : 0x80000000))];
  },
  impl: (st, a, b, c): Words => [f(st, a[0], b[0], c[0]), 0, 0, 0],
});
const d3 = (insn: string, f: D3): TestOp => ({
  name: `${insn}.d`,
  asm: `${insn} d3, d0, d1, d2`,
  gen: (r: Rng) => {
    const a = genD(r);
    const b = genD(r);
    const c = fmaAddendD(r, a, b);
    return [a, b, insn === 'fmadd' || insn === 'fnmsub' ? c : [c[0], (c[1] ^ 0x80000000) >>> 0]];
  },
  impl: (st, a, b, c): Words => {
    const lo = f(st, a[0], a[1], b[0], b[1], c[0], c[1]);
    return [lo, st.rhi, 0, 0];
  },
});

const OPS: TestOp[] = [
  s2('fadd', 'fadd', fp.f32Add),
  s2('fsub', 'fsub', fp.f32Sub),
  s2('fmul', 'fmul', fp.f32Mul),
  s2('fnmul', 'fnmul', fp.f32Nmul),
  s2('fdiv', 'fdiv', fp.f32Div),
  s2('fmax', 'fmax', fp.f32Max),
  s2('fmin', 'fmin', fp.f32Min),
  s2('fmaxnm', 'fmaxnm', fp.f32MaxNm),
  s2('fminnm', 'fminnm', fp.f32MinNm),
  s2('fabd', 'fabd', fp.f32Abd),
  s2('fmulx', 'fmulx', fp.f32Mulx),
  s2('frecps', 'frecps', fp.f32Recps),
  s2('frsqrts', 'frsqrts', fp.f32Rsqrts),
  {
    name: 'fsqrt.s',
    asm: 'fsqrt s3, s0',
    gen: (r) => [w32(genS(r)), Z, Z],
    impl: (st, a) => [fp.f32Sqrt(st, a[0]), 0, 0, 0],
  },
  s3('fmadd', fp.f32Fmadd),
  s3('fmsub', fp.f32Fmsub),
  s3('fnmadd', fp.f32Fnmadd),
  s3('fnmsub', fp.f32Fnmsub),
  d2('fadd', 'fadd', fp.f64Add),
  d2('fsub', 'fsub', fp.f64Sub),
  d2('fmul', 'fmul', fp.f64Mul),
  d2('fnmul', 'fnmul', fp.f64Nmul),
  d2('fdiv', 'fdiv', fp.f64Div),
  d2('fmax', 'fmax', fp.f64Max),
  d2('fmin', 'fmin', fp.f64Min),
  d2('fmaxnm', 'fmaxnm', fp.f64MaxNm),
  d2('fminnm', 'fminnm', fp.f64MinNm),
  d2('fabd', 'fabd', fp.f64Abd),
  d2('fmulx', 'fmulx', fp.f64Mulx),
  d2('frecps', 'frecps', fp.f64Recps),
  d2('frsqrts', 'frsqrts', fp.f64Rsqrts),
  {
    name: 'fsqrt.d',
    asm: 'fsqrt d3, d0',
    gen: (r) => [genD(r), Z, Z],
    impl: (st, a) => {
      const lo = fp.f64Sqrt(st, a[0], a[1]);
      return [lo, st.rhi, 0, 0];
    },
  },
  d3('fmadd', fp.f64Fmadd),
  d3('fmsub', fp.f64Fmsub),
  d3('fnmadd', fp.f64Fnmadd),
  d3('fnmsub', fp.f64Fnmsub),
];

describe('FP arithmetic vs qemu-aarch64', () => {
  it('matches every result bit and FPSR flag', () => {
    const { failures, total } = runSuite(OPS, casesPerOp(3000), 0x5eed0001);
    expect(total).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);
});

// Typical operands at FPCR = 0 (what Linux runs with): moderate exponents and heavy cancellation,
// exercising the fast paths rather than the edge cases.
function typD(r: Rng): number {
  return (r.u32() / 4294967296 - 0.5) * 2 ** (r.int(80) - 40);
}
const TYPICAL: TestOp[] = [];
for (const insn of ['fmadd', 'fmsub', 'fnmadd', 'fnmsub']) {
  const f = { fmadd: fp.f64Fmadd, fmsub: fp.f64Fmsub, fnmadd: fp.f64Fnmadd, fnmsub: fp.f64Fnmsub }[insn]!;
  const fs = { fmadd: fp.f32Fmadd, fmsub: fp.f32Fmsub, fnmadd: fp.f32Fnmadd, fnmsub: fp.f32Fnmsub }[insn]!;
  const sign = insn === 'fmadd' || insn === 'fnmsub' ? -1 : 1;
  TYPICAL.push(
    {
      name: `typical ${insn}.d`,
      asm: `${insn} d3, d0, d1, d2`,
      fpcr: () => 0,
      gen: (r) => {
        if (r.int(4) === 0) {
          // Near-midpoint results: small-mantissa factors and a half-ulp addend.
          const a = 1 + r.int(1 << 20) * 2 ** -52;
          const b = (1 + r.int(1 << 20) * 2 ** -52) * (r.bool() ? 1 : -1);
          const c = -sign * r.pick([1, -1, 3, -3, 0.5, -0.5]) * 2 ** -53 * (r.bool() ? 1 : 1 + 2 ** -40);
          return [bitsOfF64(a), bitsOfF64(b), bitsOfF64(c)];
        }
        const a = typD(r);
        const b = typD(r);
        const p = a * b;
        const c = r.int(4) === 0 ? typD(r) : sign * p * (1 + (r.int(2001) - 1000) * 2 ** -(r.int(60)));
        const cb = bitsOfF64(c);
        return [bitsOfF64(a), bitsOfF64(b), [(cb[0] + r.int(3) - 1) >>> 0, cb[1]]];
      },
      impl: (st, a, b, c): Words => {
        const lo = f(st, a[0], a[1], b[0], b[1], c[0], c[1]);
        return [lo, st.rhi, 0, 0];
      },
    },
    {
      name: `typical ${insn}.s`,
      asm: `${insn} s3, s0, s1, s2`,
      fpcr: () => 0,
      gen: (r) => {
        const a = Math.fround(typD(r));
        const b = Math.fround(typD(r));
        const c = r.int(4) === 0 ? typD(r) : sign * a * b * (1 + (r.int(2001) - 1000) * 2 ** -(r.int(30)));
        return [w32(bitsOfF32(a)), w32(bitsOfF32(b)), w32(bitsOfF32(Math.fround(c)) + r.int(3) - 1)];
      },
      impl: (st, a, b, c): Words => [fs(st, a[0], b[0], c[0]), 0, 0, 0],
    },
  );
}
for (const [insn, f] of [
  ['fadd', fp.f64Add],
  ['fsub', fp.f64Sub],
  ['fmul', fp.f64Mul],
  ['fdiv', fp.f64Div],
] as [string, D2][]) {
  TYPICAL.push({
    name: `typical ${insn}.d`,
    asm: `${insn} d3, d0, d1`,
    fpcr: () => 0,
    gen: (r) => {
      const a = typD(r);
      const b = r.bool() ? typD(r) : -a * (1 + (r.int(2001) - 1000) * 2 ** -(r.int(60)));
      return [bitsOfF64(a), bitsOfF64(b), Z];
    },
    impl: (st, a, b): Words => {
      const lo = f(st, a[0], a[1], b[0], b[1]);
      return [lo, st.rhi, 0, 0];
    },
  });
}


describe('FP arithmetic on typical operands (FPCR = 0) vs qemu-aarch64', () => {
  it('matches every result bit and FPSR flag', () => {
    const { failures, total } = runSuite(TYPICAL, casesPerOp(3000), 0x5eed0004);
    expect(total).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);
});
