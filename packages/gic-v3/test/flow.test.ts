import { describe, expect, it } from 'vitest';
import { Rig } from './harness.js';

// The interrupt life cycle of IHI 0069 chapter 4: inactive -> pending ->
// active (acknowledge) -> inactive (EOI/deactivate), with the running
// priority kept in ICC_AP1R0_EL1 and ICC_RPR_EL1. Priorities are 8-bit values
// with 5 implemented bits; the AP register bit of a group priority p is p >> 3.

const UART = 1; // SPI 1 = INTID 33, level (vmapple-hardware.md §1.3)
const GFX = 0x11; // SPI 0x11 = INTID 49, pulses

function bit(intid: number): [number, number] {
  return [0x004 * (intid >>> 5), 1 << (intid & 31)];
}
function isActive(g: Rig, intid: number): boolean {
  const [w, b] = bit(intid);
  return (g.d(0x300 + w) & b) !== 0;
}
function isPending(g: Rig, intid: number): boolean {
  const [w, b] = bit(intid);
  return (g.d(0x200 + w) & b) !== 0;
}
function edge(g: Rig, intid: number): void {
  const n = intid >>> 4;
  g.dw(0xc00 + 4 * n, g.d(0xc00 + 4 * n) | (2 << (2 * (intid & 15))));
}

describe('acknowledge, EOI, deactivate', () => {
  it('edge SPI: pending on a pulse, active on IAR1, inactive after EOIR1 (EOImode 0)', () => {
    const g = new Rig(1).linuxish();
    edge(g, 49);
    g.enable(49, 0xa0);
    expect(g.irq[0]!.level).toBe(false);
    g.gic.setInput(GFX, true);
    g.gic.setInput(GFX, false);
    expect(isPending(g, 49)).toBe(true);
    expect(g.irq[0]!.level).toBe(true);
    expect(g.mrs(0, 'ICC_HPPIR1_EL1')).toBe(49);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(49);
    expect(g.irq[0]!.level).toBe(false);
    expect(isActive(g, 49)).toBe(true);
    expect(isPending(g, 49)).toBe(false);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0xa0);
    expect(g.mrs(0, 'ICC_AP1R0_EL1')).toBe(1 << (0xa0 >> 3));
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
    g.msr(0, 'ICC_EOIR1_EL1', 49);
    expect(isActive(g, 49)).toBe(false);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0xff);
    expect(g.mrs(0, 'ICC_AP1R0_EL1')).toBe(0);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
    expect(g.errors).toEqual([]);
  });

  it('a level SPI still asserted after EOI is pending again (and pending+active before)', () => {
    const g = new Rig(1).linuxish();
    g.enable(33, 0xa0);
    g.gic.setInput(UART, true);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(33);
    expect(isActive(g, 33) && isPending(g, 33)).toBe(true); // active and pending
    expect(g.irq[0]!.level).toBe(false); // an active interrupt is not signalled again
    g.msr(0, 'ICC_EOIR1_EL1', 33);
    expect(g.irq[0]!.level).toBe(true);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(33);
    g.gic.setInput(UART, false); // the device was serviced
    g.msr(0, 'ICC_EOIR1_EL1', 33);
    expect(isPending(g, 33) || isActive(g, 33)).toBe(false);
    expect(g.irq[0]!.level).toBe(false);
  });

  it('a level input that drops before acknowledge is no longer pending', () => {
    const g = new Rig(1).linuxish();
    g.enable(33, 0xa0);
    g.gic.setInput(UART, true);
    expect(g.irq[0]!.level).toBe(true);
    g.gic.setInput(UART, false);
    expect(g.irq[0]!.level).toBe(false);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
  });

  it('edges latch: while disabled, and while active (pending+active, delivered once after EOI)', () => {
    const g = new Rig(1).linuxish();
    edge(g, 49);
    g.dw(0x400 + 49, 0xa0, 1);
    g.gic.setInput(GFX, true);
    g.gic.setInput(GFX, false);
    expect(g.irq[0]!.level).toBe(false); // disabled, but latched
    expect(isPending(g, 49)).toBe(true);
    g.dw(0x104, 1 << 17);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(49);
    g.gic.setInput(GFX, true);
    g.gic.setInput(GFX, false);
    g.gic.setInput(GFX, true);
    g.gic.setInput(GFX, false);
    expect(isActive(g, 49) && isPending(g, 49)).toBe(true);
    expect(g.irq[0]!.level).toBe(false);
    g.msr(0, 'ICC_EOIR1_EL1', 49);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(49); // two edges while active: one interrupt
    g.msr(0, 'ICC_EOIR1_EL1', 49);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
  });

  it('a pulse on a level-configured input is lost', () => {
    const g = new Rig(1).linuxish();
    g.enable(49, 0xa0);
    g.gic.setInput(GFX, true);
    g.gic.setInput(GFX, false);
    expect(isPending(g, 49)).toBe(false);
    expect(g.irq[0]!.level).toBe(false);
  });

  it('ISPENDR latches a level interrupt; ICPENDR cannot clear a still-asserted level', () => {
    const g = new Rig(1).linuxish();
    g.enable(33, 0xa0);
    g.dw(0x204, 1 << 1);
    expect(g.irq[0]!.level).toBe(true);
    g.gic.setInput(UART, true);
    g.dw(0x284, 1 << 1);
    expect(isPending(g, 33)).toBe(true); // the line is still high
    g.gic.setInput(UART, false);
    expect(isPending(g, 33)).toBe(false);
    g.dw(0x204, 1 << 1);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(33); // acknowledge clears the software latch
    expect(isPending(g, 33)).toBe(false);
    g.msr(0, 'ICC_EOIR1_EL1', 33);
    expect(g.irq[0]!.level).toBe(false);
  });

  it('EOImode 1: EOIR only drops the priority, DIR deactivates', () => {
    const g = new Rig(1).linuxish();
    g.msr(0, 'ICC_CTLR_EL1', 0x2);
    expect(g.mrs(0, 'ICC_CTLR_EL1')).toBe(0x402);
    g.enable(33, 0xa0);
    g.gic.setInput(UART, true);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(33);
    g.gic.setInput(UART, false);
    g.msr(0, 'ICC_EOIR1_EL1', 33);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0xff);
    expect(isActive(g, 33)).toBe(true);
    g.gic.setInput(UART, true);
    expect(g.irq[0]!.level).toBe(false); // still active: not signalled
    g.msr(0, 'ICC_DIR_EL1', 33);
    expect(isActive(g, 33)).toBe(false);
    expect(g.irq[0]!.level).toBe(true);
    expect(g.errors).toEqual([]);
  });

  it('DIR in EOImode 0 and EOI with nothing active are guest errors without effect', () => {
    const g = new Rig(1).linuxish();
    g.enable(33, 0xa0);
    g.gic.setInput(UART, true);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(33);
    g.msr(0, 'ICC_DIR_EL1', 33);
    expect(isActive(g, 33)).toBe(true);
    g.msr(0, 'ICC_EOIR1_EL1', 33);
    g.msr(0, 'ICC_EOIR1_EL1', 33);
    g.msr(0, 'ICC_EOIR1_EL1', 1023); // special INTIDs are ignored silently
    expect(g.errors.length).toBe(2);
  });
});

