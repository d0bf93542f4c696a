import {
  type AddressSpace,
  BusStatus,
  checkState,
  ConfigValidator,
  type DeviceState,
  makeState,
  type InterruptTarget,
  type IrqLine,
  type Log,
  silentLog,
  SnapshotError,
  type SystemRegisterHandler,
  type SysregValue,
  type VirtualClock,
} from '@vmapple/core-bus';
import type { CallHandler, Cpu, CpuBootState, CpuOptions, RunExit } from './cpu.js';
import {
  addSubExtended,
  addSubShifted,
  addWithCarry,
  bitfield,
  condCompare,
  condHolds,
  condSelect,
  dataProc1,
  dataProc2,
  dataProc3,
  extract,
  flagsAdd32,
  flagsAdd64,
  logicShifted,
} from './interp/alu.js';
import { lsl64, pair, toBig } from './interp/bits.js';
import { BLOCK_JUMP, type BlockEnv, compileBlock, type CompiledBlock, SIDE_EXIT } from './interp/block-compiler.js';
import { CodePage } from './interp/code-page.js';
import { decodeInto } from './interp/decode.js';
import { executeFpMove, executeFpSimd, type FpSimdContext } from './interp/fp-simd.js';
import { GenericTimer, SystemCounter } from './interp/generic-timer.js';
import {
  ACC_READ,
  ACC_WRITE,
  FSC_ALIGNMENT,
  FSC_EXTERNAL,
  FSC_PERMISSION,
  Mmu,
  TLB_BITS,
  TLB_MASK,
  WALK_OK,
} from './interp/mmu.js';
import { LS_SIZE } from './interp/ops.js';
import { EL0_CHECK, EL0_NONE, EL0_RO, SYSREGS, SYSREGS_BY_NAME, W_EXIT } from './interp/sysregs.js';

/*
 * Handler ids, load/store kinds and register slots are const enums declared
 * here, in the file holding the dispatch loop, so that the loop's `switch`
 * compiles to literal cases (a jump table) even when files are transformed
 * one by one; the decoder imports them from here.
 */

export const enum Op {
  UNDEF = 1,
  NOP = 2,
  ADD_I64 = 3,
  ADD_I32 = 4,
  ADDS_I64 = 5,
  SUBS_I64 = 6,
  ADDS_I32 = 7,
  SUBS_I32 = 8,
  AND_I64 = 9,
  ORR_I64 = 10,
  EOR_I64 = 11,
  ANDS_I64 = 12,
  AND_I32 = 13,
  ORR_I32 = 14,
  EOR_I32 = 15,
  ANDS_I32 = 16,
  MOV_C64 = 17,
  MOV_C32 = 18,
  MOVK64 = 19,
  MOVK32 = 20,
  ADR = 21,
  LSL_I64 = 22,
  LSR_I64 = 23,
  ASR_I64 = 24,
  LSL_I32 = 25,
  LSR_I32 = 26,
  ASR_I32 = 27,
  BITFIELD = 28,
  EXTR = 29,
  B = 30,
  BL = 31,
  BCOND = 32,
  CBZ64 = 33,
  CBNZ64 = 34,
  CBZ32 = 35,
  CBNZ32 = 36,
  TBZ = 37,
  TBNZ = 38,
  BR = 39,
  BLR = 40,
  EXC = 41,
  ERET = 42,
  MRS = 43,
  MSR = 44,
  MSR_IMM = 45,
  HINT = 46,
  CLREX = 47,
  SYS = 48,
  LS_IMM = 49,
  LS_PRE = 50,
  LS_POST = 51,
  LS_REG = 52,
  LS_LIT = 53,
  LS_UNPRIV = 54,
  LSP_OFF = 55,
  LSP_PRE = 56,
  LSP_POST = 57,
  LS_EXCL = 58,
  LS_MULTI = 59,
  MOV_R64 = 60,
  MOV_R32 = 61,
  ADD_R64 = 62,
  SUB_R64 = 63,
  ADDS_R64 = 64,
  SUBS_R64 = 65,
  ADD_R32 = 66,
  SUB_R32 = 67,
  ADDS_R32 = 68,
  SUBS_R32 = 69,
  AND_R64 = 70,
  ORR_R64 = 71,
  EOR_R64 = 72,
  ADDSUB_SHIFT = 73,
  ADDSUB_EXT = 74,
  LOGIC_SHIFT = 75,
  ADC = 76,
  CCMP = 77,
  CSEL = 78,
  DP1 = 79,
  DP2 = 80,
  MADD64 = 81,
  MADD32 = 82,
  DP3 = 83,
  FPSIMD = 84,
  FP_MOVE = 85,
  LS_ATOMIC = 86,
  LDRX_I = 87,
  STRX_I = 88,
  LDRW_I = 89,
  STRW_I = 90,
  CSEL64 = 91,
  /** MRS of SP_EL0 / TPIDR_EL1: inline at EL1, otherwise the general MRS. */
  MRS_SP_EL0 = 92,
  MRS_TPIDR_EL1 = 93,
  /** DC ZVA: inline when the block is RAM with a TLB write entry, otherwise the general SYS path. */
  DC_ZVA = 94,
}

/** Load/store kinds (`b & 31` of the load/store handlers). */
export const enum Ls {
  STRB = 0,
  STRH = 1,
  STRW = 2,
  STRX = 3,
  LDRB = 4,
  LDRH = 5,
  LDRW = 6,
  LDRX = 7,
  LDRSB64 = 8,
  LDRSH64 = 9,
  LDRSW = 10,
  LDRSB32 = 11,
  LDRSH32 = 12,
  PRFM = 13,
  STR_B = 16,
  STR_H = 17,
  STR_S = 18,
  STR_D = 19,
  STR_Q = 20,
  LDR_B = 21,
  LDR_H = 22,
  LDR_S = 23,
  LDR_D = 24,
  LDR_Q = 25,
}

/** Register-file slots (see src/interp/ops.ts for the layout). */
export const enum Slot {
  ZR = 31,
  SP = 32,
  TRASH = 33,
  T0 = 34,
  T1 = 35,
  T2 = 36,
  PGB = 37,
  PC = 38,
  T3 = 39,
  /** Byte addresses of page-crossing accesses. */
  T4 = 40,
  COUNT = 48,
}

/**
 * The RAM part of an integer load or store (kinds STRB..LDRSH32) at byte `o`
 * of `dv`, for register pair index `t2` (2 * slot). Shared by the loop's
 * inline fast path and `access`.
 */
function ramIntAccess(kind: number, dv: DataView, o: number, R32: Int32Array, t2: number): void {
  switch (kind) {
    case Ls.STRB:
      dv.setUint8(o, R32[t2]!);
      return;
    case Ls.STRH:
      dv.setUint16(o, R32[t2]!, true);
      return;
    case Ls.STRW:
      dv.setInt32(o, R32[t2]!, true);
      return;
    case Ls.STRX:
      dv.setInt32(o, R32[t2]!, true);
      dv.setInt32(o + 4, R32[t2 + 1]!, true);
      return;
    case Ls.LDRB:
      R32[t2] = dv.getUint8(o);
      R32[t2 + 1] = 0;
      return;
    case Ls.LDRH:
      R32[t2] = dv.getUint16(o, true);
      R32[t2 + 1] = 0;
      return;
    case Ls.LDRW:
      R32[t2] = dv.getInt32(o, true);
      R32[t2 + 1] = 0;
      return;
    case Ls.LDRX:
      R32[t2] = dv.getInt32(o, true);
      R32[t2 + 1] = dv.getInt32(o + 4, true);
      return;
    case Ls.LDRSB64: {
      const v = dv.getInt8(o);
      R32[t2] = v;
      R32[t2 + 1] = v >> 31;
      return;
    }
    case Ls.LDRSH64: {
      const v = dv.getInt16(o, true);
      R32[t2] = v;
      R32[t2 + 1] = v >> 31;
      return;
    }
    case Ls.LDRSW: {
      const v = dv.getInt32(o, true);
      R32[t2] = v;
      R32[t2 + 1] = v >> 31;
      return;
    }
    case Ls.LDRSB32:
      R32[t2] = dv.getInt8(o);
      R32[t2 + 1] = 0;
      return;
    default: // LDRSH32
      R32[t2] = dv.getInt16(o, true);
      R32[t2 + 1] = 0;
  }
}

/** Integer access kinds by element size, for the FP/SIMD engine's element loads and stores. */
const SIMD_LOAD_KIND: readonly number[] = [0, Ls.LDRB, Ls.LDRH, 0, Ls.LDRW, 0, 0, 0, Ls.LDRX];
const SIMD_STORE_KIND: readonly number[] = [0, Ls.STRB, Ls.STRH, 0, Ls.STRW, 0, 0, 0, Ls.STRX];

/** Exception classes (ESR_ELx.EC). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  FP_ACCESS: 0x07,
  ILLEGAL_STATE: 0x0e,
  SVC: 0x15,
  HVC: 0x16,
  SMC: 0x17,
  SYSREG: 0x18,
  IABT_LOWER: 0x20,
  IABT_SAME: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOWER: 0x24,
  DABT_SAME: 0x25,
  SP_ALIGN: 0x26,
  BRK: 0x3c,
} as const;

/** Instructions between checks for interrupts, timers and exit requests. */
const CHECK_INTERVAL = 4096;
const EXIT_SEQ = 0;
const EXIT_JUMP = 1;
const EXIT_FAULT = 2;

/** Byte offsets within a page as BigInts (OFFS[i] = 4i), for Slot.PC arithmetic without conversions. */
const OFFS = new BigUint64Array(1025);
for (let i = 0; i <= 1024; i++) OFFS[i] = BigInt(i * 4);

const ENC_FPCR = (3 << 14) | (3 << 11) | (4 << 7) | (4 << 3) | 0;
const ENC_FPSR = ENC_FPCR | 1;

/**
 * The AArch64 interpreter: EL0 and EL1, stage-1 MMU with a soft TLB, generic
 * timer, exceptions. Code is decoded once per physical page (CodePage) and
 * run by one `switch` loop over packed operands; 64-bit values live in a
 * BigUint64Array register file with an Int32Array alias (see README).
 */
const CPU_STATE_TYPE = 'cpu-aarch64/interpreter';
const CPU_STATE_VERSION = 1;
/** PSTATE views and derived registers: saved through the fields they show. */
const SNAPSHOT_SKIP = new Set(['SP_EL0', 'SPSel', 'DAIF', 'NZCV', 'FPCR', 'FPSR', 'CNTV_TVAL_EL0', 'CNTP_TVAL_EL0',
  'CNTV_CTL_EL0', 'CNTP_CTL_EL0', 'CNTV_CVAL_EL0', 'CNTP_CVAL_EL0', 'DBGCLAIMSET_EL1', 'DBGCLAIMCLR_EL1']);

/** `InterpreterCpu.saveState()` data (version 1). */
export interface InterpreterCpuState {
  /** X0..X30, hex. */
  x: string[];
  pc: string;
  /** SP_EL0, SP_EL1. */
  sp: string[];
  /** As `getPstate()`: NZCV, IL, DAIF, EL, SPSel. */
  pstate: number;
  /** V0..V31 as 64 halves (low, high), hex. */
  v: string[];
  fpcr: number;
  fpsr: number;
  /** Readable and writable system registers the CPU owns, by name, hex. */
  sysregs: Record<string, string>;
  /** [CTL, CVAL hex] of the EL1 virtual and physical timers. */
  timers: { virtual: [number, string]; physical: [number, string] };
  retired: number;
  on: boolean;
}

/** Interpreter-only options. */
export interface InterpreterCpuOptions extends CpuOptions {
  /**
   * Compiled blocks (experimental, off by default): entries into a block start
   * (a branch target) before that run of code becomes a JavaScript function
   * (src/interp/block-compiler.ts). 1 compiles on first entry (tests);
   * Infinity (the default) keeps the plain interpreter. Measured on this
   * project's machine: hot loops gain up to 1.3x, while Debian's boot is
   * slower (most blocks never reach V8's optimising tier), hence off.
   */
  jitThreshold?: number;
}

export class InterpreterCpu implements Cpu, FpSimdContext {
  readonly index: number;
  readonly irq: InterruptTarget;
  readonly fiq: InterruptTarget;
  readonly virtualTimer: IrqLine;
  readonly physicalTimer: IrqLine;
  readonly mpidr: bigint;

  // ---- register file ----
  readonly R = new BigUint64Array(Slot.COUNT);
  readonly R32 = new Int32Array(this.R.buffer);
  /** N, Z, C, V as 0/1. */
  readonly F = new Int32Array(4);
  readonly V64 = new BigUint64Array(64);
  readonly V32 = new Uint32Array(this.V64.buffer);
  readonly V8 = new Uint8Array(this.V64.buffer);
  fpcr = 0;
  fpsr = 0;

