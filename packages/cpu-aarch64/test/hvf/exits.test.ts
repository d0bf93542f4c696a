import { type SystemRegisterHandler } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HVF_RESET_SCTLR } from '../../src/hvf/hvf-cpu.js';
import { HvExitReason, HvInterrupt } from '../../src/hvf/native-api.js';
import { HVF_SYSREGS } from '../../src/hvf/sysreg-names.js';
import { dataAbortEsr, HVC_ESR, HvReg, makeRig, MMIO_BASE, SMC_ESR, sysregEsr, WFE_ESR, WFI_ESR } from './setup.js';

const PC0 = 0x7000_1000n;
const VBAR = 0x7000_8000n;
const enc = (name: string): number => HVF_SYSREGS.get(name)!;

describe('HvfCpu: MMIO data aborts', () => {
  it('loads of every size, sign extension and register width, into any register', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 30 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (size, sse, sf, rt, raw) => {
          const r = makeRig();
          r.readValue.v = raw;
          r.native.setReg(r.cpu.vcpu, rt, 0x1234n);
          r.exit(dataAbortEsr({ size, sse, srt: rt, sf }), MMIO_BASE + 0x40);
          const bits = BigInt(size * 8);
          const v = raw & ((1n << bits) - 1n);
          // Oracle: the Arm ARM pseudo-code of a load: SignExtend/ZeroExtend to the register width.
          let expected = sse && size < 8 ? BigInt.asUintN(64, BigInt.asIntN(size * 8, v)) : v;
          if (!sf) expected &= 0xffff_ffffn;
          expect(r.reg(rt)).toBe(expected);
          expect(r.mmio).toEqual([{ op: 'r', offset: 0x40, size, value: 0n }]);
          expect(r.cpu.getPc()).toBe(PC0 + 4n);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stores write the low `size` bytes of the register; XZR stores zero', () => {
    const r = makeRig();
    r.native.setReg(r.cpu.vcpu, 7, 0x1122_3344_5566_7788n);
    r.exit(dataAbortEsr({ size: 2, srt: 7, write: true }), MMIO_BASE + 0x10);
    r.exit(dataAbortEsr({ size: 8, srt: 7, write: true, sf: true }), MMIO_BASE + 0x18);
    r.exit(dataAbortEsr({ size: 4, srt: 31, write: true }), MMIO_BASE + 0x20);
    expect(r.mmio).toEqual([
      { op: 'w', offset: 0x10, size: 2, value: 0x7788n },
      { op: 'w', offset: 0x18, size: 8, value: 0x1122_3344_5566_7788n },
      { op: 'w', offset: 0x20, size: 4, value: 0n },
    ]);
    expect(r.cpu.getPc()).toBe(PC0 + 12n);
  });

  it('a load into XZR/WZR performs the read and discards it', () => {
    const r = makeRig();
    r.readValue.v = 0xffn;
    r.exit(dataAbortEsr({ size: 4, srt: 31 }), MMIO_BASE);
    expect(r.mmio).toHaveLength(1);
    expect(r.cpu.getX(31)).toBe(0n);
    expect(r.cpu.getPc()).toBe(PC0 + 4n);
  });

  it('reaches RAM that HVF does not map (JS-allocated regions) through the AddressSpace', () => {
    const r = makeRig();
    r.native.setReg(r.cpu.vcpu, 1, 0xdead_beefn);
    r.exit(dataAbortEsr({ size: 4, srt: 1, write: true }), 0x1000_0010);
    expect(r.memory.read(0x1000_0010, 4)).toBe(0xdead_beef);
    r.exit(dataAbortEsr({ size: 2, srt: 2, sse: true, sf: true }), 0x1000_0010);
    expect(r.reg(2)).toBe(0xffff_ffff_ffff_beefn);
  });

  it('cache maintenance on MMIO is skipped (PC advances, no access)', () => {
    const r = makeRig();
    r.exit(dataAbortEsr({ size: 8, srt: 0, cm: true, write: true }), MMIO_BASE);
    expect(r.mmio).toEqual([]);
    expect(r.cpu.getPc()).toBe(PC0 + 4n);
  });

  it('ISV=0 (writeback/pair access): guest error and a synchronous external abort at the EL1 vector', () => {
    const r = makeRig();
    r.cpu.setSysreg('VBAR_EL1', VBAR);
    const cpsrBefore = 0x3c5n; // EL1h
    r.exit(dataAbortEsr({ isv: false, size: 8, srt: 3, write: true }), MMIO_BASE, 0xffff_0000_0900_0000n);
    expect(r.mmio).toEqual([]);
    expect(r.entries.some((e) => e.kind === 'guest-error' && /ISV=0/.test(e.message))).toBe(true);
    expect(r.cpu.getSysreg('ESR_EL1')).toBe(BigInt(((0x25 << 26) | (1 << 25) | (1 << 6) | 0x10) >>> 0));
    expect(r.cpu.getSysreg('FAR_EL1')).toBe(0xffff_0000_0900_0000n);
    expect(r.cpu.getSysreg('ELR_EL1')).toBe(PC0);
    expect(r.cpu.getSysreg('SPSR_EL1')).toBe(cpsrBefore);
    expect(r.cpu.getPc()).toBe(VBAR + 0x200n); // current EL with SP_ELx
    expect(r.cpu.getPstate()).toBe(0x3c5);
  });

  it('ISV=0 from EL0 takes the lower-EL vector with EC 0x24', () => {
    const r = makeRig();
    r.cpu.setSysreg('VBAR_EL1', VBAR);
    r.native.setReg(r.cpu.vcpu, HvReg.CPSR, 0n); // EL0t
    r.exit(dataAbortEsr({ isv: false, size: 4, srt: 3 }), MMIO_BASE);
    expect(Number(r.cpu.getSysreg('ESR_EL1')) >>> 26).toBe(0x24);
    expect(r.cpu.getPc()).toBe(VBAR + 0x400n);
  });
});

