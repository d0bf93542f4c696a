import {
  type AddressSpace,
  ConfigValidator,
  hex,
  type InterruptTarget,
  IrqLine,
  type Log,
  silentLog,
  type Timer,
  type VirtualClock,
} from '@vmapple/core-bus';
import type { CallHandler, Cpu, CpuBootState, CpuOptions, RunExit } from '../cpu.js';
import { type HvfVm } from './hvf-vm.js';
import { EXIT_RECORD_WORDS, ExitWord, HvExitReason, HvInterrupt, HvReg, type HvfNative } from './native-api.js';
import { HVF_SYSREGS, SR } from './sysreg-names.js';
import {
  callImmediate,
  decodeDataAbort,
  decodeSysregTrap,
  esrEc,
  externalAbortSyndrome,
  HvfEc,
  isWfe,
  UNDEF_SYNDROME,
} from './syndrome.js';
import { HvfTrappedSysregs } from './trapped-sysregs.js';

export interface HvfCpuOptions extends CpuOptions {
  vm: HvfVm;
  /**
   * Host nanoseconds one unit of `run(budget)` stands for (default 50: the
   * runner's 20 000-unit slice is 1 ms of guest execution).
   */
  nsPerBudgetUnit?: number;
}

/** What handling one exit decided. */
export type ExitAction = 'resume' | 'wfi' | 'off' | 'exit';

/** WFI deadlines closer than this are not slept on (spec §9.4: 2 ms). */
export const WFI_MIN_SLEEP_NS = 2_000_000;
/** Reset SCTLR_EL1 (spec §9.4 vCPU setup). */
export const HVF_RESET_SCTLR = 0x3090_0180n;
/** EL1h with D, A, I, F masked. */
const PSTATE_EL1H_MASKED = 0x3c5n;
const CNTV_ENABLE = 1n;
const CNTV_IMASK = 2n;
const CNTV_ISTATUS = 4n;

/**
 * An AArch64 CPU run by Hypervisor.framework (macOS on Apple silicon).
 *
 * `run(budget)` runs the guest natively for at most `budget × nsPerBudgetUnit`
 * host nanoseconds (cut short at the clock's next timer deadline), handling
 * every exit in TypeScript: MMIO data aborts through the AddressSpace,
 * trapped system registers (spec §9.3), HVC/SMC through the board's handlers,
 * WFI/WFE, and the virtual timer (spec §9.4). It returns 'budget' when the
 * time is used up, 'wfi' while the CPU waits for an interrupt (or for the
 * virtual timer deadline, for which it arms a clock timer so the runner's
 * idle wait ends in time), 'off' when powered off, 'exit' after
 * `requestExit`. `retired` counts budget units (HVF cannot count
 * instructions). The clock must be 'realtime'.
 */
export class HvfCpu implements Cpu {
  readonly index: number;
  readonly irq: InterruptTarget;
  readonly fiq: InterruptTarget;
  readonly virtualTimer = new IrqLine();
  /** HVF traps the EL1 physical timer; it never fires here. */
  readonly physicalTimer = new IrqLine();
  readonly mpidr: bigint;
  readonly counterFrequencyHz: number;
  readonly vcpu: number;
  /** Filled by the shim after each run (see ExitWord). */
  readonly exitRecord = new BigUint64Array(EXIT_RECORD_WORDS);

  private readonly native: HvfNative;
  private readonly memory: AddressSpace;
  private readonly clock: VirtualClock;
  private readonly log: Log;
  private readonly hvc: CallHandler | undefined;
  private readonly smc: CallHandler | undefined;
  private readonly trapped: HvfTrappedSysregs;
  private readonly nsPerUnit: number;
  private readonly wakeTimer: Timer;
  private irqLevel = false;
  private fiqLevel = false;
  private on = false;
  private exitRequested = false;
  private retiredUnits = 0;
  private vtimerMasked = false;
  /** Waiting in WFI until this clock time (Infinity: until an interrupt); -1 when not waiting. */
  private wfiUntil = -1;
  /** `runAsync` in progress: how to report its end. */
  private asyncDone: ((why: RunExit) => void) | null = null;
  /** The vCPU thread is inside hv_vcpu_run for `runAsync`. */
  private inGuest = false;

