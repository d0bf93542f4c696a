import {
  checkState,
  ConfigValidator,
  type DeviceState,
  hex,
  IrqLine,
  type Log,
  type MmioHandler,
  MmioRegion,
  type Resettable,
  silentLog,
  type Snapshottable,
} from '@vmapple/core-bus';
import * as R from './registers.js';

/** Called when the level the PL061 drives on an output line changes (or a line becomes an output). */
export type GpioOutputCallback = (line: number, level: boolean) => void;

export interface Pl061Options {
  /** Name used in logs. Default "pl061". */
  name?: string;
  log?: Log;
  /** Lines that read 1 while nothing drives them. Default 0x00 (as vmapple). */
  pullUps?: number;
  /** Lines that read 0 while nothing drives them. Default: every line without a pull-up. Must not overlap pullUps. */
  pullDowns?: number;
  onOutput?: GpioOutputCallback;
}

interface Pl061Data {
  data: number;
  dir: number;
  is: number;
  ibe: number;
  iev: number;
  ie: number;
  edges: number;
  afsel: number;
  /** Lines the host drives, and the levels it drives them to. */
  driven: number;
  inputs: number;
  /** Pin levels last seen by the edge detector. */
  pins: number;
}

const STATE_TYPE = 'pl061';
const STATE_VERSION = 1;

/**
 * Arm PrimeCell PL061 GPIO: 8 lines, direction, masked data access,
 * edge/level interrupts combined into one level output `irq`. The host
 * drives input lines with `setInput` and sees output lines via `onOutput`.
 */
export class Pl061 implements MmioHandler, Resettable, Snapshottable<Pl061Data> {
  readonly name: string;
  readonly region: MmioRegion;
  /** GPIOINTR: high while GPIOMIS != 0. */
  readonly irq = new IrqLine();
  onOutput: GpioOutputCallback | null;

  private readonly log: Log;
  private readonly pullUps: number;
  private data = 0;
  private dir = 0;
  private is = 0;
  private ibe = 0;
  private iev = 0;
  private ie = 0;
  /** Latched edge detections (meaningful for edge-sensitive lines). */
  private edges = 0;
  private afsel = 0;
  private driven = 0;
  private inputs = 0;
  /** Pin levels and directions last seen by the edge detector. */
  private pins = 0;
  private pinsDir = 0;
  /** Output lines and levels last reported through onOutput. */
  private reportedDir = 0;
  private reportedLevels = 0;

  constructor(options: Pl061Options = {}) {
    const v = new ConfigValidator('pl061');
    this.name = v.string('name', options.name, 'pl061', 64);
    this.pullUps = v.int('pullUps', options.pullUps, 0x00, { min: 0, max: 0xff });
    const pullDowns = v.int('pullDowns', options.pullDowns, ~this.pullUps & 0xff, { min: 0, max: 0xff });
    if (this.pullUps & pullDowns) {
      v.fail('pullDowns', `must not share lines with pullUps (${hex(this.pullUps, 2)}), got ${hex(pullDowns, 2)}`);
    }
    this.log = options.log ?? silentLog;
    this.onOutput = options.onOutput ?? null;
    this.region = new MmioRegion({
      name: this.name,
      size: R.PL061_REGION_SIZE,
      handler: this,
      valid: { min: 1, max: 4 },
      impl: { min: 1, max: 4 },
    });
    this.reset();
  }

  // ---- host side ----------------------------------------------------------

  /**
   * Drives input `line` (0..7) high (true) or low (false), or releases it
   * (null: the pull-up/pull-down decides). A change of the pin level may
   * latch an edge interrupt. Driving a line the guest set as output is
   * remembered and takes effect when it becomes an input again.
   */
  setInput(line: number, level: boolean | null): void {
    const bit = 1 << this.checkLine(line);
    if (level === null) this.driven &= ~bit;
    else {
      this.driven |= bit;
      this.inputs = level ? this.inputs | bit : this.inputs & ~bit;
    }
    this.update();
  }

  /** The level of `line` as the guest reads it (output value or input level). */
  getLevel(line: number): boolean {
    return ((this.pinLevels() >> this.checkLine(line)) & 1) === 1;
  }

  private checkLine(line: number): number {
    if (!Number.isInteger(line) || line < 0 || line >= R.PL061_LINES) {
      throw new RangeError(`${this.name}: line must be an integer 0..7, got ${line}`);
    }
    return line;
  }

  // ---- reset and snapshots -------------------------------------------------

  /** Registers to reset values (all lines inputs, interrupts off). Host-driven inputs stay driven. */
  reset(): void {
    this.data = 0;
    this.dir = 0;
    this.is = 0;
    this.ibe = 0;
    this.iev = 0;
    this.ie = 0;
    this.edges = 0;
    this.afsel = 0;
    this.pins = this.pinLevels();
    this.pinsDir = 0;
    this.reportedDir = 0;
    this.reportedLevels = 0;
    this.updateIrq();
  }

  saveState(): DeviceState<Pl061Data> {
    return {
      type: STATE_TYPE,
      version: STATE_VERSION,
      data: {
        data: this.data,
        dir: this.dir,
        is: this.is,
        ibe: this.ibe,
        iev: this.iev,
        ie: this.ie,
        edges: this.edges,
        afsel: this.afsel,
        driven: this.driven,
        inputs: this.inputs,
        pins: this.pins,
      },
    };
  }

