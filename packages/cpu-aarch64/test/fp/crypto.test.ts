import { describe, expect, it } from 'vitest';
import * as fp from '../../src/fp/index.js';
import { type Rng } from './gen.js';
import { casesPerOp, runSuite, type Pair, type TestOp, type Words } from './harness.js';

// Registers for the oracle: v0 = (a, b), v1 = (c, d), v2 = (e, f); result in v3.
const SETUP = 'fmov d0, x1; ins v0.d[1], x2; fmov d1, x3; ins v1.d[1], x4; fmov d2, x5; ins v2.d[1], x6';
const rnd = (r: Rng): Pair => [r.u32(), r.u32()];
const gen6 = (r: Rng): Pair[] => [rnd(r), rnd(r), rnd(r), rnd(r), rnd(r), rnd(r)];

/** Runs f on a 3-register file (v0, v1, v2 at word offsets 0, 4, 8) and returns register `out`. */
function withRegs(a: Pair, b: Pair, c: Pair, d: Pair, e: Pair, f: Pair, fn: (v: Uint32Array) => void, out: number): Words {
  const v = new Uint32Array([a[0], a[1], b[0], b[1], c[0], c[1], d[0], d[1], e[0], e[1], f[0], f[1]]);
  fn(v);
  return [v[out], v[out + 1], v[out + 2], v[out + 3]];
}

const OPS: TestOp[] = [
  { name: 'aese', asm: `${SETUP}; aese v0.16b, v1.16b; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.aese(v, 0, 4), 0) },
  { name: 'aesd', asm: `${SETUP}; aesd v0.16b, v1.16b; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.aesd(v, 0, 4), 0) },
  { name: 'aesmc', asm: `${SETUP}; aesmc v3.16b, v1.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.aesmc(v, 0, 4), 0) },
  { name: 'aesimc', asm: `${SETUP}; aesimc v3.16b, v1.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.aesimc(v, 0, 4), 0) },
  { name: 'sha1c', asm: `${SETUP}; sha1c q0, s1, v2.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha1hash(v, 0, 4, 8, 0), 0) },
  { name: 'sha1p', asm: `${SETUP}; sha1p q0, s1, v2.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha1hash(v, 0, 4, 8, 1), 0) },
  { name: 'sha1m', asm: `${SETUP}; sha1m q0, s1, v2.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha1hash(v, 0, 4, 8, 2), 0) },
  { name: 'sha1h', asm: `${SETUP}; sha1h s3, s1`, gen: gen6, impl: (_s, _a, _b, c) => [fp.sha1h(c[0]), 0, 0, 0] },
  { name: 'sha1su0', asm: `${SETUP}; sha1su0 v0.4s, v1.4s, v2.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha1su0(v, 0, 4, 8), 0) },
  { name: 'sha1su1', asm: `${SETUP}; sha1su1 v0.4s, v1.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha1su1(v, 0, 4), 0) },
  { name: 'sha256h', asm: `${SETUP}; sha256h q0, q1, v2.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha256hash(v, 0, 4, 8, true), 0) },
  { name: 'sha256h2', asm: `${SETUP}; sha256h2 q0, q1, v2.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha256hash(v, 0, 4, 8, false), 0) },
  { name: 'sha256su0', asm: `${SETUP}; sha256su0 v0.4s, v1.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha256su0(v, 0, 4), 0) },
  { name: 'sha256su1', asm: `${SETUP}; sha256su1 v0.4s, v1.4s, v2.4s; mov v3.16b, v0.16b`, gen: gen6, impl: (_s, a, b, c, d, e, f) => withRegs(a, b, c, d, e, f, (v) => fp.sha256su1(v, 0, 4, 8), 0) },
];


describe('AES / SHA-1 / SHA-256 instructions vs qemu-aarch64', () => {
  it('matches every result bit', () => {
    const { failures, total } = runSuite(OPS, casesPerOp(500), 0x5eed0005);
    expect(total).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);
});