describe('HvfCpu: trapped system registers (spec §9.1, §9.3)', () => {
  it('ignores writes to CNTP_CTL_EL0 and advances the PC; reads are UNDEFINED', () => {
    const r = makeRig();
    r.cpu.setSysreg('VBAR_EL1', VBAR);
    r.native.setReg(r.cpu.vcpu, 5, 2n);
    r.exit(sysregEsr(3, 3, 14, 2, 1, 5, false));
    expect(r.cpu.getPc()).toBe(PC0 + 4n);
    expect(r.entries.some((e) => e.kind === 'unimplemented' && /CNTP_CTL_EL0/.test(e.message))).toBe(true);
    r.exit(sysregEsr(3, 3, 14, 2, 1, 5, true));
    expect(r.cpu.getSysreg('ESR_EL1')).toBe(0x0200_0000n);
    expect(r.cpu.getSysreg('ELR_EL1')).toBe(PC0 + 4n);
    expect(r.cpu.getPc()).toBe(VBAR + 0x200n);
    expect(r.reg(5)).toBe(2n);
  });

  it('CNTPCT_EL0 reads the virtual clock in counter ticks (24 MHz)', () => {
    const r = makeRig();
    r.native.hostNs += 1_000_000_000; // one second of host time
    const ns = r.clock.now();
    r.exit(sysregEsr(3, 3, 14, 0, 1, 9, true));
    expect(r.reg(9)).toBe((BigInt(ns) * 24n) / 1000n);
    expect(r.reg(9)).toBeGreaterThanOrEqual(24_000_000n);
  });

  it('forwards ICC_* registers to the board handler with the CPU index; false means UNDEFINED', () => {
    const calls: string[] = [];
    const gic: SystemRegisterHandler = {
      readSysreg(cpu, e, out) {
        calls.push(`r ${cpu} ${e.toString(16)}`);
        if (e !== ((3 << 14) | (12 << 7) | (12 << 3) | 0)) return false; // ICC_IAR1_EL1
        out.lo = 27;
        out.hi = 0;
        return true;
      },
      writeSysreg(cpu, e, lo, hi) {
        calls.push(`w ${cpu} ${e.toString(16)} ${lo >>> 0} ${hi >>> 0}`);
        return true;
      },
    };
    const r = makeRig({ sysregs: gic });
    r.cpu.setSysreg('VBAR_EL1', VBAR);
    r.exit(sysregEsr(3, 0, 12, 12, 0, 4, true)); // ICC_IAR1_EL1
    expect(r.reg(4)).toBe(27n);
    r.native.setReg(r.cpu.vcpu, 6, 0x1_0000_001bn);
    r.exit(sysregEsr(3, 0, 12, 11, 5, 6, false)); // ICC_SGI1R_EL1
    r.exit(sysregEsr(3, 0, 4, 6, 0, 31, false)); // ICC_PMR_EL1 from XZR
    expect(calls).toEqual(['r 2 c660', 'w 2 c65d 27 1', 'w 2 c230 0 0']);
    expect(r.cpu.getPc()).toBe(PC0 + 12n);
    r.exit(sysregEsr(3, 0, 12, 8, 0, 1, true)); // ICC_IAR0_EL1: handler refuses
    expect(r.cpu.getPc()).toBe(VBAR + 0x200n);
    expect(r.cpu.getSysreg('ESR_EL1')).toBe(0x0200_0000n);
  });

  it('ID space reads as zero, writes are UNDEFINED; unknown registers are UNDEFINED', () => {
    const r = makeRig();
    r.cpu.setSysreg('VBAR_EL1', VBAR);
    r.native.setReg(r.cpu.vcpu, 3, 77n);
    r.exit(sysregEsr(3, 0, 0, 3, 2, 3, true));
    expect(r.reg(3)).toBe(0n);
    expect(r.cpu.getPc()).toBe(PC0 + 4n);
    r.exit(sysregEsr(3, 0, 0, 3, 2, 3, false));
    expect(r.cpu.getPc()).toBe(VBAR + 0x200n);
    const r2 = makeRig();
    r2.cpu.setSysreg('VBAR_EL1', VBAR);
    r2.exit(sysregEsr(3, 7, 15, 2, 0, 0, true)); // IMPDEF: not handled
    expect(r2.cpu.getPc()).toBe(VBAR + 0x200n);
    expect(r2.entries.some((e) => /S3_7_C15_C2_0/.test(e.message))).toBe(true);
  });

  it('OS lock: OSLAR bit 0 shows in OSLSR.OSLK; OSDLR reads 0', () => {
    const r = makeRig();
    r.exit(sysregEsr(2, 0, 1, 1, 4, 1, true));
    expect(r.reg(1)).toBe(0b1010n); // OSLM = 0b10, locked at reset
    r.exit(sysregEsr(2, 0, 1, 0, 4, 31, false)); // OSLAR_EL1 <- xzr: unlock
    r.exit(sysregEsr(2, 0, 1, 1, 4, 1, true));
    expect(r.reg(1)).toBe(0b1000n);
    r.exit(sysregEsr(2, 0, 1, 3, 4, 1, true));
    expect(r.reg(1)).toBe(0n);
  });

  it('debug registers and MDSCR are shadowed per register', () => {
    const r = makeRig();
    r.native.setReg(r.cpu.vcpu, 2, 0xffff_0000_1234_5678n);
    r.exit(sysregEsr(2, 0, 0, 5, 4, 2, false)); // DBGBVR5_EL1
    r.native.setReg(r.cpu.vcpu, 2, 0x1e5n);
    r.exit(sysregEsr(2, 0, 0, 5, 5, 2, false)); // DBGBCR5_EL1
    r.exit(sysregEsr(2, 0, 0, 5, 4, 10, true));
    r.exit(sysregEsr(2, 0, 0, 5, 5, 11, true));
    r.exit(sysregEsr(2, 0, 0, 6, 4, 12, true));
    expect([r.reg(10), r.reg(11), r.reg(12)]).toEqual([0xffff_0000_1234_5678n, 0x1e5n, 0n]);
  });

  it('PMU: only the cycle counter exists, PMCR.C clears it, PMCEID reads 0', () => {
    const r = makeRig();
    r.native.setReg(r.cpu.vcpu, 1, 1000n);
    r.exit(sysregEsr(3, 3, 9, 13, 0, 1, false)); // PMCCNTR_EL0 = 1000
    r.exit(sysregEsr(3, 3, 9, 13, 0, 2, true));
    expect(r.reg(2)).toBe(1000n);
    r.native.setReg(r.cpu.vcpu, 1, 0xffff_ffffn);
    r.exit(sysregEsr(3, 3, 9, 12, 1, 1, false)); // PMCNTENSET_EL0
    r.exit(sysregEsr(3, 3, 9, 12, 2, 2, true)); // PMCNTENCLR_EL0 reads the enable set
    expect(r.reg(2)).toBe(1n << 31n);
    r.native.setReg(r.cpu.vcpu, 1, 0b101n); // E | C
    r.exit(sysregEsr(3, 3, 9, 12, 0, 1, false));
    r.exit(sysregEsr(3, 3, 9, 13, 0, 2, true));
    expect(r.reg(2)).toBe(0n);
    r.exit(sysregEsr(3, 3, 9, 12, 0, 2, true));
    expect(r.reg(2)).toBe(1n); // C is an action, not state
    r.native.setReg(r.cpu.vcpu, 3, 9n);
    r.exit(sysregEsr(3, 3, 9, 12, 6, 3, true));
    expect(r.reg(3)).toBe(0n);
  });
});

