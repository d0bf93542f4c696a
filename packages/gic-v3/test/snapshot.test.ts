import { SnapshotError } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { Rig } from './harness.js';

function busyRig(): Rig {
  const g = new Rig(3).linuxish();
  g.enable(40, 0x80);
  g.enable(41, 0x40);
  g.enable(33, 0xa0);
  g.enable(27, 0x90, 2);
  g.route(41, 0x01n);
  g.route(50, 0x8000_0000n);
  g.dw(0xc0c, 0x8); // INTID 49 edge
  g.dw(0x204, 1 << 8);
  g.gic.setInput(1, true); // UART level high
  g.gic.setPpi(2, 27, true);
  expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(40);
  g.msr(1, 'ICC_BPR1_EL1', 5);
  g.msr(1, 'ICC_CTLR_EL1', 0x2);
  g.rw(2, 0x14, 0x2); // CPU 2 asleep again
  return g;
}

/** Everything a guest can read without side effects. */
function visible(g: Rig): unknown[] {
  const v: unknown[] = [];
  for (const off of [0x0, 0x4, 0x8, 0xc]) v.push(g.d(off));
  for (let off = 0x80; off < 0x520; off += 4) v.push(g.d(off));
  for (let off = 0xc00; off < 0xc48; off += 4) v.push(g.d(off));
  for (let id = 32; id < 288; id++) v.push(g.d(0x6000 + 8 * id));
  for (let c = 0; c < g.cpus; c++) {
    v.push(g.r(c, 0x14));
    for (let off = 0x80; off < 0x400; off += 0x80) v.push(g.s(c, off));
    for (let off = 0x400; off < 0x420; off += 4) v.push(g.s(c, off));
    v.push(g.s(c, 0xc04));
    for (const n of ['ICC_PMR_EL1', 'ICC_BPR0_EL1', 'ICC_BPR1_EL1', 'ICC_CTLR_EL1', 'ICC_AP0R0_EL1', 'ICC_AP1R0_EL1', 'ICC_RPR_EL1', 'ICC_IGRPEN0_EL1', 'ICC_IGRPEN1_EL1', 'ICC_HPPIR1_EL1'] as const) {
      v.push(g.mrs(c, n));
    }
    v.push(g.irq[c]!.level, g.fiq[c]!.level);
  }
  return v;
}

describe('snapshots', () => {
  it('save -> JSON -> restore into a fresh GIC reproduces every visible register and output', () => {
    const a = busyRig();
    const json = JSON.stringify(a.gic.saveState());
    const b = new Rig(3);
    b.gic.restoreState(JSON.parse(json));
    expect(visible(b)).toEqual(visible(a));
    // And both carry on identically: the restored GIC remembers the input levels and the active interrupt.
    for (const g of [a, b]) {
      g.msr(0, 'ICC_EOIR1_EL1', 40);
      expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(33);
      g.rw(2, 0x14, 0);
      expect(g.mrs(2, 'ICC_IAR1_EL1')).toBe(27);
    }
    expect(visible(b)).toEqual(visible(a));
    expect(b.errors).toEqual([]);
  });

  it('rejects state of another type, a newer version, another processor count or malformed data', () => {
    const a = busyRig();
    const s = a.gic.saveState();
    const b = new Rig(3);
    expect(() => b.gic.restoreState({ ...s, type: 'pl011' })).toThrow(SnapshotError);
    expect(() => b.gic.restoreState({ ...s, version: s.version + 1 })).toThrow(SnapshotError);
    expect(() => new Rig(2).gic.restoreState(s)).toThrow(SnapshotError);
    expect(() => b.gic.restoreState({ ...s, data: { ...s.data, pmr: [1, 2] } })).toThrow(SnapshotError);
    expect(() => b.gic.restoreState({ ...s, data: { ...s.data, router: s.data.router.map(() => -1) } })).toThrow(SnapshotError);
    expect(() => b.gic.restoreState({ ...s, data: { ...s.data, priority: s.data.priority.map(() => 256) } })).toThrow(SnapshotError);
    expect(visible(b)).toEqual(visible(new Rig(3)));
  });

  it('restored values are limited to what registers can hold', () => {
    const a = new Rig(1);
    const s = a.gic.saveState();
    const b = new Rig(1);
    b.gic.restoreState({
      ...s,
      data: { ...s.data, pmr: [0xff], bpr1: [0], iccCtlr: [0xff], igrpen1: [0xff], priority: s.data.priority.map(() => 0xff), router: s.data.router.map(() => 0xffff_ffff) },
    });
    expect(b.mrs(0, 'ICC_PMR_EL1')).toBe(0xf8);
    expect(b.mrs(0, 'ICC_BPR1_EL1')).toBe(3);
    expect(b.mrs(0, 'ICC_CTLR_EL1')).toBe(0x403);
    expect(b.mrs(0, 'ICC_IGRPEN1_EL1')).toBe(1);
    expect(b.d(0x400 + 32)).toBe(0xf8f8_f8f8);
    expect(b.d(0x6000 + 8 * 32)).toBe(0x80ff_ffff);
    expect(b.s(0, 0xc00)).toBe(0xaaaa_aaaa);
  });
});