  constructor(options: HvfCpuOptions) {
    const v = new ConfigValidator('cpu-aarch64-hvf');
    if (!options.vm) v.fail('vm', 'must be an HvfVm, got undefined');
    if (!options.memory) v.fail('memory', 'must be an AddressSpace, got undefined');
    if (!options.clock) v.fail('clock', 'must be a VirtualClock, got undefined');
    if (options.clock.mode !== 'realtime') v.fail('clock', `must be a 'realtime' clock under HVF, got '${options.clock.mode}'`);
    if (options.memory !== options.vm.memory) v.fail('memory', 'must be the AddressSpace the HvfVm maps');
    this.index = v.int('index', options.index, 0, { min: 0, max: 255 });
    this.nsPerUnit = v.int('nsPerBudgetUnit', options.nsPerBudgetUnit, 50, { min: 1, max: 1_000_000 });
    const defaultMpidr = BigInt(((this.index >> 4) << 8) | (this.index & 15));
    this.mpidr = v.u64('mpidr', options.mpidr, defaultMpidr) | 0x8000_0000n;
    this.native = options.vm.native;
    this.memory = options.memory;
    this.clock = options.clock;
    this.log = options.log ?? silentLog;
    this.hvc = options.hvc;
    this.smc = options.smc;
    this.counterFrequencyHz = this.native.hostCounterFrequency();
    if (options.counterFrequencyHz !== undefined && options.counterFrequencyHz !== this.counterFrequencyHz) {
      this.log.info('hvf', `counter frequency is the host's ${this.counterFrequencyHz} Hz, not ${options.counterFrequencyHz}`);
    }
    this.trapped = new HvfTrappedSysregs(this.index, this.clock, this.counterFrequencyHz, options.sysregs, this.log);
    this.wakeTimer = this.clock.createTimer(() => {
      if (this.asyncDone && !this.inGuest) this.resumeAsync();
    });
    this.irq = { setLevel: (level: boolean) => this.setInterrupt(false, level) };
    this.fiq = { setLevel: (level: boolean) => this.setInterrupt(true, level) };
    this.vcpu = this.native.vcpuCreate(this.exitRecord, () => this.asyncExit());
    this.native.setVtimerOffset(this.vcpu, options.vm.vtimerOffset);
    this.architecturalReset();
    this.on = false;
  }

  // ---- Cpu interface ----------------------------------------------------------

  get retired(): number {
    return this.retiredUnits;
  }

  get poweredOn(): boolean {
    return this.on;
  }

  /** Whether the CPU sits in WFI. */
  get waiting(): boolean {
    return this.wfiUntil >= 0;
  }

  requestExit(): void {
    this.exitRequested = true;
    this.kick();
  }

  reset(boot: CpuBootState): void {
    this.architecturalReset();
    this.native.setReg(this.vcpu, HvReg.PC, BigInt.asUintN(64, boot.pc));
    const x = boot.x ?? [];
    for (let i = 0; i < x.length && i < 31; i++) this.native.setReg(this.vcpu, i, BigInt.asUintN(64, x[i]!));
    this.on = boot.powerOn ?? true;
  }

  powerOff(): void {
    this.on = false;
    this.exitRequested = true;
    this.wakeTimer.cancel();
    this.kick();
  }

  getX(n: number): bigint {
    if (n === 31) return 0n;
    if (!Number.isInteger(n) || n < 0 || n > 31) throw new RangeError(`cpu-aarch64: no register x${n}`);
    return this.native.getReg(this.vcpu, n);
  }

  setX(n: number, value: bigint): void {
    if (!Number.isInteger(n) || n < 0 || n > 31) throw new RangeError(`cpu-aarch64: no register x${n}`);
    if (n !== 31) this.native.setReg(this.vcpu, n, BigInt.asUintN(64, value));
  }

