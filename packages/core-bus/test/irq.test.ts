import { describe, expect, it } from 'vitest';
import { type InterruptSink, IrqLine, IrqProbe, sinkInput, WiredOr } from '../src/index.js';

describe('interrupt lines', () => {
  it('forwards only changes of level and gives a new target the current level', () => {
    const probe = new IrqProbe();
    const line = new IrqLine();
    line.raise();
    line.connect(probe);
    expect(probe.level).toBe(true);
    line.raise();
    line.lower();
    line.lower();
    expect([probe.rises, probe.falls]).toEqual([1, 1]);
  });

  it('delivers a pulse as one rising edge and ends low', () => {
    const probe = new IrqProbe();
    const line = new IrqLine().connect(probe);
    line.pulse();
    line.pulse();
    expect([probe.rises, probe.falls, probe.level]).toEqual([2, 2, false]);
  });

  it('wired-OR stays high while any input is high', () => {
    const or = new WiredOr();
    const probe = new IrqProbe();
    or.output.connect(probe);
    const a = new IrqLine().connect(or.input());
    const b = new IrqLine().connect(or.input());
    a.raise();
    b.raise();
    a.lower();
    expect(probe.level).toBe(true);
    b.lower();
    expect(probe.level).toBe(false);
    expect(probe.rises).toBe(1);
    a.lower(); // repeated lows do not underflow the count
    b.raise();
    expect(probe.level).toBe(true);
  });

  it('drives numbered inputs of a sink', () => {
    const seen: Array<[number, boolean]> = [];
    const sink: InterruptSink = { setInput: (n, level) => seen.push([n, level]) };
    const line = new IrqLine().connect(sinkInput(sink, 37));
    line.raise();
    line.lower();
    expect(seen).toEqual([
      [37, true],
      [37, false],
    ]);
  });
});
