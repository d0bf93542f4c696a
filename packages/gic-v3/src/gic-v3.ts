import {
  checkState,
  ConfigValidator,
  type DeviceState,
  type InterruptSink,
  type InterruptTarget,
  type IrqLine,
  type Log,
  MmioRegion,
  makeState,
  type Resettable,
  silentLog,
  SnapshotError,
  type Snapshottable,
  type SystemRegisterHandler,
  type SysregValue,
} from '@vmapple/core-bus';
import {
  BPR0_MIN,
  BPR1_MIN,
  GICD_SIZE,
  GICR_STRIDE,
  ICC_CTLR,
  IROUTER_AFF_MASK,
  IROUTER_IRM,
  MAX_CPUS,
  PRIORITY_MASK,
  PRIVATE_COUNT,
  SPI_COUNT,
} from './constants.js';
import { CpuInterface } from './cpu-interface.js';
import { Distributor } from './distributor.js';
import { Bitmap, GicState } from './gic-state.js';
import { Redistributors } from './redistributor.js';

export interface GicV3Options {
  /** Number of processors (redistributors and CPU interfaces), 1..32. */
  cpus: number;
  log?: Log;
}

const STATE_TYPE = 'gic-v3';
const STATE_VERSION = 1;

/** Snapshot payload (version 1): every register-visible bit and the input wire levels. */
export interface GicV3StateData {
  cpus: number;
  dCtlr: number;
  shared: number[];
  banked: number[];
  priority: number[];
  privatePriority: number[];
  router: number[];
  sleep: number[];
  pmr: number[];
  bpr0: number[];
  bpr1: number[];
  iccCtlr: number[];
  igrpen0: number[];
  igrpen1: number[];
  ap0: number[];
  ap1: number[];
}

type ArrayField = Exclude<keyof GicV3StateData, 'cpus' | 'dCtlr'>;
const ARRAY_FIELDS: readonly ArrayField[] = [
  'shared',
  'banked',
  'priority',
  'privatePriority',
  'router',
  'sleep',
  'pmr',
  'bpr0',
  'bpr1',
  'iccCtlr',
  'igrpen0',
  'igrpen1',
  'ap0',
  'ap1',
];

/**
 * An Arm GICv3 (IHI 0069) as on the vmapple board: 256 SPIs, one
 * redistributor per processor, the system-register CPU interface, a single
 * Security state, no LPIs/ITS.
 *
 * - MMIO: `distributor` (64 KiB) and `redistributors` (cpus × 128 KiB, processor
 *   n at n × 0x20000; the board's 4 MiB window beyond that is left unmapped).
 * - Inputs: `setInput(n, level)` for SPI n (INTID 32 + n); `setPpi(cpu, intid, level)`.
 * - Outputs: `irqOutput(cpu)` (Group 1) and `fiqOutput(cpu)` (Group 0), levels.
 * - CPU interface: `readSysreg`/`writeSysreg` (also as `cpuInterface`).
 */
export class GicV3 implements InterruptSink, SystemRegisterHandler, Resettable, Snapshottable<GicV3StateData> {
  readonly cpus: number;
  readonly distributor: MmioRegion;
  readonly redistributors: MmioRegion;
  readonly cpuInterface: CpuInterface;
  private readonly state: GicState;

  constructor(options: GicV3Options) {
    const v = new ConfigValidator('gic-v3');
    this.cpus = v.int('cpus', options?.cpus, Number.NaN, { min: 1, max: MAX_CPUS });
    if (Number.isNaN(this.cpus)) v.fail('cpus', `is required (1 to ${MAX_CPUS})`);
    this.state = new GicState(this.cpus, options.log ?? silentLog);
    this.cpuInterface = new CpuInterface(this.state);
    this.distributor = new MmioRegion({
      name: 'gicv3.dist',
      size: GICD_SIZE,
      handler: new Distributor(this.state),
      impl: { min: 1, max: 8 },
    });
    this.redistributors = new MmioRegion({
      name: 'gicv3.redist',
      size: this.cpus * GICR_STRIDE,
      handler: new Redistributors(this.state),
      impl: { min: 1, max: 8 },
    });
    this.reset();
  }

  reset(): void {
    this.state.reset();
  }

  // ---- inputs -----------------------------------------------------------------

  /** Drives SPI `index` (INTID 32 + index). A board wiring mistake (bad index) throws RangeError. */
  setInput(index: number, level: boolean): void {
    if (!(index >= 0 && index < SPI_COUNT) || !Number.isInteger(index)) {
      throw new RangeError(`gic-v3: SPI index must be 0..${SPI_COUNT - 1}, got ${index}`);
    }
    this.state.setInputLevel(0, PRIVATE_COUNT + index, level);
  }

  /** SPI `index` as a target an IrqLine can drive. */
  spiInput(index: number): InterruptTarget {
    this.setInput(index, this.spiLevel(index));
    return { setLevel: (level) => this.setInput(index, level) };
  }

  /** Drives PPI `intid` (16..31) of processor `cpu`. */
  setPpi(cpu: number, intid: number, level: boolean): void {
    this.checkCpu(cpu);
    if (!(intid >= 16 && intid < PRIVATE_COUNT) || !Number.isInteger(intid)) {
      throw new RangeError(`gic-v3: PPI INTID must be 16..31, got ${intid}`);
    }
    this.state.setInputLevel(cpu, intid, level);
  }

