import { BusStatus } from './access.js';
import { type GuestMemory } from './guest-memory.js';
import { hex, Log, silentLog } from './log.js';
import { MmioRegion } from './mmio.js';
import { RamRegion } from './ram.js';

/** What happens to accesses that hit nothing or break a region's rules. */
export type UnmappedPolicy =
  /** Reads return `unmappedValue`, writes are dropped, a guest error is logged (QEMU's behaviour). */
  | 'ignore'
  /** The access reports a bus fault in `status` (a CPU turns it into an external abort). */
  | 'fault';

export interface AddressSpaceOptions {
  name?: string;
  log?: Log;
  unmapped?: UnmappedPolicy;
  /** Value unmapped reads return under the 'ignore' policy: 0 (default) or all ones (PCI windows). */
  unmappedValue?: 0 | 'ones';
}

export interface MapOptions {
  /** Higher priority regions overlay lower ones; equal priorities must not overlap. Default 0. */
  priority?: number;
}

/** A region placed at a base address. Returned by `map*`, passed to `unmap`. */
export class Mapping {
  constructor(
    readonly base: number,
    readonly size: number,
    readonly region: RamRegion | MmioRegion,
    readonly priority: number,
    /** Order of insertion: breaks ties in the flat view deterministically. */
    readonly serial: number,
  ) {}
  get end(): number {
    return this.base + this.size;
  }
}

/**
 * One run of addresses served by a single mapping in the flattened view.
 * `delta` turns an address into an offset in the region: offset = addr - start + delta.
 */
class Fragment {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly delta: number,
    readonly ram: RamRegion | null,
    readonly mmio: MmioRegion | null,
  ) {}
}

const NO_FRAGMENT = new Fragment(0, 0, 0, null, null);

/**
 * A physical address space: RAM and MMIO regions at addresses, flattened into
 * disjoint fragments (rebuilt on map/unmap, which is rare) and looked up by
 * binary search behind a one-entry cache. Addresses are plain numbers (exact
 * up to 2^53); values of 1 to 4 bytes are unsigned numbers, 8-byte values
 * bigints. After every access `status` tells whether it faulted.
 */
export class AddressSpace implements GuestMemory {
  readonly name: string;
  readonly log: Log;
  readonly policy: UnmappedPolicy;
  /** Outcome of the most recent access; always Ok under the 'ignore' policy. */
  status: BusStatus = BusStatus.Ok as BusStatus;
  /** Bumped on every map or unmap, so caches (a CPU's TLB) know to flush. */
  generation = 0;

  private readonly unmappedValue: number;
  private mappings: Mapping[] = [];
  private fragments: Fragment[] = [];
  private starts: Float64Array = new Float64Array(0);
  private last: Fragment = NO_FRAGMENT;
  private serial = 0;
  private listeners: Array<() => void> = [];

  constructor(options: AddressSpaceOptions = {}) {
    this.name = options.name ?? 'memory';
    this.log = options.log ?? silentLog;
    this.policy = options.unmapped ?? 'ignore';
    this.unmappedValue = options.unmappedValue === 'ones' ? 0xffff_ffff : 0;
  }

  // ---- mapping ---------------------------------------------------------------

  mapRam(base: number, ram: RamRegion, options: MapOptions = {}): Mapping {
    return this.add(base, ram.size, ram, options);
  }

  mapMmio(base: number, region: MmioRegion, options: MapOptions = {}): Mapping {
    return this.add(base, region.size, region, options);
  }

  unmap(mapping: Mapping): void {
    const i = this.mappings.indexOf(mapping);
    if (i < 0) throw new Error(`${this.name}: unmap of a region that is not mapped here`);
    this.mappings.splice(i, 1);
    this.rebuild();
  }

  /** Calls `listener` after every change of the map. Returns a function that removes it. */
  onChange(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** All mappings, lowest base first. */
  list(): readonly Mapping[] {
    return [...this.mappings].sort((a, b) => a.base - b.base || b.priority - a.priority);
  }

  private add(base: number, size: number, region: RamRegion | MmioRegion, options: MapOptions): Mapping {
    if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(base + size)) {
      throw new RangeError(`${this.name}: cannot map '${region.name}' at ${base}: base must be a non-negative safe integer`);
    }
    const priority = options.priority ?? 0;
    for (const m of this.mappings) {
      if (m.priority === priority && base < m.end && m.base < base + size) {
        throw new Error(
          `${this.name}: '${region.name}' at ${hex(base)}..${hex(base + size)} overlaps '${m.region.name}' at ` +
            `${hex(m.base)}..${hex(m.end)} with the same priority ${priority}`,
        );
      }
    }
    const mapping = new Mapping(base, size, region, priority, this.serial++);
    this.mappings.push(mapping);
    this.rebuild();
    return mapping;
  }

