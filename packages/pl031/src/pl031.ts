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
  type Timer,
  VirtualClock,
} from '@vmapple/core-bus';
import * as R from './registers.js';

export interface Pl031Options {
  /** Name used in logs. Default "pl031". */
  name?: string;
  log?: Log;
  /** The virtual clock the counter follows. Without one the counter stands still. */
  clock?: VirtualClock;
  /** Counter value at power-on (the clock's current time): seconds since 1970-01-01 UTC. Default 0. */
  startTime?: number;
}

interface Pl031Data {
  /** Counter value at virtual time `baseNs` (mod 2^32). */
  base: number;
  /** When the device was created: the phase of its 1 Hz clock. */
  baseNs: number;
  mr: number;
  lr: number;
  cr: number;
  imsc: number;
  ris: number;
  /** Whether a match is pending on the timer. */
  matchArmed: boolean;
}

const STATE_TYPE = 'pl031';
const STATE_VERSION = 1;

/**
 * Arm PrimeCell PL031 real-time clock: a 32-bit seconds counter that starts
 * at the host's `startTime` and advances with the virtual clock, a match
 * register raising `irq` (level) when the counter reaches it, and a load
 * register to set the time.
 */
export class Pl031 implements MmioHandler, Resettable, Snapshottable<Pl031Data> {
  readonly name: string;
  readonly region: MmioRegion;
  /** RTCINTR: high while RTCMIS != 0. */
  readonly irq = new IrqLine();

  private readonly log: Log;
  private readonly clock: VirtualClock;
  private readonly timer: Timer;
  /**
   * The counter is `base` plus the whole seconds of virtual time since
   * `baseNs`. Only a snapshot restore moves `baseNs`: like CLK1HZ it is a free-running 1 Hz
   * clock, so a load sets the value at once and the next increment comes at
   * the clock's next tick, not a full second after the load.
   */
  private base: number;
  private baseNs: number;
  private mr = 0;
  private lr = 0;
  private cr = 0;
  private imsc = 0;
  private ris = 0;

  constructor(options: Pl031Options = {}) {
    const v = new ConfigValidator('pl031');
    this.name = v.string('name', options.name, 'pl031', 64);
    const startTime = v.int('startTime', options.startTime, 0, { min: 0, max: R.COUNTER_MODULUS - 1 });
    this.log = options.log ?? silentLog;
    this.clock = options.clock ?? new VirtualClock();
    this.timer = this.clock.createTimer(() => this.matched());
    this.base = startTime;
    this.baseNs = this.clock.now();
    this.region = new MmioRegion({
      name: this.name,
      size: R.PL031_REGION_SIZE,
      handler: this,
      valid: { min: 1, max: 4 },
      impl: { min: 1, max: 4 },
    });
    this.reset();
  }

  /** The counter (RTCDR) now. */
  get counter(): number {
    return this.counterAt(this.clock.now());
  }

  /**
   * Registers to their reset values. The counter keeps running: it stands
   * for battery-backed time, so the guest's clock still agrees with the host
   * after a reboot.
   */
  reset(): void {
    this.mr = 0;
    this.lr = 0;
    this.cr = 0;
    this.imsc = 0;
    this.ris = 0;
    // No match is armed until the guest writes RTCMR or RTCLR: RTCMR's reset
    // value 0 would otherwise hand an idle runner a deadline in 2106 to skip to.
    this.timer.cancel();
    this.updateIrq();
  }

  saveState(): DeviceState<Pl031Data> {
    return {
      type: STATE_TYPE,
      version: STATE_VERSION,
      data: {
        base: this.base,
        baseNs: this.baseNs,
        mr: this.mr,
        lr: this.lr,
        cr: this.cr,
        imsc: this.imsc,
        ris: this.ris,
        matchArmed: this.timer.armed,
      },
    };
  }

