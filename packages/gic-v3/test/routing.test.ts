import { IrqLine, sinkInput } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { Rig } from './harness.js';

// SGI generation by ICC_SGI1R_EL1 (IHI 0069: TargetList [15:0], Aff1 [23:16],
// INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48]) and SPI
// routing by GICD_IROUTER, with the vmapple affinities of §1.5:
// processor n has Aff0 = n % 16, Aff1 = n / 16.

function levels(g: Rig): boolean[] {
  return g.irq.map((p) => p.level);
}

function withSgis(g: Rig): Rig {
  for (let c = 0; c < g.cpus; c++) {
    g.sw(c, 0x100, 0xffff);
    for (let i = 0; i < 16; i += 4) g.sw(c, 0x400 + i, 0xa0a0_a0a0);
  }
  return g;
}

describe('SGIs', () => {
  it('target list: only the listed processors of the cluster get the SGI', () => {
    const g = withSgis(new Rig(4).linuxish());
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 3, targets: 0b0110 }));
    expect(levels(g)).toEqual([false, true, true, false]);
    expect(g.s(1, 0x200)).toBe(1 << 3);
    expect(g.s(0, 0x200)).toBe(0);
    expect(g.mrs(1, 'ICC_IAR1_EL1')).toBe(3);
    g.msr(1, 'ICC_EOIR1_EL1', 3);
    expect(levels(g)).toEqual([false, false, true, false]);
    expect(g.mrs(2, 'ICC_IAR1_EL1')).toBe(3);
    expect(g.mrs(3, 'ICC_IAR1_EL1')).toBe(1023);
  });

  it('a processor may target itself', () => {
    const g = withSgis(new Rig(2).linuxish());
    g.msr(1, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 0, targets: 0b10 }));
    expect(levels(g)).toEqual([false, true]);
  });

  it('IRM = 1 broadcasts to every processor except the sender', () => {
    const g = withSgis(new Rig(4).linuxish());
    g.msr(2, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 7, irm: true, targets: 0b0100 }));
    expect(levels(g)).toEqual([true, true, false, true]);
    for (const c of [0, 1, 3]) expect(g.mrs(c, 'ICC_IAR1_EL1')).toBe(7);
  });

  it('Aff1 selects the cluster of 16; absent processors and other Aff2/Aff3/RS values get nothing', () => {
    const g = withSgis(new Rig(20).linuxish());
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 1, aff1: 1, targets: (1 << 2) | (1 << 5) })); // CPU 18; CPU 21 does not exist
    expect(levels(g).flatMap((l, c) => (l ? [c] : []))).toEqual([18]);
    expect(g.mrs(18, 'ICC_IAR1_EL1')).toBe(1);
    g.msr(18, 'ICC_EOIR1_EL1', 1);
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 1, aff2: 1, targets: 0xffff }));
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 1, aff3: 1, targets: 0xffff }));
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 1, rs: 1, targets: 0xffff }));
    expect(levels(g).some((l) => l)).toBe(false);
  });

  it('SGI1R pends only Group 1 SGIs, SGI0R only Group 0; ASGI1R has no other Security state to reach', () => {
    const g = withSgis(new Rig(2).linuxish());
    g.msr(1, 'ICC_IGRPEN0_EL1', 1);
    g.sw(1, 0x080, 0xffff_fffe); // SGI 0 of CPU 1 is Group 0
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 0, targets: 0b10 }));
    expect(g.s(1, 0x200)).toBe(0);
    g.msr(0, 'ICC_ASGI1R_EL1', Rig.sgi1r({ intid: 1, targets: 0b10 }));
    expect(g.s(1, 0x200)).toBe(0);
    g.msr(0, 'ICC_SGI0R_EL1', Rig.sgi1r({ intid: 0, targets: 0b10 }));
    expect(g.s(1, 0x200)).toBe(1);
    expect(g.fiq[1]!.level).toBe(true);
    expect(g.irq[1]!.level).toBe(false);
    g.msr(0, 'ICC_SGI0R_EL1', Rig.sgi1r({ intid: 1, targets: 0b10 })); // SGI 1 is Group 1
    expect(g.s(1, 0x200)).toBe(1);
  });

  it('SGIs are edge-triggered: two before the acknowledge are one interrupt', () => {
    const g = withSgis(new Rig(2).linuxish());
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 5, targets: 0b10 }));
    g.msr(0, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: 5, targets: 0b10 }));
    expect(g.mrs(1, 'ICC_IAR1_EL1')).toBe(5);
    g.msr(1, 'ICC_EOIR1_EL1', 5);
    expect(g.mrs(1, 'ICC_IAR1_EL1')).toBe(1023);
  });
});

