import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ICC_ENCODINGS, type IccRegisterName } from '../src/index.js';
import { GICD_BASE, GICR_BASE, Rig } from './harness.js';

/**
 * Property-based fuzzing of the whole register interface: random MMIO
 * accesses of every width to both frames, random ICC_* accesses, input wire
 * changes, resets and snapshot round trips. After every step:
 * - nothing threw;
 * - an INTID just returned by ICC_IAR*_EL1 reads as active (never inactive and acknowledged);
 * - every processor's IRQ/FIQ output equals what an independent model computes
 *   from guest-visible registers only (pending, enabled, active, group,
 *   priority, IROUTER, GICD_CTLR, GICR_WAKER, PMR, BPR, RPR, IGRPEN);
 * - ICC_HPPIR0/1 name that model's highest-priority pending interrupt;
 * - ICC_RPR_EL1 is the group priority of the lowest set bit of AP0R0 | AP1R0.
 * At the end, every priority field (and PMR) has only the implemented bits.
 */

const CPUS_MAX = 3;
const NAMES = Object.keys(ICC_ENCODINGS) as IccRegisterName[];
const SIDE_EFFECT_READS = new Set<IccRegisterName>(['ICC_IAR0_EL1', 'ICC_IAR1_EL1']);

type Op =
  | { k: 'mmio'; frame: number; cpu: number; offset: number; size: 1 | 2 | 4 | 8; write: boolean; value: number; hi: number }
  | { k: 'sysreg'; cpu: number; name: number; write: boolean; value: number; hi: number }
  | { k: 'rawsys'; cpu: number; enc: number; write: boolean }
  | { k: 'spi'; n: number; level: boolean }
  | { k: 'ppi'; cpu: number; intid: number; level: boolean }
  | { k: 'reset' }
  | { k: 'snapshot' };

const distOffset = fc.oneof(
  fc.constantFrom(0x0, 0x4, 0x8, 0xc, 0x10, 0xffe8, 0xf00, 0xd04, 0x0800),
  fc.tuple(fc.constantFrom(0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380), fc.integer({ min: 0, max: 9 })).map(([b, w]) => b + 4 * w),
  fc.integer({ min: 0x400, max: 0x7ff }),
  fc.integer({ min: 0, max: 19 }).map((n) => 0xc00 + 4 * n),
  fc.integer({ min: 0, max: 300 }).map((id) => 0x6000 + 8 * id),
  fc.integer({ min: 0, max: 0xffff }),
);
const redistOffset = fc.oneof(
  fc.constantFrom(0x0, 0x4, 0x8, 0xc, 0x10, 0x14, 0x70, 0xffe8),
  fc.constantFrom(0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0xc00, 0xc04, 0xd00, 0xe00, 0x084).map((o) => 0x1_0000 + o),
  fc.integer({ min: 0x1_0400, max: 0x1_0427 }),
  fc.integer({ min: 0, max: 0x1_ffff }),
);
const u32 = fc.oneof(fc.nat({ max: 0xffff_ffff }), fc.constantFrom(0, 0xffff_ffff, 0xa0a0_a0a0, 0x13, 0x80, 0xf0), fc.integer({ min: 0, max: 300 }));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        frame: fc.integer({ min: 0, max: 1 }),
        cpu: fc.integer({ min: 0, max: CPUS_MAX - 1 }),
        d: distOffset,
        r: redistOffset,
        size: fc.constantFrom(1, 2, 4, 4, 4, 8) as fc.Arbitrary<1 | 2 | 4 | 8>,
        write: fc.boolean(),
        value: u32,
        hi: u32,
      })
      .map(({ frame, cpu, d, r, size, write, value, hi }): Op => {
        const raw = frame === 0 ? d : r;
        return { k: 'mmio', frame, cpu, offset: raw - (raw % size), size, write, value, hi };
      }),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        cpu: fc.integer({ min: 0, max: CPUS_MAX - 1 }),
        name: fc.integer({ min: 0, max: NAMES.length - 1 }),
        write: fc.boolean(),
        value: u32,
        hi: fc.oneof(fc.constant(0), fc.constant(0x100), u32),
      })
      .map((r): Op => ({ k: 'sysreg', ...r })),
  },
  { weight: 1, arbitrary: fc.record({ cpu: fc.integer({ min: -1, max: CPUS_MAX }), enc: fc.nat({ max: 0xffff }), write: fc.boolean() }).map((r): Op => ({ k: 'rawsys', ...r })) },
  { weight: 3, arbitrary: fc.record({ n: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 })), level: fc.boolean() }).map((r): Op => ({ k: 'spi', ...r })) },
  {
    weight: 2,
    arbitrary: fc.record({ cpu: fc.integer({ min: 0, max: CPUS_MAX - 1 }), intid: fc.integer({ min: 16, max: 31 }), level: fc.boolean() }).map((r): Op => ({ k: 'ppi', ...r })),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ k: 'reset' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ k: 'snapshot' }) },
);

