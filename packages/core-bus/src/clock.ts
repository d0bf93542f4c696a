/**
 * Virtual time in nanoseconds, and timers on it. No device reads the host
 * clock: they all ask this clock, so a run can be made reproducible.
 *
 * - 'deterministic': time moves only when the runner calls `advance` (a CPU
 *   adds the time its retired instructions stand for) or `advanceTo` (idle
 *   skip to the next deadline).
 * - 'realtime': time follows the host's monotonic clock; `advance` is a no-op
 *   and `advanceTo` only skips forward when the host clock is behind.
 *
 * Timers fire from `runDue()`, which the runner calls between CPU slices.
 */
export type ClockMode = 'deterministic' | 'realtime';

export interface ClockOptions {
  mode?: ClockMode;
  /** Host monotonic time in ms (realtime mode). Default: performance.now(). */
  hostNowMs?: () => number;
}

export class VirtualClock {
  readonly mode: ClockMode;
  private nowNs = 0;
  private hostBase = 0;
  private readonly hostNowMs: () => number;
  /** Armed timers ordered by deadline (few per board: a sorted array beats a heap). */
  private queue: Timer[] = [];

  constructor(options: ClockOptions = {}) {
    this.mode = options.mode ?? 'deterministic';
    this.hostNowMs = options.hostNowMs ?? (() => performance.now());
    this.hostBase = this.hostNowMs();
  }

  /** Current virtual time in ns. */
  now(): number {
    if (this.mode === 'realtime') {
      const t = (this.hostNowMs() - this.hostBase) * 1e6;
      if (t > this.nowNs) this.nowNs = Math.floor(t);
    }
    return this.nowNs;
  }

  /** Deterministic mode: moves time forward by `ns`. */
  advance(ns: number): void {
    if (this.mode === 'deterministic' && ns > 0) this.nowNs += ns;
  }

  /** Moves time forward to `ns` if it is later (idle skip). */
  advanceTo(ns: number): void {
    if (ns === Infinity || ns <= this.now()) return;
    if (this.mode === 'realtime') this.hostBase -= (ns - this.nowNs) / 1e6;
    this.nowNs = ns;
  }

  /** Sets the time (snapshot restore). */
  setNow(ns: number): void {
    if (this.mode === 'realtime') this.hostBase = this.hostNowMs() - ns / 1e6;
    this.nowNs = ns;
  }

  /** Deadline of the earliest armed timer, or Infinity. */
  nextDeadline(): number {
    return this.queue.length > 0 ? this.queue[0]!.deadline : Infinity;
  }

  /** Fires every timer whose deadline has passed, in deadline order. Returns how many fired. */
  runDue(): number {
    let fired = 0;
    const now = this.now();
    while (this.queue.length > 0 && this.queue[0]!.deadline <= now) {
      const t = this.queue.shift()!;
      t.armedFlag = false;
      fired++;
      t.callback();
    }
    return fired;
  }

  createTimer(callback: () => void): Timer {
    return new Timer(this, callback);
  }

  /** @internal */
  schedule(timer: Timer): void {
    this.unschedule(timer);
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.deadline > timer.deadline) i--;
    this.queue.splice(i, 0, timer);
  }

  /** @internal */
  unschedule(timer: Timer): void {
    const i = this.queue.indexOf(timer);
    if (i >= 0) this.queue.splice(i, 1);
  }
}

/** A reusable one-shot timer (no allocation per arm). */
export class Timer {
  deadline = Infinity;
  /** @internal */
  armedFlag = false;

  constructor(
    private readonly clock: VirtualClock,
    readonly callback: () => void,
  ) {}

  get armed(): boolean {
    return this.armedFlag;
  }

  /** Fires the callback once the clock reaches `deadlineNs` (re-arming moves it). */
  arm(deadlineNs: number): void {
    this.deadline = deadlineNs;
    this.armedFlag = true;
    this.clock.schedule(this);
  }

  /** Arms `delayNs` from now. */
  armIn(delayNs: number): void {
    this.arm(this.clock.now() + delayNs);
  }

  cancel(): void {
    if (!this.armedFlag) return;
    this.armedFlag = false;
    this.deadline = Infinity;
    this.clock.unschedule(this);
  }
}