  /** Recomputes the flat view: for every address the highest-priority mapping wins. */
  private rebuild(): void {
    const points = new Set<number>();
    for (const m of this.mappings) {
      points.add(m.base);
      points.add(m.end);
    }
    const sorted = [...points].sort((a, b) => a - b);
    const byPriority = [...this.mappings].sort((a, b) => b.priority - a.priority || b.serial - a.serial);
    const fragments: Fragment[] = [];
    for (let i = 0; i + 1 < sorted.length; i++) {
      const start = sorted[i]!;
      const end = sorted[i + 1]!;
      const top = byPriority.find((m) => m.base <= start && end <= m.end);
      if (!top) continue;
      const prev = fragments[fragments.length - 1];
      const delta = start - top.base;
      const ram = top.region instanceof RamRegion ? top.region : null;
      const mmio = top.region instanceof MmioRegion ? top.region : null;
      // Merge with the previous fragment when it is the same region, contiguous.
      if (prev && prev.end === start && prev.ram === ram && prev.mmio === mmio && prev.delta + (start - prev.start) === delta) {
        fragments[fragments.length - 1] = new Fragment(prev.start, end, prev.delta, ram, mmio);
      } else {
        fragments.push(new Fragment(start, end, delta, ram, mmio));
      }
    }
    this.fragments = fragments;
    this.starts = Float64Array.from(fragments, (f) => f.start);
    this.last = NO_FRAGMENT;
    this.generation++;
    for (const l of this.listeners) l();
  }

  /** The fragment holding `addr`, or NO_FRAGMENT. O(log n). */
  private find(addr: number): Fragment {
    const last = this.last;
    if (addr >= last.start && addr < last.end) return last;
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return NO_FRAGMENT;
    const f = this.fragments[hi]!;
    if (addr >= f.end) return NO_FRAGMENT;
    this.last = f;
    return f;
  }

  // ---- lookups for fast paths --------------------------------------------------

  /**
   * The RAM region and offset at `addr`, for zero-copy fast paths (a CPU TLB
   * fill). `limit` is how many bytes from `addr` stay inside that RAM.
   */
  ramAt(addr: number): { ram: RamRegion; offset: number; limit: number } | undefined {
    const f = this.find(addr);
    if (!f.ram) return undefined;
    return { ram: f.ram, offset: addr - f.start + f.delta, limit: f.end - addr };
  }

  /** The MMIO region and offset at `addr`, if any. */
  mmioAt(addr: number): { region: MmioRegion; offset: number } | undefined {
    const f = this.find(addr);
    if (!f.mmio) return undefined;
    return { region: f.mmio, offset: addr - f.start + f.delta };
  }

  // ---- accesses ---------------------------------------------------------------

  /** Reads 1, 2 or 4 bytes at `addr` (unsigned). Check `status` when the policy is 'fault'. */
  read(addr: number, size: number): number {
    const f = this.find(addr);
    if (addr + size <= f.end) {
      const off = addr - f.start + f.delta;
      const ram = f.ram;
      if (ram !== null) {
        this.status = BusStatus.Ok;
        if (size === 4) return ram.view.getUint32(off, true);
        if (size === 1) return ram.bytes[off]!;
        if (size === 2) return ram.view.getUint16(off, true);
      } else if (f.mmio !== null) {
        const region = f.mmio;
        if (region.isValid(off, size)) {
          this.status = BusStatus.Ok;
          return region.read(off, size);
        }
        return (this.invalid(addr, size, false, region.name) & mask(size)) >>> 0;
      }
    }
    return this.slowRead(addr, size);
  }

  /** Writes 1, 2 or 4 bytes at `addr`. Check `status` when the policy is 'fault'. */
  write(addr: number, size: number, value: number): void {
    const f = this.find(addr);
    if (addr + size <= f.end) {
      const off = addr - f.start + f.delta;
      const ram = f.ram;
      if (ram !== null) {
        this.status = BusStatus.Ok;
        if (size === 4) ram.view.setUint32(off, value, true);
        else if (size === 1) ram.bytes[off] = value;
        else if (size === 2) ram.view.setUint16(off, value, true);
        else this.slowWrite(addr, size, value);
        return;
      } else if (f.mmio !== null) {
        const region = f.mmio;
        if (region.isValid(off, size)) {
          this.status = BusStatus.Ok;
          region.write(off, size, value);
        } else {
          this.invalid(addr, size, true, region.name);
        }
        return;
      }
    }
    this.slowWrite(addr, size, value);
  }