describe('priority, preemption, running priority', () => {
  function three(g: Rig): void {
    g.enable(40, 0x80);
    g.enable(41, 0x40);
    g.enable(42, 0xc0);
  }

  it('the highest priority (lowest value) pending interrupt is taken first', () => {
    const g = new Rig(1).linuxish();
    three(g);
    g.dw(0x204, 0x7 << 8);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(41);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023); // 0x80 cannot preempt 0x40
    g.msr(0, 'ICC_EOIR1_EL1', 41);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(40);
    g.msr(0, 'ICC_EOIR1_EL1', 40);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(42);
  });

  it('equal priorities: the lower INTID wins (implementation choice)', () => {
    const g = new Rig(1).linuxish();
    g.enable(70, 0x80);
    g.enable(45, 0x80);
    g.dw(0x208, 1 << 6);
    g.dw(0x204, 1 << 13);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(45);
  });

  it('a higher-priority interrupt preempts; the running priority nests and unwinds', () => {
    const g = new Rig(1).linuxish();
    three(g);
    g.dw(0x204, 1 << 8); // 40 @ 0x80
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(40);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0x80);
    g.dw(0x204, 1 << 10); // 42 @ 0xc0: lower priority, waits
    expect(g.irq[0]!.level).toBe(false);
    g.dw(0x204, 1 << 9); // 41 @ 0x40: preempts
    expect(g.irq[0]!.level).toBe(true);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(41);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0x40);
    expect(g.mrs(0, 'ICC_AP1R0_EL1')).toBe((1 << (0x80 >> 3)) | (1 << (0x40 >> 3)));
    g.msr(0, 'ICC_EOIR1_EL1', 41);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0x80);
    expect(g.irq[0]!.level).toBe(false);
    g.msr(0, 'ICC_EOIR1_EL1', 40);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0xff);
    expect(g.irq[0]!.level).toBe(true);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(42);
  });

  it('an equal priority does not preempt', () => {
    const g = new Rig(1).linuxish();
    g.enable(40, 0x80);
    g.enable(43, 0x80);
    g.dw(0x204, 1 << 8);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(40);
    g.dw(0x204, 1 << 11);
    expect(g.irq[0]!.level).toBe(false);
    expect(g.mrs(0, 'ICC_HPPIR1_EL1')).toBe(43); // HPPIR ignores the priority masks
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
  });

  it('PMR: only priorities strictly below the mask are signalled', () => {
    const g = new Rig(1).linuxish();
    g.enable(40, 0xf0);
    g.dw(0x204, 1 << 8);
    expect(g.irq[0]!.level).toBe(false);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
    expect(isPending(g, 40)).toBe(true);
    g.msr(0, 'ICC_PMR_EL1', 0xf8);
    expect(g.irq[0]!.level).toBe(true);
    g.msr(0, 'ICC_PMR_EL1', 0);
    expect(g.irq[0]!.level).toBe(false);
  });

  it('BPR1 splits group priority from subpriority; only the group priority preempts', () => {
    const g = new Rig(1).linuxish();
    g.msr(0, 'ICC_BPR1_EL1', 0); // Linux writes 0: clamps to the minimum
    expect(g.mrs(0, 'ICC_BPR1_EL1')).toBe(3);
    g.enable(40, 0x50);
    g.enable(41, 0x48);
    g.enable(42, 0x38);
    g.dw(0x204, 1 << 8);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(40);
    g.dw(0x204, 1 << 9);
    expect(g.irq[0]!.level).toBe(true); // BPR1 3: group priorities 0x48 < 0x50
    g.dw(0x284, 1 << 9);
    g.msr(0, 'ICC_EOIR1_EL1', 40);

    g.msr(0, 'ICC_BPR1_EL1', 5); // group priority is bits [7:5]
    g.dw(0x204, 1 << 8);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(40);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0x40); // 0x50 & 0xe0
    g.dw(0x204, 1 << 9);
    expect(g.irq[0]!.level).toBe(false); // 0x48 & 0xe0 == 0x40: same group priority
    g.dw(0x204, 1 << 10);
    expect(g.irq[0]!.level).toBe(true); // 0x38 & 0xe0 == 0x20
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(42);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0x20);
  });

  it('CBPR: Group 1 uses BPR0; BPR1 reads BPR0 + 1 and ignores writes', () => {
    const g = new Rig(1).linuxish();
    g.msr(0, 'ICC_BPR0_EL1', 4); // group priority [7:5] for Group 0 semantics
    g.msr(0, 'ICC_CTLR_EL1', 0x1);
    expect(g.mrs(0, 'ICC_BPR1_EL1')).toBe(5);
    g.msr(0, 'ICC_BPR1_EL1', 3);
    expect(g.mrs(0, 'ICC_BPR1_EL1')).toBe(5);
    g.msr(0, 'ICC_BPR0_EL1', 7);
    expect(g.mrs(0, 'ICC_BPR1_EL1')).toBe(7); // saturates
    g.msr(0, 'ICC_BPR0_EL1', 4);
    g.enable(40, 0x50);
    g.enable(41, 0x48);
    g.dw(0x204, 1 << 8);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(40);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0x40);
    g.dw(0x204, 1 << 9);
    expect(g.irq[0]!.level).toBe(false);
    g.msr(0, 'ICC_CTLR_EL1', 0);
    expect(g.mrs(0, 'ICC_BPR1_EL1')).toBe(3); // its own value is back
  });

  it('BPR0 writes below the minimum set the minimum (2)', () => {
    const g = new Rig(1);
    g.msr(0, 'ICC_BPR0_EL1', 0);
    expect(g.mrs(0, 'ICC_BPR0_EL1')).toBe(2);
    g.msr(0, 'ICC_BPR0_EL1', 0xff);
    expect(g.mrs(0, 'ICC_BPR0_EL1')).toBe(7);
  });
});