  // ---- PSTATE ----
  el = 1;
  spsel = 1;
  /** D, A, I, F in bits 9..6 (the DAIF register layout). */
  daif = 0x3c0;
  illegalState = false;
  /** SP_EL0 and SP_EL1 when not the current stack pointer. */
  private readonly spBank = new BigUint64Array(2);

  // ---- system registers ----
  sctlr = 0;
  sctlrHi = 0;
  tcr = 0n;
  ttbr0 = 0n;
  ttbr1 = 0n;
  mair = 0n;
  vbar = 0n;
  elr = 0n;
  spsr = 0;
  esr = 0;
  far = 0n;
  par = 0n;
  cpacr = 0;
  cntkctl = 0;
  tpidrEl1 = 0n;
  fpOk = false;
  /** Plain storage registers by name. */
  readonly sr: Record<string, bigint> = {};

  // ---- devices and time ----
  readonly counter: SystemCounter;
  readonly vtimer: GenericTimer;
  readonly ptimer: GenericTimer;
  irqLevel = false;
  fiqLevel = false;

  private readonly memory: AddressSpace;
  private readonly clock: VirtualClock;
  private readonly log: Log;
  private readonly sysregs: SystemRegisterHandler | undefined;
  private readonly hvc: CallHandler | undefined;
  private readonly smc: CallHandler | undefined;
  private readonly nsPerInstruction: number;
  private readonly deterministic: boolean;
  readonly mmu: Mmu;
  private codePages = new Map<number, CodePage>();
  private readonly jitThreshold: number;
  /** Block results: io[0] = instructions executed by the last block call. */
  private readonly io = new Int32Array(1);
  private readonly bounce = new DataView(new ArrayBuffer(16));
  private readonly blockEnv: BlockEnv;
  private memGeneration = -1;
  private readonly sysOut: SysregValue = { lo: 0, hi: 0 };

  private on = false;
  private exitRequested = false;
  private retiredCount = 0;
  /** Instructions retired but not yet added to the deterministic clock. */
  private unsyncedInstructions = 0;
  private stopReason: RunExit | null = null;

  // ---- exclusive monitor ----
  private exclusiveValid = false;
  private exclusiveAddrLo = 0;
  private exclusiveAddrHi = 0;
  private exclusiveSize = 0;
  private readonly exclusiveValue = new BigUint64Array(2);

  // ---- pending synchronous exception (raised by helpers, taken by the loop) ----
  private pendingEc = 0;
  private pendingIss = 0;
  private pendingFar = 0n;
  private pendingHasFar = false;