describe('HvfCpu: HVC, SMC, WFI, WFE', () => {
  it('HVC calls the board handler with the immediate; the PC is not advanced', () => {
    const seen: number[] = [];
    const r = makeRig({
      hvc: (cpu, imm) => {
        seen.push(imm);
        cpu.setX(0, 0x0001_0001n);
        return true;
      },
    });
    r.native.setReg(r.cpu.vcpu, HvReg.PC, PC0 + 4n); // HVF reports the PC past the HVC
    r.exit(HVC_ESR(0x1234));
    expect(seen).toEqual([0x1234]);
    expect(r.reg(0)).toBe(0x0001_0001n);
    expect(r.cpu.getPc()).toBe(PC0 + 4n);
  });

  it('an HVC the handler refuses is UNDEFINED at the HVC instruction', () => {
    const r = makeRig({ hvc: () => false });
    r.cpu.setSysreg('VBAR_EL1', VBAR);
    r.native.setReg(r.cpu.vcpu, HvReg.PC, PC0 + 4n);
    r.exit(HVC_ESR(0));
    expect(r.cpu.getSysreg('ELR_EL1')).toBe(PC0);
    expect(r.cpu.getPc()).toBe(VBAR + 0x200n);
  });

  it('SMC without a handler is UNDEFINED at the SMC; with one the PC advances past it', () => {
    const r = makeRig();
    r.cpu.setSysreg('VBAR_EL1', VBAR);
    r.exit(SMC_ESR(0));
    expect(r.cpu.getSysreg('ELR_EL1')).toBe(PC0);
    const r2 = makeRig({ smc: () => true });
    r2.exit(SMC_ESR(0));
    expect(r2.cpu.getPc()).toBe(PC0 + 4n);
  });

  it('a PSCI CPU_OFF from the handler stops the run with "off"', () => {
    const r = makeRig({
      hvc: (cpu) => {
        cpu.powerOff();
        return true;
      },
    });
    r.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: HVC_ESR(0) });
    expect(r.cpu.run(20_000)).toBe('off');
    expect(r.cpu.poweredOn).toBe(false);
    expect(r.cpu.run(20_000)).toBe('off');
  });

  it('WFE and WFI with an interrupt pending just continue', () => {
    const r = makeRig();
    r.exit(WFE_ESR);
    expect(r.cpu.getPc()).toBe(PC0 + 4n);
    r.cpu.irq.setLevel(true);
    r.exit(WFI_ESR);
    expect(r.cpu.waiting).toBe(false);
    expect(r.cpu.getPc()).toBe(PC0 + 8n);
  });

  it('WFI with the virtual timer off waits until an interrupt arrives', () => {
    const r = makeRig();
    r.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: WFI_ESR });
    expect(r.cpu.run(20_000)).toBe('wfi');
    expect(r.cpu.getPc()).toBe(PC0 + 4n);
    const runs = r.native.vcpus[0]!.runs.length;
    r.native.hostNs += 50_000_000;
    expect(r.cpu.run(20_000)).toBe('wfi');
    expect(r.native.vcpus[0]!.runs.length).toBe(runs); // the guest did not run
    expect(r.clock.nextDeadline()).toBe(Infinity);
    r.cpu.irq.setLevel(true);
    expect(r.cpu.run(20_000)).toBe('budget');
    expect(r.native.vcpus[0]!.runs.at(-1)!.irq).toBe(true);
  });

  it('WFI with the timer due, or due within 2 ms, does not sleep; later deadlines arm a wake-up', () => {
    const r = makeRig();
    const v = r.native.vcpus[0]!;
    r.native.hostNs = 1_000_000_000;
    v.vtimerOffset = 0n;
    const now = r.native.hostTicks();
    v.sysregs.set(enc('CNTV_CTL_EL0'), 1n);
    v.sysregs.set(enc('CNTV_CVAL_EL0'), now - 1n);
    r.exit(WFI_ESR);
    expect(r.cpu.waiting).toBe(false);
    v.sysregs.set(enc('CNTV_CVAL_EL0'), now + 24_000n * 2n - 1n); // just under 2 ms
    r.exit(WFI_ESR);
    expect(r.cpu.waiting).toBe(false);
    v.sysregs.set(enc('CNTV_CTL_EL0'), 3n); // enabled but masked: wait for an interrupt
    r.exit(WFI_ESR);
    expect(r.cpu.waiting).toBe(true);
    expect(r.clock.nextDeadline()).toBe(Infinity);

    const r2 = makeRig();
    const v2 = r2.native.vcpus[0]!;
    r2.native.hostNs = 1_000_000_000;
    v2.vtimerOffset = 24_000n; // the guest counter lags the host by 1 ms
    v2.sysregs.set(enc('CNTV_CTL_EL0'), 1n);
    v2.sysregs.set(enc('CNTV_CVAL_EL0'), r2.native.hostTicks() - 24_000n + 240_000n); // 10 ms ahead
    r2.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: WFI_ESR, ns: 0 });
    expect(r2.cpu.run(20_000)).toBe('wfi');
    expect(r2.clock.nextDeadline()).toBe(r2.clock.now() + 10_000_000);
    r2.native.hostNs += 9_000_000;
    expect(r2.cpu.run(20_000)).toBe('wfi');
    r2.native.hostNs += 1_000_000;
    r2.clock.runDue();
    expect(r2.cpu.run(20_000)).toBe('budget');
    expect(r2.cpu.waiting).toBe(false);
  });
});

