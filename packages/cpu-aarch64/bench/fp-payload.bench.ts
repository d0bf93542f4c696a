import { bench, describe } from 'vitest';
import { formatPayloadSpeed, inProcessIteration, measurePayloadSpeed, type PayloadSpec } from './payload-speed.js';

/**
 * Guest MIPS on the FP/SIMD payload (payloads/src/fpbench.c: 48x48 double
 * matrix product with FMADD, FSQRT/FDIV/FCVT, a single-precision n-body step
 * and FIR filter in AdvSIMD FMLA, a NEON byte loop over 64 KiB): the
 * interpreter bundled and run by node (headline), compiled blocks, and
 * qemu-system-aarch64 TCG in the same run; method in payload-speed.ts. The
 * output line (per-kernel checksums over result bit patterns, FPSR) must be
 * QEMU's: a difference is an interpreter bug and fails the bench.
 * BENCH_ITERATIONS (default 12), BENCH_JIT_THRESHOLD (default 1000, 'off').
 */
const spec: PayloadSpec = {
  name: 'fpbench',
  param: 'fpbench_param',
  title: 'FP/SIMD payload (dgemm FMADD, n-body and FIR in NEON FMLA, NEON byte loop)',
  defaultIterations: 12,
  qemuExtraIterations: 1000,
};

console.log(formatPayloadSpeed(await measurePayloadSpeed(spec)));

const iteration = await inProcessIteration(spec);
describe('cpu-aarch64 FP/SIMD payload, in-process under the vitest module runner (not the headline)', () => {
  bench('one iteration on a fresh board', iteration, { iterations: 3, time: 0, warmupIterations: 1 });
});
