import { IrqLine, type Timer, type VirtualClock } from '@vmapple/core-bus';

const NS_PER_S = 1_000_000_000n;

/** CNTx_CTL_EL0 bits. */
export const CNT_CTL_ENABLE = 1;
export const CNT_CTL_IMASK = 2;
export const CNT_CTL_ISTATUS = 4;

/**
 * The system counter view of one CPU: CNTPCT = CNTVCT = virtual ns scaled to
 * CNTFRQ (no CNTVOFF without EL2). `sync` lets the CPU bring the clock up to
 * date (deterministic mode) before the counter is read.
 */
export class SystemCounter {
  constructor(
    readonly clock: VirtualClock,
    readonly frequency: number,
    private readonly sync: () => void,
  ) {}

  count(): bigint {
    this.sync();
    return (BigInt(Math.floor(this.clock.now())) * BigInt(this.frequency)) / NS_PER_S;
  }

  /** Virtual time (ns) at which the counter reaches `value`, or Infinity. */
  deadlineNs(value: bigint): number {
    const f = BigInt(this.frequency);
    const ns = (value * NS_PER_S + f - 1n) / f;
    return ns > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(ns);
  }
}

/** One EL1 timer (virtual or physical): CTL, CVAL and the level output. */
export class GenericTimer {
  ctl = 0;
  cval = 0n;
  readonly line = new IrqLine();
  private readonly timer: Timer;

  constructor(private readonly counter: SystemCounter) {
    this.timer = counter.clock.createTimer(() => this.update());
  }

  reset(): void {
    this.ctl = 0;
    this.cval = 0n;
    this.update();
  }

  /** CTL as read: ISTATUS computed now. */
  readCtl(): number {
    const enabled = (this.ctl & CNT_CTL_ENABLE) !== 0;
    const met = enabled && this.counter.count() >= this.cval;
    return (this.ctl & 3) | (met ? CNT_CTL_ISTATUS : 0);
  }

  writeCtl(v: number): void {
    this.ctl = v & 3;
    this.update();
  }

  writeCval(v: bigint): void {
    this.cval = BigInt.asUintN(64, v);
    this.update();
  }

  /** TVAL: signed 32-bit view of CVAL - count. */
  readTval(): bigint {
    return BigInt.asUintN(64, BigInt.asIntN(32, this.cval - this.counter.count()));
  }

  writeTval(v: bigint): void {
    this.cval = BigInt.asUintN(64, this.counter.count() + BigInt.asIntN(32, v));
    this.update();
  }

  /** Recomputes the output level and (re)arms the clock timer for the next edge. */
  update(): void {
    const enabled = (this.ctl & CNT_CTL_ENABLE) !== 0;
    if (!enabled) {
      this.timer.cancel();
      this.line.setLevel(false);
      return;
    }
    const met = this.counter.count() >= this.cval;
    this.line.setLevel(met && (this.ctl & CNT_CTL_IMASK) === 0);
    if (met) {
      this.timer.cancel();
    } else {
      const ns = this.counter.deadlineNs(this.cval);
      if (ns === Infinity) this.timer.cancel();
      else this.timer.arm(ns);
    }
  }
}