describe('SPI routing by GICD_IROUTER', () => {
  it('an SPI goes to the processor whose affinity IROUTER names, and follows a re-route', () => {
    const g = new Rig(4).linuxish();
    g.enable(40, 0x80);
    g.route(40, 0x02n);
    g.dw(0x204, 1 << 8);
    expect(levels(g)).toEqual([false, false, true, false]);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
    g.route(40, 0x03n);
    expect(levels(g)).toEqual([false, false, false, true]);
    expect(g.mrs(3, 'ICC_IAR1_EL1')).toBe(40);
  });

  it('Aff1 reaches the second cluster; an affinity with no processor delivers nowhere', () => {
    const g = new Rig(20).linuxish();
    g.enable(64, 0x80);
    g.route(64, 0x0103n);
    g.dw(0x208, 1);
    expect(levels(g).flatMap((l, c) => (l ? [c] : []))).toEqual([19]);
    g.route(64, 0x0104n); // processor 20 does not exist
    expect(levels(g).some((l) => l)).toBe(false);
    expect(g.d(0x208)).toBe(1); // still pending
  });

  it('IRM = 1 (1-of-N): exactly one participating processor is chosen', () => {
    const g = new Rig(4).linuxish();
    g.enable(40, 0x80);
    g.route(40, 0x8000_0000n);
    g.dw(0x204, 1 << 8);
    expect(levels(g).filter((l) => l).length).toBe(1);
    // Processors that turned their Group 1 off, or sleep, do not participate.
    g.msr(0, 'ICC_IGRPEN1_EL1', 0);
    g.rw(1, 0x14, 0x2);
    const chosen = levels(g).indexOf(true);
    expect([2, 3]).toContain(chosen);
    expect(levels(g).filter((l) => l).length).toBe(1);
    expect(g.mrs(chosen, 'ICC_IAR1_EL1')).toBe(40);
  });

  it('a sleeping redistributor (GICR_WAKER.ProcessorSleep) forwards nothing', () => {
    const g = new Rig(2).linuxish();
    g.rw(1, 0x14, 0x2);
    g.enable(40, 0x80);
    g.route(40, 0x01n);
    g.dw(0x204, 1 << 8);
    expect(levels(g)).toEqual([false, false]);
    g.rw(1, 0x14, 0);
    expect(levels(g)).toEqual([false, true]);
  });
});

describe('inputs and per-processor outputs', () => {
  it('PPIs are per processor (the virtual timer, PPI 27)', () => {
    const g = new Rig(3).linuxish();
    for (let c = 0; c < 3; c++) g.enable(27, 0xa0, c);
    g.gic.setPpi(1, 27, true);
    expect(levels(g)).toEqual([false, true, false]);
    expect(g.s(1, 0x200)).toBe(1 << 27);
    expect(g.s(0, 0x200)).toBe(0);
    expect(g.mrs(1, 'ICC_IAR1_EL1')).toBe(27);
    g.gic.setPpi(1, 27, false);
    g.msr(1, 'ICC_EOIR1_EL1', 27);
    expect(levels(g)).toEqual([false, false, false]);
  });

  it('IrqLines connect through spiInput/ppiInput and sinkInput (the InterruptSink contract)', () => {
    const g = new Rig(2).linuxish();
    g.enable(33, 0xa0);
    g.enable(27, 0xa0, 1);
    const uart = new IrqLine();
    const timer = new IrqLine();
    const other = new IrqLine();
    uart.connect(g.gic.spiInput(1));
    timer.connect(g.gic.ppiInput(1, 27));
    other.connect(sinkInput(g.gic, 5));
    uart.raise();
    expect(levels(g)).toEqual([true, false]);
    timer.raise();
    expect(levels(g)).toEqual([true, true]);
    uart.lower();
    timer.lower();
    expect(levels(g)).toEqual([false, false]);
    g.enable(37, 0xa0);
    other.raise();
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(37);
  });

  it('outputs are levels that rise and fall once per change', () => {
    const g = new Rig(1).linuxish();
    g.enable(33, 0xa0);
    g.gic.setInput(1, true);
    g.gic.setInput(1, true);
    g.msr(0, 'ICC_PMR_EL1', 0xf0);
    expect(g.irq[0]!.rises).toBe(1);
    g.gic.setInput(1, false);
    expect(g.irq[0]!.falls).toBe(1);
  });
});
