import { MmioRegion } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { InterpreterCpu } from '../src/index.js';
import { assemble, CODE_BASE, EXIT, machine } from './helpers.js';
import { loadPayload, PayloadBoard, VIRT } from './oracle/board.js';

// Compiled blocks (jitThreshold) must be invisible to the guest: the same
// registers, memory, device accesses and retired-instruction counts as the
// plain interpreter, whatever the budget. Instruction semantics of both tiers
// are checked against qemu-aarch64 in test/oracle/differential.ts.

function tiers(): Array<{ name: string; jitThreshold: number }> {
  return [
    { name: 'interpreter', jitThreshold: Infinity },
    { name: 'blocks', jitThreshold: 1 },
  ];
}

function exitOnHvc(c: { requestExit(): void }): boolean {
  c.requestExit();
  return true;
}

function snapshot(cpu: InterpreterCpu): string {
  const x = Array.from({ length: 31 }, (_, i) => cpu.getX(i).toString(16));
  return `${cpu.retired} pc=${cpu.getPc().toString(16)} sp=${cpu.getSp().toString(16)} nzcv=${cpu.getPstate() >>> 28} ${x.join(',')}`;
}

describe('compiled blocks', () => {
  it('retire exactly the budget and leave the same state as the interpreter after every slice (bench payload)', () => {
    const { elf } = loadPayload('bench', VIRT);
    const boards = tiers().map((t) => new PayloadBoard(VIRT, elf, (o) => new InterpreterCpu({ ...o, jitThreshold: t.jitThreshold })));
    for (const b of boards) b.writeRam32(elf.symbols.get('bench_param')!, 1);
    const cpus = boards.map((b) => b.cpu as InterpreterCpu);
    // Odd slice sizes cut blocks and loops at every possible point.
    const slices = [1, 2, 3, 5, 7, 11, 13, 97, 997, 4099];
    for (let k = 0; k < 3000; k++) {
      const budget = slices[k % slices.length]!;
      const states = cpus.map((cpu) => {
        const before = cpu.retired;
        const r = cpu.run(budget);
        // A slice retires exactly its budget unless the guest stops (WFI, exit) earlier.
        if (r === 'budget') expect(cpu.retired - before).toBe(budget);
        else expect(cpu.retired - before).toBeLessThanOrEqual(budget);
        return snapshot(cpu);
      });
      expect(states[1], `slice ${k}`).toBe(states[0]);
    }
    expect(cpus[0]!.retired).toBeGreaterThan(1_000_000);
  });

  it('leave a block before a device access, so every MMIO write reaches the device in order', () => {
    const src = `
      movz x1, #0x0900, lsl #16   // device at 0x0900_0000
      mov x2, #0
      mov x3, #300
    1: add x2, x2, #1
      str w2, [x1]
      subs x3, x3, #1
      b.ne 1b
      ${EXIT}`;
    for (const t of tiers()) {
      const m = machine(assemble(src));
      const cpu = new InterpreterCpu({ memory: m.mem, clock: m.clock, jitThreshold: t.jitThreshold, hvc: exitOnHvc });
      const seen: number[] = [];
      m.mem.mapMmio(0x0900_0000, new MmioRegion({ name: 'probe', size: 0x1000, handler: { read: () => 0, write: (_o, _s, v) => void seen.push(v) } }));
      cpu.reset({ pc: BigInt(CODE_BASE) });
      expect(cpu.run(100_000), t.name).toBe('exit');
      expect(seen, t.name).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    }
  });

  it('drop compiled code when the guest rewrites it and issues IC IVAU', () => {
    // The loop body's first instruction is patched from "add x0, x0, #1" to
    // "add x0, x0, #100" after 50 iterations; the patched code must run.
    const src = `
      mov x0, #0
      mov x5, #0
      adr x6, 2f
      ldr w7, 3f
    1: add x5, x5, #1
      cmp x5, #50
      b.ne 2f
      str w7, [x6]
      dc cvau, x6
      dsb ish
      ic ivau, x6
      dsb ish
      isb
    2: add x0, x0, #1
      cmp x5, #100
      b.ne 1b
      ${EXIT}
    3: .word 0x91019000   // add x0, x0, #100
    `;
    for (const t of tiers()) {
      const m = machine(assemble(src));
      const cpu = new InterpreterCpu({ memory: m.mem, clock: m.clock, jitThreshold: t.jitThreshold, hvc: exitOnHvc });
      cpu.reset({ pc: BigInt(CODE_BASE) });
      expect(cpu.run(100_000), t.name).toBe('exit');
      // 49 iterations of +1, then 51 of +100 (the patch lands before the 50th add).
      expect(cpu.getX(0), t.name).toBe(49n + 51n * 100n);
    }
  });

  it('rejects a bad jitThreshold with a clear error', () => {
    const m = machine(assemble(EXIT));
    expect(() => new InterpreterCpu({ memory: m.mem, clock: m.clock, jitThreshold: 0 })).toThrow(/jitThreshold/);
  });
});
