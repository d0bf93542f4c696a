import { describe, expect, it } from 'vitest';
import { type InterruptSink, IrqProbe, sinkInput } from '@vmapple/core-bus';
import { PciPin } from '@vmapple/core-bus/pci';
import { makeBoard } from './board.js';
import { TestDevice } from './devices.js';

// Spec §1.9 / §7: line = (slot + pin) mod lines with INTA = 0 .. INTD = 3; line L → SPI 0x20 + L.
const expectedLine = (slot: number, pinRegister: number, lines: number) => (slot + (pinRegister - 1)) % lines;

class FakeGic implements InterruptSink {
  readonly levels = new Map<number, boolean>();
  setInput(index: number, level: boolean): void {
    this.levels.set(index, level);
  }
  high(): number[] {
    return [...this.levels].filter(([, l]) => l).map(([n]) => n);
  }
}

function wired(lines?: number) {
  const b = makeBoard(lines === undefined ? {} : { intxLines: lines, spiBase: 3 });
  const gic = new FakeGic();
  const spiBase = lines === undefined ? 0x20 : 3;
  b.host.intx.forEach((line, l) => line.connect(sinkInput(gic, spiBase + l)));
  return { ...b, gic, spiBase };
}

describe('INTx', () => {
  for (const lines of [16, 4]) {
    it(`swizzle table, ${lines} lines: every slot 1..31 × INTA..INTD reaches SPI base + (slot + pin) mod ${lines}`, () => {
      const { host, gic, spiBase } = wired(lines === 16 ? undefined : lines);
      expect(host.intx).toHaveLength(lines);
      for (let slot = 1; slot < 32; slot++) {
        for (let pin = PciPin.INTA; pin <= PciPin.INTD; pin++) {
          const dev = new TestDevice({ pin: pin as PciPin });
          host.plug(dev, { slot });
          expect(gic.high()).toEqual([]);
          dev.setIntx(true);
          expect(gic.high()).toEqual([spiBase + expectedLine(slot, pin, lines)]);
          expect(host.lineFor(slot, pin)).toBe(expectedLine(slot, pin, lines));
          dev.setIntx(false);
          expect(gic.high()).toEqual([]);
          host.unplug(dev);
        }
      }
    }, 30_000);
  }

  it('vmapple example: 00:01.0..00:04.0 with INTA reach SPI 0x21..0x24 (spec §1.9)', () => {
    const { host, gic } = wired();
    for (let i = 1; i <= 4; i++) {
      const dev = new TestDevice();
      expect(host.plug(dev).slot).toBe(i);
      dev.setIntx(true);
      expect(gic.levels.get(0x20 + i)).toBe(true);
    }
  });

  it('functions sharing a line are wired-OR', () => {
    const { host } = makeBoard();
    const probe = new IrqProbe();
    const line = expectedLine(1, PciPin.INTB, 16);
    expect(expectedLine(2, PciPin.INTA, 16)).toBe(line);
    host.intx[line]!.connect(probe);
    const a = new TestDevice({ pin: PciPin.INTB });
    const b = new TestDevice({ pin: PciPin.INTA });
    host.plug(a, { slot: 1 });
    host.plug(b, { slot: 2 });
    a.setIntx(true);
    b.setIntx(true);
    expect(probe.level).toBe(true);
    a.setIntx(false);
    expect(probe.level).toBe(true);
    b.setIntx(false);
    expect(probe.level).toBe(false);
    expect(probe.rises).toBe(1);
  });

  it('the command register Interrupt Disable bit masks the pin; Status.Interrupt still shows it', () => {
    const { host, sys, cfg } = makeBoard();
    const probe = new IrqProbe();
    const dev = new TestDevice();
    host.plug(dev, { slot: 5 });
    host.intx[expectedLine(5, PciPin.INTA, 16)]!.connect(probe);
    sys.write(cfg(0, 5, 0, 0x04), 2, 1 << 10);
    dev.setIntx(true);
    expect(probe.level).toBe(false);
    expect(sys.read(cfg(0, 5, 0, 0x06), 2) & (1 << 3)).toBe(1 << 3);
    sys.write(cfg(0, 5, 0, 0x04), 2, 0);
    expect(probe.level).toBe(true);
  });

  it('a function with no pin drives nothing; unplugging releases the line', () => {
    const { host, gic } = wired();
    const quiet = new TestDevice({ pin: PciPin.None });
    host.plug(quiet);
    quiet.setIntx(true);
    expect(gic.high()).toEqual([]);
    const loud = new TestDevice();
    const { slot } = host.plug(loud);
    loud.setIntx(true);
    expect(gic.high()).toEqual([0x20 + expectedLine(slot, 1, 16)]);
    host.unplug(loud);
    expect(gic.high()).toEqual([]);
  });

  it('a device already asserting its pin when plugged raises the line', () => {
    const { host, gic } = wired();
    const dev = new TestDevice({ pin: PciPin.INTC });
    dev.setIntx(true);
    host.plug(dev, { slot: 9 });
    expect(gic.high()).toEqual([0x20 + expectedLine(9, 3, 16)]);
  });
});
