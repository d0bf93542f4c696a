import { expect } from 'vitest';
import { CLASSES } from './a64gen.js';
import { loadCapstone } from './disasm.js';
import { loadInterpreter } from './interp.js';
import { buildBatch, runUnderQemu, tempDir } from './user-program.js';
import { describeCase, diffStates, UserSequenceRunner } from './user-runner.js';

/** Sequences per class (ORACLE_SEQUENCES overrides; CI default keeps the suite well under 3 minutes). */
export const SEQUENCES = Number(process.env['ORACLE_SEQUENCES'] ?? 2000);
/** Base seed (ORACLE_SEED overrides; 'random' picks one, printed on failure). */
export const BASE_SEED =
  process.env['ORACLE_SEED'] === 'random' ? (Math.random() * 2 ** 32) >>> 0 : Number(process.env['ORACLE_SEED'] ?? 0x5eed_a64);
const BATCH = 4000;
const MAX_REPORTS = 4;

/**
 * Differential test of one instruction class against qemu-aarch64: batches
 * of random sequences, run in both, every register, SP, NZCV and the scratch
 * block compared. Fails with a full report of the first few differences.
 */
export async function checkClass(name: string): Promise<void> {
  const cls = CLASSES.find((c) => c.name === name);
  if (!cls) throw new Error(`no class ${name}`);
  // Both tiers against the same reference run: the plain interpreter, and compiled blocks.
  const tiers = [
    { tier: 'interpreter', makeCpu: await loadInterpreter('interpreter'), step: true },
    { tier: 'blocks', makeCpu: await loadInterpreter('blocks'), step: false },
  ];
  const d = await loadCapstone();
  const reports: string[] = [];
  let failed = 0;
  let total = 0;
  const classSeed = (BASE_SEED + CLASSES.indexOf(cls) * 0x9e37_79b9) >>> 0;
  for (let done = 0, b = 0; done < SEQUENCES; done += BATCH, b++) {
    const count = Math.min(BATCH, SEQUENCES - done);
    const seed = (classSeed + b) >>> 0;
    const { dir, cleanup } = tempDir(`oracle-${name}-`);
    try {
      const batch = buildBatch(cls, seed, count, dir);
      const ref = runUnderQemu(batch, dir);
      if (ref.crash) {
        const c = batch.cases[ref.finals.length];
        const where = c ? '\n' + describeCase(batch, c, d, ['qemu did not complete this sequence']) : '';
        throw new Error(`reference run failed (generator bug?): ${ref.crash}${where}`);
      }
      for (const { tier, makeCpu, step } of tiers) {
        const runner = new UserSequenceRunner(batch, makeCpu, step);
        for (const c of batch.cases) {
          total++;
          let problem: string[];
          try {
            const got = runner.run(c);
            problem = got.ok ? diffStates(ref.finals[c.index]!, got.state) : [got.error];
          } catch (e) {
            problem = [`host exception: ${(e as Error).stack ?? String(e)}`];
          }
          if (problem.length > 0) {
            failed++;
            if (reports.length < MAX_REPORTS) reports.push(describeCase(batch, c, d, [`(${tier})`, ...problem]));
          }
        }
      }
    } finally {
      cleanup();
    }
  }
  const summary = `${name}: ${failed} of ${total} sequence runs (interpreter and compiled blocks) differ from qemu-aarch64 -cpu cortex-a53 (base seed ${BASE_SEED}; rerun with ORACLE_SEED=${BASE_SEED})`;
  expect(failed, `${summary}\n\n${reports.join('\n\n')}`).toBe(0);
}

/** Generous: building and running a batch takes a few seconds per class on a 2-core machine. */
export const CLASS_TIMEOUT_MS = 60_000 + SEQUENCES * 30;
