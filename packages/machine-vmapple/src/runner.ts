import type { VirtualClock } from '@vmapple/core-bus';
import type { Cpu } from '@vmapple/cpu-aarch64';

/** Why a machine stopped running. */
export type MachineExit = 'poweroff' | 'panic' | 'reset' | 'timeout' | 'stopped';

/** What the runner needs from a board. */
export interface Runnable {
  readonly cpus: readonly Cpu[];
  readonly clock: VirtualClock;
  /** Set by devices and PSCI when the machine must stop (power off, panic, reset request). */
  pendingExit(): MachineExit | null;
}

/** Instructions a CPU runs before the next one gets its turn (QEMU's round robin, in spirit). */
export const SLICE = 20_000;

export interface StepResult {
  /** Set when the machine must stop. */
  exit: MachineExit | null;
  /** Every powered-on CPU is waiting for an interrupt (or none is on). */
  idle: boolean;
  /** Instructions retired in this step, all CPUs together. */
  retired: number;
}

/**
 * Runs the CPUs round-robin on one thread, fires due timers between slices,
 * and skips idle time. `step` is synchronous (tests, benchmarks, a browser
 * animation frame); `run` loops over it and yields to the host event loop so
 * input and timers of the host keep flowing.
 */
export class Runner {
  constructor(private readonly board: Runnable) {}

  step(slice = SLICE): StepResult {
    const { cpus, clock } = this.board;
    let idle = true;
    let retired = 0;
    for (const cpu of cpus) {
      if (!cpu.poweredOn) continue;
      const before = cpu.retired;
      const why = cpu.run(slice);
      retired += cpu.retired - before;
      if (why !== 'wfi' && why !== 'off') idle = false;
      clock.runDue();
      const exit = this.board.pendingExit();
      if (exit) return { exit, idle, retired };
    }
    if (idle && clock.mode === 'deterministic') {
      // Nothing to do until the next timer: jump there (reproducible idle skip).
      clock.advanceTo(clock.nextDeadline());
      clock.runDue();
    }
    return { exit: this.board.pendingExit(), idle, retired };
  }

  /**
   * Runs until the machine stops, the host deadline passes (`timeoutMs`, host
   * time) or `signal` aborts. Yields to the event loop every `yieldMs`.
   */
  async run(options: { timeoutMs?: number; signal?: AbortSignal; yieldMs?: number; onYield?: () => void } = {}): Promise<MachineExit> {
    const { clock } = this.board;
    const yieldMs = options.yieldMs ?? 10;
    const deadline = options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
    for (;;) {
      const sliceEnd = performance.now() + yieldMs;
      let idle = false;
      while (performance.now() < sliceEnd) {
        const r = this.step();
        if (r.exit) return r.exit;
        if (r.idle) {
          idle = true;
          break;
        }
      }
      options.onYield?.();
      if (options.signal?.aborted) return 'stopped';
      if (performance.now() >= deadline) return 'timeout';
      if (idle) {
        // Wait for the next timer in host time (realtime) or for host input (both modes).
        const next = clock.nextDeadline();
        const waitMs = clock.mode === 'realtime' && next !== Infinity ? Math.min(yieldMs, Math.max(0, (next - clock.now()) / 1e6)) : yieldMs;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        clock.runDue();
      } else {
        await yieldToHost();
      }
    }
  }
}

/** Lets the host event loop run (setImmediate in Node; a zero timeout in browsers). */
function yieldToHost(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => void }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
