import { type Log, type SystemRegisterHandler, type SysregValue, type VirtualClock } from '@vmapple/core-bus';
import { TRAPPED as T } from './sysreg-names.js';

/** OSLSR_EL1 at reset: OSLM = 0b10 (bit 3), OS lock set (bit 1). */
const OSLSR_RESET = 0b1010n;
/** PMCR_EL0 bits the guest may write: E, D, X, DP, LC (P and C are actions). */
const PMCR_WRITABLE = 0b1111_1001n;
const PMCR_P = 1n << 1n;
const PMCR_C = 1n << 2n;
/** Only the cycle counter exists (PMCR.N = 0): bit 31 in the counter bitmaps. */
const CYCLE_COUNTER = 1n << 31n;

/** Is `encoding` a GICv3 CPU interface register (ICC_*, op0 3 op1 0 CRn 12, or ICC_PMR_EL1)? */
export function isIccRegister(encoding: number): boolean {
  const op0 = encoding >>> 14;
  const op1 = (encoding >>> 11) & 7;
  const crn = (encoding >>> 7) & 15;
  if (op0 !== 3 || op1 !== 0) return false;
  if (crn === 12) {
    const crm = (encoding >>> 3) & 15;
    // CRm 8..15 of CRn 12 are the ICC registers (CRm 0 is VBAR/RVBAR/RMR, 1 is ISR).
    return crm >= 8;
  }
  return encoding === ((3 << 14) | (4 << 7) | (6 << 3)); // ICC_PMR_EL1: 3,0,4,6,0
}

/** Is `encoding` in the ID space (op0 3, op1 0, CRn 0, CRm 1..7)? */
export function isIdSpace(encoding: number): boolean {
  const crm = (encoding >>> 3) & 15;
  return encoding >>> 7 === ((3 << 7) | 0) && crm >= 1 && crm <= 7;
}

/**
 * The system registers HVF traps to the host and QEMU's HVF backend emulates
 * (spec §9.3): counters, the vmapple CNTP_CTL_EL0 write, a PMU with only a
 * cycle counter that counts nothing, the OS lock, shadow debug registers, the
 * GIC CPU interface (forwarded to the board's handler) and the ID space.
 * Anything else is UNDEFINED (the methods return false).
 */
export class HvfTrappedSysregs {
  private pmcr = 0n;
  private pmcnten = 0n;
  private pmovs = 0n;
  private pmsel = 0n;
  private pminten = 0n;
  private pmccfiltr = 0n;
  private pmuserenr = 0n;
  private pmccntr = 0n;
  private oslsr = OSLSR_RESET;
  private mdscr = 0n;
  /** DBGBVR/BCR/WVR/WCR 0..15 by encoding. */
  private readonly debug = new Map<number, bigint>();
  private readonly out: SysregValue = { lo: 0, hi: 0 };

  constructor(
    private readonly cpuIndex: number,
    private readonly clock: VirtualClock,
    private readonly counterFrequencyHz: number,
    private readonly gic: SystemRegisterHandler | undefined,
    private readonly log: Log,
  ) {}

  reset(): void {
    this.pmcr = this.pmcnten = this.pmovs = this.pmsel = this.pminten = 0n;
    this.pmccfiltr = this.pmuserenr = this.pmccntr = this.mdscr = 0n;
    this.oslsr = OSLSR_RESET;
    this.debug.clear();
  }

  /** CNTPCT_EL0: virtual clock ns converted to counter ticks. */
  physicalCount(): bigint {
    return (BigInt(Math.floor(this.clock.now())) * BigInt(this.counterFrequencyHz)) / 1_000_000_000n;
  }

