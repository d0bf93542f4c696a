import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { loadPayload, PayloadBoard, payloadPath, VIRT } from '../test/oracle/board.js';
import { loadInterpreter } from '../test/oracle/interp.js';
import { runQemuVirt } from '../test/oracle/qemu-system.js';
import { tempDir } from '../test/oracle/tools.js';
import type { RunnerResult } from './payload-runner.js';

/**
 * Guest speed of a committed bare-metal payload (payloads/bin/<name>-virt.elf)
 * in the interpreter and under qemu-system-aarch64 -M virt -cpu cortex-a53
 * (TCG), measured in the same run. Used by mips.bench.ts and fp-payload.bench.ts.
 *
 * The interpreter is measured as the built package runs: payload-runner.ts is
 * bundled by esbuild together with the interpreter sources and run by a child
 * `node` process. (Under vitest's module runner every cross-module call is a
 * property read on a module object and const enums are not inlined, which
 * makes the interpreter 3-4x slower on these payloads; the bench files keep one in-process
 * task, labelled as such, and no in-process figure is printed here.)
 *
 * Instructions are counted by the interpreter (`retired`); every iteration of
 * a payload does the same work, so instructions per iteration = I(2) - I(1).
 * The interpreter runs N iterations REPEATS times after a warm-up; its figure
 * is the fastest run (wall and CPU time separately), since a loaded machine
 * only ever slows a run down. QEMU's rate is the extra instructions of QB = QA +
 * extra iterations over the extra time between the two run lengths (fastest of
 * two runs each, wall and CPU time separately), which cancels QEMU's start-up
 * time. The payload's output line (checksums) must be the same for the
 * interpreter, the compiled-block tier and QEMU at the same iteration count,
 * or measurePayloadSpeed throws.
 */
export interface PayloadSpec {
  /** payloads/bin/<name>-virt.elf */
  name: string;
  /** Symbol of the 32-bit iteration-count word. */
  param: string;
  /** What the payload does, for the heading. */
  title: string;
  /** N when BENCH_ITERATIONS is not set: about a second of interpreter time. */
  defaultIterations: number;
  /** QEMU runs QA and QA + this many iterations: about a second of QEMU time. */
  qemuExtraIterations: number;
}

export interface Rate {
  instructions: number;
  ms: number;
  cpuMs: number;
  /** Guest instructions per microsecond of wall time. */
  mips: number;
  /** The same per microsecond of CPU time (user + system of the process that ran them). */
  cpuMips: number;
}

export interface PayloadSpeed {
  spec: PayloadSpec;
  iterations: number;
  node: string;
  perIteration: number;
  output: string;
  /** Interpreter with default options, bundled, in a child node process: the headline. */
  interpreter: Rate;
  /** Compiled blocks (experimental, off by default) at this jitThreshold, if measured. */
  blocks?: Rate & { jitThreshold: number };
  qemu: Rate & { cpuTimeKnown: boolean };
  /** 1-minute load average before and after (the machine may be shared). */
  load: [number, number];
}

const QA = 20;
const REPEATS = 3;

