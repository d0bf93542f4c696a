import { bench, describe } from 'vitest';
import { formatPayloadSpeed, inProcessIteration, measurePayloadSpeed, type PayloadSpec } from './payload-speed.js';

/**
 * Guest MIPS on the CPU-bound integer payload (payloads/src/bench.c: PRNG,
 * CRC32, hashing, heap sort, a tokenizer state machine; no FP): the
 * interpreter bundled and run by node (headline), compiled blocks, and
 * qemu-system-aarch64 TCG in the same run; method in payload-speed.ts.
 * BENCH_ITERATIONS (default 50), BENCH_JIT_THRESHOLD (default 1000, 'off').
 */
const spec: PayloadSpec = {
  name: 'bench',
  param: 'bench_param',
  title: 'integer payload (PRNG, CRC32, hash, heap sort, tokenizer)',
  defaultIterations: 50,
  qemuExtraIterations: 1500,
};

console.log(formatPayloadSpeed(await measurePayloadSpeed(spec)));

const iteration = await inProcessIteration(spec);
describe('cpu-aarch64 integer payload, in-process under the vitest module runner (not the headline)', () => {
  bench('one iteration on a fresh board', iteration, { iterations: 3, time: 0, warmupIterations: 1 });
});