  /** MRS of a trapped register: the value, or undefined for UNDEFINED. */
  read(encoding: number): bigint | undefined {
    switch (encoding) {
      case T.CNTPCT_EL0:
        return this.physicalCount();
      case T.PMCR_EL0:
        return this.pmcr;
      case T.PMCNTENSET_EL0:
      case T.PMCNTENCLR_EL0:
        return this.pmcnten;
      case T.PMOVSCLR_EL0:
        return this.pmovs;
      case T.PMSELR_EL0:
        return this.pmsel;
      case T.PMCEID0_EL0:
      case T.PMCEID1_EL0:
        return 0n;
      case T.PMCCNTR_EL0:
        return this.pmccntr;
      case T.PMUSERENR_EL0:
        return this.pmuserenr;
      case T.PMINTENSET_EL1:
      case T.PMINTENCLR_EL1:
        return this.pminten;
      case T.PMCCFILTR_EL0:
        return this.pmccfiltr;
      case T.OSLSR_EL1:
        return this.oslsr;
      case T.OSDLR_EL1:
        return 0n;
      case T.MDSCR_EL1:
        return this.mdscr;
    }
    if (isDebugRegister(encoding)) return this.debug.get(encoding) ?? 0n;
    if (isIccRegister(encoding)) {
      if (!this.gic || !this.gic.readSysreg(this.cpuIndex, encoding, this.out)) return undefined;
      return (BigInt(this.out.hi >>> 0) << 32n) | BigInt(this.out.lo >>> 0);
    }
    if (isIdSpace(encoding)) return 0n;
    return undefined;
  }

  /** MSR of a trapped register: false for UNDEFINED. */
  write(encoding: number, value: bigint): boolean {
    switch (encoding) {
      case T.CNTP_CTL_EL0:
        // vmapple (spec §9.1): macOS disables the EL1 physical timer at boot; accept and ignore.
        this.log.unimplemented('hvf', `CNTP_CTL_EL0 write ${value} ignored`);
        return true;
      case T.PMCR_EL0:
        if (value & PMCR_C) this.pmccntr = 0n;
        // PMCR_P resets event counters; there are none.
        void PMCR_P;
        this.pmcr = value & PMCR_WRITABLE;
        return true;
      case T.PMCNTENSET_EL0:
        this.pmcnten |= value & CYCLE_COUNTER;
        return true;
      case T.PMCNTENCLR_EL0:
        this.pmcnten &= ~value;
        return true;
      case T.PMOVSCLR_EL0:
        this.pmovs &= ~value;
        return true;
      case T.PMSWINC_EL0:
        return true; // no event counters to increment
      case T.PMSELR_EL0:
        this.pmsel = value & 0x1fn;
        return true;
      case T.PMCCNTR_EL0:
        this.pmccntr = BigInt.asUintN(64, value);
        return true;
      case T.PMUSERENR_EL0:
        this.pmuserenr = value & 0xfn;
        return true;
      case T.PMINTENSET_EL1:
        this.pminten |= value & CYCLE_COUNTER;
        return true;
      case T.PMINTENCLR_EL1:
        this.pminten &= ~value;
        return true;
      case T.PMCCFILTR_EL0:
        this.pmccfiltr = value & 0xfc00_0000n;
        return true;
      case T.OSLAR_EL1:
        this.oslsr = (this.oslsr & ~2n) | ((value & 1n) << 1n);
        return true;
      case T.OSDLR_EL1:
        return true;
      case T.MDSCR_EL1:
        this.mdscr = BigInt.asUintN(64, value);
        return true;
    }
    if (isDebugRegister(encoding)) {
      this.debug.set(encoding, BigInt.asUintN(64, value));
      return true;
    }
    if (isIccRegister(encoding)) {
      if (!this.gic) return false;
      return this.gic.writeSysreg(this.cpuIndex, encoding, Number(value & 0xffff_ffffn) | 0, Number((value >> 32n) & 0xffff_ffffn) | 0);
    }
    return false;
  }
}

/** DBGBVR/DBGBCR/DBGWVR/DBGWCR<n>_EL1: op0 2, op1 0, CRn 0, CRm n, op2 4..7. */
function isDebugRegister(encoding: number): boolean {
  return encoding >>> 7 === 2 << 7 && (encoding & 7) >= 4;
}