  getPc(): bigint {
    return this.native.getReg(this.vcpu, HvReg.PC);
  }

  setPc(value: bigint): void {
    this.native.setReg(this.vcpu, HvReg.PC, BigInt.asUintN(64, value));
  }

  getPstate(): number {
    return Number(this.native.getReg(this.vcpu, HvReg.CPSR) & 0xffff_ffffn);
  }

  getSysreg(name: string): bigint {
    const enc = HVF_SYSREGS.get(name);
    if (enc === undefined) throw new RangeError(`cpu-aarch64: the HVF backend does not know system register '${name}'`);
    return this.native.getSysReg(this.vcpu, enc);
  }

  setSysreg(name: string, value: bigint): void {
    const enc = HVF_SYSREGS.get(name);
    if (enc === undefined) throw new RangeError(`cpu-aarch64: the HVF backend does not know system register '${name}'`);
    this.native.setSysReg(this.vcpu, enc, BigInt.asUintN(64, value));
  }

  run(budget: number): RunExit {
    if (!this.on) return 'off';
    if (this.asyncDone) throw new Error('cpu-aarch64: run() while runAsync() is in progress');
    const start = this.clock.now();
    let end = start + Math.max(1, budget) * this.nsPerUnit;
    const deadline = this.clock.nextDeadline();
    if (deadline < end) end = Math.max(start, deadline);
    let why: RunExit = 'budget';
    for (;;) {
      if (this.exitRequested) {
        this.exitRequested = false;
        why = this.on ? 'exit' : 'off';
        break;
      }
      if (this.wfiUntil >= 0) {
        if (this.irqLevel || this.fiqLevel || this.clock.now() >= this.wfiUntil) this.endWfi();
        else {
          why = 'wfi';
          break;
        }
      }
      const now = this.clock.now();
      if (now >= end) break;
      this.native.setPendingInterrupt(this.vcpu, HvInterrupt.IRQ, this.irqLevel);
      this.native.setPendingInterrupt(this.vcpu, HvInterrupt.FIQ, this.fiqLevel);
      this.native.vcpuRun(this.vcpu, end - now);
      const action = this.handleExit();
      if (action === 'off') {
        why = 'off';
        break;
      }
      if (action === 'exit') {
        this.exitRequested = false;
        why = 'exit';
        break;
      }
      // 'wfi' is picked up at the top of the loop.
    }
    this.retiredUnits += Math.round((this.clock.now() - start) / this.nsPerUnit);
    return why;
  }

  /** Stops the vCPU thread and frees the vCPU (before `HvfVm.destroy`). */
  destroy(): void {
    this.on = false;
    this.wakeTimer.cancel();
    this.native.vcpuDestroy(this.vcpu);
  }

  /**
   * Runs the vCPU on its own thread until it stops, handling each exit on
   * the JavaScript thread as the shim's thread-safe function delivers it and
   * resuming the vCPU afterwards; JavaScript (devices, timers, other vCPUs)
   * keeps running meanwhile. Resolves 'off' on power-off and 'exit' after
   * `requestExit`. IRQ/FIQ changes and `requestExit` kick the vCPU out of
   * the guest so they take effect at once. The caller keeps calling
   * `clock.runDue()` (it ends WFI waits on the timer deadline).
   */
  runAsync(): Promise<RunExit> {
    if (this.asyncDone) return Promise.reject(new Error('cpu-aarch64: runAsync() is already in progress'));
    if (!this.on) return Promise.resolve('off');
    return new Promise((resolve) => {
      this.asyncDone = resolve;
      this.resumeAsync();
    });
  }

