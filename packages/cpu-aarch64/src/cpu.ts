import type { AddressSpace, InterruptTarget, IrqLine, Log, SystemRegisterHandler, VirtualClock } from '@vmapple/core-bus';

/**
 * The backend-neutral CPU interface: the interpreter and the HVF backend both
 * implement it, and the board talks to nothing else.
 */

/** Why `run` returned. */
export type RunExit =
  /** The instruction budget is used up (or a timer deadline was reached). */
  | 'budget'
  /** WFI with no interrupt pending: the caller may skip time to the next deadline. */
  | 'wfi'
  /** The CPU is powered off (PSCI CPU_OFF, or never started). */
  | 'off'
  /** A breakpoint address was reached (before executing it). */
  | 'breakpoint'
  /** The board asked the CPU to stop (`requestExit`). */
  | 'exit';

/** Handler for HVC/SMC: the board implements PSCI/SMCCC on it. Returns false for UNDEFINED. */
export type CallHandler = (cpu: Cpu, imm16: number) => boolean;

export interface CpuOptions {
  /** Physical address space the CPU loads, stores and fetches through. */
  memory: AddressSpace;
  /** Virtual clock: drives the generic timer; in deterministic mode the CPU advances it. */
  clock: VirtualClock;
  /** CPU index (0-based); also the default MPIDR affinity (Aff0 = index % 16, Aff1 = index / 16). */
  index?: number;
  /** MPIDR_EL1 value (bit 31 RES1 is added by the CPU). */
  mpidr?: bigint;
  /** Generic timer counter frequency (CNTFRQ_EL0). Default 62.5 MHz. */
  counterFrequencyHz?: number;
  /** Deterministic mode: virtual nanoseconds per retired instruction. Default 1. */
  nsPerInstruction?: number;
  /** Registers the CPU does not own (GICv3 ICC_*). */
  sysregs?: SystemRegisterHandler;
  hvc?: CallHandler;
  smc?: CallHandler;
  log?: Log;
}

/** State given to `reset`: where the CPU starts. */
export interface CpuBootState {
  pc: bigint;
  /** x0, x1, x2, x3 ... (the rest are zero). */
  x?: bigint[];
  /** Start powered on (default true). */
  powerOn?: boolean;
}

export interface Cpu {
  readonly index: number;
  /** IRQ and FIQ inputs (from the GIC's per-CPU outputs). */
  readonly irq: InterruptTarget;
  readonly fiq: InterruptTarget;
  /** Generic timer outputs as levels (the board wires them to PPIs 27 and 30). */
  readonly virtualTimer: IrqLine;
  readonly physicalTimer: IrqLine;
  /** Instructions retired since creation. */
  readonly retired: number;
  readonly poweredOn: boolean;

  /** Runs at most `budget` instructions. */
  run(budget: number): RunExit;
  /** Makes the current `run` return 'exit' at the next check (callable from device code). */
  requestExit(): void;
  /** Architectural reset (EL1h, DAIF masked, MMU off), then the boot state. */
  reset(boot: CpuBootState): void;
  powerOff(): void;

  getX(n: number): bigint;
  setX(n: number, value: bigint): void;
  getPc(): bigint;
  setPc(value: bigint): void;
  /** Reads a system register by name (e.g. 'SCTLR_EL1', 'ESR_EL1'), for debuggers and tests. */
  getSysreg(name: string): bigint;
  setSysreg(name: string, value: bigint): void;
  /** PSTATE as the SPSR layout encodes it (NZCV, DAIF, EL, SP). */
  getPstate(): number;
}
