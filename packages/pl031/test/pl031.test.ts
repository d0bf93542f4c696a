import { AddressSpace, ConfigError, IrqProbe, Log, type LogEntry, VirtualClock } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pl031, type Pl031Options } from '../src/index.js';

const BASE = 0x2005_0000; // spec §1.2
// Offsets from the TRM register summary (DDI 0224, table 3-1).
const DR = 0x000;
const MR = 0x004;
const LR = 0x008;
const CR = 0x00c;
const IMSC = 0x010;
const RIS = 0x014;
const MIS = 0x018;
const ICR = 0x01c;
const SECOND = 1e9;

/** 2026-11-25 12:00:00 UTC, computed by the JavaScript Date (an independent oracle for the epoch). */
const EPOCH = Date.UTC(2026, 10, 25, 12, 0, 0) / 1000;

function makeRtc(options: Pl031Options = {}) {
  const clock = options.clock ?? new VirtualClock();
  const errors: LogEntry[] = [];
  const log = new Log((e) => e.kind === 'guest-error' && errors.push(e));
  const rtc = new Pl031({ log, clock, ...options });
  const bus = new AddressSpace({ unmapped: 'fault' });
  bus.mapMmio(BASE, rtc.region);
  const probe = new IrqProbe();
  rtc.irq.connect(probe);
  const advance = (ns: number) => {
    clock.advance(ns);
    clock.runDue();
  };
  return {
    rtc,
    bus,
    clock,
    probe,
    errors,
    advance,
    r: (off: number, size = 4) => bus.read(BASE + off, size),
    w: (off: number, v: number, size = 4) => bus.write(BASE + off, size, v),
  };
}

// Reset values from the TRM (DDI 0224 table 3-1 and section 3.3.8 for the IDs). The
// revision nibble of RTCPeriphID2 (0x14: revision 1) is the one QEMU's model reports
// (checked in qemu-oracle.test.ts) and other public PL031 models use (0x00141031).
const RESET_TABLE: [string, number, number][] = [
  ['RTCMR', MR, 0],
  ['RTCLR', LR, 0],
  ['RTCCR', CR, 0],
  ['RTCIMSC', IMSC, 0],
  ['RTCRIS', RIS, 0],
  ['RTCMIS', MIS, 0],
  ['RTCPeriphID0', 0xfe0, 0x31],
  ['RTCPeriphID1', 0xfe4, 0x10],
  ['RTCPeriphID2', 0xfe8, 0x14],
  ['RTCPeriphID3', 0xfec, 0x00],
  ['RTCPCellID0', 0xff0, 0x0d],
  ['RTCPCellID1', 0xff4, 0xf0],
  ['RTCPCellID2', 0xff8, 0x05],
  ['RTCPCellID3', 0xffc, 0xb1],
];

describe('PL031 registers (TRM tables)', () => {
  it.each(RESET_TABLE)('%s resets to %i', (_n, off, value) => {
    const t = makeRtc({ startTime: EPOCH });
    expect(t.r(off)).toBe(value);
    expect(t.errors).toHaveLength(0);
  });

  it('AMBA probing sees id 0x00041031 (rtc-pl031 matches under mask 0x000fffff) and 0xB105F00D', () => {
    const t = makeRtc();
    let pid = 0;
    let cid = 0;
    for (let i = 0; i < 4; i++) {
      pid |= t.r(0xfe0 + 4 * i) << (8 * i);
      cid |= t.r(0xff0 + 4 * i) << (8 * i);
    }
    expect(pid & 0xfffff).toBe(0x41031);
    expect(cid >>> 0).toBe(0xb105f00d);
  });

  it.each([
    ['RTCMR', MR, 0xffffffff],
    ['RTCLR', LR, 0xffffffff],
    ['RTCIMSC', IMSC, 0x1],
  ])('%s keeps exactly its defined bits', (_n, off, mask) => {
    const t = makeRtc();
    for (const v of [0xffffffff, 0, 0x5a5a5a5a, 0xa5a5a5a5]) {
      t.w(off, v);
      expect(t.r(off)).toBe((v & mask) >>> 0);
    }
  });

  it('RTCCR.RTCStart: once set, writes have no effect until reset', () => {
    const t = makeRtc();
    t.w(CR, 0xfffffffe);
    expect(t.r(CR)).toBe(0);
    t.w(CR, 1);
    expect(t.r(CR)).toBe(1);
    t.w(CR, 0);
    expect(t.r(CR)).toBe(1);
    t.rtc.reset();
    expect(t.r(CR)).toBe(0);
  });

  it.each([
    ['RTCDR', DR],
    ['RTCRIS', RIS],
    ['RTCMIS', MIS],
    ['RTCPeriphID0', 0xfe0],
  ])('%s is read-only: writes change nothing and are guest errors', (_n, off) => {
    const t = makeRtc({ startTime: EPOCH });
    const before = t.r(off);
    t.w(off, 0x1234);
    expect(t.r(off)).toBe(before);
    expect(t.errors).toHaveLength(1);
  });

  it('RTCICR is write-only; unknown offsets read 0; writes inside a register are refused', () => {
    const t = makeRtc({ startTime: EPOCH });
    expect(t.r(ICR)).toBe(0);
    expect(t.r(0x020)).toBe(0);
    t.w(0x800, 1);
    t.w(LR + 1, 0x12, 1);
    expect(t.r(LR)).toBe(0);
    expect(t.errors).toHaveLength(4);
    expect(t.r(0xfe0, 1)).toBe(0x31); // byte reads are fine
  });

  it('a narrow write at a register start writes the zero-extended value', () => {
    const t = makeRtc({ startTime: EPOCH });
    t.w(MR, 0xffffffff);
    t.w(MR, 0xabcd, 2);
    expect(t.r(MR)).toBe(0xabcd);
    t.w(LR, 0x12, 1);
    expect(t.r(DR)).toBe(0x12);
  });

  it.each([
    [{ startTime: -1 }],
    [{ startTime: 2 ** 32 }],
    [{ startTime: 1.5 }],
    [{ name: 'n'.repeat(100) }],
  ])('bad option %o throws ConfigError', (opts) => {
    expect(() => new Pl031(opts)).toThrow(ConfigError);
  });
});