  /** Restores registers and counter; restore the clock's time first. */
  restoreState(state: DeviceState<Pl031Data>): void {
    const d = checkState<Pl031Data>(state, STATE_TYPE, STATE_VERSION);
    this.base = d.base >>> 0;
    if (Number.isFinite(d.baseNs)) this.baseNs = d.baseNs;
    this.mr = d.mr >>> 0;
    this.lr = d.lr >>> 0;
    this.cr = d.cr & R.CR_START;
    this.imsc = d.imsc & R.INT_MATCH;
    this.ris = d.ris & R.INT_MATCH;
    this.timer.cancel();
    if (d.matchArmed === true) this.scheduleMatch(false);
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
    // A narrower store at a register's start writes the whole register, zero-extended (as QEMU does).
    this.writeRegister(offset, value >>> 0);
  }

  private readRegister(reg: number): number {
    switch (reg) {
      case R.RTCDR:
        return this.counter;
      case R.RTCMR:
        return this.mr;
      case R.RTCLR:
        return this.lr;
      case R.RTCCR:
        return this.cr;
      case R.RTCIMSC:
        return this.imsc;
      case R.RTCRIS:
        return this.ris;
      case R.RTCMIS:
        return this.ris & this.imsc;
      case R.RTCICR:
        this.log.guestError(this.name, 'read of write-only RTCICR');
        return 0;
    }
    if (reg >= R.RTCPeriphID0 && reg <= 0xffc) return R.PL031_ID[(reg - R.RTCPeriphID0) >> 2]!;
    this.log.guestError(this.name, `read of unknown register ${hex(reg)}`);
    return 0;
  }

  private writeRegister(reg: number, value: number): void {
    switch (reg) {
      case R.RTCMR:
        this.mr = value;
        this.scheduleMatch(true);
        return;
      case R.RTCLR:
        this.lr = value;
        this.base = this.baseFor(value, this.clock.now());
        this.scheduleMatch(true);
        return;
      case R.RTCCR:
        // Once started, the RTC stays started until reset: writes have no effect.
        if (value & R.CR_START) this.cr = R.CR_START;
        return;
      case R.RTCIMSC:
        this.imsc = value & R.INT_MATCH;
        this.updateIrq();
        return;
      case R.RTCICR:
        this.ris &= ~(value & R.INT_MATCH);
        this.updateIrq();
        return;
      case R.RTCDR:
      case R.RTCRIS:
      case R.RTCMIS:
        this.log.guestError(this.name, `write to read-only register ${hex(reg)}`);
        return;
    }
    if (reg >= R.RTCPeriphID0 && reg <= 0xffc) {
      this.log.guestError(this.name, `write to read-only ID register ${hex(reg)}`);
      return;
    }
    this.log.guestError(this.name, `write of ${hex(value)} to unknown register ${hex(reg)}`);
  }

  // ---- counting and matching -----------------------------------------------

  private elapsedSeconds(nowNs: number): number {
    return Math.floor((nowNs - this.baseNs) / R.NS_PER_SECOND);
  }

  /** The `base` that makes the counter read `value` at `nowNs`. */
  private baseFor(value: number, nowNs: number): number {
    const b = (value - this.elapsedSeconds(nowNs)) % R.COUNTER_MODULUS;
    return b < 0 ? b + R.COUNTER_MODULUS : b;
  }

  private counterAt(nowNs: number): number {
    return (this.base + this.elapsedSeconds(nowNs)) % R.COUNTER_MODULUS;
  }

  /**
   * Arms the timer for the second the counter next equals RTCMR. When it
   * equals RTCMR already, the match is immediate if `matchNow`, as after a
   * guest write of RTCMR or RTCLR.
   */
  private scheduleMatch(matchNow: boolean): void {
    const now = this.clock.now();
    const elapsed = this.elapsedSeconds(now);
    const current = (this.base + elapsed) % R.COUNTER_MODULUS;
    const ahead = (this.mr - current + R.COUNTER_MODULUS) % R.COUNTER_MODULUS;
    if (ahead === 0) {
      this.timer.cancel();
      if (matchNow) this.matched();
      return;
    }
    this.timer.arm(this.baseNs + (elapsed + ahead) * R.NS_PER_SECOND);
  }

  private matched(): void {
    this.ris = R.INT_MATCH;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq.setLevel((this.ris & this.imsc) !== 0);
  }
}