function rate(instructions: number, ms: number, cpuMs: number): Rate {
  return { instructions, ms, cpuMs, mips: instructions / ms / 1000, cpuMips: instructions / cpuMs / 1000 };
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be an integer >= 1, got ${JSON.stringify(text)}`);
  return n;
}

/** Iterations of the measured runs: BENCH_ITERATIONS, else the payload's default. */
export function benchIterations(spec: PayloadSpec): number {
  const v = process.env['BENCH_ITERATIONS'];
  return v === undefined || v === '' ? spec.defaultIterations : positiveInt('BENCH_ITERATIONS', v);
}

/** jitThreshold of the compiled-block line: BENCH_JIT_THRESHOLD (default 1000; 'off' leaves the line out). */
export function benchJitThreshold(): number | undefined {
  const v = process.env['BENCH_JIT_THRESHOLD'];
  if (v === 'off') return undefined;
  return v === undefined || v === '' ? 1000 : positiveInt('BENCH_JIT_THRESHOLD', v);
}

const PKG = fileURLToPath(new URL('../', import.meta.url));

/** Bundles payload-runner.ts (with the interpreter sources) and calls `use` with the bundle's path. */
async function withRunnerBundle<T>(use: (bundle: string) => T): Promise<T> {
  const { dir, cleanup } = tempDir('cpu-payload-speed-');
  try {
    const outfile = join(dir, 'payload-runner.mjs');
    await build({
      entryPoints: [join(PKG, 'bench/payload-runner.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      outfile,
      logLevel: 'error',
    });
    return use(outfile);
  } finally {
    cleanup();
  }
}

interface TierRun {
  node: string;
  perIteration: number;
  retired: number;
  output: string;
  rate: Rate;
}

function runBundle(bundle: string, spec: PayloadSpec, iterations: number, jitThreshold?: number): TierRun {
  const args = [
    bundle,
    payloadPath(spec.name, VIRT),
    spec.param,
    'default',
    jitThreshold === undefined ? '-' : String(jitThreshold),
    String(iterations),
    String(REPEATS),
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 900_000, maxBuffer: 16 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`bundled interpreter run failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as RunnerResult;
  const first = res.main[0]!;
  for (const run of res.main) {
    if (run.retired !== first.retired || run.output !== first.output) {
      throw new Error(`${spec.name}: two runs of ${iterations} iterations differ: ${first.retired} ${first.output} / ${run.retired} ${run.output}`);
    }
  }
  const ms = Math.min(...res.main.map((m) => m.ms));
  const cpuMs = Math.min(...res.main.map((m) => m.cpuMs));
  return { node: res.node, perIteration: res.two - res.one, retired: first.retired, output: first.output, rate: rate(first.retired, ms, cpuMs) };
}

interface QemuRun {
  ms: number;
  cpuMs: number | undefined;
  output: string;
}

function runQemu(spec: PayloadSpec, param: number, iterations: number): QemuRun {
  const loader = ['-device', `loader,addr=0x${param.toString(16)},data=${iterations},data-len=4`];
  const r = runQemuVirt(payloadPath(spec.name, VIRT), loader, 600_000);
  return { ms: r.wallMs, cpuMs: r.cpuMs, output: r.output.trim() };
}

/** Runs the whole measurement (some seconds) and throws if any output differs from QEMU's. */
export async function measurePayloadSpeed(
  spec: PayloadSpec,
  iterations = benchIterations(spec),
  jitThreshold = benchJitThreshold(),
): Promise<PayloadSpeed> {
  const param = loadPayload(spec.name, VIRT).elf.symbols.get(spec.param);
  if (param === undefined) throw new Error(`${spec.name}: no symbol ${spec.param}`);
  const loadBefore = loadavg()[0]!;

  const [interp, blocks] = await withRunnerBundle((bundle) => [
    runBundle(bundle, spec, iterations),
    jitThreshold === undefined ? undefined : runBundle(bundle, spec, iterations, jitThreshold),
  ]);
  const perIteration = interp.perIteration;

  const QB = QA + spec.qemuExtraIterations;
  const qa = [runQemu(spec, param, QA), runQemu(spec, param, QA)];
  const qb = [runQemu(spec, param, QB), runQemu(spec, param, QB)];
  const qn = runQemu(spec, param, iterations);
  const all = [...qa, ...qb];
  const cpuTimeKnown = all.every((q) => q.cpuMs !== undefined);
  const best = (runs: QemuRun[], cpu: boolean): number => Math.min(...runs.map((q) => (cpu && cpuTimeKnown ? q.cpuMs! : q.ms)));
  const qemu = {
    ...rate(spec.qemuExtraIterations * perIteration, best(qb, false) - best(qa, false), best(qb, true) - best(qa, true)),
    cpuTimeKnown,
  };

  const differ: string[] = [];
  if (interp.output !== qn.output) differ.push(`interpreter: ${interp.output}`);
  if (blocks && blocks.output !== qn.output) differ.push(`compiled blocks: ${blocks.output}`);
  if (blocks && (blocks.retired !== interp.retired || blocks.perIteration !== perIteration)) {
    differ.push(`compiled blocks retired ${blocks.retired} instructions, the interpreter ${interp.retired}`);
  }
  if (qa[0]!.output !== qa[1]!.output || qb[0]!.output !== qb[1]!.output) differ.push('qemu: two runs of the same length print different lines');
  if (differ.length > 0) {
    throw new Error(`${spec.name}: output differs from qemu-system-aarch64 (${qn.output}) after ${iterations} iterations:\n  ${differ.join('\n  ')}`);
  }

  return {
    spec,
    iterations,
    node: interp.node,
    perIteration,
    output: qn.output,
    interpreter: interp.rate,
    blocks: blocks && { ...blocks.rate, jitThreshold: jitThreshold! },
    qemu,
    load: [loadBefore, loadavg()[0]!],
  };
}

