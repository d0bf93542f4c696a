import { IrqProbe } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { assemble, machine } from './helpers.js';

/**
 * Generic timer: the counter follows the virtual clock (deterministic mode:
 * nsPerInstruction per retired instruction), CNTV/CNTP fire as levels at the
 * right virtual time, and IRQs are taken only when PSTATE.I allows.
 */
const VECTORS = `
.balign 2048
vectors:
.irp off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
  .balign 128
  mov x20, #\\off
  mrs x21, cntvct_el0
  hvc #0xffff
.endr
`;

describe('generic timer', () => {
  it('CNTFRQ is the configured frequency and CNTVCT counts virtual time', () => {
    // 1 GHz counter and 10 ns per instruction: the counter advances 10 per instruction.
    const m = machine(
      assemble(`
      mrs x0, cntfrq_el0
      mrs x1, cntvct_el0
      .rept 100
      nop
      .endr
      mrs x2, cntvct_el0
      hvc #0xffff`),
      { counterFrequencyHz: 1_000_000_000, nsPerInstruction: 10 },
    );
    expect(m.cpu.run(10_000)).toBe('exit');
    expect(m.cpu.getX(0)).toBe(1_000_000_000n);
    // 101 instructions retired between the two reads (100 NOPs and the first MRS).
    expect(m.cpu.getX(2) - m.cpu.getX(1)).toBe(1010n);
    expect(m.clock.now()).toBe(m.cpu.retired * 10);
  });

  it('the virtual timer line rises when the count reaches CVAL, and the IRQ is taken once unmasked', () => {
    const m = machine(
      assemble(`
      adr x0, vectors
      msr vbar_el1, x0
      mov x0, #5000
      msr cntv_tval_el0, x0
      mov x0, #1            // ENABLE, IMASK clear
      msr cntv_ctl_el0, x0
      mrs x1, cntv_cval_el0
      msr daifclr, #2       // unmask IRQ
1:    b 1b
${VECTORS}`),
      { counterFrequencyHz: 1_000_000_000 },
    );
    const probe = new IrqProbe();
    m.cpu.virtualTimer.connect({
      setLevel: (level) => {
        probe.setLevel(level);
        m.cpu.irq.setLevel(level);
      },
    });
    expect(m.cpu.run(100_000)).toBe('exit');
    expect(probe.rises).toBe(1);
    expect(m.cpu.getX(20)).toBe(0x280n); // IRQ, current EL with SP_ELx
    const cval = m.cpu.getX(1);
    const taken = m.cpu.getX(21);
    // Taken at the deadline, within one instruction of it (1 ns per instruction at 1 GHz).
    expect(taken >= cval).toBe(true);
    expect(taken - cval <= 4n).toBe(true);
    // The line is a level: ISTATUS stays set until the guest reprograms the timer.
    expect(m.cpu.virtualTimer.level).toBe(true);
    expect(m.cpu.getSysreg('CNTV_CTL_EL0')).toBe(5n);
    m.cpu.setSysreg('CNTV_CTL_EL0', 3n); // IMASK
    expect(m.cpu.virtualTimer.level).toBe(false);
  });

  it('WFI with nothing pending returns "wfi"; after the caller skips time the masked IRQ wakes it', () => {
    const m = machine(
      assemble(`
      ldr x0, =100000
      msr cntp_tval_el0, x0
      mov x0, #1
      msr cntp_ctl_el0, x0
      wfi
      mov x5, #1
      hvc #0xffff`),
      { counterFrequencyHz: 1_000_000_000 },
    );
    m.cpu.physicalTimer.connect(m.cpu.irq);
    expect(m.cpu.run(1000)).toBe('wfi');
    expect(m.cpu.physicalTimer.level).toBe(false);
    const deadline = m.clock.nextDeadline();
    expect(deadline).toBeGreaterThan(m.clock.now());
    m.clock.advanceTo(deadline);
    m.clock.runDue();
    expect(m.cpu.physicalTimer.level).toBe(true);
    // IRQs are masked (reset state): execution simply continues after WFI.
    expect(m.cpu.run(1000)).toBe('exit');
    expect(m.cpu.getX(5)).toBe(1n);
  });

  it('run does not overshoot a device deadline: timers fire in guest time', () => {
    const m = machine(assemble(`1: b 1b`), { nsPerInstruction: 1 });
    let firedAt = -1;
    const t = m.clock.createTimer(() => {
      firedAt = m.cpu.retired;
    });
    t.arm(12_345);
    expect(m.cpu.run(100_000)).toBe('budget');
    expect(firedAt).toBeGreaterThanOrEqual(12_345);
    expect(firedAt).toBeLessThanOrEqual(12_345 + 4096);
  });

  it('EL0 counter access follows CNTKCTL_EL1.EL0VCTEN', () => {
    const src = (kctl: number) => `
      adr x0, vectors
      msr vbar_el1, x0
      mov x0, #${kctl}
      msr cntkctl_el1, x0
      adr x0, el0
      msr elr_el1, x0
      msr spsr_el1, xzr
      eret
el0:
      mrs x3, cntvct_el0
      svc #0
${VECTORS}`;
    const denied = machine(assemble(src(0)));
    denied.cpu.run(1000);
    expect(denied.cpu.getSysreg('ESR_EL1') >> 26n).toBe(0x18n);
    const allowed = machine(assemble(src(2)));
    allowed.cpu.run(1000);
    expect(allowed.cpu.getSysreg('ESR_EL1') >> 26n).toBe(0x15n);
  });
});