  /** PPI `intid` of processor `cpu` as a target an IrqLine can drive. */
  ppiInput(cpu: number, intid: number): InterruptTarget {
    this.setPpi(cpu, intid, this.ppiLevel(cpu, intid));
    return { setLevel: (level) => this.setPpi(cpu, intid, level) };
  }

  // ---- outputs ----------------------------------------------------------------

  /** Processor `cpu`'s IRQ request (a Group 1 interrupt can be taken). */
  irqOutput(cpu: number): IrqLine {
    this.checkCpu(cpu);
    return this.state.irq[cpu];
  }

  /** Processor `cpu`'s FIQ request (a Group 0 interrupt can be taken). */
  fiqOutput(cpu: number): IrqLine {
    this.checkCpu(cpu);
    return this.state.fiq[cpu];
  }

  // ---- CPU interface ------------------------------------------------------------

  readSysreg(cpu: number, encoding: number, out: SysregValue): boolean {
    return this.cpuInterface.readSysreg(cpu, encoding, out);
  }

  writeSysreg(cpu: number, encoding: number, lo: number, hi: number): boolean {
    return this.cpuInterface.writeSysreg(cpu, encoding, lo, hi);
  }

  // ---- snapshot -------------------------------------------------------------------

  saveState(): DeviceState<GicV3StateData> {
    const s = this.state;
    return makeState(STATE_TYPE, STATE_VERSION, {
      cpus: this.cpus,
      dCtlr: s.dCtlr,
      shared: Array.from(s.shared, (x) => x >>> 0),
      banked: Array.from(s.banked, (x) => x >>> 0),
      priority: Array.from(s.priority),
      privatePriority: Array.from(s.privatePriority),
      router: Array.from(s.router),
      sleep: Array.from(s.sleep),
      pmr: Array.from(s.pmr),
      bpr0: Array.from(s.bpr0),
      bpr1: Array.from(s.bpr1),
      iccCtlr: Array.from(s.iccCtlr),
      igrpen0: Array.from(s.igrpen0),
      igrpen1: Array.from(s.igrpen1),
      ap0: Array.from(s.ap0, (x) => x >>> 0),
      ap1: Array.from(s.ap1, (x) => x >>> 0),
    });
  }

  restoreState(state: DeviceState<GicV3StateData>): void {
    const d = checkState<GicV3StateData>(state, STATE_TYPE, STATE_VERSION);
    const s = this.state;
    if (d.cpus !== this.cpus) throw new SnapshotError(`${STATE_TYPE}: state is for ${d.cpus} processors, this GIC has ${this.cpus}`);
    for (const f of ARRAY_FIELDS) {
      const src = d[f];
      const max = s[f] instanceof Uint8Array ? 0xff : 0xffff_ffff;
      if (!Array.isArray(src) || src.length !== s[f].length || !src.every((x) => Number.isInteger(x) && x >= 0 && x <= max)) {
        throw new SnapshotError(`${STATE_TYPE}: field '${f}' must be ${s[f].length} integers in 0..${max}`);
      }
    }
    if (!Number.isInteger(d.dCtlr)) throw new SnapshotError(`${STATE_TYPE}: field 'dCtlr' must be an integer`);
    s.dCtlr = d.dCtlr & 3;
    for (const f of ARRAY_FIELDS) s[f].set(d[f]);
    // Only values a guest could have produced: the same masks the register writes apply.
    for (let c = 0; c < this.cpus; c++) {
      s.banked[Bitmap.Edge * this.cpus + c] |= 0xffff;
      s.sleep[c] &= 1;
      s.igrpen0[c] &= 1;
      s.igrpen1[c] &= 1;
      s.iccCtlr[c] &= ICC_CTLR.CBPR | ICC_CTLR.EOImode;
      s.pmr[c] &= PRIORITY_MASK;
      s.bpr0[c] = Math.min(Math.max(s.bpr0[c], BPR0_MIN), 7);
      s.bpr1[c] = Math.min(Math.max(s.bpr1[c], BPR1_MIN), 7);
    }
    for (let i = 0; i < s.priority.length; i++) s.priority[i] &= PRIORITY_MASK;
    for (let i = 0; i < s.privatePriority.length; i++) s.privatePriority[i] &= PRIORITY_MASK;
    for (let i = 0; i < s.router.length; i++) s.router[i] &= IROUTER_AFF_MASK | IROUTER_IRM;
    s.rebuildRouting();
    s.updateAll();
  }

  private spiLevel(index: number): boolean {
    const id = PRIVATE_COUNT + index;
    return ((this.state.word(Bitmap.Level, 0, id >>> 5) >>> (id & 31)) & 1) === 1;
  }

  private ppiLevel(cpu: number, intid: number): boolean {
    return ((this.state.word(Bitmap.Level, cpu, 0) >>> intid) & 1) === 1;
  }

  private checkCpu(cpu: number): void {
    if (!(cpu >= 0 && cpu < this.cpus) || !Number.isInteger(cpu)) {
      throw new RangeError(`gic-v3: processor index must be 0..${this.cpus - 1}, got ${cpu}`);
    }
  }
}
