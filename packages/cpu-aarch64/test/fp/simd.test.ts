import { describe, expect, it } from 'vitest';
import * as fp from '../../src/fp/index.js';
import { Rng, genD, genS } from './gen.js';
import { Z, casesPerOp, runSuite, w32, type TestOp, type Words } from './harness.js';

type P = [number, number];

/** Splits a 64-bit pair into lanes of `bits`. */
function lanesOf(p: P, bits: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64 / bits; i++) {
    const bit = i * bits;
    const w = p[bit >> 5];
    out.push(bits === 32 ? w >>> 0 : (w >>> (bit & 31)) & ((1 << bits) - 1));
  }
  return out;
}
/** Packs lanes of `bits` into words (as many as needed, up to 4). */
function pack(ls: number[], bits: number): Words {
  const w: Words = [0, 0, 0, 0];
  ls.forEach((v, i) => {
    const bit = i * bits;
    w[bit >> 5] = (w[bit >> 5] | ((bits === 32 ? v : v & ((1 << bits) - 1)) << (bit & 31))) >>> 0;
  });
  return w;
}
/** Lane-biased random 64-bit value: each lane an extreme, a small value or random. */
function genLanes(r: Rng, bits: number): P {
  const ls: number[] = [];
  const max = 2 ** bits;
  for (let i = 0; i < 64 / bits; i++) {
    switch (r.int(6)) {
      case 0:
        ls.push(r.pick([0, 1, max - 1, max / 2, max / 2 - 1, max / 2 + 1]));
        break;
      case 1:
        ls.push(r.int(16));
        break;
      case 2:
        ls.push(max - 1 - r.int(16));
        break;
      default:
        ls.push(bits === 32 ? r.u32() : r.int(max));
    }
  }
  const w = pack(ls, bits);
  return [w[0], w[1]];
}
function genShifts(r: Rng, bits: number): P {
  const ls: number[] = [];
  for (let i = 0; i < 64 / bits; i++) {
    const s = r.int(4) === 0 ? r.int(256) : r.int(2 * bits + 7) - bits - 3;
    ls.push(s & 0xff);
  }
  const w = pack(ls, bits);
  return [w[0], w[1]];
}

const ARR: Record<number, string> = { 8: '8b', 16: '4h', 32: '2s' };
const WIDE: Record<number, string> = { 8: '8h', 16: '4s', 32: '2d' };

const OPS: TestOp[] = [];
const lanewise = (name: string, asm: string, bits: number, f: (st: fp.FpState, x: number, y: number) => number, shifts = false): TestOp => ({
  name,
  asm,
  gen: (r) => [genLanes(r, bits), shifts ? genShifts(r, bits) : genLanes(r, bits), Z],
  impl: (st, a, b) => {
    const xs = lanesOf(a, bits);
    const ys = lanesOf(b, bits);
    return pack(
      xs.map((x, i) => f(st, x, ys[i])),
      bits,
    );
  },
});