function apply(g: Rig, op: Op): void {
  switch (op.k) {
    case 'mmio': {
      const cpu = op.cpu % g.cpus;
      const addr = op.frame === 0 ? GICD_BASE + op.offset : GICR_BASE + cpu * 0x2_0000 + op.offset;
      if (op.size === 8) {
        if (op.write) g.bus.write64(addr, (BigInt(op.hi) << 32n) | BigInt(op.value));
        else g.bus.read64(addr);
      } else if (op.write) {
        g.bus.write(addr, op.size, op.value);
      } else {
        g.bus.read(addr, op.size);
      }
      return;
    }
    case 'sysreg': {
      const cpu = op.cpu % g.cpus;
      const name = NAMES[op.name]!;
      if (op.write) {
        g.msr(cpu, name, (BigInt(op.hi) << 32n) | BigInt(op.value));
      } else {
        const v = g.mrs(cpu, name);
        if (SIDE_EFFECT_READS.has(name) && v !== undefined && v < 1020) {
          // Never acknowledged-and-inactive.
          const active = v < 32 ? g.s(cpu, 0x300) : g.d(0x300 + 4 * (v >>> 5));
          expect((active >>> (v & 31)) & 1, `INTID ${v} acknowledged on CPU ${cpu} but not active`).toBe(1);
        }
      }
      return;
    }
    case 'rawsys': {
      const out = { lo: 0, hi: 0 };
      if (op.write) g.gic.writeSysreg(op.cpu, op.enc, 0xffff_ffff, 0xffff_ffff);
      else g.gic.readSysreg(op.cpu, op.enc, out);
      return;
    }
    case 'spi':
      g.gic.setInput(op.n, op.level);
      return;
    case 'ppi':
      g.gic.setPpi(op.cpu % g.cpus, op.intid, op.level);
      return;
    case 'reset':
      g.gic.reset();
      return;
    case 'snapshot': {
      const before = g.irq.map((p) => p.level);
      g.gic.restoreState(JSON.parse(JSON.stringify(g.gic.saveState())));
      expect(g.irq.map((p) => p.level)).toEqual(before);
      return;
    }
  }
}

