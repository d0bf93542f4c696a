// FP helper throughput vs the plain JS operations they replace (same run, same inputs).
// Each bench iteration processes N operand sets.
import { bench, describe } from 'vitest';
import * as fp from '../src/fp/index.js';

const N = 4096;
const buf = new ArrayBuffer(8);
const f64 = new Float64Array(buf);
const u32 = new Uint32Array(buf);
const f32v = new Float32Array(buf);

let seed = 12345;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
}
const A = new Float64Array(N);
const B = new Float64Array(N);
const C = new Float64Array(N);
const AB = new Uint32Array(2 * N);
const BB = new Uint32Array(2 * N);
const CB = new Uint32Array(2 * N);
const AS = new Uint32Array(N);
const BS = new Uint32Array(N);
for (let i = 0; i < N; i++) {
  A[i] = (rnd() - 0.5) * 2 ** (rnd() * 40 - 20);
  B[i] = (rnd() - 0.5) * 2 ** (rnd() * 40 - 20);
  C[i] = (rnd() - 0.5) * 2 ** (rnd() * 40 - 20);
  f64[0] = A[i];
  AB[2 * i] = u32[0];
  AB[2 * i + 1] = u32[1];
  f64[0] = B[i];
  BB[2 * i] = u32[0];
  BB[2 * i + 1] = u32[1];
  f64[0] = C[i];
  CB[2 * i] = u32[0];
  CB[2 * i + 1] = u32[1];
  f32v[0] = A[i];
  AS[i] = u32[0];
  f32v[0] = B[i];
  BS[i] = u32[0];
}
const st = new fp.FpState();
let sink = 0;

describe('double fused multiply-add', () => {
  bench('baseline a*b+c (not fused)', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += A[i] * B[i] + C[i];
    sink += s;
  });
  bench('f64Fmadd (bit patterns in/out, flags)', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.f64Fmadd(st, AB[2 * i], AB[2 * i + 1], BB[2 * i], BB[2 * i + 1], CB[2 * i], CB[2 * i + 1]);
    sink += s;
  });
});

describe('double add', () => {
  bench('baseline a+b', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += A[i] + B[i];
    sink += s;
  });
  bench('f64Add', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.f64Add(st, AB[2 * i], AB[2 * i + 1], BB[2 * i], BB[2 * i + 1]);
    sink += s;
  });
  bench('f64Mul', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.f64Mul(st, AB[2 * i], AB[2 * i + 1], BB[2 * i], BB[2 * i + 1]);
    sink += s;
  });
});

describe('single add', () => {
  bench('baseline Math.fround(a+b)', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += Math.fround(A[i] + B[i]);
    sink += s;
  });
  bench('f32Add', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.f32Add(st, AS[i], BS[i]);
    sink += s;
  });
  bench('f32Fmadd', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.f32Fmadd(st, AS[i], BS[i], AS[(i + 1) & (N - 1)]);
    sink += s;
  });
});

describe('conversions', () => {
  bench('baseline Math.trunc(x) | 0', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += Math.trunc(A[i] * 1000) | 0;
    sink += s;
  });
  bench('f64ToI32 (FCVTZS)', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.f64ToI32(st, AB[2 * i], AB[2 * i + 1], fp.RZ, false);
    sink += s;
  });
  bench('baseline Math.fround(x)', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += Math.fround(A[i]);
    sink += s;
  });
  bench('f64ToF32 (FCVT)', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.f64ToF32(st, AB[2 * i], AB[2 * i + 1]);
    sink += s;
  });
  bench('i32ToF64 (SCVTF)', () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += fp.i32ToF64(st, AS[i], false);
    sink += s;
  });
});

export { sink };