for (const bits of [8, 16, 32]) {
  const t = ARR[bits];
  const v3 = `v3.${t}`;
  const v0 = `v0.${t}`;
  const v1 = `v1.${t}`;
  OPS.push(
    lanewise(`sqadd.${t}`, `sqadd ${v3}, ${v0}, ${v1}`, bits, (st, x, y) => fp.sqadd(st, x, y, bits)),
    lanewise(`sqsub.${t}`, `sqsub ${v3}, ${v0}, ${v1}`, bits, (st, x, y) => fp.sqadd(st, x, y, bits, true)),
    lanewise(`uqadd.${t}`, `uqadd ${v3}, ${v0}, ${v1}`, bits, (st, x, y) => fp.uqadd(st, x, y, bits)),
    lanewise(`uqsub.${t}`, `uqsub ${v3}, ${v0}, ${v1}`, bits, (st, x, y) => fp.uqadd(st, x, y, bits, true)),
    lanewise(`suqadd.${t}`, `mov v3.16b, v0.16b; suqadd ${v3}, ${v1}`, bits, (st, x, y) => fp.suqadd(st, x, y, bits)),
    lanewise(`usqadd.${t}`, `mov v3.16b, v0.16b; usqadd ${v3}, ${v1}`, bits, (st, x, y) => fp.usqadd(st, x, y, bits)),
    lanewise(`sqabs.${t}`, `sqabs ${v3}, ${v0}`, bits, (st, x) => fp.sqabs(st, x, bits)),
    lanewise(`sqneg.${t}`, `sqneg ${v3}, ${v0}`, bits, (st, x) => fp.sqabs(st, x, bits, true)),
  );
  const SH: [string, boolean, boolean, boolean][] = [
    ['sshl', true, false, false],
    ['ushl', false, false, false],
    ['srshl', true, true, false],
    ['urshl', false, true, false],
    ['sqshl', true, false, true],
    ['uqshl', false, false, true],
    ['sqrshl', true, true, true],
    ['uqrshl', false, true, true],
  ];
  for (const [insn, signed, round, sat] of SH) {
    OPS.push(lanewise(`${insn}.${t}`, `${insn} ${v3}, ${v0}, ${v1}`, bits, (st, x, y) => fp.shlReg(st, x, y & 0xff, bits, signed, round, sat), true));
  }
  const sh = bits === 8 ? 5 : bits === 16 ? 11 : 27;
  OPS.push(
    lanewise(`sqshl#.${t}`, `sqshl ${v3}, ${v0}, #${sh}`, bits, (st, x) => fp.qshlImm(st, x, sh, bits, true, true)),
    lanewise(`uqshl#.${t}`, `uqshl ${v3}, ${v0}, #${sh}`, bits, (st, x) => fp.qshlImm(st, x, sh, bits, false, false)),
    lanewise(`sqshlu#.${t}`, `sqshlu ${v3}, ${v0}, #${sh}`, bits, (st, x) => fp.qshlImm(st, x, sh, bits, true, false)),
  );
  if (bits !== 8) {
    OPS.push(
      lanewise(`sqdmulh.${t}`, `sqdmulh ${v3}, ${v0}, ${v1}`, bits, (st, x, y) => fp.sqdmulh(st, x, y, bits, false)),
      lanewise(`sqrdmulh.${t}`, `sqrdmulh ${v3}, ${v0}, ${v1}`, bits, (st, x, y) => fp.sqdmulh(st, x, y, bits, true)),
    );
  }
  // Narrowing from the 128-bit v0 (low half a, high half c) of 2*bits lanes.
  const src = bits * 2;
  const NAR: [string, boolean, boolean][] = [
    ['sqxtn', true, true],
    ['uqxtn', false, false],
    ['sqxtun', true, false],
  ];
  for (const [insn, ss, ds] of NAR) {
    OPS.push({
      name: `${insn}.${t}`,
      asm: `ins v0.d[1], x3; ${insn} ${v3}, v0.${WIDE[bits]}`,
      gen: (r) => [genLanes(r, src === 64 ? 32 : src), Z, genLanes(r, src === 64 ? 32 : src)],
      impl: (st, a, _b, c) => {
        const out: number[] = [];
        if (src === 64) {
          out.push(fp.qnarrow64(st, a[0], a[1], ss, ds), fp.qnarrow64(st, c[0], c[1], ss, ds));
        } else {
          for (const x of [...lanesOf(a, src), ...lanesOf(c, src)]) out.push(fp.qnarrow(st, x, src, ss, ds));
        }
        return pack(out, bits);
      },
    });
  }
  const SHRN: [string, boolean, boolean, boolean][] = [
    ['sqshrn', true, true, false],
    ['sqrshrn', true, true, true],
    ['uqshrn', false, false, false],
    ['uqrshrn', false, false, true],
    ['sqshrun', true, false, false],
    ['sqrshrun', true, false, true],
  ];
  for (const shift of [1, bits / 2 + 1, bits]) {
    for (const [insn, ss, ds, round] of SHRN) {
      OPS.push({
        name: `${insn}#${shift}.${t}`,
        asm: `ins v0.d[1], x3; ${insn} ${v3}, v0.${WIDE[bits]}, #${shift}`,
        gen: (r) => [genLanes(r, src === 64 ? 32 : src), Z, genLanes(r, src === 64 ? 32 : src)],
        impl: (st, a, _b, c) => {
          const out: number[] = [];
          if (src === 64) {
            out.push(fp.qshrn64(st, a[0], a[1], shift, ss, ds, round), fp.qshrn64(st, c[0], c[1], shift, ss, ds, round));
          } else {
            for (const x of [...lanesOf(a, src), ...lanesOf(c, src)]) out.push(fp.qshrn(st, x, shift, src, ss, ds, round));
          }
          return pack(out, bits);
        },
      });
    }
  }
}
OPS.push(
  {
    name: 'sqdmull.4s',
    asm: 'sqdmull v3.4s, v0.4h, v1.4h',
    gen: (r) => [genLanes(r, 16), genLanes(r, 16), Z],
    impl: (st, a, b) => {
      const ys = lanesOf(b, 16);
      return lanesOf(a, 16).map((x, i) => fp.sqdmull16(st, x, ys[i]) >>> 0) as Words;
    },
  },
  {
    name: 'sqdmull.2d',
    asm: 'sqdmull v3.2d, v0.2s, v1.2s',
    gen: (r) => [genLanes(r, 32), genLanes(r, 32), Z],
    impl: (st, a, b) => {
      const l0 = fp.sqdmull32(st, a[0], b[0]);
      const h0 = st.rhi;
      const l1 = fp.sqdmull32(st, a[1], b[1]);
      return [l0, h0, l1, st.rhi];
    },
  },
  lanewise('pmul.8b', 'pmul v3.8b, v0.8b, v1.8b', 8, (_st, x, y) => fp.pmul8(x, y)),
  {
    name: 'pmull.8h',
    asm: 'pmull v3.8h, v0.8b, v1.8b',
    gen: (r) => [genLanes(r, 8), genLanes(r, 8), Z],
    impl: (_st, a, b) => {
      const ys = lanesOf(b, 8);
      return pack(
        lanesOf(a, 8).map((x, i) => fp.pmull8(x, ys[i])),
        16,
      );
    },
  },
  {
    name: 'pmull.1q',
    asm: 'pmull v3.1q, v0.1d, v1.1d',
    gen: (r) => [genLanes(r, 32), genLanes(r, 8), Z],
    impl: (st, a, b) => {
      const w0 = fp.pmull64(st, a[0], a[1], b[0], b[1]);
      return [w0, st.rhi, st.r2, st.r3];
    },
  },
  lanewise('urecpe.2s', 'urecpe v3.2s, v0.2s', 32, (_st, x) => fp.urecpe(x)),
  lanewise('ursqrte.2s', 'ursqrte v3.2s, v0.2s', 32, (_st, x) => fp.ursqrte(x)),
  { name: 'frecpe.s', asm: 'frecpe s3, s0', gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => [fp.f32RecpEst(st, a[0]), 0, 0, 0] },
  { name: 'frsqrte.s', asm: 'frsqrte s3, s0', gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => [fp.f32RsqrtEst(st, a[0]), 0, 0, 0] },
  { name: 'frecpx.s', asm: 'frecpx s3, s0', gen: (r) => [w32(genS(r)), Z, Z], impl: (st, a) => [fp.f32Recpx(st, a[0]), 0, 0, 0] },
  { name: 'frecpe.d', asm: 'frecpe d3, d0', gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64RecpEst(st, a[0], a[1]), st.rhi, 0, 0] },
  { name: 'frsqrte.d', asm: 'frsqrte d3, d0', gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64RsqrtEst(st, a[0], a[1]), st.rhi, 0, 0] },
  { name: 'frecpx.d', asm: 'frecpx d3, d0', gen: (r) => [genD(r), Z, Z], impl: (st, a) => [fp.f64Recpx(st, a[0], a[1]), st.rhi, 0, 0] },
);


