import { AddressSpace, BusStatus, ConfigError, Log, type LogEntry } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pvpanic, type PvpanicEvent, type PvpanicOptions } from '../src/index.js';

const BASE = 0x2007_0000; // spec §1.2

function makePanic(options: PvpanicOptions = {}) {
  const errors: LogEntry[] = [];
  const log = new Log((e) => e.kind === 'guest-error' && errors.push(e));
  const events: PvpanicEvent[] = [];
  const dev = new Pvpanic({ log, onEvent: (e) => events.push(e), ...options });
  const bus = new AddressSpace({ unmapped: 'fault' });
  bus.mapMmio(BASE, dev.region);
  return { dev, bus, events, errors };
}

// Spec §6 write table: the first matching bit in the order PANICKED (0x01),
// CRASH_LOADED (0x02), SHUTDOWN (0x04) acts; other bits are logged once.
const WRITE_TABLE: [value: number, event: PvpanicEvent | null][] = [
  [0x00, null],
  [0x01, 'panicked'],
  [0x02, 'crash-loaded'],
  [0x03, 'panicked'],
  [0x04, 'shutdown'],
  [0x05, 'panicked'],
  [0x06, 'crash-loaded'],
  [0x07, 'panicked'],
  [0x08, null],
  [0x0c, 'shutdown'],
  [0xff, 'panicked'],
];

/** The spec's rule, written independently for the property test. */
function expectedEvent(v: number): PvpanicEvent | null {
  if (v & 1) return 'panicked';
  if (v & 2) return 'crash-loaded';
  if (v & 4) return 'shutdown';
  return null;
}

describe('pvpanic-mmio (spec §6)', () => {
  it('reads return the advertised events at both byte offsets; 0x0303 as a 16-bit read by default', () => {
    const t = makePanic();
    expect(t.bus.read(BASE, 1)).toBe(0x03);
    expect(t.bus.read(BASE + 1, 1)).toBe(0x03);
    expect(t.bus.read(BASE, 2)).toBe(0x0303);
    expect(makePanic({ events: 0x07 }).bus.read(BASE, 1)).toBe(0x07);
    expect(makePanic({ events: 0 }).bus.read(BASE, 2)).toBe(0);
  });

  it.each(WRITE_TABLE)('writing 0x%s reports %s', (value, event) => {
    for (const offset of [0, 1]) {
      const t = makePanic();
      t.bus.write(BASE + offset, 1, value);
      expect(t.events).toEqual(event ? [event] : []);
      expect(t.errors).toHaveLength(value & ~7 ? 1 : 0);
    }
  });

  it('SHUTDOWN acts although the default mask does not advertise it', () => {
    const t = makePanic();
    expect(t.bus.read(BASE, 1) & 0x04).toBe(0);
    t.bus.write(BASE, 1, 0x04);
    expect(t.events).toEqual(['shutdown']);
  });

  it('a 16-bit store is handled as its low byte at offset 0, then its high byte at offset 1', () => {
    const t = makePanic();
    t.bus.write(BASE, 2, 0x0402);
    expect(t.events).toEqual(['crash-loaded', 'shutdown']);
  });

  it('unknown bits are logged once per device', () => {
    const t = makePanic();
    t.bus.write(BASE, 1, 0x10);
    t.bus.write(BASE, 1, 0x80);
    t.bus.write(BASE + 1, 1, 0x21);
    expect(t.errors).toHaveLength(1);
    expect(t.events).toEqual(['panicked']);
  });

  it('accesses beyond the 2-byte window or wider than 16 bits never reach the device', () => {
    const t = makePanic();
    t.bus.write(BASE, 4, 0x01010101);
    expect(t.bus.status).not.toBe(BusStatus.Ok);
    t.bus.write(BASE + 2, 1, 0x01);
    expect(t.bus.status).not.toBe(BusStatus.Ok);
    expect(t.events).toEqual([]);
  });

  it("Linux's pvpanic-mmio driver: probe reads the capabilities, a panic writes PANICKED", () => {
    const t = makePanic();
    const capability = t.bus.read(BASE, 1) & (0x01 | 0x02);
    expect(capability).toBe(0x03);
    t.bus.write(BASE, 1, 0x02); // kdump kernel loaded
    t.bus.write(BASE, 1, 0x01); // panic()
    expect(t.events).toEqual(['crash-loaded', 'panicked']);
  });

  it.each([[{ events: 8 }], [{ events: -1 }], [{ events: 1.5 }]])('bad option %o throws ConfigError', (opts) => {
    expect(() => new Pvpanic(opts)).toThrow(ConfigError);
  });

  it('random writes of any size never throw and report exactly the spec events (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.nat({ max: 1 }), size: fc.constantFrom(1, 2), value: fc.nat({ max: 0xffff }) }), { maxLength: 30 }),
        (writes) => {
          const t = makePanic();
          const expected: PvpanicEvent[] = [];
          for (const w of writes) {
            const offset = w.size === 2 ? 0 : w.offset;
            t.bus.write(BASE + offset, w.size, w.value % 2 ** (8 * w.size));
            const bytes = w.size === 2 ? [w.value & 0xff, w.value >> 8] : [w.value & 0xff];
            for (const b of bytes) {
              const e = expectedEvent(b);
              if (e) expected.push(e);
            }
            expect(t.bus.read(BASE + offset, w.size)).toBe(w.size === 2 ? 0x0303 : 0x03);
          }
          expect(t.events).toEqual(expected);
          expect(t.errors.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('saveState/restoreState keeps the logged-once flag', () => {
    const a = makePanic();
    a.bus.write(BASE, 1, 0x40);
    const b = makePanic();
    b.dev.restoreState(JSON.parse(JSON.stringify(a.dev.saveState())));
    b.bus.write(BASE, 1, 0x40);
    expect(b.errors).toHaveLength(0);
    expect(() => b.dev.restoreState({ type: 'pl011', version: 1, data: {} } as never)).toThrow();
  });
});
