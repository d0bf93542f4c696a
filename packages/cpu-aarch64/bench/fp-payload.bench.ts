import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bench, describe } from 'vitest';
import { loadPayload, PayloadBoard, payloadPath, VIRT } from '../test/oracle/board.js';
import { loadInterpreter } from '../test/oracle/interp.js';
import { runQemuVirt } from '../test/oracle/qemu-system.js';
import { tempDir } from '../test/oracle/tools.js';

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
 *
 * The interpreter is measured twice: here, under vitest's module runner (how
 * mips.bench.ts measures), and in a child `node` process running an esbuild
 * bundle of the same sources, which is how the built package runs. The module
 * runner turns every cross-module call into a property read on a module
 * object, which the FP/SIMD path (many small functions across src/fp and
 * src/interp/simd) pays for on nearly every instruction.
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

interface Measured {
  retired: number;
  ms: number;
  cpuMs: number;
  output: string;
}

/** Same sequence as above (warm-up 1, 1, 2, then N iterations) in a child node process on a bundle. */
async function bundled(iterations: number): Promise<Measured> {
  const pkg = fileURLToPath(new URL('../', import.meta.url));
  const runner = `
    import { readFileSync } from 'node:fs';
    import { PayloadBoard, VIRT } from './test/oracle/board.js';
    import { parseElf } from './test/oracle/elf.js';
    import { loadInterpreter } from './test/oracle/interp.js';
    const makeCpu = await loadInterpreter();
    const elf = parseElf(new Uint8Array(readFileSync(process.argv[2])));
    const param = elf.symbols.get('fpbench_param');
    const go = (n) => {
      const board = new PayloadBoard(VIRT, elf, makeCpu);
      board.writeRam32(param, n);
      const r = board.run(Number.MAX_SAFE_INTEGER, 1_000_000);
      if (r.exit !== 'off') throw new Error('fpbench payload did not power off: ' + r.exit);
      return { retired: r.retired, ms: r.hostMs, cpuMs: r.cpuMs, output: r.output.trim() };
    };
    go(1); go(1); go(2);
    console.log(JSON.stringify(go(Number(process.argv[3]))));
  `;
  const { dir, cleanup } = tempDir('fp-payload-bench-');
  try {
    const out = join(dir, 'runner.mjs');
    await build({
      stdin: { contents: runner, resolveDir: pkg, loader: 'ts', sourcefile: 'fp-payload-runner.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      outfile: out,
      logLevel: 'error',
    });
    const r = spawnSync(process.execPath, [out, payloadPath('fpbench', VIRT), String(iterations)], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`bundled interpreter run failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measured;
  } finally {
    cleanup();
  }
}

const child = await bundled(N);
if (child.retired !== main.retired || child.output !== main.output) throw new Error('the bundled run differs from the in-process run');
const childMips = child.retired / child.ms / 1000;
const childCpuMips = child.retired / child.cpuMs / 1000;

const mine = interp(QA).output;
const theirs = qa1.output;
const sameChecksum = mine === theirs;

console.log(
  [
    '',
    'cpu-aarch64 interpreter speed, FP/SIMD payload (payloads/bin/fpbench-virt.elf)',
    `  instructions per iteration       ${perIteration}`,
    `  interpreter, vitest (N=${N}):       ${main.retired} instructions in ${main.ms.toFixed(0)} ms = ${interpMips.toFixed(1)} guest MIPS (CPU time: ${interpCpuMips.toFixed(1)})`,
    `  interpreter, bundle in node:     ${child.retired} instructions in ${child.ms.toFixed(0)} ms = ${childMips.toFixed(1)} guest MIPS (CPU time: ${childCpuMips.toFixed(1)})`,
    `  qemu-system-aarch64 (TCG):       ${(((QB - QA) * perIteration) / 1e6).toFixed(0)} M instructions in ${(qbRun.ms - qa.ms).toFixed(0)} ms = ${qemuMips.toFixed(1)} guest MIPS (CPU time: ${qemuCpuMips.toFixed(1)})`,
    `  ratio interpreter / qemu         vitest ${(interpMips / qemuMips).toFixed(3)} wall, ${(interpCpuMips / qemuCpuMips).toFixed(3)} CPU time; bundle ${(childMips / qemuMips).toFixed(3)} wall, ${(childCpuMips / qemuCpuMips).toFixed(3)} CPU time`,
    `  same checksum as qemu            ${sameChecksum ? 'yes' : `NO (interpreter: ${mine} / qemu: ${theirs})`}`,
    '',
  ].join('\n'),
);

describe('cpu-aarch64 interpreter: FP/SIMD payload', () => {
  bench('one iteration (fresh board)', () => {
    interp(1);
  }, { iterations: 3, time: 0, warmupIterations: 0 });
});
