import { beforeAll, describe, expect, it } from 'vitest';
import { loadPayload, PayloadBoard, payloadPath, VIRT, VMAPPLE, type BoardLayout } from './board.js';
import { loadInterpreter, type CpuFactory } from './interp.js';
import { runQemuVirt } from './qemu-system.js';

/**
 * The FP/SIMD benchmark payload (payloads/src/fpbench.c: a double-precision
 * matrix product with FMADD, FSQRT/FDIV/FCVT*, a single-precision n-body step
 * and FIR filter, a NEON byte loop) with one iteration, under
 * qemu-system-aarch64 -M virt (the oracle) and in the interpreter. Its output
 * line holds one checksum per kernel over the bit patterns of the results,
 * FPSR, and a combined checksum: the interpreter must print exactly QEMU's
 * line, with FPCR = 0 on both builds and, on the virt build, with every
 * rounding mode, FZ, DN and all of them at once (the payload reads FPCR from
 * the word after fpbench_param). Missing QEMU fails the suite with the
 * install hint (runQemuVirt).
 */
const LINE = /^FPBENCH iterations=1 fpcr=0x[0-9a-f]{16} dgemm=0x[0-9a-f]{16} sp=0x[0-9a-f]{16} neon=0x[0-9a-f]{16} fpsr=0x[0-9a-f]{16} checksum=0x[0-9a-f]{16}\n$/;

/** FPCR values: RMode (bits 23:22) RN/RP/RM/RZ, FZ (bit 24), DN (bit 25). */
const FPCRS: Record<string, number> = {
  RN: 0,
  RP: 1 << 22,
  RM: 2 << 22,
  RZ: 3 << 22,
  FZ: 1 << 24,
  DN: 1 << 25,
  'RZ+FZ+DN': (3 << 22) | (1 << 24) | (1 << 25),
};

function param(board: BoardLayout): number {
  const p = loadPayload('fpbench', board).elf.symbols.get('fpbench_param');
  if (p === undefined) throw new Error('fpbench payload has no fpbench_param symbol');
  return p;
}

function qemuRun(fpcr: number): string {
  const at = param(VIRT);
  const word = (addr: number, v: number): string[] => ['-device', `loader,addr=0x${addr.toString(16)},data=${v},data-len=4`];
  return runQemuVirt(payloadPath('fpbench', VIRT), [...word(at, 1), ...word(at + 4, fpcr)]).output;
}

function interpreterRun(makeCpu: CpuFactory, board: BoardLayout, fpcr: number): { output: string; exit: string } {
  const b = new PayloadBoard(board, loadPayload('fpbench', board).elf, makeCpu);
  b.writeRam32(param(board), 1);
  b.writeRam32(param(board) + 4, fpcr);
  const r = b.run(200_000_000);
  return { output: r.output, exit: r.exit };
}

/** Fields of the result line, so a mismatch names the kernel (or FPSR) that differs. */
const fields = (s: string): Record<string, string> => Object.fromEntries([...s.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));

describe('fpbench payload: interpreter vs qemu-system-aarch64 -M virt', () => {
  let makeCpu: CpuFactory;
  const reference = new Map<string, string>();
  beforeAll(async () => {
    for (const [name, fpcr] of Object.entries(FPCRS)) reference.set(name, qemuRun(fpcr));
    makeCpu = await loadInterpreter();
  }, 60_000);

  it('QEMU prints one result line per FPCR, and every FPCR gives other FP results', () => {
    for (const out of reference.values()) expect(out).toMatch(LINE);
    const fp = [...reference.values()].map((o) => `${fields(o)['dgemm']} ${fields(o)['sp']}`);
    expect(new Set(fp).size).toBe(fp.length);
  });

  for (const board of [VIRT, VMAPPLE] as BoardLayout[]) {
    it(`the interpreter computes QEMU's checksums, FPSR included (${board.name} build, FPCR = 0)`, () => {
      const r = interpreterRun(makeCpu, board, 0);
      expect(r.exit).toBe('off');
      expect(fields(r.output)).toEqual(fields(reference.get('RN')!));
      expect(r.output).toBe(reference.get('RN'));
    }, 120_000);
  }

  for (const [name, fpcr] of Object.entries(FPCRS)) {
    if (fpcr === 0) continue;
    it(`the interpreter computes QEMU's checksums with FPCR ${name}`, () => {
      const r = interpreterRun(makeCpu, VIRT, fpcr);
      expect(r.exit).toBe('off');
      expect(fields(r.output)).toEqual(fields(reference.get(name)!));
      expect(r.output).toBe(reference.get(name));
    }, 120_000);
  }
});
