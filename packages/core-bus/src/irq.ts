/**
 * Interrupts. A device drives an `IrqLine` and never knows what is at the
 * other end (rust-vmm's Trigger idea): an interrupt controller input, a
 * wired-OR, a test probe or another emulator's controller.
 */

/** Anything an interrupt line can drive: one input pin. */
export interface InterruptTarget {
  setLevel(level: boolean): void;
}

/** An interrupt controller (or anything) with numbered inputs. */
export interface InterruptSink {
  setInput(index: number, level: boolean): void;
}

/** Input `index` of `sink`, as a target a line can drive. */
export function sinkInput(sink: InterruptSink, index: number): InterruptTarget {
  return { setLevel: (level) => sink.setInput(index, level) };
}

/** An output line with level semantics; it forwards only changes of level. */
export class IrqLine implements InterruptTarget {
  private target: InterruptTarget | null = null;
  private high = false;

  /** Connects the line; the target immediately sees the current level. */
  connect(target: InterruptTarget | null): this {
    this.target = target;
    if (target && this.high) target.setLevel(true);
    return this;
  }

  get level(): boolean {
    return this.high;
  }

  setLevel(level: boolean): void {
    if (level === this.high) return;
    this.high = level;
    this.target?.setLevel(level);
  }

  raise(): void {
    this.setLevel(true);
  }

  lower(): void {
    this.setLevel(false);
  }

  /** An edge event: raise then lower at once (an edge-triggered input latches it). */
  pulse(): void {
    this.setLevel(false);
    this.setLevel(true);
    this.setLevel(false);
  }
}

/**
 * Several sources sharing one line, as on a PCI INTx wire: the output is high
 * while any input is high.
 */
export class WiredOr {
  readonly output = new IrqLine();
  private highCount = 0;

  /** A new input of this wired-OR. */
  input(): InterruptTarget {
    let high = false;
    return {
      setLevel: (level: boolean) => {
        if (level === high) return;
        high = level;
        this.highCount += level ? 1 : -1;
        this.output.setLevel(this.highCount > 0);
      },
    };
  }
}

/** Records what a line does; for tests and debugging. */
export class IrqProbe implements InterruptTarget {
  level = false;
  rises = 0;
  falls = 0;
  setLevel(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    if (level) this.rises++;
    else this.falls++;
  }
}
