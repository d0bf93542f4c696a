import { type AccessRules, type AccessSize, isAccessSize, sizeMask } from './access.js';

/**
 * What a device author writes: reads and writes by offset into the region.
 * `size` is one the region's `impl` rules allow; values are unsigned and at
 * most 32 bits wide. A region whose `impl.max` is 8 also gets 8-byte
 * accesses, through `read64`/`write64` (as bigint: exact, and rare).
 */
export interface MmioHandler {
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
  read64?(offset: number): bigint;
  write64?(offset: number, value: bigint): void;
}

export interface MmioRegionOptions {
  /** Shown in logs and errors, e.g. "pl011". */
  name: string;
  /** Size of the region in bytes. */
  size: number;
  handler: MmioHandler;
  /** What the guest may do. Default: sizes 1 to 8, aligned only. */
  valid?: AccessRules;
  /** What the handler implements. Default: sizes 1 to 4, aligned only. */
  impl?: AccessRules;
}

/**
 * An MMIO region: a handler plus the access rules the bus enforces. One
 * device may own several regions (each with its own handler object).
 */
export class MmioRegion {
  readonly name: string;
  readonly size: number;
  readonly handler: MmioHandler;
  /** Bit s set when access size s is valid for the guest. */
  readonly validSizes: number;
  readonly validUnaligned: boolean;
  readonly implMin: AccessSize;
  readonly implMax: AccessSize;
  readonly implUnaligned: boolean;
  private readonly scratch = new DataView(new ArrayBuffer(16));

  constructor(options: MmioRegionOptions) {
    const { name, size, handler } = options;
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new RangeError(`MMIO region '${name}': size must be a positive integer, got ${size}`);
    }
    const valid = { min: 1, max: 8, unaligned: false, ...options.valid } as Required<AccessRules>;
    const impl = { min: 1, max: 4, unaligned: false, ...options.impl } as Required<AccessRules>;
    for (const [label, r] of [['valid', valid], ['impl', impl]] as const) {
      if (!isAccessSize(r.min) || !isAccessSize(r.max) || r.min > r.max) {
        throw new RangeError(`MMIO region '${name}': ${label} sizes must be 1, 2, 4 or 8 with min <= max, got ${r.min}..${r.max}`);
      }
    }
    if (impl.max === 8 && (!handler.read64 || !handler.write64)) {
      throw new TypeError(`MMIO region '${name}': impl.max is 8, so the handler must provide read64 and write64`);
    }
    this.name = name;
    this.size = size;
    this.handler = handler;
    this.validSizes = sizeMask(valid.min, valid.max);
    this.validUnaligned = valid.unaligned;
    this.implMin = impl.min;
    this.implMax = impl.max;
    this.implUnaligned = impl.unaligned;
  }

  /** Whether the guest may access `size` bytes at `offset` (bus-level check). */
  isValid(offset: number, size: number): boolean {
    if ((this.validSizes & size) === 0) return false;
    if (!this.validUnaligned && offset % size !== 0) return false;
    return offset >= 0 && offset + size <= this.size;
  }

  /** Reads 1, 2 or 4 bytes, adapting to what the handler implements. */
  read(offset: number, size: number): number {
    if (size >= this.implMin && size <= this.implMax && (this.implUnaligned || offset % size === 0)) {
      return this.handler.read(offset, size);
    }
    this.readScratch(offset, size);
    const s = this.scratch;
    return size === 1 ? s.getUint8(0) : size === 2 ? s.getUint16(0, true) : s.getUint32(0, true);
  }

  /** Writes 1, 2 or 4 bytes, adapting to what the handler implements. */
  write(offset: number, size: number, value: number): void {
    if (size >= this.implMin && size <= this.implMax && (this.implUnaligned || offset % size === 0)) {
      this.handler.write(offset, size, value >>> 0);
      return;
    }
    const s = this.scratch;
    if (size === 1) s.setUint8(0, value);
    else if (size === 2) s.setUint16(0, value, true);
    else s.setUint32(0, value, true);
    this.writeScratch(offset, size);
  }

  read64(offset: number): bigint {
    if (this.implMax === 8 && (this.implUnaligned || offset % 8 === 0)) return this.handler.read64!(offset);
    this.readScratch(offset, 8);
    return this.scratch.getBigUint64(0, true);
  }

  write64(offset: number, value: bigint): void {
    if (this.implMax === 8 && (this.implUnaligned || offset % 8 === 0)) {
      this.handler.write64!(offset, BigInt.asUintN(64, value));
      return;
    }
    this.scratch.setBigUint64(0, BigInt.asUintN(64, value), true);
    this.writeScratch(offset, 8);
  }

  /** The implementation unit used to cover an access the handler cannot take directly. */
  private unitFor(size: number): number {
    return Math.max(this.implMin, Math.min(this.implMax, size));
  }

  /** Reads [offset, offset+size) into scratch bytes 0.. through aligned impl units. */
  private readScratch(offset: number, size: number): void {
    const unit = this.unitFor(size);
    const first = offset - (offset % unit);
    for (let at = first; at < offset + size; at += unit) {
      const v = this.unitRead(at, unit);
      for (let i = 0; i < unit; i++) {
        const pos = at + i - offset;
        if (pos >= 0 && pos < size) this.scratch.setUint8(pos, byteOf(v, i));
      }
    }
  }

  /**
   * Writes scratch bytes 0..size-1 to [offset, offset+size). Units only partly
   * covered are read, merged and written back (read-modify-write), so a device
   * whose reads have side effects should implement the sizes its guests use.
   */
  private writeScratch(offset: number, size: number): void {
    const unit = this.unitFor(size);
    const first = offset - (offset % unit);
    for (let at = first; at < offset + size; at += unit) {
      const whole = at >= offset && at + unit <= offset + size;
      let v: number | bigint = whole ? (unit === 8 ? 0n : 0) : this.unitRead(at, unit);
      for (let i = 0; i < unit; i++) {
        const pos = at + i - offset;
        if (pos >= 0 && pos < size) v = withByte(v, i, this.scratch.getUint8(pos));
      }
      if (unit === 8) this.handler.write64!(at, v as bigint);
      else this.handler.write(at, unit, (v as number) >>> 0);
    }
  }

  private unitRead(at: number, unit: number): number | bigint {
    return unit === 8 ? this.handler.read64!(at) : this.handler.read(at, unit);
  }
}

function byteOf(v: number | bigint, i: number): number {
  return typeof v === 'bigint' ? Number((v >> BigInt(8 * i)) & 0xffn) : (v >>> (8 * i)) & 0xff;
}

function withByte(v: number | bigint, i: number, b: number): number | bigint {
  if (typeof v === 'bigint') {
    const shift = BigInt(8 * i);
    return (v & ~(0xffn << shift)) | (BigInt(b) << shift);
  }
  const shift = 8 * i;
  return ((v & ~(0xff << shift)) | (b << shift)) >>> 0;
}
