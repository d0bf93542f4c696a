/**
 * The native shim's interface (native/hvf/hvf.c implements it on macOS; tests
 * implement it in TypeScript). It is deliberately thin: every call maps onto
 * one or two Hypervisor.framework calls, and every decision is made in
 * TypeScript.
 *
 * HVF requires each vCPU call to run on the thread that created the vCPU, so
 * the shim gives each vCPU its own native thread and executes register
 * accesses and runs there; the JavaScript thread waits for the (short)
 * register calls, and either waits for a run (`vcpuRun`, what `HvfCpu.run`
 * uses) or gets the exit later through a thread-safe function (`vcpuResume`
 * with an `onExit` callback).
 */

/** `hv_exit_reason_t`. */
export const HvExitReason = {
  CANCELED: 0,
  EXCEPTION: 1,
  VTIMER_ACTIVATED: 2,
  UNKNOWN: 3,
} as const;

/** `hv_reg_t`: X0..X30 are 0..30. */
export const HvReg = {
  X0: 0,
  FP: 29,
  LR: 30,
  PC: 31,
  FPCR: 32,
  FPSR: 33,
  CPSR: 34,
} as const;

/** `hv_interrupt_type_t`. */
export const HvInterrupt = { IRQ: 0, FIQ: 1 } as const;

/** `hv_memory_flags_t`. */
export const HvMemory = { READ: 1, WRITE: 2, EXEC: 4, RWX: 7 } as const;

/**
 * Layout of the per-vCPU exit record (a BigUint64Array of EXIT_RECORD_WORDS
 * the shim fills after each `hv_vcpu_run`).
 */
export const ExitWord = {
  REASON: 0,
  /** ESR_EL2 as `hv_vcpu_exit_exception_t.syndrome`. */
  SYNDROME: 1,
  VIRTUAL_ADDRESS: 2,
  PHYSICAL_ADDRESS: 3,
} as const;
export const EXIT_RECORD_WORDS = 4;

/** The macOS 15 in-kernel GICv3 (`hv_gic_create`). */
export interface NativeGicConfig {
  distributorBase: number;
  redistributorBase: number;
}

export interface HvfNative {
  /** Creates the process's VM (HVF allows one). `ipaBits` 0 = the default (36). */
  vmCreate(ipaBits: number, gic: NativeGicConfig | null): void;
  vmDestroy(): void;
  /** Page-aligned zeroed memory (mmap) that HVF can map and JavaScript sees as an ArrayBuffer. */
  ramAlloc(size: number): ArrayBuffer;
  /** Maps `size` bytes of `buffer` (from `ramAlloc`) at `offset` to guest physical `guestAddr`. */
  vmMap(buffer: ArrayBuffer, offset: number, guestAddr: number, size: number, flags: number): void;
  vmUnmap(guestAddr: number, size: number): void;
  /** Starts a vCPU thread; returns its id. `onExit`, when given, receives exits after `vcpuResume`. */
  vcpuCreate(exitRecord: BigUint64Array, onExit: ((id: number) => void) | null): number;
  vcpuDestroy(id: number): void;
  /** Runs until the next exit or until `timeoutNs` of host time passed (then kicks: a CANCELED exit). Returns the reason. */
  vcpuRun(id: number, timeoutNs: number): number;
  /** Asynchronous run: returns at once; the exit arrives through `onExit`. */
  vcpuResume(id: number): void;
  /** `hv_vcpus_exit`: makes running vCPUs exit (CANCELED). Callable any time. */
  vcpusExit(ids: number[]): void;
  getReg(id: number, reg: number): bigint;
  setReg(id: number, reg: number, value: bigint): void;
  /** `hv_sys_reg_t` values are the MRS/MSR encodings `sysregEncoding` computes. */
  getSysReg(id: number, encoding: number): bigint;
  setSysReg(id: number, encoding: number, value: bigint): void;
  setPendingInterrupt(id: number, type: number, pending: boolean): void;
  setVtimerMask(id: number, masked: boolean): void;
  getVtimerOffset(id: number): bigint;
  setVtimerOffset(id: number, offset: bigint): void;
  /** `mach_absolute_time()`: the host counter the virtual counter derives from. */
  hostTicks(): bigint;
  /** Host counter frequency in Hz (CNTFRQ_EL0; 24 MHz on Apple silicon). */
  hostCounterFrequency(): number;
  /** macOS 15 GIC: sets SPI `intid` (32..) level. */
  gicSetSpi(intid: number, level: boolean): void;
}
