import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPayload, PAYLOAD_DIR, PayloadBoard, payloadPath, VIRT, VMAPPLE, type BoardLayout } from './board.js';
import { loadInterpreter, type CpuFactory } from './interp.js';
import { runQemuVirt } from './qemu-system.js';
import { requireTools, run, tempDir } from './tools.js';

/**
 * Bare-metal payloads (payloads/src, built by payloads/build.sh, binaries in
 * payloads/bin): the same source runs under qemu-system-aarch64 -M virt (the
 * oracle, real GICv3) and in the interpreter on both board layouts; the UART
 * output must be identical and every check must pass.
 */
const lines = (s: string): string[] => s.split('\n').filter((l) => l.length > 0);

/**
 * Checks the interpreter is known to get wrong (reported, not yet fixed): the
 * main comparison leaves their lines (and the DONE line) out, and an `it.fails`
 * per bug keeps them visible; when a bug is fixed its `it.fails` starts failing
 * and the entry must go.
 */
const KNOWN_BUGS: Record<string, string> = {
};
const knownBug = (line: string): string | undefined =>
  Object.keys(KNOWN_BUGS).find((k) => line.startsWith(`PASS ${k}`) || line.startsWith(`FAIL ${k}`));
const withoutKnownBugs = (ls: string[]): string[] => ls.filter((l) => !knownBug(l) && !l.startsWith('DONE'));

describe('bare-metal payloads vs qemu-system-aarch64 -M virt', () => {
  let makeCpu: CpuFactory;
  let reference: string;
  beforeAll(async () => {
    reference = runQemuVirt(payloadPath('tests', VIRT)).output;
    makeCpu = await loadInterpreter();
  }, 60_000);

  it('QEMU passes every check of the test payload (the payload is right)', () => {
    expect(lines(reference).filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(lines(reference)).toContain('DONE all passed');
  });

  const outputs = new Map<string, string>();
  const interpreterOutput = (board: BoardLayout): string => {
    let out = outputs.get(board.name);
    if (out === undefined) {
      const { elf } = loadPayload('tests', board);
      const run = new PayloadBoard(board, elf, makeCpu).run(50_000_000);
      expect(run.exit).toBe('off');
      out = run.output;
      outputs.set(board.name, out);
    }
    return out;
  };

  for (const board of [VIRT, VMAPPLE] as BoardLayout[]) {
    it(`the interpreter prints what QEMU prints (${board.name} build)`, () => {
      const got = lines(interpreterOutput(board));
      expect(withoutKnownBugs(got)).toEqual(withoutKnownBugs(lines(reference)));
      if (Object.keys(KNOWN_BUGS).length === 0) expect(got).toEqual(lines(reference));
    }, 60_000);
  }

  for (const [name, bug] of Object.entries(KNOWN_BUGS)) {
    it.fails(`known interpreter bug (${name}): ${bug}`, () => {
      const pick = (ls: string[]): string[] => ls.filter((l) => knownBug(l) === name);
      expect(pick(lines(reference)).length).toBeGreaterThan(0);
      expect(pick(lines(interpreterOutput(VIRT)))).toEqual(pick(lines(reference)));
    }, 60_000);
  }

  it('the benchmark payload computes the same checksum in both', () => {
    const { elf } = loadPayload('bench', VIRT);
    const param = elf.symbols.get('bench_param')!;
    const ref = runQemuVirt(payloadPath('bench', VIRT), ['-device', `loader,addr=0x${param.toString(16)},data=1,data-len=4`]).output;
    expect(ref).toMatch(/BENCH iterations=1 checksum=0x[0-9a-f]{16}/);
    const board = new PayloadBoard(VIRT, elf, makeCpu);
    board.writeRam32(param, 1);
    const run = board.run(100_000_000);
    expect(run.output).toBe(ref);
    expect(run.exit).toBe('off');
  }, 60_000);

  it('the committed binaries are exactly what payloads/build.sh makes of the sources', () => {
    requireTools('aarch64-linux-gnu-gcc');
    const { dir, cleanup } = tempDir('payload-build-');
    try {
      const out = join(dir, 'bin');
      run('env', [`OUT=${out}`, join(PAYLOAD_DIR, '..', 'build.sh')]);
      const built = readdirSync(out).sort();
      expect(built).toEqual(readdirSync(PAYLOAD_DIR).sort());
      for (const f of built) {
        expect(Buffer.compare(readFileSync(join(out, f)), readFileSync(join(PAYLOAD_DIR, f))), `${f} is stale: run payloads/build.sh`).toBe(0);
      }
    } finally {
      cleanup();
    }
  }, 60_000);
});