/** The independent model: what each processor should see, from guest-visible registers only. */
function checkOutputs(g: Rig): void {
  const dctlr = g.d(0x0);
  const cpus = g.cpus;
  const awake = [...Array(cpus).keys()].map((c) => (g.r(c, 0x14) & 2) === 0);
  const en0 = [...Array(cpus).keys()].map((c) => g.mrs(c, 'ICC_IGRPEN0_EL1') === 1);
  const en1 = [...Array(cpus).keys()].map((c) => g.mrs(c, 'ICC_IGRPEN1_EL1') === 1);
  // SPI words, shared.
  const spi = { pend: [0], en: [0], act: [0], grp: [0] };
  for (let w = 1; w < 9; w++) {
    spi.pend.push(g.d(0x200 + 4 * w));
    spi.en.push(g.d(0x100 + 4 * w));
    spi.act.push(g.d(0x300 + 4 * w));
    spi.grp.push(g.d(0x080 + 4 * w));
  }
  const targetOf = (id: number, group: number): number => {
    const r = g.d(0x6000 + 8 * id);
    if (r & 0x8000_0000) {
      for (let c = 0; c < cpus; c++) if (awake[c] && (group ? en1[c] : en0[c])) return c;
      return -1;
    }
    const aff0 = r & 0xff;
    const aff1 = (r >>> 8) & 0xff;
    if ((r >>> 16) & 0xff || aff0 >= 16) return -1;
    return aff1 * 16 + aff0 < cpus ? aff1 * 16 + aff0 : -1;
  };
  for (let c = 0; c < cpus; c++) {
    const g0 = (dctlr & 1) !== 0 && en0[c];
    const g1 = (dctlr & 2) !== 0 && en1[c];
    let best = -1;
    let bestPrio = 0x100;
    let bestGroup = 0;
    const consider = (id: number, pend: number, en: number, act: number, grp: number, prio: () => number, routed: () => boolean): void => {
      const b = id & 31;
      if (!((pend >>> b) & 1) || !((en >>> b) & 1) || (act >>> b) & 1) return;
      const group = (grp >>> b) & 1;
      if (group ? !g1 : !g0) return;
      if (!routed()) return;
      const p = prio();
      if (p < bestPrio) {
        bestPrio = p;
        best = id;
        bestGroup = group;
      }
    };
    if (awake[c]) {
      const pend = g.s(c, 0x200);
      const en = g.s(c, 0x100);
      const act = g.s(c, 0x300);
      const grp = g.s(c, 0x080);
      for (let id = 0; id < 32; id++) consider(id, pend, en, act, grp, () => g.s(c, 0x400 + id, 1), () => true);
      for (let id = 32; id < 288; id++) {
        const w = id >>> 5;
        consider(id, spi.pend[w]!, spi.en[w]!, spi.act[w]!, spi.grp[w]!, () => g.d(0x400 + id, 1), () => targetOf(id, (spi.grp[w]! >>> (id & 31)) & 1) === c);
      }
    }
    const ap = (g.mrs(c, 'ICC_AP0R0_EL1')! | g.mrs(c, 'ICC_AP1R0_EL1')!) >>> 0;
    const rpr = g.mrs(c, 'ICC_RPR_EL1')!;
    expect(rpr).toBe(ap === 0 ? 0xff : (31 - Math.clz32(ap & -ap)) << 3);
    const pmr = g.mrs(c, 'ICC_PMR_EL1')!;
    const cbpr = (g.mrs(c, 'ICC_CTLR_EL1')! & 1) !== 0;
    const mask = bestGroup === 0 || cbpr ? (0xff << (g.mrs(c, 'ICC_BPR0_EL1')! + 1)) & 0xff : (0xff << g.mrs(c, 'ICC_BPR1_EL1')!) & 0xff;
    const signal = best >= 0 && bestPrio < pmr && (bestPrio & mask) < rpr;
    expect(g.irq[c]!.level, `IRQ of CPU ${c} (HPPI ${best} @ ${bestPrio}, PMR ${pmr}, RPR ${rpr})`).toBe(signal && bestGroup === 1);
    expect(g.fiq[c]!.level, `FIQ of CPU ${c}`).toBe(signal && bestGroup === 0);
    expect(g.mrs(c, 'ICC_HPPIR1_EL1')).toBe(best >= 0 && bestGroup === 1 ? best : 1023);
    expect(g.mrs(c, 'ICC_HPPIR0_EL1')).toBe(best >= 0 && bestGroup === 0 ? best : 1023);
  }
}

