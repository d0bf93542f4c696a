/**
 * The child-process half of payload-speed.ts. esbuild bundles this file with
 * the interpreter sources (as the built package is bundled) and plain `node`
 * runs the bundle, so the figures are free of vitest's module runner.
 *
 * argv: <payload ELF> <iterations symbol> <tier> <jitThreshold or "-"> <iterations> <repeats>
 * - tier: 'interpreter' | 'blocks' | 'default', passed to loadInterpreter();
 * - jitThreshold: when a number, the CPU is `new InterpreterCpu({ ...o, jitThreshold })`
 *   instead (compiled blocks after that many entries into a block).
 *
 * Sequence: one iteration to warm up, then 1 and 2 iterations, then N
 * iterations `repeats` times, each on a fresh board. Prints one JSON line
 * (RunnerResult).
 */
import { readFileSync } from 'node:fs';
import { InterpreterCpu } from '../src/index.js';
import { PayloadBoard, VIRT } from '../test/oracle/board.js';
import { parseElf } from '../test/oracle/elf.js';
import { loadInterpreter, type CpuFactory, type InterpreterTier } from '../test/oracle/interp.js';

export interface RunnerRun {
  retired: number;
  ms: number;
  cpuMs: number;
  output: string;
}

export interface RunnerResult {
  node: string;
  /** Instructions retired by 1 and by 2 iterations: their difference is the cost of one iteration. */
  one: number;
  two: number;
  /** The N-iteration runs, in order. */
  main: RunnerRun[];
}

const TIERS: readonly string[] = ['interpreter', 'blocks', 'default'];

async function main(): Promise<void> {
  const [elfPath, symbol, tier, threshold, count, repeatCount] = process.argv.slice(2);
  if (!elfPath || !symbol || !tier || !TIERS.includes(tier) || threshold === undefined || !count || !repeatCount) {
    throw new Error('usage: payload-runner <elf> <symbol> <interpreter|blocks|default> <jitThreshold|-> <iterations> <repeats>');
  }
  const iterations = Number(count);
  const repeats = Number(repeatCount);
  let makeCpu: CpuFactory;
  if (threshold === '-') {
    makeCpu = await loadInterpreter(tier as InterpreterTier);
  } else {
    const jitThreshold = Number(threshold);
    makeCpu = (options) => new InterpreterCpu({ ...options, jitThreshold });
  }
  const elf = parseElf(new Uint8Array(readFileSync(elfPath)));
  const param = elf.symbols.get(symbol);
  if (param === undefined) throw new Error(`${elfPath} has no symbol ${symbol}`);

  const go = (n: number): RunnerRun => {
    const board = new PayloadBoard(VIRT, elf, makeCpu);
    board.writeRam32(param, n);
    const r = board.run(Number.MAX_SAFE_INTEGER, 1_000_000);
    if (r.exit !== 'off') throw new Error(`${elfPath} did not power off (${r.exit}): ${r.output}`);
    return { retired: r.retired, ms: r.hostMs, cpuMs: r.cpuMs, output: r.output.trim() };
  };
  go(1); // warm-up
  const one = go(1).retired;
  const two = go(2).retired;
  const runs: RunnerRun[] = [];
  for (let i = 0; i < repeats; i++) runs.push(go(iterations));
  const result: RunnerResult = { node: process.version, one, two, main: runs };
  console.log(JSON.stringify(result));
}

await main();