describe('groups and enables', () => {
  it('Group 0 is signalled as FIQ and taken with IAR0; IAR1 then reads 1023', () => {
    const g = new Rig(1).linuxish();
    g.dw(0x084, g.d(0x084) & ~(1 << 8)); // INTID 40 -> Group 0
    g.enable(40, 0x80);
    g.dw(0x204, 1 << 8);
    expect(g.fiq[0]!.level).toBe(false); // ICC_IGRPEN0_EL1 still 0
    g.msr(0, 'ICC_IGRPEN0_EL1', 1);
    expect(g.fiq[0]!.level).toBe(true);
    expect(g.irq[0]!.level).toBe(false);
    expect(g.mrs(0, 'ICC_HPPIR1_EL1')).toBe(1023);
    expect(g.mrs(0, 'ICC_HPPIR0_EL1')).toBe(40);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
    expect(g.mrs(0, 'ICC_IAR0_EL1')).toBe(40);
    expect(g.mrs(0, 'ICC_AP0R0_EL1')).toBe(1 << (0x80 >> 3));
    expect(g.fiq[0]!.level).toBe(false);
    g.msr(0, 'ICC_EOIR1_EL1', 40); // wrong group: the running priority is Group 0's
    expect(isActive(g, 40)).toBe(true);
    g.msr(0, 'ICC_EOIR0_EL1', 40);
    expect(isActive(g, 40)).toBe(false);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0xff);
  });

  it('GICD_CTLR.EnableGrp1 and ICC_IGRPEN1_EL1 both gate Group 1', () => {
    const g = new Rig(1).linuxish();
    g.enable(40, 0x80);
    g.dw(0x204, 1 << 8);
    expect(g.irq[0]!.level).toBe(true);
    g.dw(0, 0x11); // EnableGrp1 off (bit 1), Grp0 on
    expect(g.irq[0]!.level).toBe(false);
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(1023);
    g.dw(0, 0x13);
    expect(g.irq[0]!.level).toBe(true);
    g.msr(0, 'ICC_IGRPEN1_EL1', 0);
    expect(g.irq[0]!.level).toBe(false);
  });

  it('a group disabled at the CPU interface does not hide the other group (QEMU 7.2 differs)', () => {
    const g = new Rig(1).linuxish();
    g.msr(0, 'ICC_IGRPEN0_EL1', 1);
    g.dw(0x084, g.d(0x084) & ~(1 << 9)); // INTID 41 -> Group 0
    g.enable(40, 0x40); // Group 1, higher priority
    g.enable(41, 0x80); // Group 0
    g.dw(0x204, 3 << 8);
    g.msr(0, 'ICC_IGRPEN1_EL1', 0);
    expect(g.mrs(0, 'ICC_HPPIR0_EL1')).toBe(41);
    expect(g.fiq[0]!.level).toBe(true);
    expect(g.mrs(0, 'ICC_IAR0_EL1')).toBe(41);
  });

  it('preemption compares the pending group priority with ICC_RPR_EL1 across groups (QEMU 7.2 differs)', () => {
    const g = new Rig(1).linuxish();
    g.msr(0, 'ICC_IGRPEN0_EL1', 1);
    g.dw(0x084, g.d(0x084) & ~(1 << 8)); // INTID 40 -> Group 0
    g.enable(40, 0x58);
    g.enable(41, 0x40);
    g.dw(0x204, 1 << 8);
    expect(g.mrs(0, 'ICC_IAR0_EL1')).toBe(40);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0x58); // BPR0 2: group priority [7:3]
    g.msr(0, 'ICC_BPR1_EL1', 5); // Group 1 group priority [7:5]: 0x40
    g.dw(0x204, 1 << 9);
    expect(g.irq[0]!.level).toBe(true); // 0x40 < 0x58
    expect(g.mrs(0, 'ICC_IAR1_EL1')).toBe(41);
  });

  it('a disabled interrupt is not signalled but stays pending', () => {
    const g = new Rig(1).linuxish();
    g.enable(40, 0x80);
    g.dw(0x184, 1 << 8);
    g.dw(0x204, 1 << 8);
    expect(g.irq[0]!.level).toBe(false);
    g.dw(0x104, 1 << 8);
    expect(g.irq[0]!.level).toBe(true);
  });
});
