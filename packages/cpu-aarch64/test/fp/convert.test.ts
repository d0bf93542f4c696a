import { describe, expect, it } from 'vitest';
import * as fp from '../../src/fp/index.js';
import { Rng, genD, genH, genS } from './gen.js';
import { Z, casesPerOp, runSuite, w32, type TestOp, type Words } from './harness.js';

const st64 = (st: fp.FpState, lo: number): Words => [lo, st.rhi, 0, 0];
const genInt = (r: Rng): [number, number] => {
  switch (r.int(5)) {
    case 0:
      return [r.u32(), r.u32()];
    case 1: {
      // around powers of two (rounding boundaries)
      const k = r.int(64);
      const lo = k < 32 ? (2 ** k + r.int(9) - 4) >>> 0 : r.int(9) - 4 + (r.bool() ? 0 : 0x80000000);
      const hi = k < 32 ? (r.bool() ? 0xffffffff : 0) : (2 ** (k - 32)) >>> 0;
      return [lo >>> 0, hi];
    }
    case 2:
      return [r.u32() & ~0xff, r.pick([0, 0xffffffff, 0x80000000, 0x7fffffff, r.u32() & 0xffffff])];
    case 3:
      return [r.pick([0, 1, 0x80000000, 0x7fffffff, 0xffffffff]), r.pick([0, 0x80000000, 0xffffffff, 0x7fffffff])];
    default:
      return [r.u32(), r.int(0x1000)];
  }
};

const MODES: [string, number][] = [
  ['n', fp.RN],
  ['p', fp.RP],
  ['m', fp.RM],
  ['z', fp.RZ],
  ['a', fp.RA],
];

const OPS: TestOp[] = [
  { name: 'fcvt d<-s', asm: 'fcvt d3, s0', gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => st64(st, fp.f32ToF64(st, a[0])) },
  { name: 'fcvt s<-d', asm: 'fcvt s3, d0', gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64ToF32(st, a[0], a[1]), 0, 0, 0] },
  { name: 'fcvtxn s<-d', asm: 'fcvtxn s3, d0', gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64ToF32Odd(st, a[0], a[1]), 0, 0, 0] },
  { name: 'fcvt h<-s', asm: 'fcvt h3, s0', gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => [fp.f32ToF16(st, a[0]), 0, 0, 0] },
  { name: 'fcvt h<-d', asm: 'fcvt h3, d0', gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64ToF16(st, a[0], a[1]), 0, 0, 0] },
  { name: 'fcvt s<-h', asm: 'fcvt s3, h0', gen: (r) => [w32(genH(r)), Z, Z], impl: (st, a) => [fp.f16ToF32(st, a[0]), 0, 0, 0] },
  { name: 'fcvt d<-h', asm: 'fcvt d3, h0', gen: (r) => [w32(genH(r)), Z, Z], impl: (st, a) => st64(st, fp.f16ToF64(st, a[0])) },
];