  private resumeAsync(): void {
    if (!this.asyncDone || this.inGuest) return;
    if (this.exitRequested || !this.on) {
      this.exitRequested = false;
      this.finishAsync(this.on ? 'exit' : 'off');
      return;
    }
    if (this.wfiUntil >= 0) {
      if (this.irqLevel || this.fiqLevel || this.clock.now() >= this.wfiUntil) this.endWfi();
      else return; // an interrupt or the wake timer resumes
    }
    this.native.setPendingInterrupt(this.vcpu, HvInterrupt.IRQ, this.irqLevel);
    this.native.setPendingInterrupt(this.vcpu, HvInterrupt.FIQ, this.fiqLevel);
    this.inGuest = true;
    this.native.vcpuResume(this.vcpu);
  }

  private asyncExit(): void {
    this.inGuest = false;
    if (!this.asyncDone) return;
    const action = this.handleExit();
    if (action === 'off') this.finishAsync('off');
    else if (action === 'exit') {
      this.exitRequested = false;
      this.finishAsync('exit');
    } else this.resumeAsync();
  }

  private finishAsync(why: RunExit): void {
    const done = this.asyncDone;
    this.asyncDone = null;
    done?.(why);
  }

  /** Makes a vCPU that is in the guest for `runAsync` exit (CANCELED). */
  private kick(): void {
    if (this.inGuest) this.native.vcpusExit([this.vcpu]);
  }

  // ---- exit handling (public for tests and an asynchronous runner) -------------

  /** Handles the exit in `exitRecord`; the vCPU thread is parked, so registers may be read and written. */
  handleExit(): ExitAction {
    const rec = this.exitRecord;
    const reason = Number(rec[ExitWord.REASON]);
    switch (reason) {
      case HvExitReason.CANCELED:
        if (!this.on) return 'off';
        return this.exitRequested ? 'exit' : 'resume';
      case HvExitReason.VTIMER_ACTIVATED:
        // HVF masked the vtimer; the line stays high until the guest quiets the timer (spec §9.4).
        this.virtualTimer.raise();
        this.vtimerMasked = true;
        return 'resume';
      case HvExitReason.EXCEPTION: {
        const action = this.handleException(Number(rec[ExitWord.SYNDROME] & 0xffff_ffffn), rec[ExitWord.VIRTUAL_ADDRESS]!, rec[ExitWord.PHYSICAL_ADDRESS]!);
        this.syncVtimer();
        return action;
      }
      default:
        this.log.guestError('hvf', `cpu ${this.index}: unknown exit reason ${reason}; stopping the CPU`);
        this.powerOff();
        return 'off';
    }
  }

  private handleException(esr: number, va: bigint, ipa: bigint): ExitAction {
    const ec = esrEc(esr);
    switch (ec) {
      case HvfEc.DATA_ABORT_LOWER:
        return this.dataAbort(esr, va, ipa);
      case HvfEc.SYSREG:
        return this.sysregTrap(esr);
      case HvfEc.HVC64:
        return this.call(this.hvc, callImmediate(esr), false);
      case HvfEc.SMC64:
        return this.call(this.smc, callImmediate(esr), true);
      case HvfEc.WFX:
        return this.wfx(esr);
      default:
        this.log.guestError('hvf', `cpu ${this.index}: unhandled exception class ${hex(ec)} (ESR ${hex(esr >>> 0, 8)}) at pc ${hex(this.getPc())}; injecting UNDEFINED`);
        this.injectException(UNDEF_SYNDROME, null);
        return 'resume';
    }
  }

  private advancePc(): void {
    this.native.setReg(this.vcpu, HvReg.PC, BigInt.asUintN(64, this.native.getReg(this.vcpu, HvReg.PC) + 4n));
  }

