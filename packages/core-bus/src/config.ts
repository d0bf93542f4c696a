/**
 * Configuration validation. Bad options are host mistakes: they throw at
 * construction, with one sentence naming the device, the property, the limit
 * and the value.
 */
export class ConfigError extends Error {
  constructor(
    readonly device: string,
    readonly property: string,
    message: string,
  ) {
    super(`${device}: property '${property}' ${message}`);
    this.name = 'ConfigError';
  }
}

export interface IntRange {
  min?: number;
  max?: number;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Validation helpers bound to one device name. */
export class ConfigValidator {
  constructor(readonly device: string) {}

  fail(property: string, message: string): never {
    throw new ConfigError(this.device, property, message);
  }

  /** An integer in [min, max]; `undefined` gives the default. */
  int(property: string, value: number | undefined, fallback: number, range: IntRange = {}): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(property, `must be an integer, got ${show(value)}`);
    }
    if (range.min !== undefined && value < range.min) this.fail(property, `must be at least ${range.min}, got ${value}`);
    if (range.max !== undefined && value > range.max) this.fail(property, `must be at most ${range.max}, got ${value}`);
    return value;
  }

  /** An unsigned 64-bit value given as bigint or a safe integer. */
  u64(property: string, value: bigint | number | undefined, fallback: bigint): bigint {
    if (value === undefined) return fallback;
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) this.fail(property, `must be a safe integer or a bigint, got ${value}`);
      value = BigInt(value);
    }
    if (typeof value !== 'bigint') this.fail(property, `must be an unsigned 64-bit integer, got ${show(value)}`);
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      this.fail(property, `must fit in 64 unsigned bits, got ${value}`);
    }
    return value;
  }

  /** A string whose UTF-8 encoding is at most `maxBytes` long. */
  string(property: string, value: string | undefined, fallback: string, maxBytes: number): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string') this.fail(property, `must be a string, got ${show(value)}`);
    const bytes = new TextEncoder().encode(value).length;
    if (bytes > maxBytes) this.fail(property, `must be at most ${maxBytes} bytes, got ${bytes} bytes (${show(value)})`);
    return value;
  }

  /** One of a fixed set of values. */
  oneOf<T extends string>(property: string, value: string | undefined, fallback: T, allowed: readonly T[]): T {
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(property, `must be one of ${allowed.join(', ')}, got ${show(value)}`);
    }
    return value as T;
  }

  bool(property: string, value: boolean | undefined, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(property, `must be true or false, got ${show(value)}`);
    return value;
  }
}