const f1 = (v: number): string => v.toFixed(1);
const f3 = (v: number): string => v.toFixed(3);
const millions = (v: number): string => `${(v / 1e6).toFixed(1)} M`;

export function formatPayloadSpeed(s: PayloadSpeed): string {
  const row = (label: string, r: Rate, ratio: string): string =>
    `  ${label.padEnd(52)}${millions(r.instructions).padStart(9)}${r.ms.toFixed(0).padStart(8)}${f1(r.mips).padStart(8)}${f1(r.cpuMips).padStart(9)}   ${ratio}`;
  const vsQemu = (r: Rate): string => `${f3(r.mips / s.qemu.mips)} wall, ${f3(r.cpuMips / s.qemu.cpuMips)} CPU`;
  const lines = [
    '',
    `cpu-aarch64 guest speed: ${s.spec.title} (payloads/bin/${s.spec.name}-virt.elf)`,
    `  host: ${cpus().length} CPUs, 1-minute load average ${s.load[0].toFixed(2)} before, ${s.load[1].toFixed(2)} after`,
    `  interpreter: bundled by esbuild, run by node ${s.node} in a child process, fastest of ${REPEATS} runs of ${s.iterations} iterations`,
    `  instructions per iteration: ${s.perIteration}; qemu: fastest of 2 runs of ${QA} and of ${QA + s.spec.qemuExtraIterations} iterations`,
    `  ${''.padEnd(52)}${'instr'.padStart(9)}${'ms'.padStart(8)}${'MIPS'.padStart(8)}${'CPU MIPS'.padStart(9)}   / qemu`,
    row('interpreter (default options): HEADLINE', s.interpreter, vsQemu(s.interpreter)),
  ];
  if (s.blocks) lines.push(row(`compiled blocks, jitThreshold ${s.blocks.jitThreshold} (experimental)`, s.blocks, vsQemu(s.blocks)));
  lines.push(
    row('qemu-system-aarch64 TCG (cortex-a53)', s.qemu, s.qemu.cpuTimeKnown ? '' : '(no /usr/bin/time: CPU = wall)'),
    `  same output as qemu: ${s.output}`,
    '',
  );
  return lines.join('\n');
}

/**
 * One iteration on a fresh board inside this process, for a vitest bench()
 * task (which then runs under vitest's module runner, not as the package runs).
 */
export async function inProcessIteration(spec: PayloadSpec): Promise<() => void> {
  const makeCpu = await loadInterpreter('default');
  const { elf } = loadPayload(spec.name, VIRT);
  const param = elf.symbols.get(spec.param)!;
  return () => {
    const board = new PayloadBoard(VIRT, elf, makeCpu);
    board.writeRam32(param, 1);
    const r = board.run(Number.MAX_SAFE_INTEGER, 1_000_000);
    if (r.exit !== 'off') throw new Error(`${spec.name} did not power off (${r.exit}): ${r.output}`);
  };
}
