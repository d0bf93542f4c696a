import { beforeAll, describe, expect, it } from 'vitest';
import { loadPayload, PayloadBoard, payloadPath, VIRT, VMAPPLE, type BoardLayout } from './board.js';
import { loadInterpreter, type CpuFactory } from './interp.js';
import { runQemuVirt } from './qemu-system.js';

/**
 * Bare-metal payloads (payloads/src, built by payloads/build.sh, binaries in
 * payloads/bin): the same source runs under qemu-system-aarch64 -M virt (the
 * oracle, real GICv3) and in the interpreter on both board layouts; the UART
 * output must be identical and every check must pass.
 */
const lines = (s: string): string[] => s.split('\n').filter((l) => l.length > 0);

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

  for (const board of [VIRT, VMAPPLE] as BoardLayout[]) {
    it(`the interpreter prints what QEMU prints (${board.name} build)`, () => {
      const { elf } = loadPayload('tests', board);
      const run = new PayloadBoard(board, elf, makeCpu).run(50_000_000);
      expect(lines(run.output)).toEqual(lines(reference));
      expect(run.exit).toBe('off');
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
});
