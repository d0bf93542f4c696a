import { bench, describe } from 'vitest';
import { loadPayload, PayloadBoard, payloadPath, VIRT } from '../test/oracle/board.js';
import { loadInterpreter } from '../test/oracle/interp.js';
import { runQemuVirt } from '../test/oracle/qemu-system.js';

/**
 * Guest MIPS of the interpreter on the FP/SIMD payload (payloads/src/fpbench.c:
 * 48x48 double matrix product with FMADD, FSQRT/FDIV/FCVT, a single-precision
 * n-body step and FIR filter in AdvSIMD FMLA, a NEON byte loop over 64 KiB),
 * and the same binary under qemu-system-aarch64 -M virt -cpu cortex-a53 in the
 * same run; the method of mips.bench.ts.
 *
 * Instructions are counted by the interpreter (`retired`); every iteration of
 * the payload does the same work, so instructions per iteration = I(2) - I(1).
 * QEMU's rate is that count times the extra iterations over the extra wall
 * (and CPU) time between two runs, which cancels QEMU's start-up time. The
 * checksum line (per-kernel checksums over result bit patterns, FPSR) must be
 * the same in both: a difference is an interpreter bug.
 */
const makeCpu = await loadInterpreter();
const { elf } = loadPayload('fpbench', VIRT);
const param = elf.symbols.get('fpbench_param')!;

function interp(iterations: number): { retired: number; ms: number; cpuMs: number; output: string } {
  const board = new PayloadBoard(VIRT, elf, makeCpu);
  board.writeRam32(param, iterations);
  const r = board.run(Number.MAX_SAFE_INTEGER, 1_000_000);
  if (r.exit !== 'off') throw new Error(`fpbench payload did not power off (${r.exit}): ${r.output}`);
  return { retired: r.retired, ms: r.hostMs, cpuMs: r.cpuMs, output: r.output.trim() };
}

function qemu(iterations: number): { ms: number; cpuMs: number; output: string } {
  const r = runQemuVirt(payloadPath('fpbench', VIRT), ['-device', `loader,addr=0x${param.toString(16)},data=${iterations},data-len=4`], 300_000);
  return { ms: r.wallMs, cpuMs: r.cpuMs ?? r.wallMs, output: r.output.trim() };
}

interp(1); // warm-up
const one = interp(1);
const two = interp(2);
const perIteration = two.retired - one.retired;
const N = Number(process.env['BENCH_ITERATIONS'] ?? 8);
const main = interp(N);
const interpMips = main.retired / main.ms / 1000;
const interpCpuMips = main.retired / main.cpuMs / 1000;

const QA = 20;
const QB = 20 + Math.max(400, Math.round(N * 50));
const qa1 = qemu(QA);
const qa2 = qemu(QA);
const qbRun = qemu(QB);
const qa = { ms: Math.min(qa1.ms, qa2.ms), cpuMs: Math.min(qa1.cpuMs, qa2.cpuMs) };
const qemuMips = ((QB - QA) * perIteration) / (qbRun.ms - qa.ms) / 1000;
const qemuCpuMips = ((QB - QA) * perIteration) / (qbRun.cpuMs - qa.cpuMs) / 1000;
const mine = interp(QA).output;
const theirs = qa1.output;
const sameChecksum = mine === theirs;

console.log(
  [
    '',
    'cpu-aarch64 interpreter speed, FP/SIMD payload (payloads/bin/fpbench-virt.elf)',
    `  instructions per iteration      ${perIteration}`,
    `  interpreter: ${N} iterations     ${main.retired} instructions in ${main.ms.toFixed(0)} ms = ${interpMips.toFixed(1)} guest MIPS (CPU time: ${interpCpuMips.toFixed(1)})`,
    `  qemu-system-aarch64 (TCG):      ${(((QB - QA) * perIteration) / 1e6).toFixed(0)} M instructions in ${(qbRun.ms - qa.ms).toFixed(0)} ms = ${qemuMips.toFixed(1)} guest MIPS (CPU time: ${qemuCpuMips.toFixed(1)})`,
    `  ratio interpreter / qemu        ${(interpMips / qemuMips).toFixed(3)} wall, ${(interpCpuMips / qemuCpuMips).toFixed(3)} CPU time`,
    `  same checksum as qemu           ${sameChecksum ? 'yes' : `NO (interpreter: ${mine} / qemu: ${theirs})`}`,
    '',
  ].join('\n'),
);

describe('cpu-aarch64 interpreter: FP/SIMD payload', () => {
  bench('one iteration (fresh board)', () => {
    interp(1);
  }, { iterations: 3, time: 0, warmupIterations: 0 });
});
