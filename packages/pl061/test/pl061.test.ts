import { AddressSpace, ConfigError, IrqProbe, Log, type LogEntry, VirtualClock } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pl061, type Pl061Options } from '../src/index.js';

const BASE = 0x2006_0000; // spec §1.2
// Offsets from the TRM register summary (DDI 0190, table 3-1).
const DATA_ALL = 0x3fc; // GPIODATA with every address mask bit set
const DIR = 0x400;
const IS = 0x404;
const IBE = 0x408;
const IEV = 0x40c;
const IE = 0x410;
const RIS = 0x414;
const MIS = 0x418;
const IC = 0x41c;
const AFSEL = 0x420;
/** vmapple's configuration (spec §1.2): no pull-ups, pull-downs everywhere. */
const VMAPPLE: Pl061Options = { pullUps: 0x00, pullDowns: 0xff };

function makeGpio(options: Pl061Options = {}) {
  const errors: LogEntry[] = [];
  const log = new Log((e) => e.kind === 'guest-error' && errors.push(e));
  const outputs: [number, boolean][] = [];
  const gpio = new Pl061({ log, onOutput: (line, level) => outputs.push([line, level]), ...options });
  const bus = new AddressSpace({ unmapped: 'fault' });
  bus.mapMmio(BASE, gpio.region);
  const probe = new IrqProbe();
  gpio.irq.connect(probe);
  return {
    gpio,
    bus,
    probe,
    errors,
    outputs,
    r: (off: number, size = 4) => bus.read(BASE + off, size),
    w: (off: number, v: number, size = 4) => bus.write(BASE + off, size, v),
  };
}

const RESET_TABLE: [string, number, number][] = [
  ['GPIODIR', DIR, 0],
  ['GPIOIS', IS, 0],
  ['GPIOIBE', IBE, 0],
  ['GPIOIEV', IEV, 0],
  ['GPIOIE', IE, 0],
  ['GPIORIS', RIS, 0],
  ['GPIOMIS', MIS, 0],
  ['GPIOAFSEL', AFSEL, 0],
  ['GPIOPeriphID0', 0xfe0, 0x61],
  ['GPIOPeriphID1', 0xfe4, 0x10],
  ['GPIOPeriphID2', 0xfe8, 0x04],
  ['GPIOPeriphID3', 0xfec, 0x00],
  ['GPIOPCellID0', 0xff0, 0x0d],
  ['GPIOPCellID1', 0xff4, 0xf0],
  ['GPIOPCellID2', 0xff8, 0x05],
  ['GPIOPCellID3', 0xffc, 0xb1],
];