  /** Reads 8 bytes at `addr`. */
  read64(addr: number): bigint {
    const f = this.find(addr);
    if (addr + 8 <= f.end) {
      const off = addr - f.start + f.delta;
      if (f.ram !== null) {
        this.status = BusStatus.Ok;
        return f.ram.view.getBigUint64(off, true);
      }
      if (f.mmio !== null) {
        if (f.mmio.isValid(off, 8)) {
          this.status = BusStatus.Ok;
          return f.mmio.read64(off);
        }
        const v = this.invalid(addr, 8, false, f.mmio.name);
        return v === 0 ? 0n : 0xffff_ffff_ffff_ffffn;
      }
    }
    const lo = this.slowRead(addr, 4);
    const s1 = this.status;
    const hi = this.slowRead(addr + 4, 4);
    if (s1 !== BusStatus.Ok) this.status = s1;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Writes 8 bytes at `addr`. */
  write64(addr: number, value: bigint): void {
    const f = this.find(addr);
    if (addr + 8 <= f.end) {
      const off = addr - f.start + f.delta;
      if (f.ram !== null) {
        this.status = BusStatus.Ok;
        f.ram.view.setBigUint64(off, BigInt.asUintN(64, value), true);
        return;
      }
      if (f.mmio !== null) {
        if (f.mmio.isValid(off, 8)) {
          this.status = BusStatus.Ok;
          f.mmio.write64(off, value);
        } else {
          this.invalid(addr, 8, true, f.mmio.name);
        }
        return;
      }
    }
    const v = BigInt.asUintN(64, value);
    this.slowWrite(addr, 4, Number(v & 0xffff_ffffn));
    const s1 = this.status;
    this.slowWrite(addr + 4, 4, Number(v >> 32n));
    if (s1 !== BusStatus.Ok) this.status = s1;
  }

  /**
   * An access that is unmapped or straddles fragments. Wholly unmapped: the
   * policy decides. Touching MMIO across a boundary: invalid. Otherwise (RAM
   * next to RAM or a hole) byte by byte, each byte from wherever it lives.
   */
  private slowRead(addr: number, size: number): number {
    const kind = this.straddleKind(addr, size);
    if (kind === 'unmapped') return this.unmapped(addr, size, false);
    if (kind !== 'bytes') return (this.invalid(addr, size, false, kind) & mask(size)) >>> 0;
    let value = 0;
    let status: BusStatus = BusStatus.Ok;
    for (let i = size - 1; i >= 0; i--) {
      const b = this.read(addr + i, 1);
      if (this.status !== BusStatus.Ok) status = this.status;
      value = value * 256 + b;
    }
    this.status = status;
    return value;
  }

  private slowWrite(addr: number, size: number, value: number): void {
    const kind = this.straddleKind(addr, size);
    if (kind === 'unmapped') {
      this.unmapped(addr, size, true);
      return;
    }
    if (kind !== 'bytes') {
      this.invalid(addr, size, true, kind);
      return;
    }
    let status: BusStatus = BusStatus.Ok;
    for (let i = 0; i < size; i++) {
      this.write(addr + i, 1, (value >>> (8 * i)) & 0xff);
      if (this.status !== BusStatus.Ok) status = this.status;
    }
    this.status = status;
  }

  /** 'unmapped' if no byte is mapped, an MMIO region's name if one is touched, else 'bytes'. */
  private straddleKind(addr: number, size: number): string {
    let mapped = false;
    for (let i = 0; i < size; i++) {
      const f = this.find(addr + i);
      if (f.mmio !== null) return f.mmio.name;
      if (f.ram !== null) mapped = true;
    }
    return mapped ? 'bytes' : 'unmapped';
  }

  private unmapped(addr: number, size: number, isWrite: boolean): number {
    this.log.guestError(this.name, `${isWrite ? 'write to' : 'read from'} unmapped address ${hex(addr)} (${size} bytes)`);
    if (this.policy === 'fault') {
      this.status = BusStatus.Unmapped;
      return 0;
    }
    this.status = BusStatus.Ok;
    return (this.unmappedValue & mask(size)) >>> 0;
  }

  private invalid(addr: number, size: number, isWrite: boolean, region: string): number {
    this.log.guestError(
      this.name,
      `invalid ${size}-byte ${isWrite ? 'write' : 'read'} at ${hex(addr)} in '${region}' (size, alignment or end not allowed)`,
    );
    if (this.policy === 'fault') {
      this.status = BusStatus.Invalid;
      return 0;
    }
    this.status = BusStatus.Ok;
    return this.unmappedValue;
  }

  // ---- GuestMemory (DMA): RAM only, failures reported as results -----------------

  readBytes(addr: number, dst: Uint8Array): boolean {
    return this.copy(addr, dst, false);
  }

  writeBytes(addr: number, src: Uint8Array): boolean {
    return this.copy(addr, src, true);
  }

  ramSlice(addr: number, length: number): Uint8Array | undefined {
    if (!(length >= 0) || !Number.isSafeInteger(addr) || addr < 0) return undefined;
    const f = this.find(addr);
    if (f.ram === null || addr + length > f.end) return undefined;
    const off = addr - f.start + f.delta;
    return f.ram.bytes.subarray(off, off + length);
  }

  // Scalar DMA accesses go straight to the RAM view: no subarray per access.
  read8(addr: number): number | undefined {
    const off = this.dmaOffset(addr, 1);
    return off < 0 ? undefined : this.dmaRam!.bytes[off];
  }
  read16(addr: number): number | undefined {
    const off = this.dmaOffset(addr, 2);
    return off < 0 ? undefined : this.dmaRam!.view.getUint16(off, true);
  }
  read32(addr: number): number | undefined {
    const off = this.dmaOffset(addr, 4);
    return off < 0 ? undefined : this.dmaRam!.view.getUint32(off, true);
  }
  read64u(addr: number): bigint | undefined {
    const off = this.dmaOffset(addr, 8);
    return off < 0 ? undefined : this.dmaRam!.view.getBigUint64(off, true);
  }
  write8(addr: number, value: number): boolean {
    const off = this.dmaOffset(addr, 1);
    if (off >= 0) this.dmaRam!.bytes[off] = value;
    return off >= 0;
  }
  write16(addr: number, value: number): boolean {
    const off = this.dmaOffset(addr, 2);
    if (off >= 0) this.dmaRam!.view.setUint16(off, value, true);
    return off >= 0;
  }
  write32(addr: number, value: number): boolean {
    const off = this.dmaOffset(addr, 4);
    if (off >= 0) this.dmaRam!.view.setUint32(off, value >>> 0, true);
    return off >= 0;
  }
  write64u(addr: number, value: bigint): boolean {
    const off = this.dmaOffset(addr, 8);
    if (off >= 0) this.dmaRam!.view.setBigUint64(off, BigInt.asUintN(64, value), true);
    return off >= 0;
  }

  /** RAM region of the last `dmaOffset` hit. */
  private dmaRam: RamRegion | null = null;

  /** Offset in RAM of `size` bytes at `addr` within one RAM fragment (sets `dmaRam`), or -1. */
  private dmaOffset(addr: number, size: number): number {
    if (!(addr >= 0) || !Number.isSafeInteger(addr)) return -1;
    const f = this.find(addr);
    if (f.ram === null || addr + size > f.end) return -1;
    this.dmaRam = f.ram;
    return addr - f.start + f.delta;
  }

  private copy(addr: number, buf: Uint8Array, toGuest: boolean): boolean {
    if (!Number.isSafeInteger(addr) || addr < 0 || !Number.isSafeInteger(addr + buf.length)) return false;
    // Check the whole range first, so a failed DMA has no partial effect.
    for (let at = addr, end = addr + buf.length; at < end; ) {
      const f = this.find(at);
      if (f.ram === null) return false;
      at = f.end;
    }
    for (let done = 0; done < buf.length; ) {
      const at = addr + done;
      const f = this.find(at);
      const off = at - f.start + f.delta;
      const n = Math.min(buf.length - done, f.end - at);
      const ram = f.ram!.bytes;
      if (toGuest) ram.set(buf.subarray(done, done + n), off);
      else buf.set(ram.subarray(off, off + n), done);
      done += n;
    }
    return true;
  }
}

function mask(size: number): number {
  return size >= 4 ? 0xffff_ffff : (1 << (size * 8)) - 1;
}
