/**
 * Diagnostics shared by every device: guest errors (the guest programmed the
 * device wrongly; the device logs and carries on), unimplemented features the
 * guest touched, and trace points that cost one property read when disabled.
 */
export type LogKind = 'guest-error' | 'unimplemented' | 'trace' | 'info';

export interface LogEntry {
  kind: LogKind;
  /** Device or subsystem name, e.g. "pl011" or "gicv3.dist". */
  source: string;
  message: string;
}

export type LogSink = (entry: LogEntry) => void;

/** A log shared by all devices of a board. Devices get it as a constructor option. */
export class Log {
  private sinks: LogSink[] = [];
  /** Counts per kind, handy in tests and status lines. */
  readonly counts: Record<LogKind, number> = { 'guest-error': 0, unimplemented: 0, trace: 0, info: 0 };

  constructor(sink?: LogSink) {
    if (sink) this.sinks.push(sink);
  }

  addSink(sink: LogSink): () => void {
    this.sinks.push(sink);
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
    };
  }

  guestError(source: string, message: string): void {
    this.emit({ kind: 'guest-error', source, message });
  }

  unimplemented(source: string, message: string): void {
    this.emit({ kind: 'unimplemented', source, message });
  }

  info(source: string, message: string): void {
    this.emit({ kind: 'info', source, message });
  }

  /** A trace point. Check `enabled` first so disabled points build no message. */
  tracePoint(name: string): TracePoint {
    return new TracePoint(name, this);
  }

  emit(entry: LogEntry): void {
    this.counts[entry.kind]++;
    for (const sink of this.sinks) sink(entry);
  }
}

/**
 * A named trace point: `if (tp.enabled) tp.emit(`...`)`. The guard is a plain
 * boolean field, so a disabled point costs one load and a branch.
 */
export class TracePoint {
  enabled = false;
  constructor(
    readonly name: string,
    private readonly log: Log,
  ) {}
  emit(message: string): void {
    this.log.emit({ kind: 'trace', source: this.name, message });
  }
}

/** A log that drops everything; the default when a device gets none. */
export const silentLog = new Log();

/** Formats a number as 0x-prefixed hex, for log messages. */
export function hex(value: number | bigint, digits = 0): string {
  return '0x' + value.toString(16).padStart(digits, '0');
}
