import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToBase64,
  checkState,
  ConfigError,
  ConfigValidator,
  makeState,
  ResetDomain,
  SnapshotError,
} from '../src/index.js';

describe('ResetDomain', () => {
  it('runs every enter phase, then every hold, then every exit', () => {
    const order: string[] = [];
    const dev = (n: string) => ({
      resetEnter: () => order.push(`enter ${n}`),
      reset: () => order.push(`hold ${n}`),
      resetExit: () => order.push(`exit ${n}`),
    });
    const domain = new ResetDomain();
    domain.add(dev('a'));
    domain.add({ reset: () => order.push('hold b') });
    domain.add(dev('c'));
    domain.reset();
    expect(order).toEqual(['enter a', 'enter c', 'hold a', 'hold b', 'hold c', 'exit a', 'exit c']);
  });
});

describe('snapshots', () => {
  it('round-trips through JSON', () => {
    const bytes = Uint8Array.from({ length: 70000 }, (_, i) => (i * 7) & 0xff);
    const state = makeState('dev', 2, { regs: [1, 2], fifo: bytesToBase64(bytes) });
    const back = JSON.parse(JSON.stringify(state));
    const data = checkState<{ regs: number[]; fifo: string }>(back, 'dev', 2);
    expect(data.regs).toEqual([1, 2]);
    expect(base64ToBytes(data.fifo)).toEqual(bytes);
  });

  it('refuses the wrong type, a newer version and garbage with clear errors', () => {
    expect(() => checkState(makeState('other', 1, {}), 'dev', 1)).toThrow(/state is for 'other', not 'dev'/);
    expect(() => checkState(makeState('dev', 3, {}), 'dev', 2)).toThrow(/version 3 is newer than this code's version 2/);
    expect(() => checkState(null, 'dev', 1)).toThrow(SnapshotError);
    expect(() => checkState({ type: 'dev', version: 1 }, 'dev', 1)).toThrow(/no data/);
    expect(checkState(makeState('dev', 1, { a: 1 }), 'dev', 2)).toEqual({ a: 1 });
  });
});

describe('ConfigValidator', () => {
  const v = new ConfigValidator('pl011');
  it('names device, property, limit and value', () => {
    expect(() => v.int('fifo-depth', 99, 32, { min: 1, max: 64 })).toThrow("pl011: property 'fifo-depth' must be at most 64, got 99");
    expect(() => v.int('fifo-depth', 1.5, 32)).toThrow(/must be an integer, got 1.5/);
    expect(() => v.string('serial', 'x'.repeat(40), '', 32)).toThrow(/must be at most 32 bytes, got 40 bytes/);
    expect(() => v.oneOf('variant', 'boot', 'root', ['root', 'aux'])).toThrow(/must be one of root, aux, got "boot"/);
    expect(() => v.u64('uuid', -1n, 0n)).toThrow(ConfigError);
  });
  it('returns defaults and valid values', () => {
    expect(v.int('x', undefined, 7)).toBe(7);
    expect(v.u64('uuid', 0x1234, 0n)).toBe(0x1234n);
    expect(v.oneOf('variant', 'aux', 'root', ['root', 'aux'])).toBe('aux');
  });
});