describe('PL031 counting', () => {
  it('starts at the host epoch and counts whole seconds of virtual time', () => {
    const t = makeRtc({ startTime: EPOCH });
    expect(t.r(DR)).toBe(EPOCH);
    t.advance(90.5 * SECOND);
    expect(t.r(DR)).toBe(EPOCH + 90);
    // What `date` in the guest would print, decoded with the host's Date:
    expect(new Date(t.r(DR) * 1000).toISOString()).toBe('2026-11-25T12:01:30.000Z');
  });

  it('the epoch is taken at the clock time the device is created', () => {
    const clock = new VirtualClock();
    clock.advance(7.2 * SECOND);
    const t = makeRtc({ clock, startTime: 1000 });
    expect(t.r(DR)).toBe(1000);
    t.advance(0.8 * SECOND); // 8.0 s on the clock, but only 0.8 s since creation
    expect(t.r(DR)).toBe(1000);
    t.advance(0.2 * SECOND);
    expect(t.r(DR)).toBe(1001);
  });

  it('without a clock the counter stands still at startTime', () => {
    const rtc = new Pl031({ startTime: 42 });
    expect(rtc.region.handler.read(DR, 4)).toBe(42);
  });

  it('writing RTCLR sets the counter at once; it counts on at the free-running 1 Hz ticks; RTCLR reads back', () => {
    const t = makeRtc({ startTime: EPOCH });
    t.advance(0.6 * SECOND);
    t.w(LR, 1_000_000);
    expect(t.r(DR)).toBe(1_000_000);
    expect(t.r(LR)).toBe(1_000_000);
    t.advance(0.4 * SECOND - 1);
    expect(t.r(DR)).toBe(1_000_000);
    t.advance(1); // 1.0 s since power-on: the next CLK1HZ edge
    expect(t.r(DR)).toBe(1_000_001);
  });

  it('the counter wraps from 0xFFFFFFFF to 0', () => {
    const t = makeRtc();
    t.w(LR, 0xfffffffe);
    t.advance(2 * SECOND);
    expect(t.r(DR)).toBe(0);
  });

  it('reset keeps the time (battery-backed) but clears the registers', () => {
    const t = makeRtc({ startTime: EPOCH });
    t.w(MR, EPOCH + 3);
    t.w(IMSC, 1);
    t.advance(5 * SECOND);
    expect(t.probe.level).toBe(true);
    t.rtc.reset();
    expect(t.probe.level).toBe(false);
    expect(t.r(DR)).toBe(EPOCH + 5);
    expect(t.r(MR)).toBe(0);
  });
});

