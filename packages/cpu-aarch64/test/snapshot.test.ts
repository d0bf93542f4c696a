import { AddressSpace, RamRegion, SnapshotError, VirtualClock } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { InterpreterCpu } from '../src/index.js';
import { loadPayload, PayloadBoard, VIRT } from './oracle/board.js';

function cpuOn(memory = new AddressSpace(), clock = new VirtualClock({ mode: 'deterministic' })): InterpreterCpu {
  return new InterpreterCpu({ memory, clock });
}

describe('InterpreterCpu snapshots', () => {
  it('resume a guest mid-run on a fresh CPU with the same result, instruction for instruction', () => {
    const { elf } = loadPayload('bench', VIRT);
    const param = elf.symbols.get('bench_param')!;
    const make = (): PayloadBoard => {
      const b = new PayloadBoard(VIRT, elf, (o) => new InterpreterCpu(o));
      b.writeRam32(param, 1);
      return b;
    };
    const original = make();
    const cpu = original.cpu as InterpreterCpu;
    cpu.run(300_000);
    // Through JSON, as a snapshot file would go.
    const state = JSON.parse(JSON.stringify(cpu.saveState()));
    const copy = make();
    copy.ram.bytes.set(original.ram.bytes);
    const resumed = copy.cpu as InterpreterCpu;
    resumed.restoreState(state);
    expect(resumed.retired).toBe(cpu.retired);
    for (let k = 0; k < 40; k++) {
      cpu.run(7919);
      resumed.run(7919);
      expect(JSON.stringify(resumed.saveState()), `after slice ${k}`).toBe(JSON.stringify(cpu.saveState()));
    }
    const a = original.run();
    const b = copy.run();
    expect(b.output).toBe(a.output);
    expect(b.exit).toBe('off');
    expect(a.output).toMatch(/checksum=0x[0-9a-f]+/);
  });

  it('round-trips both stack pointers, V registers, system registers and armed timers', () => {
    const clock = new VirtualClock({ mode: 'deterministic' });
    const cpu = cpuOn(new AddressSpace(), clock);
    cpu.reset({ pc: 0x4000_1000n });
    for (let i = 0; i < 31; i++) cpu.setX(i, 0x0123_4567_89ab_cdefn * BigInt(i + 1));
    for (let i = 0; i < 32; i++) cpu.setV(i, (1n << 127n) | BigInt(i * 0x1111));
    cpu.setSysreg('SP_EL1', 0xffff_8000_0000_1000n);
    cpu.setSysreg('SP_EL0', 0x7fff_f000n);
    cpu.setSysreg('TTBR0_EL1', 0x0001_0000_4000_0000n);
    cpu.setSysreg('TPIDR_EL0', 0xdead_beefn);
    cpu.setSysreg('VBAR_EL1', 0xffff_8000_0800_0000n);
    cpu.setSysreg('FPCR', 0x0340_0000n);
    cpu.setSysreg('FPSR', 0x9fn);
    cpu.setSysreg('CNTV_CVAL_EL0', 5000n);
    cpu.setSysreg('CNTV_CTL_EL0', 1n);
    cpu.setSysreg('NZCV', 0xa000_0000n);
    // Exception-return state.
    cpu.setSysreg('SPSR_EL1', 0x80n);
    cpu.setSysreg('ELR_EL1', 0x40_0000n);
    const before = cpu.saveState();
    const other = cpuOn(new AddressSpace(), clock);
    other.restoreState(JSON.parse(JSON.stringify(before)));
    expect(other.saveState()).toEqual(before);
    expect(other.getSysreg('SP_EL0')).toBe(0x7fff_f000n);
    expect(other.getSp()).toBe(0xffff_8000_0000_1000n);
    expect(other.getV(31)).toBe((1n << 127n) | BigInt(31 * 0x1111));
    // The restored virtual timer fires at the saved deadline.
    const levels: boolean[] = [];
    other.virtualTimer.connect({ setLevel: (l) => void levels.push(l) });
    clock.advanceTo(10_000_000);
    clock.runDue();
    expect(levels).toContain(true);
  });

  it('rejects state of another type, a newer version or a bad register list', () => {
    const cpu = cpuOn();
    const good = cpu.saveState();
    expect(() => cpu.restoreState({ ...good, type: 'gic-v3' })).toThrow(SnapshotError);
    expect(() => cpu.restoreState({ ...good, version: good.version + 1 })).toThrow(/newer/);
    expect(() => cpu.restoreState({ ...good, data: { ...good.data, x: ['0'] } })).toThrow(/31 X/);
    expect(() => cpu.restoreState({ ...good, data: { ...good.data, sysregs: { NOPE_EL1: '0' } } })).toThrow(/NOPE_EL1/);
  });

  it('keeps RAM out of the state (it belongs to the board)', () => {
    const mem = new AddressSpace();
    mem.mapRam(0x4000_0000, new RamRegion('ram', 0x10_0000));
    expect(JSON.stringify(cpuOn(mem).saveState()).length).toBeLessThan(16_000);
  });
});