describe('PL061 registers (TRM tables)', () => {
  it.each(RESET_TABLE)('%s resets to %i', (_n, off, value) => {
    const t = makeGpio(VMAPPLE);
    expect(t.r(off)).toBe(value);
    expect(t.errors).toHaveLength(0);
  });

  it('AMBA probing sees id 0x00041061 (gpio-pl061 matches under mask 0x000fffff) and 0xB105F00D', () => {
    const t = makeGpio();
    let pid = 0;
    let cid = 0;
    for (let i = 0; i < 4; i++) {
      pid |= t.r(0xfe0 + 4 * i, 1) << (8 * i);
      cid |= t.r(0xff0 + 4 * i, 1) << (8 * i);
    }
    expect(pid & 0xfffff).toBe(0x41061);
    expect(cid >>> 0).toBe(0xb105f00d);
  });

  it.each([
    ['GPIODIR', DIR],
    ['GPIOIS', IS],
    ['GPIOIBE', IBE],
    ['GPIOIEV', IEV],
    ['GPIOIE', IE],
    ['GPIOAFSEL', AFSEL],
  ])('%s is 8 bits wide, read/write', (_n, off) => {
    const t = makeGpio(VMAPPLE);
    for (const v of [0xffffffff, 0, 0xa5, 0x5a3c]) {
      t.w(off, v);
      expect(t.r(off)).toBe(v & 0xff);
    }
  });

  it('undriven lines follow the pulls: vmapple (and the default) reads 0, pull-ups read 1', () => {
    expect(makeGpio(VMAPPLE).r(DATA_ALL)).toBe(0x00);
    expect(makeGpio().r(DATA_ALL)).toBe(0x00);
    expect(makeGpio({ pullUps: 0xff, pullDowns: 0x00 }).r(DATA_ALL)).toBe(0xff);
    expect(makeGpio({ pullUps: 0x81 }).r(DATA_ALL)).toBe(0x81); // pull-downs default to the other lines
    expect(makeGpio({ pullUps: 0x0f, pullDowns: 0xf0 }).r(DATA_ALL)).toBe(0x0f);
  });

  it('GPIORIS, GPIOMIS and the ID registers are read-only; GPIOIC is write-only', () => {
    const t = makeGpio(VMAPPLE);
    for (const off of [RIS, MIS, 0xfe0, 0xffc]) {
      const before = t.r(off);
      t.w(off, 0xff);
      expect(t.r(off)).toBe(before);
    }
    expect(t.r(IC)).toBe(0);
    expect(t.errors).toHaveLength(5);
    expect(t.r(0x424)).toBe(0);
    expect(t.r(0x800)).toBe(0);
    expect(t.errors).toHaveLength(7);
  });

  it.each([
    [{ pullUps: 0x01, pullDowns: 0x01 }, 'pullDowns'],
    [{ pullUps: 0x100 }, 'pullUps'],
    [{ pullDowns: -1 }, 'pullDowns'],
  ])('bad option %o throws ConfigError naming %s', (opts, prop) => {
    let err: unknown;
    try {
      new Pl061(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).property).toBe(prop);
  });

  it('setInput rejects lines outside 0..7', () => {
    const t = makeGpio();
    expect(() => t.gpio.setInput(8, true)).toThrow(RangeError);
    expect(() => t.gpio.setInput(-1, true)).toThrow(RangeError);
    expect(() => t.gpio.getLevel(1.5)).toThrow(RangeError);
    t.gpio.setInput(5, true);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((l) => t.gpio.getLevel(l))).toEqual([false, false, false, false, false, true, false, false]);
  });
});

describe('PL061 GPIODATA address masking (TRM 3.3.1: bits [9:2] of the address)', () => {
  it('reads return only the bits selected by the address', () => {
    const t = makeGpio(VMAPPLE);
    for (const [line, level] of [[0, true], [3, true], [5, true], [7, true]] as const) t.gpio.setInput(line, level);
    const pins = 0b1010_1001;
    for (let mask = 0; mask < 256; mask++) expect(t.r(mask << 2, 1)).toBe(pins & mask);
  });

  it('writes change only the output bits selected by the address', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 })), { maxLength: 30 }), (writes) => {
        const t = makeGpio(VMAPPLE);
        t.w(DIR, 0xff);
        let expected = 0;
        for (const [mask, value] of writes) {
          t.w(mask << 2, value, 1);
          expected = (expected & ~mask) | (value & mask);
          expect(t.r(DATA_ALL)).toBe(expected);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('input lines read the host level, output lines the data register', () => {
    const t = makeGpio(VMAPPLE);
    t.w(DIR, 0x0f);
    t.w(DATA_ALL, 0x05);
    t.gpio.setInput(0, false); // driven by the host, but the line is an output
    t.gpio.setInput(4, true);
    expect(t.r(DATA_ALL)).toBe(0x15);
    t.w(DIR, 0x00); // all inputs: line 0 follows the host, line 2 is undriven (pulled down)
    expect(t.r(DATA_ALL)).toBe(0x10);
    t.gpio.setInput(4, null);
    expect(t.r(DATA_ALL)).toBe(0x00);
    t.w(DIR, 0x04); // line 2 drives the data register's value again
    expect(t.r(DATA_ALL)).toBe(0x04);
  });

  it('onOutput reports output lines when they become outputs and when their level changes', () => {
    const t = makeGpio(VMAPPLE);
    t.w(0x3fc, 0x01);
    expect(t.outputs).toEqual([]); // no outputs yet
    t.w(DIR, 0x03);
    expect(t.outputs).toEqual([
      [0, true],
      [1, false],
    ]);
    t.outputs.length = 0;
    t.w(0x02 << 2, 0xff); // only line 1 selected
    t.w(0x02 << 2, 0xff); // no change
    t.w(0x04 << 2, 0xff); // line 2 is an input
    expect(t.outputs).toEqual([[1, true]]);
  });
});