  private dataAbort(esr: number, va: bigint, ipa: bigint): ExitAction {
    const d = decodeDataAbort(esr);
    if (d.cacheMaintenance) {
      this.advancePc(); // cache maintenance on MMIO: nothing to do
      return 'resume';
    }
    const addr = Number(ipa);
    if (!d.isv) {
      // Pre/post-indexed, pair or SIMD access to MMIO: the syndrome does not describe it.
      this.log.guestError('hvf', `cpu ${this.index}: MMIO ${d.write ? 'write' : 'read'} at ${hex(addr)} (pc ${hex(this.getPc())}) that the syndrome does not describe (ISV=0); injecting an external abort`);
      this.injectException(externalAbortSyndrome(this.currentEl() === 1, d.write), va);
      return 'resume';
    }
    const memory = this.memory;
    if (d.write) {
      const value = d.rt === 31 ? 0n : this.native.getReg(this.vcpu, d.rt);
      if (d.size === 8) memory.write64(addr, value);
      else memory.write(addr, d.size, Number(value & BigInt(sizeMask(d.size))));
    } else {
      let value: bigint = d.size === 8 ? memory.read64(addr) : BigInt(memory.read(addr, d.size) >>> 0);
      if (d.signExtend && d.size < 8) value = BigInt.asUintN(64, BigInt.asIntN(d.size * 8, value));
      if (!d.sixtyFour) value &= 0xffff_ffffn;
      if (d.rt !== 31) this.native.setReg(this.vcpu, d.rt, value);
    }
    this.advancePc();
    return 'resume';
  }

  private sysregTrap(esr: number): ExitAction {
    const t = decodeSysregTrap(esr);
    if (t.read) {
      const value = this.trapped.read(t.encoding);
      if (value === undefined) return this.undefinedSysreg(t.encoding, true);
      if (t.rt !== 31) this.native.setReg(this.vcpu, t.rt, value);
    } else {
      const value = t.rt === 31 ? 0n : this.native.getReg(this.vcpu, t.rt);
      if (!this.trapped.write(t.encoding, value)) return this.undefinedSysreg(t.encoding, false);
    }
    this.advancePc();
    return 'resume';
  }

  private undefinedSysreg(encoding: number, read: boolean): ExitAction {
    this.log.unimplemented('hvf', `cpu ${this.index}: ${read ? 'MRS' : 'MSR'} of unhandled system register ${sysregName(encoding)}; injecting UNDEFINED`);
    this.injectException(UNDEF_SYNDROME, null);
    return 'resume';
  }

  private call(handler: CallHandler | undefined, imm16: number, smc: boolean): ExitAction {
    // An HVC exit already points past the instruction; a trapped SMC points at it.
    if (smc) this.advancePc();
    if (!handler || !handler(this, imm16)) {
      this.setPc(this.getPc() - 4n);
      this.injectException(UNDEF_SYNDROME, null);
      return 'resume';
    }
    if (!this.on) return 'off';
    return this.exitRequested ? 'exit' : 'resume';
  }

  private wfx(esr: number): ExitAction {
    this.advancePc();
    if (isWfe(esr)) return 'resume';
    if (this.irqLevel || this.fiqLevel) return 'resume';
    const ctl = this.native.getSysReg(this.vcpu, SR.CNTV_CTL_EL0);
    if ((ctl & CNTV_ENABLE) === 0n || (ctl & CNTV_IMASK) !== 0n) {
      this.wfiUntil = Infinity; // only an interrupt ends this wait
      return 'wfi';
    }
    const cval = this.native.getSysReg(this.vcpu, SR.CNTV_CVAL_EL0);
    const count = this.virtualCount();
    if (cval <= count) return 'resume';
    const ns = Number(((cval - count) * 1_000_000_000n) / BigInt(this.counterFrequencyHz));
    if (ns < WFI_MIN_SLEEP_NS) return 'resume';
    this.wfiUntil = this.clock.now() + ns;
    this.wakeTimer.arm(this.wfiUntil);
    return 'wfi';
  }

  /** CNTVCT_EL0 as the guest sees it: host ticks minus the vCPU's vtimer offset. */
  virtualCount(): bigint {
    return BigInt.asUintN(64, this.native.hostTicks() - this.native.getVtimerOffset(this.vcpu));
  }