describe('HvfCpu: virtual timer and interrupts (spec §9.4)', () => {
  it('VTIMER_ACTIVATED raises the line; it follows CNTV_CTL after exits and HVF unmasks once it is low', () => {
    const r = makeRig();
    const v = r.native.vcpus[0]!;
    v.vtimerMasked = true; // HVF masks it when it fires
    r.native.script.push({ reason: HvExitReason.VTIMER_ACTIVATED });
    r.native.vcpuRun(r.cpu.vcpu, 1e6);
    r.cpu.handleExit();
    expect(r.cpu.virtualTimer.level).toBe(true);
    v.sysregs.set(enc('CNTV_CTL_EL0'), 0b101n); // ENABLE | ISTATUS: still firing
    r.exit(sysregEsr(3, 0, 12, 8, 0, 1, true));
    expect(r.cpu.virtualTimer.level).toBe(true);
    expect(v.vtimerMasked).toBe(true);
    v.sysregs.set(enc('CNTV_CTL_EL0'), 0b111n); // the guest set IMASK
    r.exit(sysregEsr(3, 0, 12, 8, 0, 1, true));
    expect(r.cpu.virtualTimer.level).toBe(false);
    expect(v.vtimerMasked).toBe(false);
    // Not masked any more: further exits do not touch the line.
    v.sysregs.set(enc('CNTV_CTL_EL0'), 0b101n);
    r.exit(sysregEsr(3, 0, 12, 8, 0, 1, true));
    expect(r.cpu.virtualTimer.level).toBe(false);
  });

  it('IRQ and FIQ levels are set as pending before every run', () => {
    const r = makeRig();
    r.cpu.fiq.setLevel(true);
    r.native.script.push({ reason: HvExitReason.CANCELED, ns: 2_000_000 });
    r.cpu.run(20_000);
    const v = r.native.vcpus[0]!;
    expect(v.runs.at(-1)).toMatchObject({ irq: false, fiq: true });
    r.cpu.fiq.setLevel(false);
    r.cpu.irq.setLevel(true);
    r.native.script.push({ reason: HvExitReason.CANCELED, ns: 2_000_000 });
    r.cpu.run(20_000);
    expect(v.runs.at(-1)).toMatchObject({ irq: true, fiq: false });
    expect(v.pending[HvInterrupt.IRQ]).toBe(true);
  });
});