// 64-bit lanes (scalar D forms).
const gen64 = (r: Rng): P => {
  switch (r.int(5)) {
    case 0:
      return [r.pick([0, 1, 0xffffffff]), r.pick([0, 0x7fffffff, 0x80000000, 0xffffffff])];
    case 1:
      return [r.u32(), r.int(4) - 2 >>> 0];
    case 2:
      return [r.int(64), 0];
    default:
      return [r.u32(), r.u32()];
  }
};
const genSh64 = (r: Rng): P => [(r.int(4) === 0 ? r.int(256) : r.int(140) - 70) & 0xff, r.u32()];
const d64 = (name: string, asm: string, f: (st: fp.FpState, a: P, b: P) => number, sh = false): TestOp => ({
  name,
  asm,
  gen: (r) => [gen64(r), sh ? genSh64(r) : gen64(r), Z],
  impl: (st, a, b) => {
    const lo = f(st, a, b);
    return [lo, st.rhi, 0, 0];
  },
});
OPS.push(
  d64('sqadd.d', 'sqadd d3, d0, d1', (st, a, b) => fp.sqadd64(st, a[0], a[1], b[0], b[1])),
  d64('sqsub.d', 'sqsub d3, d0, d1', (st, a, b) => fp.sqadd64(st, a[0], a[1], b[0], b[1], true)),
  d64('uqadd.d', 'uqadd d3, d0, d1', (st, a, b) => fp.uqadd64(st, a[0], a[1], b[0], b[1])),
  d64('uqsub.d', 'uqsub d3, d0, d1', (st, a, b) => fp.uqadd64(st, a[0], a[1], b[0], b[1], true)),
  d64('suqadd.d', 'fmov d3, d0; suqadd d3, d1', (st, a, b) => fp.suqadd64(st, a[0], a[1], b[0], b[1])),
  d64('usqadd.d', 'fmov d3, d0; usqadd d3, d1', (st, a, b) => fp.usqadd64(st, a[0], a[1], b[0], b[1])),
  d64('sqabs.d', 'sqabs d3, d0', (st, a) => fp.sqabs64(st, a[0], a[1])),
  d64('sqneg.d', 'sqneg d3, d0', (st, a) => fp.sqabs64(st, a[0], a[1], true)),
);
for (const [insn, signed, round, sat] of [
  ['sshl', true, false, false],
  ['ushl', false, false, false],
  ['srshl', true, true, false],
  ['urshl', false, true, false],
  ['sqshl', true, false, true],
  ['uqshl', false, false, true],
  ['sqrshl', true, true, true],
  ['uqrshl', false, true, true],
] as [string, boolean, boolean, boolean][]) {
  OPS.push(d64(`${insn}.d`, `${insn} d3, d0, d1`, (st, a, b) => fp.shlReg64(st, a[0], a[1], b[0] & 0xff, signed, round, sat), true));
}
for (const sh of [1, 31, 33, 63]) {
  OPS.push(
    d64(`sqshl#${sh}.d`, `sqshl d3, d0, #${sh}`, (st, a) => fp.qshlImm64(st, a[0], a[1], sh, true, true)),
    d64(`uqshl#${sh}.d`, `uqshl d3, d0, #${sh}`, (st, a) => fp.qshlImm64(st, a[0], a[1], sh, false, false)),
    d64(`sqshlu#${sh}.d`, `sqshlu d3, d0, #${sh}`, (st, a) => fp.qshlImm64(st, a[0], a[1], sh, true, false)),
    d64(`srshr#${sh}.d`, `srshr d3, d0, #${sh}`, (st, a) => fp.shlReg64(st, a[0], a[1], -sh & 0xff, true, true, false)),
    d64(`urshr#${sh}.d`, `urshr d3, d0, #${sh}`, (st, a) => fp.shlReg64(st, a[0], a[1], -sh & 0xff, false, true, false)),
  );
}
OPS.push(
  d64('srshr#64.d', 'srshr d3, d0, #64', (st, a) => fp.shlReg64(st, a[0], a[1], -64 & 0xff, true, true, false)),
  d64('urshr#64.d', 'urshr d3, d0, #64', (st, a) => fp.shlReg64(st, a[0], a[1], -64 & 0xff, false, true, false)),
);

describe('AdvSIMD integer helpers and FP estimates vs qemu-aarch64', () => {
  it('matches every result bit, FPSR flag and QC', () => {
    const { failures, total } = runSuite(OPS, casesPerOp(1000), 0x5eed0003);
    expect(total).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);
});
