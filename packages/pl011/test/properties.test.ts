import { VirtualClock } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pl011 } from '../src/index.js';
import * as T from './harness.js';

const FR_RXFE = 1 << 4;
const FR_TXFF = 1 << 5;
const FR_RXFF = 1 << 6;
const FR_TXFE = 1 << 7;

/** A random register access: any word offset in the window, any size the bus allows. */
const access = fc.record({
  write: fc.boolean(),
  offset: fc.oneof(
    fc.integer({ min: 0, max: 0x12 }).map((i) => i * 4),
    fc.integer({ min: 0, max: 0xfff }),
    fc.constantFrom(0xfe0, 0xfe8, 0xff0, 0xffc),
  ),
  size: fc.constantFrom(1, 2, 4),
  value: fc.nat({ max: 0xffffffff }),
});

const step = fc.oneof(
  { weight: 6, arbitrary: access.map((a) => ({ kind: 'mmio' as const, ...a })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ kind: 'rx' as const, bytes })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2e6 }).map((ns) => ({ kind: 'time' as const, ns })) },
  { weight: 1, arbitrary: fc.record({ cts: fc.boolean(), dsr: fc.boolean(), dcd: fc.boolean(), ri: fc.boolean() }).map((m) => ({ kind: 'modem' as const, m })) },
);

describe('PL011 register interface (fast-check)', () => {
  it('random accesses never throw, MIS == RIS & IMSC, irq == (MIS != 0), UARTFR consistent', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 80 }), (honourEnable, steps) => {
        const clock = new VirtualClock();
        const t = T.makeUart({ honourEnable }, clock);
        for (const s of steps) {
          if (s.kind === 'mmio') {
            const off = s.offset - (s.offset % s.size);
            if (s.write) t.w(off, s.value & (s.size === 4 ? 0xffffffff : (1 << (8 * s.size)) - 1), s.size);
            else t.r(off, s.size);
          } else if (s.kind === 'rx') {
            const n = t.uart.receive(s.bytes);
            expect(n).toBeGreaterThanOrEqual(0);
            expect(n).toBeLessThanOrEqual(s.bytes.length);
          } else if (s.kind === 'time') {
            clock.advance(s.ns);
            clock.runDue();
          } else {
            t.uart.setModemInputs(s.m);
          }
          const ris = t.r(T.RIS);
          const imsc = t.r(T.IMSC);
          const mis = t.r(T.MIS);
          expect(mis).toBe(ris & imsc);
          expect(t.probe.level).toBe(mis !== 0);
          const fr = t.r(T.FR);
          expect(fr & ~0x1ff).toBe(0);
          expect(fr & FR_RXFE && fr & FR_RXFF).toBeFalsy();
          expect(fr & FR_TXFE && fr & FR_TXFF).toBeFalsy();
          if (!honourEnable) expect(fr & FR_TXFE).toBe(FR_TXFE);
        }
        expect(t.bus.status).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('back-pressure: every input byte reaches the guest exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        (input, chunks, bursts, fifo) => {
          // The host side: offer chunks, keep what was refused, retry on onReceiveSpace.
          let sent = 0;
          let chunkIx = 0;
          let spaceCalls = 0;
          const t = T.makeUart({
            onReceiveSpace: () => {
              spaceCalls++;
              pump();
            },
          });
          const pump = () => {
            while (sent < input.length) {
              const n = Math.min(chunks[chunkIx++ % chunks.length]!, input.length - sent);
              const took = t.uart.receive(input.subarray(sent, sent + n));
              sent += took;
              if (took < n) return;
            }
          };
          if (fifo) t.w(T.LCR_H, 0x70);
          pump();
          // The guest: read bursts of random length until it has everything.
          const got: number[] = [];
          for (let round = 0; got.length < input.length && round < 100_000; round++) {
            const burst = bursts[round % bursts.length]!;
            for (let i = 0; i < burst && !(t.r(T.FR) & FR_RXFE); i++) got.push(t.r(T.DR) & 0xff);
          }
          expect(got).toEqual(Array.from(input));
          expect(t.r(T.RSR)).toBe(0); // never an overrun
          expect(spaceCalls).toBeLessThanOrEqual(input.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('saveState/restoreState: the copy behaves like the original from then on', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.array(step, { maxLength: 40 }), (before, after) => {
        const clockA = new VirtualClock();
        const a = T.makeUart({}, clockA);
        const run = (t: ReturnType<typeof T.makeUart>, clock: VirtualClock, steps: typeof before) => {
          const reads: number[] = [];
          for (const s of steps) {
            if (s.kind === 'mmio') {
              const off = s.offset - (s.offset % s.size);
              if (s.write) t.w(off, s.value & (s.size === 4 ? 0xffffffff : (1 << (8 * s.size)) - 1), s.size);
              else reads.push(t.r(off, s.size));
            } else if (s.kind === 'rx') reads.push(t.uart.receive(s.bytes));
            else if (s.kind === 'time') {
              clock.advance(s.ns);
              clock.runDue();
            } else t.uart.setModemInputs(s.m);
            reads.push(t.probe.level ? 1 : 0);
          }
          return reads;
        };
        run(a, clockA, before);
        const json = JSON.parse(JSON.stringify(a.uart.saveState()));
        const clockB = new VirtualClock();
        clockB.setNow(clockA.now());
        const b = T.makeUart({}, clockB);
        b.uart.restoreState(json);
        expect(b.probe.level).toBe(a.probe.level);
        const txA = a.tx.length;
        expect(run(b, clockB, after)).toEqual(run(a, clockA, after));
        expect(b.tx).toEqual(a.tx.slice(txA));
      }),
      { numRuns: 150 },
    );
  });

  it('restoreState refuses state of another device or a newer version', () => {
    const u = new Pl011();
    const s = u.saveState();
    expect(() => u.restoreState({ ...s, type: 'pl031' })).toThrow();
    expect(() => u.restoreState({ ...s, version: 99 })).toThrow();
  });
});