for (const [m, mode] of MODES) {
  for (const u of [false, true]) {
    const insn = `fcvt${m}${u ? 'u' : 's'}`;
    OPS.push(
      { name: `${insn} w<-s`, asm: `${insn} w0, s0; fmov d3, x0`, gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => [fp.f32ToI32(st, a[0], mode, u), 0, 0, 0] },
      { name: `${insn} x<-s`, asm: `${insn} x0, s0; fmov d3, x0`, gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => st64(st, fp.f32ToI64(st, a[0], mode, u)) },
      { name: `${insn} w<-d`, asm: `${insn} w0, d0; fmov d3, x0`, gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64ToI32(st, a[0], a[1], mode, u), 0, 0, 0] },
      { name: `${insn} x<-d`, asm: `${insn} x0, d0; fmov d3, x0`, gen: (r) => [genD(r), Z, Z], impl: (st, a) => st64(st, fp.f64ToI64(st, a[0], a[1], mode, u)) },
    );
  }
}
for (const u of [false, true]) {
  const insn = u ? 'fcvtzu' : 'fcvtzs';
  for (const fb of [1, 17, 32]) {
    OPS.push(
      { name: `${insn} w<-s #${fb}`, asm: `${insn} w0, s0, #${fb}; fmov d3, x0`, gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => [fp.f32ToI32(st, a[0], fp.RZ, u, fb), 0, 0, 0] },
      { name: `${insn} w<-d #${fb}`, asm: `${insn} w0, d0, #${fb}; fmov d3, x0`, gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64ToI32(st, a[0], a[1], fp.RZ, u, fb), 0, 0, 0] },
    );
  }
  for (const fb of [1, 40, 64]) {
    OPS.push(
      { name: `${insn} x<-s #${fb}`, asm: `${insn} x0, s0, #${fb}; fmov d3, x0`, gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => st64(st, fp.f32ToI64(st, a[0], fp.RZ, u, fb)) },
      { name: `${insn} x<-d #${fb}`, asm: `${insn} x0, d0, #${fb}; fmov d3, x0`, gen: (r) => [genD(r), Z, Z], impl: (st, a) => st64(st, fp.f64ToI64(st, a[0], a[1], fp.RZ, u, fb)) },
    );
  }
  const cv = u ? 'ucvtf' : 'scvtf';
  for (const fb of [0, 1, 32]) {
    const sfx = fb ? `, #${fb}` : '';
    OPS.push(
      { name: `${cv} s<-w${sfx}`, asm: `${cv} s3, w1${sfx}`, gen: (r) => [genInt(r), Z, Z], impl: (st, a) => [fp.i32ToF32(st, a[0], u, fb), 0, 0, 0] },
      { name: `${cv} d<-w${sfx}`, asm: `${cv} d3, w1${sfx}`, gen: (r) => [genInt(r), Z, Z], impl: (st, a) => st64(st, fp.i32ToF64(st, a[0], u, fb)) },
    );
  }
  for (const fb of [0, 1, 64]) {
    const sfx = fb ? `, #${fb}` : '';
    OPS.push(
      { name: `${cv} s<-x${sfx}`, asm: `${cv} s3, x1${sfx}`, gen: (r) => [genInt(r), Z, Z], impl: (st, a) => [fp.i64ToF32(st, a[0], a[1], u, fb), 0, 0, 0] },
      { name: `${cv} d<-x${sfx}`, asm: `${cv} d3, x1${sfx}`, gen: (r) => [genInt(r), Z, Z], impl: (st, a) => st64(st, fp.i64ToF64(st, a[0], a[1], u, fb)) },
    );
  }
}
const FRINT: [string, number, boolean][] = [
  ['frintn', fp.RN, false],
  ['frinta', fp.RA, false],
  ['frintp', fp.RP, false],
  ['frintm', fp.RM, false],
  ['frintz', fp.RZ, false],
  ['frintx', -1, true],
  ['frinti', -1, false],
];
for (const [insn, mode, exact] of FRINT) {
  OPS.push(
    {
      name: `${insn}.s`,
      asm: `${insn} s3, s0`,
      gen: (r) => [w32(genS(r)), Z, Z],
      impl: (st, a) => [fp.f32RoundInt(st, a[0], mode < 0 ? fp.fpcrRMode(st.fpcr) : mode, exact), 0, 0, 0],
    },
    {
      name: `${insn}.d`,
      asm: `${insn} d3, d0`,
      gen: (r) => [genD(r), Z, Z],
      impl: (st, a) => st64(st, fp.f64RoundInt(st, a[0], a[1], mode < 0 ? fp.fpcrRMode(st.fpcr) : mode, exact)),
    },
  );
}
// Compares.
const mask = (b: boolean): Words => [b ? 0xffffffff : 0, 0, 0, 0];
const mask64 = (b: boolean): Words => (b ? [0xffffffff, 0xffffffff, 0, 0] : [0, 0, 0, 0]);
const genPairS = (r: Rng): [[number, number], [number, number], [number, number]] => {
  const a = genS(r);
  return [w32(a), w32(r.int(3) === 0 ? a ^ (r.bool() ? 0x80000000 : 0) : genS(r)), Z];
};
const genPairD = (r: Rng): [[number, number], [number, number], [number, number]] => {
  const a = genD(r);
  return [a, r.int(3) === 0 ? [a[0], (a[1] ^ (r.bool() ? 0x80000000 : 0)) >>> 0] : genD(r), Z];
};
OPS.push(
  { name: 'fcmp.s', asm: 'fcmp s0, s1; mrs x0, nzcv; fmov d3, x0', gen: genPairS, impl: (st, a, b) => [fp.f32Cmp(st, a[0], b[0], false) << 28, 0, 0, 0] },
  { name: 'fcmpe.s', asm: 'fcmpe s0, s1; mrs x0, nzcv; fmov d3, x0', gen: genPairS, impl: (st, a, b) => [fp.f32Cmp(st, a[0], b[0], true) << 28, 0, 0, 0] },
  { name: 'fcmp.s #0', asm: 'fcmp s0, #0.0; mrs x0, nzcv; fmov d3, x0', gen: genPairS, impl: (st, a) => [fp.f32Cmp(st, a[0], 0, false) << 28, 0, 0, 0] },
  { name: 'fcmp.d', asm: 'fcmp d0, d1; mrs x0, nzcv; fmov d3, x0', gen: genPairD, impl: (st, a, b) => [fp.f64Cmp(st, a[0], a[1], b[0], b[1], false) << 28, 0, 0, 0] },
  { name: 'fcmpe.d', asm: 'fcmpe d0, d1; mrs x0, nzcv; fmov d3, x0', gen: genPairD, impl: (st, a, b) => [fp.f64Cmp(st, a[0], a[1], b[0], b[1], true) << 28, 0, 0, 0] },
  { name: 'fcmeq.s', asm: 'fcmeq s3, s0, s1', gen: genPairS, impl: (st, a, b) => mask(fp.f32CmpEq(st, a[0], b[0])) },
  { name: 'fcmge.s', asm: 'fcmge s3, s0, s1', gen: genPairS, impl: (st, a, b) => mask(fp.f32CmpGe(st, a[0], b[0])) },
  { name: 'fcmgt.s', asm: 'fcmgt s3, s0, s1', gen: genPairS, impl: (st, a, b) => mask(fp.f32CmpGt(st, a[0], b[0])) },
  { name: 'facge.s', asm: 'facge s3, s0, s1', gen: genPairS, impl: (st, a, b) => mask(fp.f32AbsGe(st, a[0], b[0])) },
  { name: 'facgt.s', asm: 'facgt s3, s0, s1', gen: genPairS, impl: (st, a, b) => mask(fp.f32AbsGt(st, a[0], b[0])) },
  { name: 'fcmeq.d', asm: 'fcmeq d3, d0, d1', gen: genPairD, impl: (st, a, b) => mask64(fp.f64CmpEq(st, a[0], a[1], b[0], b[1])) },
  { name: 'fcmge.d', asm: 'fcmge d3, d0, d1', gen: genPairD, impl: (st, a, b) => mask64(fp.f64CmpGe(st, a[0], a[1], b[0], b[1])) },
  { name: 'fcmgt.d', asm: 'fcmgt d3, d0, d1', gen: genPairD, impl: (st, a, b) => mask64(fp.f64CmpGt(st, a[0], a[1], b[0], b[1])) },
  { name: 'facge.d', asm: 'facge d3, d0, d1', gen: genPairD, impl: (st, a, b) => mask64(fp.f64AbsGe(st, a[0], a[1], b[0], b[1])) },
  { name: 'facgt.d', asm: 'facgt d3, d0, d1', gen: genPairD, impl: (st, a, b) => mask64(fp.f64AbsGt(st, a[0], a[1], b[0], b[1])) },
);

describe('FP conversions and compares vs qemu-aarch64', () => {
  it('matches every result bit and FPSR flag', () => {
    const { failures, total } = runSuite(OPS, casesPerOp(1000), 0x5eed0002);
    expect(total).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);
});