// Interrupt sense table (TRM 3.3.3-3.3.5): IS=1 level (IEV: 1 high, 0 low); IS=0 edge
// (IBE=1 both edges, else IEV: 1 rising, 0 falling).
const SENSE: [mode: string, is: number, ibe: number, iev: number, seq: boolean[], ris: number[]][] = [
  ['falling edge', 0, 0, 0, [true, false, true], [0, 1, 1]],
  ['rising edge', 0, 0, 1, [true, false, true], [1, 1, 1]],
  ['both edges', 0, 1, 0, [true, false], [1, 1]],
  ['high level', 1, 0, 1, [true, false, true], [1, 0, 1]],
  ['low level', 1, 0, 0, [true, false, true], [0, 1, 0]],
];

describe('PL061 interrupts', () => {
  it.each(SENSE)('%s: RIS after each input change (latched edges stay until GPIOIC)', (_m, is, ibe, iev, seq, ris) => {
    const t = makeGpio(VMAPPLE);
    t.w(IS, is << 6);
    t.w(IBE, ibe << 6);
    t.w(IEV, iev << 6);
    t.w(IE, 0x40);
    seq.forEach((level, i) => {
      t.gpio.setInput(6, level);
      expect(t.r(RIS) >> 6).toBe(ris[i]);
      expect(t.probe.level).toBe(ris[i] === 1);
    });
  });

  it('GPIOIC clears latched edges but not a level condition', () => {
    const t = makeGpio(VMAPPLE);
    t.w(IBE, 0x01);
    t.w(IS, 0x02);
    t.w(IEV, 0x02);
    t.gpio.setInput(0, true);
    t.gpio.setInput(1, true);
    expect(t.r(RIS)).toBe(0x03);
    t.w(IC, 0xff);
    expect(t.r(RIS)).toBe(0x02);
    t.gpio.setInput(1, false);
    expect(t.r(RIS)).toBe(0x00);
  });

  it('GPIOMIS = GPIORIS & GPIOIE and the line follows it', () => {
    const t = makeGpio(VMAPPLE);
    t.w(IBE, 0xff);
    t.gpio.setInput(2, true);
    t.gpio.setInput(5, true);
    expect(t.r(MIS)).toBe(0);
    expect(t.probe.level).toBe(false);
    t.w(IE, 0x20);
    expect(t.r(MIS)).toBe(0x20);
    expect(t.probe.level).toBe(true);
    t.w(IC, 0x20);
    expect(t.probe.level).toBe(false);
    expect(t.r(RIS)).toBe(0x04);
  });

  it('only input lines latch edges: output writes and direction switches do not (as in QEMU)', () => {
    const t = makeGpio(VMAPPLE);
    t.w(IBE, 0xff);
    t.w(DIR, 0x80);
    t.w(0x80 << 2, 0x80); // output line 7 rises
    expect(t.r(RIS)).toBe(0);
    t.gpio.setInput(6, true); // driven while still an input: that is an edge
    expect(t.r(RIS)).toBe(0x40);
    t.w(IC, 0xff);
    t.w(DIR, 0x00); // line 7 turns input and falls to its pull-down
    expect(t.r(RIS)).toBe(0);
    t.gpio.setInput(7, true);
    expect(t.r(RIS)).toBe(0x80);
  });

  it('level sensing applies to output lines too (the pin level is the output value)', () => {
    const t = makeGpio(VMAPPLE);
    t.w(DIR, 0x40);
    t.w(IS, 0x40);
    t.w(IEV, 0x40);
    expect(t.r(RIS)).toBe(0);
    t.w(0x40 << 2, 0x40);
    expect(t.r(RIS)).toBe(0x40);
  });

  it('Linux gpio-keys on line 3: a host power-button press and release reach the guest', () => {
    const clock = new VirtualClock();
    const t = makeGpio(VMAPPLE);
    // gpio-pl061 probe (byte accesses throughout): interrupts off.
    t.w(IE, 0, 1);
    // gpio-keys: line 3 as input, IRQ_TYPE_EDGE_BOTH, unmasked.
    t.w(DIR, t.r(DIR, 1) & ~0x08, 1);
    t.w(IS, t.r(IS, 1) & ~0x08, 1);
    t.w(IBE, t.r(IBE, 1) | 0x08, 1);
    t.w(IE, t.r(IE, 1) | 0x08, 1);
    expect(t.probe.level).toBe(false);
    const events: number[] = [];
    const handler = () => {
      // pl061_irq_handler: GPIOMIS, then ack each line through GPIOIC; gpio-keys reads the line.
      const pending = t.r(MIS, 1);
      for (let line = 0; line < 8; line++) {
        if (pending & (1 << line)) {
          t.w(IC, 1 << line, 1);
          events.push(t.r(1 << (line + 2), 1) ? 1 : 0);
        }
      }
    };
    // The board's gpio-key helper: high on a power-down request, low again 100 ms later (spec §1.10).
    const release = clock.createTimer(() => t.gpio.setInput(3, false));
    t.gpio.setInput(3, true);
    release.armIn(100e6);
    expect(t.probe.level).toBe(true);
    handler();
    expect(t.probe.level).toBe(false);
    clock.advance(100e6);
    clock.runDue();
    expect(t.probe.level).toBe(true);
    handler();
    expect(t.probe.level).toBe(false);
    expect(events).toEqual([1, 0]); // KEY_POWER down, then up
    expect(t.errors).toHaveLength(0);
  });
});