describe('HvfCpu: run and reset', () => {
  it('runs budget × 50 ns of host time, cut at the next clock deadline', () => {
    const r = makeRig();
    r.native.script.push({ reason: HvExitReason.CANCELED, ns: 1_000_000 });
    expect(r.cpu.run(20_000)).toBe('budget');
    expect(r.native.vcpus[0]!.runs[0]!.timeoutNs).toBe(1_000_000);
    expect(r.cpu.retired).toBe(20_000);
    const t = r.clock.createTimer(() => {});
    t.armIn(300_000);
    r.native.script.push({ reason: HvExitReason.CANCELED, ns: 300_000 });
    expect(r.cpu.run(20_000)).toBe('budget');
    expect(r.native.vcpus[0]!.runs[1]!.timeoutNs).toBe(300_000);
  });

  it('keeps handling exits within one run; requestExit ends it with "exit"', () => {
    const r = makeRig();
    r.readValue.v = 5n;
    r.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: dataAbortEsr({ size: 4, srt: 1 }), ipa: BigInt(MMIO_BASE), ns: 10 });
    r.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: dataAbortEsr({ size: 4, srt: 2 }), ipa: BigInt(MMIO_BASE), ns: 10 });
    r.native.script.push({ reason: HvExitReason.CANCELED, ns: 1_000_000 });
    expect(r.cpu.run(20_000)).toBe('budget');
    expect([r.reg(1), r.reg(2)]).toEqual([5n, 5n]);
    expect(r.cpu.getPc()).toBe(PC0 + 8n);
    r.cpu.requestExit();
    expect(r.cpu.run(20_000)).toBe('exit');
    expect(r.cpu.run(20_000)).toBe('budget');
  });

  it('an unknown exit reason stops the CPU with a guest error', () => {
    const r = makeRig();
    r.native.script.push({ reason: HvExitReason.UNKNOWN });
    expect(r.cpu.run(20_000)).toBe('off');
    expect(r.entries.some((e) => e.kind === 'guest-error')).toBe(true);
  });

  it('reset: EL1h with DAIF masked, SCTLR 0x30900180, MPIDR with bit 31, the GIC field of ID_AA64PFR0 set', () => {
    const r = makeRig();
    const v = r.native.vcpus[0]!;
    v.sysregs.set(enc('ID_AA64PFR0_EL1'), 0x1100_0000_0f00_0011n); // host value with GIC=0xf
    r.native.setReg(r.cpu.vcpu, 4, 99n);
    r.cpu.reset({ pc: 0x1234n, x: [1n, 2n] });
    expect(r.cpu.getPstate()).toBe(0x3c5);
    expect(r.cpu.getSysreg('SCTLR_EL1')).toBe(HVF_RESET_SCTLR);
    expect(r.cpu.getSysreg('MPIDR_EL1')).toBe(0x8000_0002n);
    expect(r.cpu.getSysreg('ID_AA64PFR0_EL1')).toBe(0x1100_0000_0100_0011n);
    expect([r.cpu.getPc(), r.cpu.getX(0), r.cpu.getX(1), r.cpu.getX(4)]).toEqual([0x1234n, 1n, 2n, 0n]);
    expect(() => r.cpu.getSysreg('NOPE_EL1')).toThrow(/does not know/);
  });
});