describe('PL031 match interrupt', () => {
  it('sets RTCRIS at the virtual second the counter reaches RTCMR; irq follows RTCIMSC', () => {
    const t = makeRtc({ startTime: EPOCH });
    t.w(MR, EPOCH + 5);
    t.w(IMSC, 1);
    t.advance(5 * SECOND - 1);
    expect(t.r(RIS)).toBe(0);
    expect(t.probe.level).toBe(false);
    t.advance(1);
    expect(t.r(RIS)).toBe(1);
    expect(t.r(MIS)).toBe(1);
    expect(t.probe.level).toBe(true);
    t.w(IMSC, 0);
    expect(t.probe.level).toBe(false);
    expect(t.r(RIS)).toBe(1);
    t.w(ICR, 1);
    expect(t.r(RIS)).toBe(0);
  });

  it('the timer deadline is the exact 1 Hz tick, also after an RTCLR between ticks', () => {
    const t = makeRtc();
    t.advance(0.25 * SECOND);
    t.w(LR, 100);
    t.w(MR, 102);
    expect(t.clock.nextDeadline()).toBe(2 * SECOND);
  });

  it('RTCMR equal to the counter matches at once (also via RTCLR)', () => {
    const t = makeRtc({ startTime: EPOCH });
    t.w(MR, EPOCH);
    expect(t.r(RIS)).toBe(1);
    t.w(ICR, 1);
    t.w(MR, 77);
    t.w(LR, 77);
    expect(t.r(RIS)).toBe(1);
  });

  it('after reset no match is armed (no far-future deadline for an idle runner)', () => {
    const t = makeRtc({ startTime: EPOCH });
    expect(t.clock.nextDeadline()).toBe(Infinity);
    t.w(MR, EPOCH + 100);
    expect(t.clock.nextDeadline()).toBe(100 * SECOND);
    t.rtc.reset();
    expect(t.clock.nextDeadline()).toBe(Infinity);
  });

  it('RTCMR behind the counter matches after the wrap-around, not now', () => {
    const t = makeRtc();
    t.w(LR, 0xfffffffd);
    t.w(MR, 1);
    t.advance(3 * SECOND);
    expect(t.r(RIS)).toBe(0);
    t.advance(1 * SECOND);
    expect(t.r(RIS)).toBe(1);
  });

  it("Linux rtc-pl031: probe starts the RTC, reads the time, sets an alarm, handles the interrupt", () => {
    const t = makeRtc({ startTime: EPOCH });
    // probe: enable if not enabled
    const cr = t.r(CR);
    if (!(cr & 1)) t.w(CR, cr | 1);
    expect(t.r(CR) & 1).toBe(1);
    // read_time: seconds since 1970 from RTCDR
    t.advance(12 * SECOND);
    expect(new Date(t.r(DR) * 1000).toISOString()).toBe('2026-11-25T12:00:12.000Z');
    // set_alarm (rtcwake -s 10): RTCMR, then alarm_irq_enable → RTCIMSC bit 0
    t.w(MR, t.r(DR) + 10);
    t.w(ICR, 1);
    t.w(IMSC, 1);
    t.advance(10 * SECOND);
    expect(t.probe.level).toBe(true);
    // interrupt handler: RTCMIS, acknowledge through RTCICR
    expect(t.r(MIS) & 1).toBe(1);
    t.w(ICR, 1);
    expect(t.probe.level).toBe(false);
    expect(t.errors).toHaveLength(0);
  });
});

describe('PL031 properties (fast-check)', () => {
  const step = fc.oneof(
    fc.record({
      kind: fc.constant('mmio' as const),
      write: fc.boolean(),
      offset: fc.oneof(fc.integer({ min: 0, max: 8 }).map((i) => i * 4), fc.integer({ min: 0, max: 0xffc })),
      size: fc.constantFrom(1, 2, 4),
      value: fc.nat({ max: 0xffffffff }),
    }),
    fc.record({ kind: fc.constant('time' as const), ns: fc.integer({ min: 0, max: 5 * SECOND }) }),
  );

  it('random accesses never throw; MIS == RIS & IMSC; irq == (MIS != 0); RTCDR follows RTCLR and time', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.array(step, { maxLength: 60 }), (start, steps) => {
        const t = makeRtc({ startTime: start });
        // Reference: the last loaded value plus the 1 Hz ticks (whole seconds since power-on) since the load.
        let loaded = start;
        let loadedAt = 0;
        for (const s of steps) {
          if (s.kind === 'time') t.advance(s.ns);
          else {
            const off = s.offset - (s.offset % s.size);
            if (s.write) {
              t.w(off, s.value % 2 ** (8 * s.size), s.size);
              if (off === LR) {
                loaded = s.value % 2 ** (8 * s.size);
                loadedAt = Math.floor(t.clock.now() / SECOND); // the 1 Hz tick it was loaded in
              }
            } else t.r(off, s.size);
          }
          expect(t.r(MIS)).toBe(t.r(RIS) & t.r(IMSC));
          expect(t.probe.level).toBe(t.r(MIS) !== 0);
          expect(t.r(DR)).toBe((loaded + Math.floor(t.clock.now() / SECOND) - loadedAt) % 2 ** 32);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the match fires exactly when the counter first equals RTCMR', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: SECOND - 1 }), (start, ahead, phase) => {
        const t = makeRtc({ startTime: start });
        t.advance(phase);
        t.w(MR, (start + ahead) % 2 ** 32);
        for (let s = 0; s < ahead + 2; s++) {
          expect(t.r(RIS)).toBe(t.r(DR) === (start + ahead) % 2 ** 32 || s > ahead ? 1 : 0);
          t.advance(SECOND);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('saveState/restoreState reproduces time, registers and the pending match', () => {
    const a = makeRtc({ startTime: EPOCH });
    a.w(IMSC, 1);
    a.w(MR, EPOCH + 10);
    a.advance(3.5 * SECOND);
    const state = JSON.parse(JSON.stringify(a.rtc.saveState()));
    const clock = new VirtualClock();
    clock.setNow(a.clock.now());
    const b = makeRtc({ clock, startTime: 0 });
    b.rtc.restoreState(state);
    expect(b.r(DR)).toBe(EPOCH + 3);
    expect(b.r(MR)).toBe(EPOCH + 10);
    b.advance(6.5 * SECOND - 1);
    expect(b.probe.level).toBe(false);
    b.advance(1);
    expect(b.probe.level).toBe(true);
    expect(() => b.rtc.restoreState({ ...state, type: 'pl011' })).toThrow();
  });
});