  restoreState(state: DeviceState<Pl061Data>): void {
    const d = checkState<Pl061Data>(state, STATE_TYPE, STATE_VERSION);
    this.data = d.data & 0xff;
    this.dir = d.dir & 0xff;
    this.is = d.is & 0xff;
    this.ibe = d.ibe & 0xff;
    this.iev = d.iev & 0xff;
    this.ie = d.ie & 0xff;
    this.edges = d.edges & 0xff;
    this.afsel = d.afsel & 0xff;
    this.driven = d.driven & 0xff;
    this.inputs = d.inputs & 0xff;
    this.pins = d.pins & 0xff;
    this.pinsDir = this.dir;
    // What the outputs show is part of the restored machine; do not report it again.
    this.reportedDir = this.dir;
    this.reportedLevels = this.data & this.dir;
    this.updateIrq();
  }

  // ---- MMIO -----------------------------------------------------------------

  read(offset: number, size: number): number {
    const value = this.readRegister(offset & ~3);
    if (size === 4) return value >>> 0;
    return (value >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: number, value: number): void {
    if ((offset & 3) !== 0) {
      this.log.guestError(this.name, `${size}-byte write at ${hex(offset)} is not at a register's start; ignored`);
      return;
    }
    this.writeRegister(offset, value & 0xff);
  }

  private readRegister(reg: number): number {
    if (reg <= R.GPIODATA_END) return this.pinLevels() & (reg >> 2);
    switch (reg) {
      case R.GPIODIR:
        return this.dir;
      case R.GPIOIS:
        return this.is;
      case R.GPIOIBE:
        return this.ibe;
      case R.GPIOIEV:
        return this.iev;
      case R.GPIOIE:
        return this.ie;
      case R.GPIORIS:
        return this.rawStatus();
      case R.GPIOMIS:
        return this.rawStatus() & this.ie;
      case R.GPIOIC:
        this.log.guestError(this.name, 'read of write-only GPIOIC');
        return 0;
      case R.GPIOAFSEL:
        return this.afsel;
    }
    if (reg >= R.GPIOPeriphID0 && reg <= 0xffc) return R.PL061_ID[(reg - R.GPIOPeriphID0) >> 2]!;
    this.log.guestError(this.name, `read of unknown register ${hex(reg)}`);
    return 0;
  }

  private writeRegister(reg: number, value: number): void {
    if (reg <= R.GPIODATA_END) {
      const mask = reg >> 2;
      this.data = (this.data & ~mask) | (value & mask);
      this.update();
      return;
    }
    switch (reg) {
      case R.GPIODIR:
        this.dir = value;
        this.update();
        return;
      case R.GPIOIS:
        this.is = value;
        this.updateIrq();
        return;
      case R.GPIOIBE:
        this.ibe = value;
        return;
      case R.GPIOIEV:
        this.iev = value;
        this.updateIrq();
        return;
      case R.GPIOIE:
        this.ie = value;
        this.updateIrq();
        return;
      case R.GPIOIC:
        this.edges &= ~value;
        this.updateIrq();
        return;
      case R.GPIOAFSEL:
        // No alternate functions are wired: lines stay under software control.
        if (value & ~this.afsel) this.log.unimplemented(this.name, `GPIOAFSEL ${hex(value, 2)}: no hardware-control functions`);
        this.afsel = value;
        return;
      case R.GPIORIS:
      case R.GPIOMIS:
        this.log.guestError(this.name, `write to read-only register ${hex(reg)}`);
        return;
    }
    if (reg >= R.GPIOPeriphID0 && reg <= 0xffc) {
      this.log.guestError(this.name, `write to read-only ID register ${hex(reg)}`);
      return;
    }
    this.log.guestError(this.name, `write of ${hex(value)} to unknown register ${hex(reg)}`);
  }

  // ---- pins and interrupts ----------------------------------------------------

  /** Each pin: the data register for outputs; the host's level, else the pull, for inputs. */
  private pinLevels(): number {
    const inputs = (this.driven & this.inputs) | (~this.driven & this.pullUps);
    return ((this.dir & this.data) | (~this.dir & inputs)) & 0xff;
  }

  /** Level-sensitive lines report their current condition; edge-sensitive ones their latch. */
  private rawStatus(): number {
    const levelHits = this.is & ~(this.pins ^ this.iev) & 0xff;
    return (this.edges & ~this.is) | levelHits;
  }

  /** Pins may have changed: latch edges, report outputs, update the line. */
  private update(): void {
    const now = this.pinLevels();
    // Edges are detected on lines that were inputs before and after the change
    // (as QEMU does): the guest's own output writes and direction switches
    // never latch an edge interrupt.
    const changed = (this.pins ^ now) & ~this.dir & ~this.pinsDir;
    if (changed !== 0) {
      const rising = changed & now;
      const falling = changed & ~now;
      // Both edges where IBE is set; otherwise the edge IEV selects (1 = rising).
      const hits = changed & ~this.is & (this.ibe | (this.iev & rising) | (~this.iev & falling));
      this.edges |= hits & 0xff;
    }
    this.pins = now;
    this.pinsDir = this.dir;
    this.updateIrq();
    this.reportOutputs();
  }

  private reportOutputs(): void {
    const levels = this.data & this.dir;
    const report = (this.dir & ~this.reportedDir) | (this.dir & (levels ^ this.reportedLevels));
    this.reportedDir = this.dir;
    this.reportedLevels = levels;
    if (report === 0 || !this.onOutput) return;
    for (let line = 0; line < R.PL061_LINES; line++) {
      if (report & (1 << line)) this.onOutput(line, ((levels >> line) & 1) === 1);
    }
  }

  private updateIrq(): void {
    this.irq.setLevel((this.rawStatus() & this.ie) !== 0);
  }
}