describe('PL061 properties (fast-check)', () => {
  const step = fc.oneof(
    fc.record({
      kind: fc.constant('mmio' as const),
      write: fc.boolean(),
      offset: fc.oneof(fc.integer({ min: 0, max: 0x108 }).map((i) => i * 4), fc.integer({ min: 0, max: 0xfff })),
      size: fc.constantFrom(1, 2, 4),
      value: fc.nat({ max: 0xffffffff }),
    }),
    fc.record({ kind: fc.constant('pin' as const), line: fc.nat({ max: 7 }), level: fc.constantFrom(true, false, null) }),
  );

  it('random accesses never throw; MIS == RIS & IE; irq == (MIS != 0); level lines report their condition', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const t = makeGpio(VMAPPLE);
        for (const s of steps) {
          if (s.kind === 'pin') t.gpio.setInput(s.line, s.level);
          else {
            const off = s.offset - (s.offset % s.size);
            if (s.write) t.w(off, s.value % 2 ** (8 * s.size), s.size);
            else t.r(off, s.size);
          }
          const ris = t.r(RIS);
          expect(t.r(MIS)).toBe(ris & t.r(IE));
          expect(t.probe.level).toBe(t.r(MIS) !== 0);
          const is = t.r(IS);
          const pins = t.r(DATA_ALL);
          expect(ris & is).toBe(~(pins ^ t.r(IEV)) & is & 0xff);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('saveState/restoreState: the copy behaves like the original from then on', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.array(step, { maxLength: 40 }), (before, after) => {
        const a = makeGpio(VMAPPLE);
        const run = (t: ReturnType<typeof makeGpio>, steps: typeof before) => {
          const seen: number[] = [];
          for (const s of steps) {
            if (s.kind === 'pin') t.gpio.setInput(s.line, s.level);
            else {
              const off = s.offset - (s.offset % s.size);
              if (s.write) t.w(off, s.value % 2 ** (8 * s.size), s.size);
              else seen.push(t.r(off, s.size));
            }
            seen.push(t.r(RIS), t.probe.level ? 1 : 0);
          }
          return seen;
        };
        run(a, before);
        const b = makeGpio(VMAPPLE);
        b.gpio.restoreState(JSON.parse(JSON.stringify(a.gpio.saveState())));
        expect(b.probe.level).toBe(a.probe.level);
        a.outputs.length = 0;
        expect(run(b, after)).toEqual(run(a, after));
        expect(b.outputs).toEqual(a.outputs);
      }),
      { numRuns: 150 },
    );
  });
});