  constructor(options: InterpreterCpuOptions) {
    const v = new ConfigValidator('cpu-aarch64');
    const threshold = options.jitThreshold ?? Infinity;
    if (!(threshold >= 1)) v.fail('jitThreshold', `must be a number >= 1 (or Infinity), got ${String(options.jitThreshold)}`);
    this.jitThreshold = threshold;
    this.index = v.int('index', options.index, 0, { min: 0, max: 255 });
    const freq = v.int('counterFrequencyHz', options.counterFrequencyHz, 62_500_000, { min: 1, max: 4_000_000_000 });
    this.nsPerInstruction = v.int('nsPerInstruction', options.nsPerInstruction, 1, { min: 1, max: 1_000_000 });
    const defaultMpidr = BigInt(((this.index >> 4) << 8) | (this.index & 15));
    this.mpidr = v.u64('mpidr', options.mpidr, defaultMpidr) | 0x8000_0000n;
    if (!options.memory) v.fail('memory', 'must be an AddressSpace, got undefined');
    if (!options.clock) v.fail('clock', 'must be a VirtualClock, got undefined');
    this.memory = options.memory;
    this.clock = options.clock;
    this.deterministic = this.clock.mode === 'deterministic';
    this.log = options.log ?? silentLog;
    this.sysregs = options.sysregs;
    this.hvc = options.hvc;
    this.smc = options.smc;
    this.mmu = new Mmu(this.memory);
    const m = this.mmu;
    this.blockEnv = {
      R: this.R, R32: this.R32, F: this.F, io: this.io,
      rLo: m.rLo, rHi: m.rHi, wLo: m.wLo, wHi: m.wHi, tOff: m.off, tView: m.view,
      registerOffset: (n, mm, b) => this.registerOffset(n, mm, b),
    };
    this.counter = new SystemCounter(this.clock, freq, () => this.syncClock());
    this.vtimer = new GenericTimer(this.counter);
    this.ptimer = new GenericTimer(this.counter);
    this.virtualTimer = this.vtimer.line;
    this.physicalTimer = this.ptimer.line;
    this.irq = {
      setLevel: (level: boolean) => {
        this.irqLevel = level;
      },
    };
    this.fiq = {
      setLevel: (level: boolean) => {
        this.fiqLevel = level;
      },
    };
    if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
      throw new Error('cpu-aarch64: the interpreter needs a little-endian host');
    }
    this.architecturalReset();
    this.on = false;
  }

  // ---- Cpu interface ----------------------------------------------------------

  get retired(): number {
    return this.retiredCount;
  }

  get poweredOn(): boolean {
    return this.on;
  }

  requestExit(): void {
    this.exitRequested = true;
  }

  reset(boot: CpuBootState): void {
    this.architecturalReset();
    this.R[Slot.PC] = BigInt.asUintN(64, boot.pc);
    const x = boot.x ?? [];
    for (let i = 0; i < x.length && i < 31; i++) this.R[i] = BigInt.asUintN(64, x[i]!);
    this.on = boot.powerOn ?? true;
  }

  powerOff(): void {
    this.on = false;
    this.exitRequested = true;
  }

  getX(n: number): bigint {
    if (n === 31) return 0n;
    if (!Number.isInteger(n) || n < 0 || n > 31) throw new RangeError(`cpu-aarch64: no register x${n}`);
    return this.R[n]!;
  }

  setX(n: number, value: bigint): void {
    if (!Number.isInteger(n) || n < 0 || n > 31) throw new RangeError(`cpu-aarch64: no register x${n}`);
    if (n !== 31) this.R[n] = BigInt.asUintN(64, value);
  }

  getPc(): bigint {
    return this.R[Slot.PC]!;
  }

  setPc(value: bigint): void {
    this.R[Slot.PC] = BigInt.asUintN(64, value);
  }

  /** The current stack pointer. */
  getSp(): bigint {
    return this.R[Slot.SP]!;
  }

  setSp(value: bigint): void {
    this.R[Slot.SP] = BigInt.asUintN(64, value);
  }

  /** V register n as a 128-bit value. */
  getV(n: number): bigint {
    return (this.V64[2 * n + 1]! << 64n) | this.V64[2 * n]!;
  }

  setV(n: number, value: bigint): void {
    this.V64[2 * n] = BigInt.asUintN(64, value);
    this.V64[2 * n + 1] = BigInt.asUintN(64, value >> 64n);
  }

  getSysreg(name: string): bigint {
    if (name === 'SP_EL1') return this.spsel === 1 && this.el === 1 ? this.R[Slot.SP]! : this.spBank[1]!;
    const d = SYSREGS_BY_NAME.get(name);
    if (!d || !d.read) throw new RangeError(`cpu-aarch64: unknown or write-only system register '${name}'`);
    return d.read(this);
  }

  setSysreg(name: string, value: bigint): void {
    if (name === 'SP_EL1') {
      if (this.spsel === 1 && this.el === 1) this.R[Slot.SP] = value;
      else this.spBank[1] = value;
      return;
    }
    const d = SYSREGS_BY_NAME.get(name);
    if (!d || !d.write) throw new RangeError(`cpu-aarch64: unknown or read-only system register '${name}'`);
    d.write(this, BigInt.asUintN(64, value));
  }

  // ---- snapshots ----------------------------------------------------------------------

  /**
   * Everything architectural about this vCPU (registers of every class,
   * PSTATE, both stack pointers, FP control, the system registers it owns,
   * both timers) as JSON-safe data; 64-bit values are hex strings. Take it
   * between `run` calls. Decoded code and the TLB are caches and are rebuilt;
   * the exclusive monitor is cleared on restore, as an exception would.
   */
  saveState(): DeviceState<InterpreterCpuState> {
    const hex = (v: bigint): string => v.toString(16);
    const cur = this.el === 0 ? 0 : this.spsel;
    const sp = [this.spBank[0]!, this.spBank[1]!];
    sp[cur] = this.R[Slot.SP]!;
    const sysregs: Record<string, string> = {};
    for (const [name, d] of SYSREGS_BY_NAME) {
      if (d.read && d.write && !SNAPSHOT_SKIP.has(name)) sysregs[name] = hex(d.read(this));
    }
    return makeState(CPU_STATE_TYPE, CPU_STATE_VERSION, {
      x: Array.from({ length: 31 }, (_, i) => hex(this.R[i]!)),
      pc: hex(this.R[Slot.PC]!),
      sp: sp.map(hex),
      pstate: this.getPstate(),
      v: Array.from(this.V64, hex),
      fpcr: this.fpcr,
      fpsr: this.fpsr,
      sysregs,
      timers: { virtual: [this.vtimer.ctl, hex(this.vtimer.cval)], physical: [this.ptimer.ctl, hex(this.ptimer.cval)] },
      retired: this.retiredCount,
      on: this.on,
    });
  }

  restoreState(state: DeviceState<InterpreterCpuState>): void {
    const d = checkState<InterpreterCpuState>(state, CPU_STATE_TYPE, CPU_STATE_VERSION);
    const big = (v: string): bigint => BigInt.asUintN(64, BigInt('0x' + v));
    if (d.x?.length !== 31 || d.v?.length !== 64 || d.sp?.length !== 2) {
      throw new SnapshotError(`${CPU_STATE_TYPE}: state needs 31 X, 64 V halves and 2 stack pointers`);
    }
    this.architecturalReset();
    for (const [name, v] of Object.entries(d.sysregs)) {
      const def = SYSREGS_BY_NAME.get(name);
      if (!def?.write) throw new SnapshotError(`${CPU_STATE_TYPE}: unknown system register '${name}' in state`);
      def.write(this, big(v));
    }
    for (let i = 0; i < 31; i++) this.R[i] = big(d.x[i]!);
    for (let i = 0; i < 64; i++) this.V64[i] = big(d.v[i]!);
    this.R[Slot.PC] = big(d.pc);
    this.fpcr = d.fpcr;
    this.fpsr = d.fpsr;
    const p = d.pstate >>> 0;
    this.setNzcv(p | 0);
    this.daif = p & 0x3c0;
    this.illegalState = (p & (1 << 20)) !== 0;
    this.spBank[0] = big(d.sp[0]!);
    this.spBank[1] = big(d.sp[1]!);
    this.el = (p >>> 2) & 3;
    this.spsel = p & 1;
    this.R[Slot.SP] = this.spBank[this.el === 0 ? 0 : this.spsel]!;
    this.updateFpOk();
    this.vtimer.ctl = d.timers.virtual[0];
    this.vtimer.writeCval(big(d.timers.virtual[1]));
    this.ptimer.ctl = d.timers.physical[0];
    this.ptimer.writeCval(big(d.timers.physical[1]));
    this.retiredCount = d.retired;
    this.on = d.on;
  }

  getPstate(): number {
    return (this.nzcv() | (this.illegalState ? 1 << 20 : 0) | this.daif | (this.el << 2) | this.spsel) >>> 0;
  }

  /** Drops all decoded code (call after the host writes code into guest RAM). */
  invalidateCode(): void {
    this.codePages.clear();
    this.mmu.flushCode();
  }

  // ---- state helpers used by system registers ----------------------------------

  nzcv(): number {
    const F = this.F;
    return ((F[0]! << 31) | (F[1]! << 30) | (F[2]! << 29) | (F[3]! << 28)) | 0;
  }

  setNzcv(v: number): void {
    const F = this.F;
    F[0] = (v >>> 31) & 1;
    F[1] = (v >>> 30) & 1;
    F[2] = (v >>> 29) & 1;
    F[3] = (v >>> 28) & 1;
  }

  /** Switches exception level and stack pointer selection, banking Slot.SP. */
  setMode(el: number, spsel: number): void {
    const cur = this.el === 0 ? 0 : this.spsel;
    this.spBank[cur] = this.R[Slot.SP]!;
    this.el = el;
    this.spsel = spsel;
    const next = el === 0 ? 0 : spsel;
    this.R[Slot.SP] = this.spBank[next]!;
    this.updateFpOk();
  }

  readSpEl0(): bigint {
    return this.el !== 0 && this.spsel === 0 ? this.R[Slot.SP]! : this.el === 0 ? this.R[Slot.SP]! : this.spBank[0]!;
  }

  writeSpEl0(v: bigint): void {
    if (this.el === 0 || this.spsel === 0) this.R[Slot.SP] = v;
    else this.spBank[0] = v;
  }

  updateFpOk(): void {
    const fpen = (this.cpacr >>> 20) & 3;
    this.fpOk = fpen === 3 || (fpen === 1 && this.el === 1);
  }

  writeSctlr(v: bigint): number {
    this.sctlr = Number(v & 0xffff_ffffn) | 0;
    this.sctlrHi = Number(v >> 32n) | 0;
    this.updateRegime();
    return W_EXIT;
  }

  writeTranslation(name: string, v: bigint): number {
    if (name === 'TTBR0_EL1' || name === 'TTBR1_EL1') {
      // A TTBR write changes the table base or the ASID: entries of the old
      // address space (nG) go, global ones stay, as on hardware.
      if (name === 'TTBR0_EL1') this.ttbr0 = v;
      else this.ttbr1 = v;
      this.mmu.ttbr0 = Number(this.ttbr0 & 0x0000_ffff_ffff_fffen);
      this.mmu.ttbr1 = Number(this.ttbr1 & 0x0000_ffff_ffff_fffen);
      this.mmu.flushNonGlobal();
      return W_EXIT;
    }
    if (name === 'TCR_EL1') this.tcr = v;
    else this.mair = v;
    this.updateRegime();
    return W_EXIT;
  }

  /** Copies the translation controls into the MMU and flushes the TLB. */
  private updateRegime(): void {
    const m = this.mmu;
    const tcr = this.tcr;
    m.enabled = (this.sctlr & 1) !== 0;
    m.wxn = (this.sctlr & (1 << 19)) !== 0;
    m.t0sz = Number(tcr & 0x3fn);
    m.t1sz = Number((tcr >> 16n) & 0x3fn);
    m.epd0 = ((tcr >> 7n) & 1n) === 1n;
    m.epd1 = ((tcr >> 23n) & 1n) === 1n;
    m.tbi0 = ((tcr >> 37n) & 1n) === 1n;
    m.tbi1 = ((tcr >> 38n) & 1n) === 1n;
    m.ttbr0 = Number(this.ttbr0 & 0x0000_ffff_ffff_fffen);
    m.ttbr1 = Number(this.ttbr1 & 0x0000_ffff_ffff_fffen);
    m.mairLo = Number(this.mair & 0xffff_ffffn) | 0;
    m.mairHi = Number(this.mair >> 32n) | 0;
    m.flush();
  }

  private architecturalReset(): void {
    this.R.fill(0n);
    this.V64.fill(0n);
    this.F.fill(0);
    this.spBank.fill(0n);
    this.fpcr = 0;
    this.fpsr = 0;
    this.el = 1;
    this.spsel = 1;
    this.daif = 0x3c0;
    this.illegalState = false;
    // SCTLR_EL1 reset: RES1 bits (29, 28, 23, 22, 20, 11), MMU off, caches off.
    this.sctlr = 0x30d0_0800;
    this.sctlrHi = 0;
    this.tcr = 0n;
    this.ttbr0 = 0n;
    this.ttbr1 = 0n;
    this.mair = 0n;
    this.vbar = 0n;
    this.elr = 0n;
    this.spsr = 0;
    this.esr = 0;
    this.far = 0n;
    this.par = 0n;
    this.cpacr = 0;
    this.cntkctl = 0;
    this.tpidrEl1 = 0n;
    for (const k of Object.keys(this.sr)) delete this.sr[k];
    this.sr['OSLSR_EL1'] = 0xan;
    this.updateFpOk();
    this.exclusiveValid = false;
    this.vtimer.reset();
    this.ptimer.reset();
    this.codePages.clear();
    this.updateRegime();
    this.stopReason = null;
  }

  // ---- time ----------------------------------------------------------------------

  private syncClock(): void {
    if (this.unsyncedInstructions > 0) {
      this.clock.advance(this.unsyncedInstructions * this.nsPerInstruction);
      this.unsyncedInstructions = 0;
    }
  }

  // ---- the interpreter loop ---------------------------------------------------------

  run(budget: number): RunExit {
    if (!this.on) return 'off';
    this.exitRequested = false;
    this.stopReason = null;
    let left = Math.max(0, Math.floor(budget));
    const R = this.R;
    const R32 = this.R32;
    const F = this.F;
    const mmu = this.mmu;
    const xLo = mmu.xLo;
    const xHi = mmu.xHi;
    const rLo = mmu.rLo;
    const rHi = mmu.rHi;
    const wLo = mmu.wLo;
    const wHi = mmu.wHi;
    const tOff = mmu.off;
    const tView = mmu.view;
    const tU64 = mmu.u64;
    const clock = this.clock;
    const io = this.io;
    const jitThreshold = this.jitThreshold;
    const jitOn = jitThreshold !== Infinity;
    while (left > 0) {
      // ---- checks at slice boundaries ----
      if (this.memory.generation !== this.memGeneration) {
        this.memGeneration = this.memory.generation;
        this.codePages.clear();
        mmu.flush();
      }
      this.syncClock();
      if (clock.nextDeadline() <= clock.now()) clock.runDue();
      if (this.exitRequested) {
        if (!this.on) return 'off';
        return 'exit';
      }
      if (!this.on) return 'off';
      if (this.fiqLevel && (this.daif & 0x40) === 0) this.takeInterrupt(0x100);
      else if (this.irqLevel && (this.daif & 0x80) === 0) this.takeInterrupt(0x80);
      if (this.illegalState) {
        this.takeSync(EC.ILLEGAL_STATE, 0, this.R[Slot.PC]!, null);
        left--; // exceptions at fetch use budget too, so a faulting vector cannot spin forever
        continue;
      }
      let limit = left < CHECK_INTERVAL ? left : CHECK_INTERVAL;
      if (this.deterministic) {
        const dl = clock.nextDeadline();
        if (dl !== Infinity) {
          const k = Math.ceil((dl - clock.now()) / this.nsPerInstruction);
          if (k < limit) limit = k < 1 ? 1 : k;
        }
      }
      // ---- fetch ----
      const pcLo = R32[2 * Slot.PC]!;
      const pcHi = R32[2 * Slot.PC + 1]!;
      if ((pcLo & 3) !== 0) {
        this.takeSync(EC.PC_ALIGN, 0, R[Slot.PC]!, R[Slot.PC]!);
        left--;
        continue;
      }
      const mmuBase = this.el === 0 ? 0 : 1 << TLB_BITS;
      const xs = ((pcLo >>> 12) & TLB_MASK) | mmuBase;
      if (xLo[xs] !== pcLo >>> 12 || xHi[xs] !== pcHi) {
        if (!this.fillCode(pcLo, pcHi, xs)) {
          left--;
          continue;
        }
      }
      let page = mmu.code[xs]!;
      let OPS = page.op;
      let A = page.a;
      let B = page.b;
      let IMM = page.imm;
      R32[2 * Slot.PGB] = pcLo & ~0xfff;
      R32[2 * Slot.PGB + 1] = pcHi;
      let idx = (pcLo & 0xfff) >>> 2;
      let n = limit;
      let exit = EXIT_SEQ;
      // True when idx is a block start (a branch target, or where the slice began) and blocks are on.
      let entry = jitOn;
      inner: for (;;) {
        jump: {
        if (entry) {
          entry = false;
          if (++page.hot[idx]! >= jitThreshold) {
            let blk = this.blockAt(page, idx);
            if (blk !== null && n >= blk.len) {
              // Run compiled blocks back to back while the next one is compiled too.
              const blocks = page.blocks!;
              let r: number;
              for (;;) {
                r = blk.fn(n, mmuBase);
                n -= io[0]!;
                if (r >= BLOCK_JUMP || n <= 0) break;
                const next = blocks[r];
                if (next === undefined || next === null || n < next.len) break;
                blk = next;
              }
              if (r === BLOCK_JUMP) break jump;
              if (r >= SIDE_EXIT) idx = r - SIDE_EXIT;
              else {
                idx = r;
                entry = true;
              }
              if (n <= 0) break inner;
              continue inner;
            }
          }
        }
        const op = OPS[idx]!;
        switch (op) {
          case 0:
            // Not decoded yet: decode and dispatch again (not counted).
            decodeInto(page, idx);
            continue inner;
          case Op.NOP:
            break;
          case Op.ADD_I64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! + IMM[idx]!;
            break;
          }
          case Op.ADD_I32: {
            const a = A[idx]!;
            const d = 2 * (a & 255);
            R32[d] = R32[2 * ((a >>> 8) & 255)]! + B[idx]!;
            R32[d + 1] = 0;
            break;
          }
          case Op.ADDS_I64:
          case Op.SUBS_I64: {
            // Immediate is 0..0xfff000: 32-bit halves only, no BigInt.
            const a = A[idx]!;
            const nn = (a >>> 8) & 255;
            const alo = R32[2 * nn]!;
            const ahi = R32[2 * nn + 1]!;
            const imm = B[idx]!;
            let rlo: number;
            let rhi: number;
            if (op === Op.SUBS_I64) {
              const dlo = (alo >>> 0) - imm;
              rlo = dlo | 0;
              rhi = (ahi - (dlo < 0 ? 1 : 0)) | 0;
              F[2] = ahi !== 0 || dlo >= 0 ? 1 : 0;
              F[3] = (ahi & (ahi ^ rhi)) >>> 31;
            } else {
              const slo = (alo >>> 0) + imm;
              rlo = slo | 0;
              const carry = slo > 0xffffffff ? 1 : 0;
              rhi = (ahi + carry) | 0;
              F[2] = carry === 1 && ahi === -1 ? 1 : 0;
              F[3] = (~ahi & rhi) >>> 31;
            }
            F[0] = rhi >>> 31;
            F[1] = (rlo | rhi) === 0 ? 1 : 0;
            const d = 2 * (a & 255);
            R32[d] = rlo;
            R32[d + 1] = rhi;
            break;
          }
          case Op.CSEL64: {
            const a = A[idx]!;
            R[a & 255] = condHolds(F, B[idx]! >>> 4) ? R[(a >>> 8) & 255]! : R[(a >>> 16) & 255]!;
            break;
          }
          case Op.ADDS_I32: {
            const a = A[idx]!;
            const x = R32[2 * ((a >>> 8) & 255)]!;
            const r = (x + B[idx]!) | 0;
            flagsAdd32(F, x, B[idx]!, r);
            R32[2 * (a & 255)] = r;
            R32[2 * (a & 255) + 1] = 0;
            break;
          }
          case Op.SUBS_I32: {
            const a = A[idx]!;
            const x = R32[2 * ((a >>> 8) & 255)]!;
            const y = B[idx]!;
            const r = (x - y) | 0;
            // flagsSub32, written out (CMP Wn, #imm is among the hottest instructions).
            F[0] = r >>> 31;
            F[1] = r === 0 ? 1 : 0;
            F[2] = x >>> 0 >= y >>> 0 ? 1 : 0;
            F[3] = ((x ^ y) & (x ^ r)) >>> 31;
            R32[2 * (a & 255)] = r;
            R32[2 * (a & 255) + 1] = 0;
            break;
          }
          case Op.AND_I64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! & IMM[idx]!;
            break;
          }
          case Op.ORR_I64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! | IMM[idx]!;
            break;
          }
          case Op.EOR_I64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! ^ IMM[idx]!;
            break;
          }
          case Op.ANDS_I64: {
            const a = A[idx]!;
            const d = a & 255;
            R[d] = R[(a >>> 8) & 255]! & IMM[idx]!;
            const lo = R32[2 * d]!;
            const hi = R32[2 * d + 1]!;
            F[0] = hi >>> 31;
            F[1] = (lo | hi) === 0 ? 1 : 0;
            F[2] = 0;
            F[3] = 0;
            break;
          }
          case Op.AND_I32:
          case Op.ORR_I32:
          case Op.EOR_I32:
          case Op.ANDS_I32: {
            const a = A[idx]!;
            const x = R32[2 * ((a >>> 8) & 255)]!;
            const y = B[idx]!;
            const r = op === Op.ORR_I32 ? x | y : op === Op.EOR_I32 ? x ^ y : x & y;
            if (op === Op.ANDS_I32) {
              F[0] = r >>> 31;
              F[1] = r === 0 ? 1 : 0;
              F[2] = 0;
              F[3] = 0;
            }
            R32[2 * (a & 255)] = r;
            R32[2 * (a & 255) + 1] = 0;
            break;
          }
          case Op.MOV_C64:
            R[A[idx]!] = IMM[idx]!;
            break;
          case Op.MOV_C32: {
            const d = 2 * A[idx]!;
            R32[d] = B[idx]!;
            R32[d + 1] = 0;
            break;
          }
          case Op.MOVK64:
          case Op.MOVK32: {
            const d = A[idx]!;
            const b = B[idx]!;
            const hw = b & 3;
            const k = 2 * d + (hw >>> 1);
            const sh = (hw & 1) * 16;
            R32[k] = (R32[k]! & ~(0xffff << sh)) | ((b >>> 2) << sh);
            if (op === Op.MOVK32) R32[2 * d + 1] = 0;
            break;
          }
          case Op.ADR:
            R[A[idx]!] = R[Slot.PGB]! + IMM[idx]!;
            break;
          // Shifts by a constant, inline on words (sh is 1..63; LSL/LSR #0 decode as moves).
          case Op.LSL_I64: {
            const a = A[idx]!;
            const s = 2 * ((a >>> 8) & 255);
            const lo = R32[s]!;
            const hi = R32[s + 1]!;
            const sh = B[idx]!;
            const d = 2 * (a & 255);
            if (sh === 0) {
              R32[d] = lo;
              R32[d + 1] = hi;
            } else if (sh < 32) {
              R32[d] = lo << sh;
              R32[d + 1] = (hi << sh) | (lo >>> (32 - sh));
            } else {
              R32[d] = 0;
              R32[d + 1] = lo << (sh - 32);
            }
            break;
          }
          case Op.LSR_I64:
          case Op.ASR_I64: {
            const a = A[idx]!;
            const s = 2 * ((a >>> 8) & 255);
            const lo = R32[s]!;
            const hi = R32[s + 1]!;
            const sh = B[idx]!;
            const d = 2 * (a & 255);
            const arith = op === Op.ASR_I64;
            if (sh === 0) {
              R32[d] = lo;
              R32[d + 1] = hi;
            } else if (sh < 32) {
              R32[d] = (lo >>> sh) | (hi << (32 - sh));
              R32[d + 1] = arith ? hi >> sh : hi >>> sh;
            } else {
              R32[d] = arith ? hi >> (sh - 32) : hi >>> (sh - 32);
              R32[d + 1] = arith ? hi >> 31 : 0;
            }
            break;
          }
          case Op.LSL_I32:
          case Op.LSR_I32:
          case Op.ASR_I32: {
            const a = A[idx]!;
            const x = R32[2 * ((a >>> 8) & 255)]!;
            const sh = B[idx]!;
            const d = 2 * (a & 255);
            R32[d] = op === Op.LSL_I32 ? x << sh : op === Op.LSR_I32 ? x >>> sh : x >> sh;
            R32[d + 1] = 0;
            break;
          }
          case Op.BITFIELD:
            bitfield(R32, A[idx]!, B[idx]!, page.imm32, page.imm2x32, idx);
            break;
          case Op.EXTR:
            extract(R32, A[idx]!, B[idx]!);
            break;
          case Op.MOV_R64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 16) & 255]!;
            break;
          }
          case Op.MOV_R32: {
            const a = A[idx]!;
            const d = 2 * (a & 255);
            R32[d] = R32[2 * ((a >>> 16) & 255)]!;
            R32[d + 1] = 0;
            break;
          }
          case Op.ADD_R64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! + R[(a >>> 16) & 255]!;
            break;
          }
          case Op.SUB_R64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! - R[(a >>> 16) & 255]!;
            break;
          }
          case Op.AND_R64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! & R[(a >>> 16) & 255]!;
            break;
          }
          case Op.ORR_R64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! | R[(a >>> 16) & 255]!;
            break;
          }
          case Op.EOR_R64: {
            const a = A[idx]!;
            R[a & 255] = R[(a >>> 8) & 255]! ^ R[(a >>> 16) & 255]!;
            break;
          }
          case Op.ADDS_R64:
          case Op.SUBS_R64: {
            const a = A[idx]!;
            const nn = (a >>> 8) & 255;
            const mm = (a >>> 16) & 255;
            const alo = R32[2 * nn]!;
            const ahi = R32[2 * nn + 1]!;
            const blo = R32[2 * mm]!;
            const bhi = R32[2 * mm + 1]!;
            // On 32-bit words: CMP/ADDS of registers is among the most frequent instructions.
            let rlo: number;
            let rhi: number;
            if (op === Op.SUBS_R64) {
              const sum = (alo >>> 0) - (blo >>> 0);
              rlo = sum | 0;
              rhi = (ahi - bhi - (sum < 0 ? 1 : 0)) | 0;
              F[0] = rhi >>> 31;
              F[1] = (rlo | rhi) === 0 ? 1 : 0;
              F[2] = ahi >>> 0 > bhi >>> 0 || (ahi === bhi && alo >>> 0 >= blo >>> 0) ? 1 : 0;
              F[3] = ((ahi ^ bhi) & (ahi ^ rhi)) >>> 31;
            } else {
              const sum = (alo >>> 0) + (blo >>> 0);
              rlo = sum | 0;
              rhi = (ahi + bhi + (sum > 0xffffffff ? 1 : 0)) | 0;
              flagsAdd64(F, alo, ahi, bhi, rlo, rhi);
            }
            const d = 2 * (a & 255);
            R32[d] = rlo;
            R32[d + 1] = rhi;
            break;
          }
          case Op.ADD_R32:
          case Op.SUB_R32:
          case Op.ADDS_R32:
          case Op.SUBS_R32: {
            const a = A[idx]!;
            const x = R32[2 * ((a >>> 8) & 255)]!;
            const y = R32[2 * ((a >>> 16) & 255)]!;
            const sub = op === Op.SUB_R32 || op === Op.SUBS_R32;
            const r = sub ? (x - y) | 0 : (x + y) | 0;
            if (op === Op.SUBS_R32) {
              F[0] = r >>> 31;
              F[1] = r === 0 ? 1 : 0;
              F[2] = x >>> 0 >= y >>> 0 ? 1 : 0;
              F[3] = ((x ^ y) & (x ^ r)) >>> 31;
            } else if (op === Op.ADDS_R32) flagsAdd32(F, x, y, r);
            R32[2 * (a & 255)] = r;
            R32[2 * (a & 255) + 1] = 0;
            break;
          }
          case Op.ADDSUB_SHIFT:
            addSubShifted(R, R32, F, A[idx]!, B[idx]!);
            break;
          case Op.ADDSUB_EXT:
            addSubExtended(R, R32, F, A[idx]!, B[idx]!);
            break;
          case Op.LOGIC_SHIFT:
            logicShifted(R32, F, A[idx]!, B[idx]!);
            break;
          case Op.ADC:
            addWithCarry(R32, F, A[idx]!, B[idx]!);
            break;
          case Op.CCMP:
            condCompare(R32, F, A[idx]!, B[idx]!);
            break;
          case Op.CSEL:
            condSelect(R32, F, A[idx]!, B[idx]!);
            break;
          case Op.DP1:
            dataProc1(R32, A[idx]!, B[idx]!);
            break;
          case Op.DP2:
            dataProc2(R, R32, A[idx]!, B[idx]!);
            break;
          case Op.MADD64: {
            const a = A[idx]!;
            R[a & 255] = R[a >>> 24]! + R[(a >>> 8) & 255]! * R[(a >>> 16) & 255]!;
            break;
          }
          case Op.MADD32: {
            const a = A[idx]!;
            const d = 2 * (a & 255);
            R32[d] = (R32[2 * (a >>> 24)]! + Math.imul(R32[2 * ((a >>> 8) & 255)]!, R32[2 * ((a >>> 16) & 255)]!)) | 0;
            R32[d + 1] = 0;
            break;
          }
          case Op.DP3:
            dataProc3(R, R32, A[idx]!, B[idx]!);
            break;

          // ---- branches ----
          case Op.B:
          case Op.BL: {
            if (op === Op.BL) R[30] = R[Slot.PGB]! + OFFS[idx + 1]!;
            const t = B[idx]!;
            n--;
            if (t >= 0) {
              idx = t;
              entry = jitOn;
              if (n <= 0) break inner;
              continue inner;
            }
            R[Slot.PC] = R[Slot.PGB]! + IMM[idx]!;
            break jump;
          }
          case Op.BCOND:
          case Op.CBZ64:
          case Op.CBNZ64:
          case Op.CBZ32:
          case Op.CBNZ32:
          case Op.TBZ:
          case Op.TBNZ: {
            const a = A[idx]!;
            let taken: boolean;
            switch (op) {
              case Op.BCOND: {
                // condHolds, written out: calls from this large function are not inlined
                // (a shared 256-entry lookup table measured about 5 % slower on the bench payload).
                let r: boolean;
                switch (a >> 1) {
                  case 0:
                    r = F[1] === 1;
                    break;
                  case 1:
                    r = F[2] === 1;
                    break;
                  case 2:
                    r = F[0] === 1;
                    break;
                  case 3:
                    r = F[3] === 1;
                    break;
                  case 4:
                    r = F[2] === 1 && F[1] === 0;
                    break;
                  case 5:
                    r = F[0] === F[3];
                    break;
                  case 6:
                    r = F[0] === F[3] && F[1] === 0;
                    break;
                  default:
                    r = true;
                }
                taken = (a & 1) !== 0 && a !== 15 ? !r : r;
                break;
              }
              case Op.CBZ64:
                taken = (R32[2 * a]! | R32[2 * a + 1]!) === 0;
                break;
              case Op.CBNZ64:
                taken = (R32[2 * a]! | R32[2 * a + 1]!) !== 0;
                break;
              case Op.CBZ32:
                taken = R32[2 * a] === 0;
                break;
              case Op.CBNZ32:
                taken = R32[2 * a] !== 0;
                break;
              default: {
                const bit = a >>> 8;
                const word = R32[2 * (a & 255) + (bit >>> 5)]!;
                const set = (word >>> (bit & 31)) & 1;
                taken = op === Op.TBZ ? set === 0 : set === 1;
              }
            }
            if (!taken) break;
            n--;
            const t = B[idx]!;
            if (t >= 0) {
              idx = t;
              entry = jitOn;
              if (n <= 0) break inner;
              continue inner;
            }
            R[Slot.PC] = R[Slot.PGB]! + IMM[idx]!;
            break jump;
          }
          case Op.BR:
            R[Slot.PC] = R[(A[idx]! >>> 8) & 255]!;
            n--;
            break jump;
          case Op.BLR:
            R[Slot.PC] = R[(A[idx]! >>> 8) & 255]!;
            R[30] = R[Slot.PGB]! + OFFS[idx + 1]!;
            n--;
            break jump;

          // ---- loads and stores ----
          case Op.LDRX_I:
          case Op.STRX_I:
          case Op.LDRW_I:
          case Op.STRW_I: {
            // Unsigned-offset 64/32-bit loads and stores: inline TLB hit on RAM.
            const a = A[idx]!;
            R[Slot.T0] = R[(a >>> 8) & 255]! + IMM[idx]!;
            const lo = R32[2 * Slot.T0]!;
            const hi = R32[2 * Slot.T0 + 1]!;
            const s = ((lo >>> 12) & TLB_MASK) | mmuBase;
            const po = lo & 0xfff;
            const t = 2 * (a & 255);
            const off = tOff[s]!;
            if (op === Op.LDRX_I) {
              if (rLo[s] === lo >>> 12 && rHi[s] === hi && po <= 4088 && off >= 0) {
                if ((po & 7) === 0) R[a & 255] = tU64[s]![(off + po) >>> 3]!;
                else {
                  const dv = tView[s]!;
                  R32[t] = dv.getInt32(off + po, true);
                  R32[t + 1] = dv.getInt32(off + po + 4, true);
                }
                break;
              }
            } else if (op === Op.STRX_I) {
              if (wLo[s] === lo >>> 12 && wHi[s] === hi && po <= 4088 && off >= 0) {
                if ((po & 7) === 0) tU64[s]![(off + po) >>> 3] = R[a & 255]!;
                else {
                  const dv = tView[s]!;
                  dv.setInt32(off + po, R32[t]!, true);
                  dv.setInt32(off + po + 4, R32[t + 1]!, true);
                }
                break;
              }
            } else if (op === Op.LDRW_I) {
              if (rLo[s] === lo >>> 12 && rHi[s] === hi && po <= 4092 && off >= 0) {
                R32[t] = tView[s]!.getInt32(off + po, true);
                R32[t + 1] = 0;
                break;
              }
            } else if (wLo[s] === lo >>> 12 && wHi[s] === hi && po <= 4092 && off >= 0) {
              tView[s]!.setInt32(off + po, R32[t]!, true);
              break;
            }
            if (!this.access(B[idx]!, a & 255, mmuBase)) {
              exit = EXIT_FAULT;
              break inner;
            }
            if (this.deviceTouched) {
              this.deviceTouched = false;
              idx++;
              n--;
              break inner;
            }
            break;
          }
          case Op.LS_IMM:
          case Op.LS_PRE:
          case Op.LS_POST:
          case Op.LS_REG:
          case Op.LS_LIT:
          case Op.LS_UNPRIV: {
            const a = A[idx]!;
            const nn = (a >>> 8) & 255;
            const b = B[idx]!;
            let mb = mmuBase;
            switch (op) {
              case Op.LS_IMM:
              case Op.LS_PRE:
                R[Slot.T0] = R[nn]! + IMM[idx]!;
                break;
              case Op.LS_POST:
                R[Slot.T0] = R[nn]!;
                break;
              case Op.LS_LIT:
                R[Slot.T0] = R[Slot.PGB]! + IMM[idx]!;
                break;
              case Op.LS_UNPRIV:
                R[Slot.T0] = R[nn]! + IMM[idx]!;
                mb = 0;
                break;
              default: {
                // registerOffset, written out (LS_REG is among the hottest forms and calls
                // from this large function are not inlined): Rn + (extend(Rm) << 0..4).
                const m = (a >>> 16) & 255;
                const option = (b >>> 8) & 7;
                const shift = b >>> 12;
                const mlo = R32[2 * m]!;
                const mhi = option === 2 ? 0 : option === 6 ? mlo >> 31 : R32[2 * m + 1]!;
                const olo = mlo << shift;
                const ohi = shift === 0 ? mhi : (mhi << shift) | (mlo >>> (32 - shift));
                const sum = (R32[2 * nn]! >>> 0) + (olo >>> 0);
                R32[2 * Slot.T0 + 1] = (R32[2 * nn + 1]! + ohi + (sum > 0xffffffff ? 1 : 0)) | 0;
                R32[2 * Slot.T0] = sum | 0;
              }
            }
            const kind = b & 31;
            let fast = false;
            const integer = kind <= Ls.LDRSH32;
            if (op !== Op.LS_LIT && (integer || (kind >= Ls.STR_B && this.fpOk))) {
              // A RAM hit in the TLB: no call into access(). LDTR/STTR (the kernel's user
              // copies) look up the EL0 view (mb is 0 for them); B/H/S/D/Q registers too.
              const lo = R32[2 * Slot.T0]!;
              const hi = R32[2 * Slot.T0 + 1]!;
              const s = ((lo >>> 12) & TLB_MASK) | mb;
              const po = lo & 0xfff;
              const off = tOff[s]!;
              const store = integer ? kind <= Ls.STRX : kind <= Ls.STR_Q;
              const hit = store ? wLo[s] === lo >>> 12 && wHi[s] === hi : rLo[s] === lo >>> 12 && rHi[s] === hi;
              if (hit && off >= 0 && po <= 4096 - LS_SIZE[kind]!) {
                const dv = tView[s]!;
                const o = off + po;
                const t2 = 2 * (a & 255);
                // The commonest kinds written out (calls from this function are not inlined).
                if (kind === Ls.LDRB) {
                  R32[t2] = dv.getUint8(o);
                  R32[t2 + 1] = 0;
                } else if (kind === Ls.LDRW) {
                  R32[t2] = dv.getInt32(o, true);
                  R32[t2 + 1] = 0;
                } else if (kind === Ls.LDRX) {
                  R32[t2] = dv.getInt32(o, true);
                  R32[t2 + 1] = dv.getInt32(o + 4, true);
                } else if (kind === Ls.STRB) dv.setUint8(o, R32[t2]!);
                else if (integer) ramIntAccess(kind, dv, o, R32, t2);
                else this.accessFp(kind, a & 255, dv, o);
                fast = true;
              }
            }
            if (!fast && !this.access(kind, op === Op.LS_LIT ? a : a & 255, mb)) {
              exit = EXIT_FAULT;
              break inner;
            }
            if (op === Op.LS_PRE) R[nn] = R[Slot.T0]!;
            else if (op === Op.LS_POST) R[nn] = R[nn]! + IMM[idx]!;
            if (this.deviceTouched) {
              this.deviceTouched = false;
              idx++;
              n--;
              break inner;
            }
            break;
          }
          case Op.LSP_OFF:
          case Op.LSP_PRE:
          case Op.LSP_POST: {
            const a = A[idx]!;
            const nn = (a >>> 8) & 255;
            const kind = B[idx]!;
            if (op === Op.LSP_POST) R[Slot.T0] = R[nn]!;
            else R[Slot.T0] = R[nn]! + IMM[idx]!;
            if (kind === Ls.LDRX || kind === Ls.STRX) {
              // Aligned X pairs on RAM: two 64-bit words straight from the buffer.
              const lo = R32[2 * Slot.T0]!;
              const hi = R32[2 * Slot.T0 + 1]!;
              const s = ((lo >>> 12) & TLB_MASK) | mmuBase;
              const po = lo & 0xfff;
              const off = tOff[s]!;
              if ((po & 7) === 0 && po <= 4080 && off >= 0) {
                const wi = (off + po) >>> 3;
                let done = false;
                if (kind === Ls.LDRX) {
                  if (rLo[s] === lo >>> 12 && rHi[s] === hi) {
                    const u = tU64[s]!;
                    R[Slot.T1] = u[wi]!;
                    R[(a >>> 16) & 255] = u[wi + 1]!;
                    R[a & 255] = R[Slot.T1]!;
                    done = true;
                  }
                } else if (wLo[s] === lo >>> 12 && wHi[s] === hi) {
                  const u = tU64[s]!;
                  u[wi] = R[a & 255]!;
                  u[wi + 1] = R[(a >>> 16) & 255]!;
                  done = true;
                }
                if (done) {
                  if (op === Op.LSP_PRE) R[nn] = R[Slot.T0]!;
                  else if (op === Op.LSP_POST) R[nn] = R[nn]! + IMM[idx]!;
                  break;
                }
              }
            }
            R[Slot.T2] = R[Slot.T0]!;
            if (!this.accessPair(kind, a & 255, (a >>> 16) & 255, mmuBase)) {
              exit = EXIT_FAULT;
              break inner;
            }
            if (op === Op.LSP_PRE) R[nn] = R[Slot.T2]!;
            else if (op === Op.LSP_POST) R[nn] = R[nn]! + IMM[idx]!;
            break;
          }

          case Op.LS_ATOMIC:
            if (!this.atomic(A[idx]!, B[idx]!)) {
              exit = EXIT_FAULT;
              break inner;
            }
            break;
          case Op.LS_EXCL:
            if (!this.exclusive(A[idx]!, B[idx]!)) {
              exit = EXIT_FAULT;
              break inner;
            }
            break;

          // ---- everything else leaves the fast loop with R[PC] at this instruction ----
          default: {
            if (op === Op.DC_ZVA && (this.el !== 0 || (this.sctlr & (1 << 14)) !== 0)) {
              // Zero the 64-byte block (memset, page clearing) when RAM with a write entry holds it.
              const t = A[idx]!;
              const lo = R32[2 * t]! & ~63;
              const hi = R32[2 * t + 1]!;
              const s = ((lo >>> 12) & TLB_MASK) | mmuBase;
              const off = tOff[s]!;
              if (wLo[s] === lo >>> 12 && wHi[s] === hi && off >= 0) {
                const o = off + (lo & 0xfff);
                mmu.bytes[s]!.fill(0, o, o + 64);
                break;
              }
            }
            if ((op === Op.MRS_SP_EL0 || op === Op.MRS_TPIDR_EL1) && this.el !== 0) {
              // At EL1 these are plain reads (the kernel's `current` and per-CPU offset);
              // at EL0 they are UNDEFINED, which the general path below raises.
              const t = A[idx]!;
              R[t === 31 ? Slot.TRASH : t] = op === Op.MRS_TPIDR_EL1 ? this.tpidrEl1 : this.spsel === 1 ? this.spBank[0]! : R[Slot.SP]!;
              break;
            }
            R[Slot.PC] = R[Slot.PGB]! + OFFS[idx]!;
            // Account for the instructions so far, so a counter read sees the exact time
            // (and the budget shrinks by them: they are not counted again below).
            this.retiredCount += limit - n;
            this.unsyncedInstructions += limit - n;
            left -= limit - n;
            limit = n;
            this.slowOp(op, page, idx);
            n--;
            exit = EXIT_JUMP;
            break inner;
          }
        }
        idx++;
        if (--n <= 0) break inner;
        if (idx < 1024) continue inner;
        R[Slot.PC] = R[Slot.PGB]! + OFFS[1024]!;
        }
        // ---- a jump (or the end of the page): R[PC] holds the target ----
        if (n <= 0) {
          exit = EXIT_JUMP;
          break inner;
        }
        const tlo = R32[2 * Slot.PC]!;
        const thi = R32[2 * Slot.PC + 1]!;
        const ts = ((tlo >>> 12) & TLB_MASK) | mmuBase;
        if ((tlo & 3) !== 0 || xLo[ts] !== tlo >>> 12 || xHi[ts] !== thi) {
          exit = EXIT_JUMP;
          break inner;
        }
        page = mmu.code[ts]!;
        OPS = page.op;
        A = page.a;
        B = page.b;
        IMM = page.imm;
        R32[2 * Slot.PGB] = tlo & ~0xfff;
        R32[2 * Slot.PGB + 1] = thi;
        idx = (tlo & 0xfff) >>> 2;
        entry = jitOn;
      }
      const executed = limit - n;
      left -= executed;
      this.retiredCount += executed;
      this.unsyncedInstructions += executed;
      if (exit === EXIT_SEQ) R[Slot.PC] = R[Slot.PGB]! + OFFS[idx]!;
      else if (exit === EXIT_FAULT) {
        R[Slot.PC] = R[Slot.PGB]! + OFFS[idx]!;
        this.takePending();
      }
      if (this.stopReason !== null) {
        const r = this.stopReason;
        this.stopReason = null;
        this.syncClock();
        return r;
      }
    }
    this.syncClock();
    return 'budget';
  }

  /** The compiled block starting at `idx`, compiling it now if needed; null if it has no block form. */
  private blockAt(page: CodePage, idx: number): CompiledBlock | null {
    const blocks = page.blocks ?? (page.blocks = new Array<CompiledBlock | null | undefined>(1024));
    let blk = blocks[idx];
    if (blk === undefined) {
      blk = compileBlock(page, idx, this.blockEnv, decodeInto);
      blocks[idx] = blk;
      // Not compilable: stop counting so this start is not looked up again.
      if (blk === null) page.hot[idx] = -0x40000000;
    }
    return blk;
  }

  /** Translates the Slot.PC's page for execution and installs its CodePage in the TLB slot. */
  private fillCode(lo: number, hi: number, slot: number): boolean {
    const el0 = this.el === 0;
    const fsc = this.mmu.walk(lo, hi, false);
    if (fsc !== WALK_OK) {
      this.takeSync(el0 ? EC.IABT_LOWER : EC.IABT_SAME, fsc, this.R[Slot.PC]!, this.R[Slot.PC]!);
      return false;
    }
    const perm = el0 ? this.mmu.outPerm >> 3 : this.mmu.outPerm;
    if ((perm & 4) === 0) {
      this.takeSync(el0 ? EC.IABT_LOWER : EC.IABT_SAME, FSC_PERMISSION | this.mmu.outLevel, this.R[Slot.PC]!, this.R[Slot.PC]!);
      return false;
    }
    const page = this.codePage(this.mmu.outPa);
    this.mmu.fillCode(slot, lo, hi, page);
    if (page === null) {
      this.takeSync(el0 ? EC.IABT_LOWER : EC.IABT_SAME, FSC_EXTERNAL, this.R[Slot.PC]!, this.R[Slot.PC]!);
      return false;
    }
    return true;
  }

  /** The decoded page for a physical page address, created on first use; null if not backed. */
  private codePage(pa: number): CodePage | null {
    let page = this.codePages.get(pa);
    if (page) return page;
    page = new CodePage(pa);
    const ram = this.mmu.ramAt(pa);
    // Only RAM is executable: fetching from a device (which could have read side
    // effects) or from nothing is a synchronous external abort.
    if (!ram) return null;
    const dv = ram.ram.view;
    const words = Math.min(1024, Math.floor(ram.limit / 4));
    for (let i = 0; i < words; i++) page.w[i] = dv.getInt32(ram.offset + 4 * i, true);
    this.codePages.set(pa, page);
    return page;
  }

  // ---- memory -------------------------------------------------------------------------

  /** T0 = Rn + extend(Rm) << shift. b = kind | option << 8 | shift << 12. */
  private registerOffset(n: number, m: number, b: number): void {
    const R32 = this.R32;
    const option = (b >>> 8) & 7;
    const shift = b >>> 12;
    const lo = R32[2 * m]!;
    let hi = R32[2 * m + 1]!;
    if (option === 2) hi = 0;
    else if (option === 6) hi = lo >> 31;
    const olo = lsl64(lo, hi, shift);
    const ohi = pair.hi;
    // T0 = Rn + offset on 32-bit words (a BigInt add here allocated when inlined into the loop).
    const s = (R32[2 * n]! >>> 0) + (olo >>> 0);
    R32[2 * Slot.T0 + 1] = (R32[2 * n + 1]! + ohi + (s > 0xffffffff ? 1 : 0)) | 0;
    R32[2 * Slot.T0] = s | 0;
  }

  private isStoreKind(kind: number): boolean {
    return kind < 4 || (kind >= Ls.STR_B && kind <= Ls.STR_Q);
  }

  /**
   * One load or store of `kind` at the address in slot Slot.T0 for register `t`
   * (integer slot or V register). Returns false with a pending exception.
   */
  access(kind: number, t: number, mmuBase: number): boolean {
    if (kind === Ls.PRFM) return true;
    if (kind >= Ls.STR_B && !this.fpOk) {
      this.setPending(EC.FP_ACCESS, 0, null);
      return false;
    }
    const R32 = this.R32;
    const lo = R32[2 * Slot.T0]!;
    const hi = R32[2 * Slot.T0 + 1]!;
    const size = LS_SIZE[kind]!;
    const store = this.isStoreKind(kind);
    const mmu = this.mmu;
    const s = ((lo >>> 12) & TLB_MASK) | mmuBase;
    const po = lo & 0xfff;
    const tag = lo >>> 12;
    const hit = store ? mmu.wLo[s] === tag && mmu.wHi[s] === hi : mmu.rLo[s] === tag && mmu.rHi[s] === hi;
    if (!hit) {
      if (!this.translateData(lo, hi, store ? ACC_WRITE : ACC_READ, mmuBase, s)) return false;
    }
    if (po + size > 4096 || mmu.off[s]! < 0) return this.accessSlow(kind, t, mmuBase, lo, hi, s);
    const o = mmu.off[s]! + po;
    const dv = mmu.view[s]!;
    if (kind >= Ls.STR_B) return this.accessFp(kind, t, dv, o);
    ramIntAccess(kind, dv, o, R32, 2 * t);
    return true;
  }

  /** FP/SIMD register loads and stores (B/H/S/D/Q); a scalar load zeroes the rest of the V register. */
  private accessFp(kind: number, t: number, dv: DataView, o: number): boolean {
    const V32 = this.V32;
    const b = 4 * t;
    switch (kind) {
      case Ls.STR_B:
        dv.setUint8(o, V32[b]! & 0xff);
        break;
      case Ls.STR_H:
        dv.setUint16(o, V32[b]! & 0xffff, true);
        break;
      case Ls.STR_S:
        dv.setUint32(o, V32[b]!, true);
        break;
      case Ls.STR_D:
        dv.setUint32(o, V32[b]!, true);
        dv.setUint32(o + 4, V32[b + 1]!, true);
        break;
      case Ls.STR_Q:
        for (let i = 0; i < 4; i++) dv.setUint32(o + 4 * i, V32[b + i]!, true);
        break;
      default: {
        const size = LS_SIZE[kind]!;
        const w0 = size === 1 ? dv.getUint8(o) : size === 2 ? dv.getUint16(o, true) : dv.getUint32(o, true);
        V32[b] = w0;
        V32[b + 1] = size >= 8 ? dv.getUint32(o + 4, true) : 0;
        V32[b + 2] = size === 16 ? dv.getUint32(o + 8, true) : 0;
        V32[b + 3] = size === 16 ? dv.getUint32(o + 12, true) : 0;
      }
    }
    return true;
  }

  /** Walks and fills the TLB for a data access; sets a pending abort on failure. */
  private translateData(lo: number, hi: number, acc: number, mmuBase: number, slot: number): boolean {
    const el0 = mmuBase === 0;
    const mmu = this.mmu;
    const fsc = mmu.walk(lo, hi, true);
    const ec = this.el === 0 ? EC.DABT_LOWER : EC.DABT_SAME;
    const far = toBig(lo, hi);
    const wnr = acc === ACC_WRITE ? 1 << 6 : 0;
    if (fsc !== WALK_OK) {
      this.setPending(ec, fsc | wnr, far);
      return false;
    }
    const perm = el0 ? mmu.outPerm >> 3 : mmu.outPerm;
    if ((perm & (acc === ACC_WRITE ? 2 : 1)) === 0) {
      this.setPending(ec, FSC_PERMISSION | mmu.outLevel | wnr, far);
      return false;
    }
    mmu.fill(slot, lo, hi, el0);
    return true;
  }

  /** Page-crossing or MMIO access: byte-wise through translation, or the bus. */
  private accessSlow(kind: number, t: number, mmuBase: number, lo: number, hi: number, s: number): boolean {
    const size = LS_SIZE[kind]!;
    const store = this.isStoreKind(kind);
    const mmu = this.mmu;
    const po = lo & 0xfff;
    // One bounce buffer per CPU: devices never call back into the CPU, so no reentry.
    const buf = this.bounce;
    if (store) this.bufferAccess(kind, t, buf);
    if (po + size <= 4096) {
      // MMIO (or RAM not covering a whole page) through the bus.
      const pa = mmu.pa[s]! + po;
      const mem = this.memory;
      if (size === 16 || size === 8) {
        for (let k = 0; k < size; k += 8) {
          if (store) mem.write64(pa + k, buf.getBigUint64(k, true));
          else buf.setBigUint64(k, mem.read64(pa + k), true);
          if (mem.status !== BusStatus.Ok) return this.externalAbort(lo, hi, store);
        }
      } else {
        if (store) mem.write(pa, size, size === 4 ? buf.getUint32(0, true) : size === 2 ? buf.getUint16(0, true) : buf.getUint8(0));
        else {
          const v = mem.read(pa, size);
          if (size === 4) buf.setUint32(0, v, true);
          else if (size === 2) buf.setUint16(0, v, true);
          else buf.setUint8(0, v);
        }
        if (mem.status !== BusStatus.Ok) return this.externalAbort(lo, hi, store);
      }
      // Device accesses may change interrupt state: let the loop check.
      this.deviceTouched = true;
    } else {
      // Crosses a page: each byte separately (both pages are checked before a store writes).
      const R = this.R;
      const base = R[Slot.T0]!;
      const acc = store ? ACC_WRITE : ACC_READ;
      for (let pass = store ? 0 : 1; pass <= 1; pass++) {
        for (let k = 0; k < size; k++) {
          R[Slot.T4] = base + BigInt(k);
          const blo = this.R32[2 * Slot.T4]!;
          const bhi = this.R32[2 * Slot.T4 + 1]!;
          const bs = ((blo >>> 12) & TLB_MASK) | mmuBase;
          const tag = blo >>> 12;
          const hit = store ? mmu.wLo[bs] === tag && mmu.wHi[bs] === bhi : mmu.rLo[bs] === tag && mmu.rHi[bs] === bhi;
          if (!hit && !this.translateData(blo, bhi, acc, mmuBase, bs)) return false;
          if (pass === 0) continue;
          const pa = mmu.pa[bs]! + (blo & 0xfff);
          if (store) this.memory.write(pa, 1, buf.getUint8(k));
          else buf.setUint8(k, this.memory.read(pa, 1));
          if (this.memory.status !== BusStatus.Ok) return this.externalAbort(blo, bhi, store);
        }
      }
    }
    if (!store) this.bufferAccess(kind, t, buf);
    return true;
  }

  /** Set when an access went to a device; the loop re-checks interrupts after it. */
  deviceTouched = false;

  private externalAbort(lo: number, hi: number, store: boolean): boolean {
    this.setPending(this.el === 0 ? EC.DABT_LOWER : EC.DABT_SAME, FSC_EXTERNAL | (store ? 1 << 6 : 0), toBig(lo, hi));
    return false;
  }

  /** A whole access to or from a bounce buffer (page-crossing and MMIO paths). */
  private bufferAccess(kind: number, t: number, buf: DataView): void {
    if (kind <= Ls.LDRSH32) ramIntAccess(kind, buf, 0, this.R32, 2 * t);
    else this.accessFp(kind, t, buf, 0);
  }

  /** A register pair at Slot.T0 (and Slot.T0 + size). */
  private accessPair(kind: number, t1: number, t2: number, mmuBase: number): boolean {
    const size = LS_SIZE[kind]!;
    const R = this.R;
    if (this.isStoreKind(kind) || kind >= Ls.STR_B) {
      // Check the second element's translation first so a fault leaves memory untouched...
      // (loads: both complete before registers are observed anyway).
    }
    if (kind < Ls.STR_B || kind === Ls.LDRSW) {
      // Integer pair: load into temporaries so a fault on the second half leaves registers unchanged.
      const load = !this.isStoreKind(kind);
      if (load) {
        if (!this.access(kind, Slot.T1, mmuBase)) return false;
        R[Slot.T0] = R[Slot.T0]! + BigInt(size);
        if (!this.access(kind, Slot.T3, mmuBase)) return false;
        R[t1] = R[Slot.T1]!;
        R[t2] = R[Slot.T3]!;
        return true;
      }
      if (!this.access(kind, t1, mmuBase)) return false;
      R[Slot.T0] = R[Slot.T0]! + BigInt(size);
      return this.access(kind, t2, mmuBase);
    }
    if (!this.access(kind, t1, mmuBase)) return false;
    R[Slot.T0] = R[Slot.T0]! + BigInt(size);
    return this.access(kind, t2, mmuBase);
  }

  // ---- exceptions ---------------------------------------------------------------------

  private setPending(ec: number, iss: number, far: bigint | null): void {
    this.pendingEc = ec;
    this.pendingIss = iss;
    this.pendingHasFar = far !== null;
    this.pendingFar = far ?? 0n;
  }

  /** Takes the pending synchronous exception with ELR = R[Slot.PC]. */
  private takePending(): void {
    this.takeSync(this.pendingEc, this.pendingIss, this.R[Slot.PC]!, this.pendingHasFar ? this.pendingFar : null);
  }

  /** Synchronous exception to EL1. */
  takeSync(ec: number, iss: number, elr: bigint, far: bigint | null): void {
    this.esr = ((ec << 26) | (1 << 25) | (iss & 0x1ffffff)) | 0;
    if (far !== null) this.far = far;
    this.enterException(0, elr);
  }

  private takeInterrupt(offset: number): void {
    this.enterException(offset, this.R[Slot.PC]!);
  }

  private enterException(offset: number, elr: bigint): void {
    const fromEl0 = this.el === 0;
    this.spsr = this.getPstate() | 0;
    this.elr = elr;
    const base = fromEl0 ? 0x400 : this.spsel ? 0x200 : 0;
    this.setMode(1, 1);
    this.daif = 0x3c0;
    this.illegalState = false;
    this.exclusiveValid = false;
    this.R[Slot.PC] = this.vbar + BigInt(base + offset);
  }

  /** ERET from EL1. */
  private exceptionReturn(): void {
    const spsr = this.spsr;
    const m = spsr & 0x1f;
    this.exclusiveValid = false;
    this.setNzcv(spsr);
    this.daif = spsr & 0x3c0;
    this.R[Slot.PC] = this.elr;
    if (m === 0 || m === 4 || m === 5) {
      this.setMode(m >> 2, m & 1);
      this.illegalState = ((spsr >>> 20) & 1) === 1;
    } else {
      // Illegal return: stay at EL1 with PSTATE.IL set; the next instruction faults.
      this.illegalState = true;
    }
    this.mmuIndexChanged();
  }

  private mmuIndexChanged(): void {
    // TLB sets are per EL, nothing to flush; the loop recomputes its base.
  }

  private undefined(): void {
    if (this.traceUndefined) {
      this.log.unimplemented('cpu-aarch64', `UNDEFINED at pc ${this.R[Slot.PC]!.toString(16)} (EL${this.el})`);
    }
    this.takeSync(EC.UNKNOWN, 0, this.R[Slot.PC]!, null);
  }

  /** Log every UNDEFINED exception (finding missing instructions while bringing up a guest). */
  traceUndefined = false;

  // ---- slow instructions (R[Slot.PC] = this instruction on entry; on exit R[Slot.PC] = next to run) ----

  private slowOp(op: number, page: CodePage, i: number): void {
    const a = page.a[i]!;
    const b = page.b[i]!;
    const next = this.R[Slot.PC]! + 4n;
    switch (op) {
      case Op.UNDEF:
        this.undefined();
        return;
      case Op.EXC:
        this.exceptionGen(b & 7, b >>> 3, next);
        return;
      case Op.ERET:
        if (this.el === 0) this.undefined();
        else this.exceptionReturn();
        return;
      case Op.MRS:
      case Op.MRS_SP_EL0:
      case Op.MRS_TPIDR_EL1:
        if (this.mrs(b, a)) this.R[Slot.PC] = next;
        return;
      case Op.MSR:
        if (this.msr(b, a)) this.R[Slot.PC] = next;
        return;
      case Op.MSR_IMM:
        if (this.msrImm(b)) this.R[Slot.PC] = next;
        return;
      case Op.HINT:
        this.hint(b, next);
        return;
      case Op.CLREX:
        this.exclusiveValid = false;
        this.R[Slot.PC] = next;
        return;
      case Op.SYS:
      case Op.DC_ZVA:
        if (this.sys(b, a)) this.R[Slot.PC] = next;
        return;
      case Op.LS_MULTI:
        if (!this.fpOk) {
          this.takeSync(EC.FP_ACCESS, 0, this.R[Slot.PC]!, null);
          return;
        }
        if (this.loadStoreMultiple(a, b)) this.R[Slot.PC] = next;
        else this.takePending();
        return;
      case Op.FP_MOVE:
      case Op.FPSIMD: {
        if (!this.fpOk) {
          this.fpDisabled(op, b);
          return;
        }
        this.simdFaulted = false;
        const ok = op === Op.FP_MOVE ? executeFpMove(this, b) : executeFpSimd(this, b);
        if (ok) this.R[Slot.PC] = next;
        else if (this.simdFaulted) this.takePending();
        else this.undefined();
        return;
      }
      default:
        this.undefined();
    }
  }

  private exceptionGen(kind: number, imm16: number, next: bigint): void {
    switch (kind) {
      case 1:
        this.takeSync(EC.SVC, imm16, next, null);
        return;
      case 2:
      case 3: {
        const handler = kind === 2 ? this.hvc : this.smc;
        if (this.el === 0 || !handler) {
          this.undefined();
          return;
        }
        this.R[Slot.PC] = next;
        if (!handler(this, imm16)) {
          this.R[Slot.PC] = next - 4n;
          this.undefined();
        }
        return;
      }
      case 4:
        this.takeSync(EC.BRK, imm16, this.R[Slot.PC]!, null);
        return;
      default:
        // HLT: halting debug is not enabled, so UNDEFINED.
        this.undefined();
    }
  }

  private hint(h: number, next: bigint): void {
    // 1 YIELD, 2 WFE, 3 WFI, 4 SEV, 5 SEVL
    if (h === 2 || h === 3) {
      const trapBit = h === 3 ? 1 << 16 : 1 << 18;
      if (this.el === 0 && (this.sctlr & trapBit) === 0) {
        this.takeSync(EC.WFX, (1 << 24) | (0xe << 20) | (h === 2 ? 1 : 0), this.R[Slot.PC]!, null);
        return;
      }
      this.R[Slot.PC] = next;
      if (h === 3 && !this.irqLevel && !this.fiqLevel) this.stopReason = 'wfi';
      return;
    }
    this.R[Slot.PC] = next;
  }

  private sysregTrapIss(enc: number, rt: number, read: boolean): number {
    const op0 = enc >>> 14;
    const op1 = (enc >>> 11) & 7;
    const crn = (enc >>> 7) & 15;
    const crm = (enc >>> 3) & 15;
    const op2 = enc & 7;
    return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0);
  }

  /** EL0 access check; false when an exception was taken. */
  /**
   * An FP/SIMD instruction while CPACR_EL1.FPEN traps: an allocated encoding
   * takes the FP access trap (EC 0x07), an unallocated one is UNDEFINED. The
   * engine knows which is which only by executing, so data-processing forms
   * run once on saved registers, which are then put back; loads and stores
   * (all allocated where they reach here) trap directly.
   */
  private fpDisabled(op: number, insn: number): void {
    let allocated = true;
    if (op === Op.FP_MOVE || (insn & 0x1e000000) !== 0x0c000000) {
      const r = this.R.slice();
      const v = this.V64.slice();
      const f = this.F.slice();
      const { fpsr, fpcr } = this;
      allocated = op === Op.FP_MOVE ? executeFpMove(this, insn) : executeFpSimd(this, insn);
      this.R.set(r);
      this.V64.set(v);
      this.F.set(f);
      this.fpsr = fpsr;
      this.fpcr = fpcr;
    }
    if (allocated) this.takeSync(EC.FP_ACCESS, 0, this.R[Slot.PC]!, null);
    else this.undefined();
  }

  private sysregEl0(d: { el0: number; el0Check?: (c: InterpreterCpu, w: boolean) => number }, enc: number, rt: number, write: boolean): boolean {
    if (this.el !== 0) return true;
    let r: number;
    if (d.el0 === EL0_NONE) r = 2;
    else if (d.el0 === EL0_RO) r = write ? 2 : 0;
    else if (d.el0 === EL0_CHECK) r = d.el0Check!(this, write);
    else r = 0;
    if (r === 0) return true;
    if (r === 1) this.takeSync(EC.SYSREG, this.sysregTrapIss(enc, rt, !write), this.R[Slot.PC]!, null);
    else if (r === 4) this.takeSync(EC.FP_ACCESS, 0, this.R[Slot.PC]!, null);
    else this.undefined();
    return false;
  }

  private mrs(enc: number, rt: number): boolean {
    const d = SYSREGS.get(enc);
    let value: bigint;
    if (d && d.read) {
      if (!this.sysregEl0(d, enc, rt, false)) return false;
      if ((enc === ENC_FPCR || enc === ENC_FPSR) && !this.fpOk) {
        this.takeSync(EC.FP_ACCESS, 0, this.R[Slot.PC]!, null);
        return false;
      }
      value = d.read(this);
    } else {
      if (this.el === 0 || !this.sysregs || d) {
        this.undefined();
        return false;
      }
      const out = this.sysOut;
      if (!this.sysregs.readSysreg(this.index, enc, out)) {
        this.undefined();
        return false;
      }
      value = toBig(out.lo, out.hi);
    }
    if (rt !== 31) this.R[rt] = value;
    return true;
  }

  private msr(enc: number, rt: number): boolean {
    const d = SYSREGS.get(enc);
    const value = this.R[rt]!;
    if (d && d.write) {
      if (!this.sysregEl0(d, enc, rt, true)) return false;
      if ((enc === ENC_FPCR || enc === ENC_FPSR) && !this.fpOk) {
        this.takeSync(EC.FP_ACCESS, 0, this.R[Slot.PC]!, null);
        return false;
      }
      d.write(this, value);
      return true;
    }
    if (this.el === 0 || !this.sysregs || d) {
      this.undefined();
      return false;
    }
    if (!this.sysregs.writeSysreg(this.index, enc, Number(value & 0xffff_ffffn) | 0, Number(value >> 32n) | 0)) {
      this.undefined();
      return false;
    }
    return true;
  }

  /** MSR (immediate): b = op2 | op1 << 3 | CRm << 6. */
  private msrImm(b: number): boolean {
    const op2 = b & 7;
    const op1 = (b >>> 3) & 7;
    const crm = b >>> 6;
    if (op1 === 3 && (op2 === 6 || op2 === 7)) {
      if (this.el === 0 && (this.sctlr & (1 << 9)) === 0) {
        this.takeSync(EC.SYSREG, this.sysregTrapIss((0 << 14) | (op1 << 11) | (4 << 7) | (crm << 3) | op2, 31, false), this.R[Slot.PC]!, null);
        return false;
      }
      if (op2 === 6) this.daif |= crm << 6;
      else this.daif &= ~(crm << 6);
      return true;
    }
    if (op1 === 0 && op2 === 5 && this.el === 1) {
      this.setMode(1, crm & 1);
      return true;
    }
    this.undefined();
    return false;
  }

  /** SYS: cache maintenance, TLB invalidation, address translation. b = encoding, rt. */
  private sys(enc: number, rt: number): boolean {
    const op1 = (enc >>> 11) & 7;
    const crn = (enc >>> 7) & 15;
    const crm = (enc >>> 3) & 15;
    const op2 = enc & 7;
    const el0 = this.el === 0;
    const trap = (): boolean => {
      this.takeSync(EC.SYSREG, this.sysregTrapIss(enc, rt, false), this.R[Slot.PC]!, null);
      return false;
    };
    if (crn === 8 && op1 === 0) {
      // TLBI: by VA (VAE1, VAAE1, VALE1, VAALE1 and their IS forms) drops that
      // page; everything else flushes the soft TLB whole (over-invalidation is allowed).
      if (el0) {
        this.undefined();
        return false;
      }
      if ((crm === 3 || crm === 7) && (op2 & 1) === 1) {
        // Xt[43:0] = VA[55:12]; VA[63:56] copy bit 55 (the TTBR1 half).
        const lo = this.R32[2 * rt]!;
        const hi = this.R32[2 * rt + 1]!;
        const vaLo = lo << 12;
        let vaHi = ((hi << 12) | (lo >>> 20)) & 0xffffff;
        if (vaHi & 0x800000) vaHi |= 0xff000000;
        this.mmu.flushVa(vaLo, vaHi);
      } else this.mmu.flush();
      return true;
    }
    if (crn !== 7) {
      this.undefined();
      return false;
    }
    const va = this.R[rt]!;
    if (op1 === 0 && crm === 1 && op2 === 0) {
      // IC IALLUIS
      if (el0) return this.undefinedFalse();
      this.invalidateCode();
      return true;
    }
    if (op1 === 0 && crm === 5 && op2 === 0) {
      // IC IALLU
      if (el0) return this.undefinedFalse();
      this.invalidateCode();
      return true;
    }
    if (op1 === 3 && crm === 5 && op2 === 1) {
      // IC IVAU: drop the decoded page behind the VA.
      if (el0 && (this.sctlr & (1 << 26)) === 0) return trap();
      const pa = this.translateForMaintenance(va, false);
      if (pa === null) return this.dataAbortCm(va);
      const page = pa >= 0 ? this.codePages.get(pa - (pa % 4096)) : undefined;
      if (page) {
        this.codePages.delete(page.paPage);
        this.mmu.flushCodePage(page);
      }
      return true;
    }
    if (op1 === 3 && crm === 4 && op2 === 1) {
      // DC ZVA: zero 64 bytes.
      if (el0 && (this.sctlr & (1 << 14)) === 0) return trap();
      return this.dcZva(va);
    }
    if (op1 === 3 && op2 === 1 && (crm === 10 || crm === 11 || crm === 12 || crm === 13 || crm === 14)) {
      // DC CVAC/CVAU/CVAP/CVADP/CIVAC: no caches, only the translation check.
      if (el0 && (this.sctlr & (1 << 26)) === 0) return trap();
      const pa = this.translateForMaintenance(va, false);
      if (pa === null) return this.dataAbortCm(va);
      return true;
    }
    if (op1 === 0 && crm === 6 && op2 === 1) {
      // DC IVAC: a write permission check at EL1.
      if (el0) return this.undefinedFalse();
      const pa = this.translateForMaintenance(va, true);
      if (pa === null) return this.dataAbortCm(va);
      return true;
    }
    if (op1 === 0 && (crm === 6 || crm === 10 || crm === 14) && op2 === 2) {
      // DC ISW/CSW/CISW: set/way, nothing to do.
      if (el0) return this.undefinedFalse();
      return true;
    }
    if (op1 === 0 && crm === 8 && op2 <= 3) {
      if (el0) return this.undefinedFalse();
      this.addressTranslate(va, op2);
      return true;
    }
    this.undefined();
    return false;
  }

  private undefinedFalse(): boolean {
    this.undefined();
    return false;
  }

  private maintenanceFsc = 0;

  /** Physical address for a cache maintenance operation, or null with `maintenanceFsc` set. */
  private translateForMaintenance(va: bigint, write: boolean): number | null {
    this.R[Slot.T0] = va;
    const lo = this.R32[2 * Slot.T0]!;
    const hi = this.R32[2 * Slot.T0 + 1]!;
    const fsc = this.mmu.walk(lo, hi, true);
    if (fsc !== WALK_OK) {
      this.maintenanceFsc = fsc;
      return null;
    }
    const perm = this.el === 0 ? this.mmu.outPerm >> 3 : this.mmu.outPerm;
    if ((perm & (write ? 2 : 1)) === 0 && (this.el === 0 || write)) {
      this.maintenanceFsc = FSC_PERMISSION | this.mmu.outLevel;
      return null;
    }
    return this.mmu.outPa + (lo & 0xfff);
  }

  private dataAbortCm(va: bigint): boolean {
    const ec = this.el === 0 ? EC.DABT_LOWER : EC.DABT_SAME;
    this.takeSync(ec, this.maintenanceFsc | (1 << 8) | (1 << 6), this.R[Slot.PC]!, va);
    return false;
  }

  private dcZva(va: bigint): boolean {
    const aligned = va & ~63n;
    this.R[Slot.T0] = aligned;
    const mmuBase = this.el === 0 ? 0 : 1 << TLB_BITS;
    this.R[Slot.T1] = 0n;
    // The loop zeroes TLB hits inline; here, 8 doubleword stores of XZR through the
    // normal store path (a fault reports the operand VA).
    for (let k = 0; k < 8; k++) {
      this.R[Slot.T0] = aligned + BigInt(k * 8);
      if (!this.access(Ls.STRX, 31, mmuBase)) {
        this.pendingFar = va;
        this.takePending();
        return false;
      }
    }
    return true;
  }

  /** AT S1E1R/S1E1W/S1E0R/S1E0W into PAR_EL1. */
  private addressTranslate(va: bigint, op2: number): void {
    this.R[Slot.T0] = va;
    const lo = this.R32[2 * Slot.T0]!;
    const hi = this.R32[2 * Slot.T0 + 1]!;
    const mmu = this.mmu;
    let fsc = mmu.walk(lo, hi, true);
    if (fsc === WALK_OK) {
      const el0 = op2 >= 2;
      const write = (op2 & 1) === 1;
      const perm = el0 ? mmu.outPerm >> 3 : mmu.outPerm;
      if ((perm & (write ? 2 : 1)) === 0) fsc = FSC_PERMISSION | mmu.outLevel;
    }
    if (fsc !== WALK_OK) {
      this.par = BigInt((fsc << 1) | 1) | (1n << 11n);
      return;
    }
    const attrIdx = mmu.outAttr;
    const attr = attrIdx < 4 ? (mmu.mairLo >>> (8 * attrIdx)) & 0xff : (mmu.mairHi >>> (8 * (attrIdx - 4))) & 0xff;
    this.par = (BigInt(attr) << 56n) | BigInt(mmu.outPa) | BigInt(mmu.outSh << 7) | (1n << 11n);
  }

  // ---- exclusives ---------------------------------------------------------------------

  /**
   * LDXR/STXR/LDXP/STXP (+ acquire/release) and LDAR/STLR. a = rt | rn << 8 | rs << 16 | rt2 << 24,
   * b = kind | size << 3 | o0 << 5. The monitor compares the value at STXR time with what
   * LDXR saw (good enough for LL/SC loops on one host thread).
   */
  private exclusive(a: number, b: number): boolean {
    const kind = b & 7;
    const size = (b >>> 3) & 3;
    const rt = a & 255;
    const rn = (a >>> 8) & 255;
    const rs = (a >>> 16) & 255;
    const rt2 = a >>> 24;
    const R = this.R;
    const mmuBase = this.el === 0 ? 0 : 1 << TLB_BITS;
    const pair = kind === 2 || kind === 3;
    const esize = 1 << size;
    const total = pair ? esize * 2 : esize;
    R[Slot.T0] = R[rn]!;
    const lo = this.R32[2 * Slot.T0]!;
    const hi = this.R32[2 * Slot.T0 + 1]!;
    if ((lo & (total - 1)) !== 0) {
      const store = kind === 1 || kind === 3 || kind === 5;
      this.setPending(this.el === 0 ? EC.DABT_LOWER : EC.DABT_SAME, FSC_ALIGNMENT | (store ? 1 << 6 : 0), R[Slot.T0]!);
      return false;
    }
    const ldKind = [Ls.LDRB, Ls.LDRH, Ls.LDRW, Ls.LDRX][size]!;
    const stKind = [Ls.STRB, Ls.STRH, Ls.STRW, Ls.STRX][size]!;
    switch (kind) {
      case 4:
        return this.access(ldKind, rt, mmuBase);
      case 5:
        return this.access(stKind, rt, mmuBase);
      case 0:
      case 2: {
        if (!this.access(ldKind, Slot.T1, mmuBase)) return false;
        if (pair) {
          R[Slot.T0] = R[Slot.T0]! + BigInt(esize);
          if (!this.access(ldKind, Slot.T2, mmuBase)) return false;
        }
        this.exclusiveValid = true;
        this.exclusiveAddrLo = lo;
        this.exclusiveAddrHi = hi;
        this.exclusiveSize = total;
        this.exclusiveValue[0] = R[Slot.T1]!;
        this.exclusiveValue[1] = pair ? R[Slot.T2]! : 0n;
        R[rt] = R[Slot.T1]!;
        if (pair) R[rt2] = R[Slot.T2]!;
        return true;
      }
      default: {
        // STXR / STXP: status 0 on success, 1 on failure.
        let ok = this.exclusiveValid && this.exclusiveAddrLo === lo && this.exclusiveAddrHi === hi && this.exclusiveSize === total;
        this.exclusiveValid = false;
        if (ok) {
          // Re-read the memory: if another agent changed it, fail.
          if (!this.access(ldKind, Slot.T1, mmuBase)) return false;
          if (pair) {
            R[Slot.T0] = R[Slot.T0]! + BigInt(esize);
            if (!this.access(ldKind, Slot.T2, mmuBase)) return false;
            R[Slot.T0] = R[Slot.T0]! - BigInt(esize);
          }
          ok = R[Slot.T1] === this.exclusiveValue[0] && (!pair || R[Slot.T2] === this.exclusiveValue[1]);
        } else {
          // The store must still fault like a store would on a bad address.
          if (!this.translateProbe(lo, hi, mmuBase)) return false;
        }
        if (ok) {
          if (!this.access(stKind, rt, mmuBase)) return false;
          if (pair) {
            R[Slot.T0] = R[Slot.T0]! + BigInt(esize);
            if (!this.access(stKind, rt2, mmuBase)) return false;
          }
        }
        R[rs] = ok ? 0n : 1n;
        if (rs === Slot.TRASH) R[Slot.TRASH] = 0n;
        return true;
      }
    }
  }

  /**
   * LSE: atomic memory operations (kind 0..7 LDADD..LDUMIN, 8 SWP), CAS (10) and CASP (11).
   * a = rt | rn << 8 | rs << 16 (rt already mapped for the old-value result), b = kind | size << 4.
   * Single host thread: the read-modify-write is atomic by construction.
   */
  private atomic(a: number, b: number): boolean {
    const kind = b & 15;
    const size = (b >>> 4) & 3;
    const rt = a & 255;
    const rn = (a >>> 8) & 255;
    const rs = (a >>> 16) & 255;
    const R = this.R;
    const esize = 1 << size;
    const pair = kind === 11;
    const total = pair ? 2 * esize : esize;
    const mmuBase = this.el === 0 ? 0 : 1 << TLB_BITS;
    R[Slot.T0] = R[rn]!;
    if ((this.R32[2 * Slot.T0]! & (total - 1)) !== 0) {
      this.setPending(this.el === 0 ? EC.DABT_LOWER : EC.DABT_SAME, FSC_ALIGNMENT, R[Slot.T0]!);
      return false;
    }
    const ldKind = [Ls.LDRB, Ls.LDRH, Ls.LDRW, Ls.LDRX][size]!;
    const stKind = [Ls.STRB, Ls.STRH, Ls.STRW, Ls.STRX][size]!;
    const bits = BigInt(8 * esize);
    const mask = (1n << bits) - 1n;
    const dest = (r: number): number => (r === 31 ? Slot.TRASH : r);
    if (!this.access(ldKind, Slot.T1, mmuBase)) return false;
    if (pair) {
      R[Slot.T0] = R[Slot.T0]! + BigInt(esize);
      if (!this.access(ldKind, Slot.T2, mmuBase)) return false;
      R[Slot.T0] = R[Slot.T0]! - BigInt(esize);
      const old0 = R[Slot.T1]!;
      const old1 = R[Slot.T2]!;
      if (old0 === (R[rs]! & mask) && old1 === (R[rs + 1]! & mask)) {
        R[Slot.T3] = R[rt]!;
        if (!this.access(stKind, Slot.T3, mmuBase)) return false;
        R[Slot.T0] = R[Slot.T0]! + BigInt(esize);
        R[Slot.T3] = R[rt + 1]!;
        if (!this.access(stKind, Slot.T3, mmuBase)) return false;
      } else if (!this.translateProbe(this.R32[2 * Slot.T0]!, this.R32[2 * Slot.T0 + 1]!, mmuBase)) {
        return false;
      }
      R[dest(rs)] = old0;
      R[dest(rs + 1)] = old1;
      R[Slot.TRASH] = 0n;
      return true;
    }
    const old = R[Slot.T1]!;
    if (kind === 10) {
      // CAS: compare with Rs, store Rt when equal; Rs receives the old value.
      if (old === (R[rs]! & mask)) {
        R[Slot.T3] = R[rt]!;
        if (!this.access(stKind, Slot.T3, mmuBase)) return false;
      } else if (!this.translateProbe(this.R32[2 * Slot.T0]!, this.R32[2 * Slot.T0 + 1]!, mmuBase)) {
        return false;
      }
      R[dest(rs)] = old;
      return true;
    }
    const operand = R[rs]! & mask;
    let v: bigint;
    switch (kind) {
      case 0:
        v = old + operand;
        break;
      case 1:
        v = old & ~operand;
        break;
      case 2:
        v = old ^ operand;
        break;
      case 3:
        v = old | operand;
        break;
      case 4:
        v = BigInt.asIntN(8 * esize, old) >= BigInt.asIntN(8 * esize, operand) ? old : operand;
        break;
      case 5:
        v = BigInt.asIntN(8 * esize, old) <= BigInt.asIntN(8 * esize, operand) ? old : operand;
        break;
      case 6:
        v = old >= operand ? old : operand;
        break;
      case 7:
        v = old <= operand ? old : operand;
        break;
      default:
        v = operand;
    }
    R[Slot.T3] = v & mask;
    if (!this.access(stKind, Slot.T3, mmuBase)) return false;
    R[rt] = old;
    R[Slot.TRASH] = 0n;
    return true;
  }

  private translateProbe(lo: number, hi: number, mmuBase: number): boolean {
    const s = ((lo >>> 12) & TLB_MASK) | mmuBase;
    if (this.mmu.wLo[s] === lo >>> 12 && this.mmu.wHi[s] === hi) return true;
    return this.translateData(lo, hi, ACC_WRITE, mmuBase, s);
  }

  // ---- AdvSIMD LD1..LD4 / ST1..ST4 (multiple structures) ----------------------------------

  /** Set when an FP/SIMD element access (simdLoad/simdStore) faulted: the exception is pending. */
  private simdFaulted = false;

  /** FP/SIMD engine hook: one little-endian element of 1, 2, 4 or 8 bytes at `va`; null on a fault. */
  simdLoad(va: bigint, bytes: number): bigint | null {
    this.R[Slot.T0] = va;
    if (!this.access(SIMD_LOAD_KIND[bytes]!, Slot.T1, this.el === 0 ? 0 : 1 << TLB_BITS)) {
      this.simdFaulted = true;
      return null;
    }
    return this.R[Slot.T1]!;
  }

  /** FP/SIMD engine hook: stores one element; false on a fault. */
  simdStore(va: bigint, bytes: number, value: bigint): boolean {
    this.R[Slot.T0] = va;
    this.R[Slot.T1] = value;
    if (!this.access(SIMD_STORE_KIND[bytes]!, Slot.T1, this.el === 0 ? 0 : 1 << TLB_BITS)) {
      this.simdFaulted = true;
      return false;
    }
    return true;
  }

  private loadStoreMultiple(a: number, w: number): boolean {
    const q = (w >>> 30) & 1;
    const load = (w >>> 22) & 1;
    const post = (w >>> 23) & 1;
    const opcode = (w >>> 12) & 15;
    const size = (w >>> 10) & 3;
    const rt = a & 255;
    const rn = (a >>> 8) & 255;
    const rm = (a >>> 16) & 255;
    let rpt: number;
    let selem: number;
    switch (opcode) {
      case 0:
        rpt = 1;
        selem = 4;
        break;
      case 2:
        rpt = 4;
        selem = 1;
        break;
      case 4:
        rpt = 1;
        selem = 3;
        break;
      case 6:
        rpt = 3;
        selem = 1;
        break;
      case 7:
        rpt = 1;
        selem = 1;
        break;
      case 8:
        rpt = 1;
        selem = 2;
        break;
      default:
        rpt = 2;
        selem = 1;
        break;
    }
    if (size === 3 && q === 0 && selem !== 1) {
      this.setPending(EC.UNKNOWN, 0, null);
      return false;
    }
    const esize = 1 << size;
    const elements = (q ? 16 : 8) / esize;
    const R = this.R;
    const mmuBase = this.el === 0 ? 0 : 1 << TLB_BITS;
    const base = R[rn]!;
    const kindLd = [Ls.LDRB, Ls.LDRH, Ls.LDRW, Ls.LDRX][size]!;
    const kindSt = [Ls.STRB, Ls.STRH, Ls.STRW, Ls.STRX][size]!;
    let offs = 0;
    // Loads go to a scratch copy first so a fault leaves the V registers unchanged.
    const scratch = new Uint8Array(this.V8);
    for (let r = 0; r < rpt; r++) {
      for (let e = 0; e < elements; e++) {
        let tt = (rt + r) % 32;
        for (let s = 0; s < selem; s++) {
          R[Slot.T0] = base + BigInt(offs);
          const lane = tt * 16 + e * esize;
          if (load) {
            if (!this.access(kindLd, Slot.T1, mmuBase)) return false;
            const v = R[Slot.T1]!;
            for (let k = 0; k < esize; k++) scratch[lane + k] = Number((v >> BigInt(8 * k)) & 0xffn);
          } else {
            let v = 0n;
            for (let k = esize - 1; k >= 0; k--) v = (v << 8n) | BigInt(this.V8[lane + k]!);
            R[Slot.T1] = v;
            if (!this.access(kindSt, Slot.T1, mmuBase)) return false;
          }
          offs += esize;
          tt = (tt + 1) % 32;
        }
      }
    }
    if (load) {
      this.V8.set(scratch);
      if (!q) for (let r = 0; r < rpt * selem; r++) this.V64[2 * ((rt + r) % 32) + 1] = 0n;
    }
    if (post) R[rn] = base + (rm === 31 ? BigInt(offs) : R[rm]!);
    return true;
  }
}

export type { Cpu };