  /** After an exception exit: while HVF keeps the vtimer masked, follow its level; unmask once it is low. */
  private syncVtimer(): void {
    if (!this.vtimerMasked) return;
    const ctl = this.native.getSysReg(this.vcpu, SR.CNTV_CTL_EL0);
    const level = (ctl & CNTV_ENABLE) !== 0n && (ctl & CNTV_ISTATUS) !== 0n && (ctl & CNTV_IMASK) === 0n;
    this.virtualTimer.setLevel(level);
    if (!level) {
      this.native.setVtimerMask(this.vcpu, false);
      this.vtimerMasked = false;
    }
  }

  /**
   * Takes a synchronous exception to EL1 (UNDEFINED or an abort): ESR, ELR,
   * SPSR (and FAR) of EL1 are set, PSTATE becomes EL1h with DAIF masked, and
   * the PC moves to the VBAR_EL1 vector for the current state.
   */
  private injectException(syndrome: number, far: bigint | null): void {
    const pc = this.getPc();
    const cpsr = this.native.getReg(this.vcpu, HvReg.CPSR);
    const el = Number((cpsr >> 2n) & 3n);
    const spx = (cpsr & 1n) === 1n;
    const vector = el === 0 ? 0x400n : spx ? 0x200n : 0n;
    this.native.setSysReg(this.vcpu, SR.ESR_EL1, BigInt(syndrome >>> 0));
    this.native.setSysReg(this.vcpu, SR.ELR_EL1, pc);
    this.native.setSysReg(this.vcpu, SR.SPSR_EL1, cpsr);
    if (far !== null) this.native.setSysReg(this.vcpu, SR.FAR_EL1, far);
    this.native.setReg(this.vcpu, HvReg.CPSR, PSTATE_EL1H_MASKED);
    this.native.setReg(this.vcpu, HvReg.PC, this.native.getSysReg(this.vcpu, SR.VBAR_EL1) + vector);
  }

  private currentEl(): number {
    return Number((this.native.getReg(this.vcpu, HvReg.CPSR) >> 2n) & 3n);
  }

  private setInterrupt(fiq: boolean, level: boolean): void {
    if (fiq) this.fiqLevel = level;
    else this.irqLevel = level;
    if (!level || !this.asyncDone) return;
    if (this.inGuest) this.kick(); // re-entered with the new pending state
    else this.resumeAsync(); // ends a WFI wait
  }

  private endWfi(): void {
    this.wfiUntil = -1;
    this.wakeTimer.cancel();
  }

  private architecturalReset(): void {
    for (let i = 0; i < 31; i++) this.native.setReg(this.vcpu, i, 0n);
    this.native.setReg(this.vcpu, HvReg.CPSR, PSTATE_EL1H_MASKED);
    this.native.setReg(this.vcpu, HvReg.PC, 0n);
    this.native.setSysReg(this.vcpu, SR.SCTLR_EL1, HVF_RESET_SCTLR);
    this.native.setSysReg(this.vcpu, SR.MPIDR_EL1, this.mpidr);
    // Advertise the GICv3 system-register interface (ID_AA64PFR0_EL1.GIC, bits 27..24 = 1).
    const pfr0 = this.native.getSysReg(this.vcpu, SR.ID_AA64PFR0_EL1);
    this.native.setSysReg(this.vcpu, SR.ID_AA64PFR0_EL1, (pfr0 & ~(0xfn << 24n)) | (1n << 24n));
    this.native.setVtimerMask(this.vcpu, false);
    this.vtimerMasked = false;
    this.virtualTimer.lower();
    this.trapped.reset();
    this.endWfi();
    this.exitRequested = false;
  }
}

function sizeMask(size: number): number {
  return size === 4 ? 0xffff_ffff : (1 << (size * 8)) - 1;
}

function sysregName(encoding: number): string {
  const op0 = encoding >>> 14;
  const op1 = (encoding >>> 11) & 7;
  const crn = (encoding >>> 7) & 15;
  const crm = (encoding >>> 3) & 15;
  const op2 = encoding & 7;
  return `S${op0}_${op1}_C${crn}_C${crm}_${op2}`;
}