function checkPriorityBits(g: Rig): void {
  for (let off = 0x400; off < 0x400 + 288; off += 4) expect(g.d(off) & 0x0707_0707).toBe(0);
  for (let c = 0; c < g.cpus; c++) {
    for (let off = 0x400; off < 0x420; off += 4) expect(g.s(c, off) & 0x0707_0707).toBe(0);
    expect(g.mrs(c, 'ICC_PMR_EL1')! & 7).toBe(0);
  }
}

describe('register interface fuzzing (fast-check)', () => {
  it('random accesses never throw and keep every invariant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: CPUS_MAX }), fc.boolean(), fc.array(opArb, { minLength: 1, maxLength: 40 }), (cpus, setup, ops) => {
        const g = new Rig(cpus);
        if (setup) g.linuxish();
        for (const op of ops) {
          apply(g, op);
          checkOutputs(g);
        }
        checkPriorityBits(g);
      }),
      { numRuns: 150 },
    );
  });

  it('an acknowledge-heavy mix (enabled, prioritised, pending interrupts) keeps every invariant', () => {
    const flow = fc.oneof(
      fc.record({ cpu: fc.nat({ max: 1 }), name: fc.constantFrom(...['ICC_IAR1_EL1', 'ICC_IAR0_EL1', 'ICC_EOIR1_EL1', 'ICC_EOIR0_EL1', 'ICC_DIR_EL1'].map((n) => NAMES.indexOf(n as IccRegisterName))), write: fc.boolean(), value: fc.integer({ min: 30, max: 45 }), hi: fc.constant(0) }).map((r): Op => ({ k: 'sysreg', ...r })),
      fc.record({ n: fc.integer({ min: 0, max: 12 }), level: fc.boolean() }).map((r): Op => ({ k: 'spi', ...r })),
      fc.record({ cpu: fc.nat({ max: 1 }), name: fc.constantFrom(NAMES.indexOf('ICC_SGI1R_EL1'), NAMES.indexOf('ICC_CTLR_EL1'), NAMES.indexOf('ICC_BPR1_EL1'), NAMES.indexOf('ICC_PMR_EL1')), write: fc.constant(true), value: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x0f03_0003 }), fc.integer({ min: 0x80, max: 0xff })), hi: fc.constantFrom(0, 0x100) }).map((r): Op => ({ k: 'sysreg', ...r })),
      fc.record({ at: fc.integer({ min: 32, max: 45 }), p: fc.integer({ min: 0, max: 0xff }) }).map(({ at, p }): Op => ({ k: 'mmio', frame: 0, cpu: 0, offset: 0x400 + at, size: 1, write: true, value: p, hi: 0 })),
      fc.record({ reg: fc.constantFrom(0x084, 0x204, 0x284, 0x384, 0xc08), v: fc.nat({ max: 0x3fff }) }).map(({ reg, v }): Op => ({ k: 'mmio', frame: 0, cpu: 0, offset: reg, size: 4, write: true, value: v, hi: 0 })),
      fc.record({ id: fc.integer({ min: 32, max: 45 }), r: fc.constantFrom(0, 1, 0x8000_0000) }).map(({ id, r }): Op => ({ k: 'mmio', frame: 0, cpu: 0, offset: 0x6000 + 8 * id, size: 4, write: true, value: r, hi: 0 })),
    );
    fc.assert(
      fc.property(fc.array(flow, { minLength: 1, maxLength: 60 }), (ops) => {
        const g = new Rig(2).linuxish();
        g.msr(0, 'ICC_IGRPEN0_EL1', 1);
        g.msr(1, 'ICC_IGRPEN0_EL1', 1);
        for (let c = 0; c < 2; c++) {
          g.sw(c, 0x100, 0xffff);
          g.sw(c, 0x400, 0x4080_a0c0);
        }
        g.dw(0x104, 0x3fff);
        for (const op of ops) {
          apply(g, op);
          checkOutputs(g);
        }
        checkPriorityBits(g);
      }),
      { numRuns: 150 },
    );
  });
});
