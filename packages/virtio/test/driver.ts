/**
 * A fake virtio driver for tests, written from the driver's side of the
 * virtio 1.2 specification (its offsets are spelled out here from the spec
 * text, not imported from the device code): it lays out split rings in guest
 * RAM, adds descriptor chains, reads used entries, and (PciDriver) finds the
 * virtio-pci capabilities, negotiates features and programs queues the way
 * Linux's virtio_pci_modern does.
 */
import { AddressSpace, RamRegion } from '@vmapple/core-bus';

export interface Buf {
  addr: number;
  len: number;
  /** Device-writable. */
  write?: boolean;
}

export interface UsedElem {
  id: number;
  len: number;
}

const F_NEXT = 1;
const F_WRITE = 2;
const F_INDIRECT = 4;

/** Guest RAM with a bump allocator. */
export class GuestRam {
  readonly mem = new AddressSpace({ name: 'guest' });
  readonly ram: RamRegion;
  private next: number;

  constructor(
    readonly base = 0x4000_0000,
    readonly size = 1 << 22,
  ) {
    this.ram = new RamRegion('ram', size);
    this.mem.mapRam(base, this.ram);
    this.next = base;
  }

  alloc(len: number, align = 16): number {
    this.next = Math.ceil(this.next / align) * align;
    const at = this.next;
    this.next += len;
    if (this.next > this.base + this.size) throw new Error('test guest RAM exhausted');
    return at;
  }

  /** Allocates and fills a buffer. */
  put(bytes: Uint8Array, align = 16): number {
    const at = this.alloc(bytes.length, align);
    this.mem.writeBytes(at, bytes);
    return at;
  }

  get(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    if (!this.mem.readBytes(addr, out)) throw new Error(`test read outside RAM at ${addr}`);
    return out;
  }
}

/** The driver side of one split virtqueue (virtio 1.2 §2.7). */
export class RingDriver {
  readonly desc: number;
  readonly avail: number;
  readonly used: number;
  private free: number[] = [];
  private availIdx = 0;
  private lastUsed = 0;
  /** Descriptors each in-flight head owns (for recycling). */
  private owned = new Map<number, number[]>();

  constructor(
    readonly g: GuestRam,
    readonly size: number,
  ) {
    this.desc = g.alloc(16 * size, 16);
    this.avail = g.alloc(6 + 2 * size, 2);
    this.used = g.alloc(6 + 8 * size, 4);
    for (let i = 0; i < size; i++) this.free.push(i);
  }

  private get m() {
    return this.g.mem;
  }

  /** Writes descriptor `i` of the table at `table` (the ring's own table by default). */
  writeDesc(i: number, addr: number, len: number, flags: number, next: number, table = this.desc): void {
    const at = table + 16 * i;
    this.m.write32(at, addr % 2 ** 32);
    this.m.write32(at + 4, Math.floor(addr / 2 ** 32));
    this.m.write32(at + 8, len);
    this.m.write16(at + 12, flags);
    this.m.write16(at + 14, next);
  }

  /** Puts `head` in the next available-ring slot and publishes it (idx += 1). */
  pushAvail(head: number): void {
    this.m.write16(this.avail + 4 + 2 * (this.availIdx % this.size), head);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    this.m.write16(this.avail + 2, this.availIdx);
  }

  /** Sets the available ring's idx directly (for malformed-ring tests). */
  setAvailIdx(idx: number): void {
    this.availIdx = idx & 0xffff;
    this.m.write16(this.avail + 2, this.availIdx);
  }

  setAvailFlags(flags: number): void {
    this.m.write16(this.avail, flags);
  }

  /** used_event (EVENT_IDX): the used index after which the driver wants an interrupt. */
  setUsedEvent(v: number): void {
    this.m.write16(this.avail + 4 + 2 * this.size, v);
  }

  /** avail_event (EVENT_IDX), written by the device. */
  availEvent(): number {
    return this.m.read16(this.used + 4 + 8 * this.size)!;
  }

  usedFlags(): number {
    return this.m.read16(this.used)!;
  }

  usedIdx(): number {
    return this.m.read16(this.used + 2)!;
  }

  /**
   * Adds a chain of `bufs` (readable ones first) and makes it available.
   * With `indirect`, the chain goes in an indirect table in guest RAM and one
   * ring descriptor points at it. Returns the head index.
   */
  add(bufs: Buf[], options: { indirect?: boolean; publish?: boolean } = {}): number {
    if (options.indirect) {
      const table = this.g.alloc(16 * bufs.length, 16);
      bufs.forEach((b, i) => this.writeDesc(i, b.addr, b.len, (b.write ? F_WRITE : 0) | (i + 1 < bufs.length ? F_NEXT : 0), i + 1, table));
      const head = this.take(1);
      this.writeDesc(head[0]!, table, 16 * bufs.length, F_INDIRECT, 0);
      this.owned.set(head[0]!, head);
      if (options.publish !== false) this.pushAvail(head[0]!);
      return head[0]!;
    }
    const ids = this.take(bufs.length);
    bufs.forEach((b, i) => this.writeDesc(ids[i]!, b.addr, b.len, (b.write ? F_WRITE : 0) | (i + 1 < bufs.length ? F_NEXT : 0), ids[i + 1] ?? 0));
    this.owned.set(ids[0]!, ids);
    if (options.publish !== false) this.pushAvail(ids[0]!);
    return ids[0]!;
  }

  private take(n: number): number[] {
    if (n > this.free.length) throw new Error(`ring has ${this.free.length} free descriptors, ${n} needed`);
    return this.free.splice(0, n);
  }

  /** Used elements the device added since the last call (recycles their descriptors). */
  takeUsed(): UsedElem[] {
    const out: UsedElem[] = [];
    const idx = this.usedIdx();
    while (this.lastUsed !== idx) {
      const at = this.used + 4 + 8 * (this.lastUsed % this.size);
      const e = { id: this.m.read32(at)!, len: this.m.read32(at + 4)! };
      out.push(e);
      const ids = this.owned.get(e.id);
      if (ids) {
        this.free.push(...ids);
        this.owned.delete(e.id);
      }
      this.lastUsed = (this.lastUsed + 1) & 0xffff;
    }
    return out;
  }
}

/** What the driver needs of a PCI function: its config space. */
export interface PciConfigPort {
  configRead(offset: number, size: number): number;
  configWrite(offset: number, size: number, value: number): void;
}

export interface VirtioCap {
  at: number;
  type: number;
  bar: number;
  offset: number;
  length: number;
  /** notify_off_multiplier for the notify capability. */
  multiplier?: number;
}

// virtio 1.2 §4.1.4.3: common configuration layout.
export const COMMON = {
  device_feature_select: 0x00,
  device_feature: 0x04,
  driver_feature_select: 0x08,
  driver_feature: 0x0c,
  config_msix_vector: 0x10,
  num_queues: 0x12,
  device_status: 0x14,
  config_generation: 0x15,
  queue_select: 0x16,
  queue_size: 0x18,
  queue_msix_vector: 0x1a,
  queue_enable: 0x1c,
  queue_notify_off: 0x1e,
  queue_desc: 0x20,
  queue_driver: 0x28,
  queue_device: 0x30,
} as const;

export const STATUS = { ACKNOWLEDGE: 1, DRIVER: 2, DRIVER_OK: 4, FEATURES_OK: 8, DEVICE_NEEDS_RESET: 0x40, FAILED: 0x80 } as const;

/**
 * A virtio-pci driver over config space and a PCI memory AddressSpace: finds
 * the vendor capabilities (§4.1.4), places the BAR, and programs the device.
 */
export class PciDriver {
  readonly caps = new Map<number, VirtioCap>();
  barBase = 0;

  constructor(
    readonly fn: PciConfigPort,
    readonly pciMem: AddressSpace,
    readonly g: GuestRam,
    readonly barAddress = 0x5000_0000,
  ) {
    // Walk the capability list (PCI 3.0 §6.7): status bit 4, pointer at 0x34.
    let at = fn.configRead(0x34, 1) & 0xfc;
    for (let n = 0; at !== 0 && n < 48; n++) {
      if (fn.configRead(at, 1) === 0x09) {
        const type = fn.configRead(at + 3, 1);
        const cap: VirtioCap = { at, type, bar: fn.configRead(at + 4, 1), offset: fn.configRead(at + 8, 4), length: fn.configRead(at + 12, 4) };
        if (type === 2) cap.multiplier = fn.configRead(at + 16, 4);
        if (!this.caps.has(type)) this.caps.set(type, cap);
      }
      at = fn.configRead(at + 1, 1) & 0xfc;
    }
    const common = this.cap(1);
    // Size and place the BAR (a 64-bit BAR: low dword flags, high dword after).
    const barReg = 0x10 + 4 * common.bar;
    this.barBase = barAddress;
    fn.configWrite(barReg, 4, barAddress % 2 ** 32);
    fn.configWrite(barReg + 4, 4, Math.floor(barAddress / 2 ** 32));
    // Memory space + bus master.
    fn.configWrite(0x04, 2, fn.configRead(0x04, 2) | 0x2 | 0x4);
  }

  cap(type: number): VirtioCap {
    const c = this.caps.get(type);
    if (!c) throw new Error(`no virtio capability of type ${type}`);
    return c;
  }

  private addr(type: number, off: number): number {
    return this.barBase + this.cap(type).offset + off;
  }

  commonRead(off: number, size: 1 | 2 | 4): number {
    return this.pciMem.read(this.addr(1, off), size);
  }

  commonWrite(off: number, size: 1 | 2 | 4, value: number): void {
    this.pciMem.write(this.addr(1, off), size, value);
  }

  deviceRead(off: number, size: 1 | 2 | 4): number {
    return this.pciMem.read(this.addr(4, off), size);
  }

  deviceWrite(off: number, size: 1 | 2 | 4, value: number): void {
    this.pciMem.write(this.addr(4, off), size, value);
  }

  /** Reads (and thereby clears) the ISR status byte. */
  readIsr(): number {
    return this.pciMem.read(this.addr(3, 0), 1);
  }

  status(): number {
    return this.commonRead(COMMON.device_status, 1);
  }

  setStatus(v: number): void {
    this.commonWrite(COMMON.device_status, 1, v);
  }

  deviceFeatures(): bigint {
    this.commonWrite(COMMON.device_feature_select, 4, 0);
    const lo = this.commonRead(COMMON.device_feature, 4);
    this.commonWrite(COMMON.device_feature_select, 4, 1);
    const hi = this.commonRead(COMMON.device_feature, 4);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  writeDriverFeatures(f: bigint): void {
    this.commonWrite(COMMON.driver_feature_select, 4, 0);
    this.commonWrite(COMMON.driver_feature, 4, Number(f & 0xffff_ffffn));
    this.commonWrite(COMMON.driver_feature_select, 4, 1);
    this.commonWrite(COMMON.driver_feature, 4, Number((f >> 32n) & 0xffff_ffffn));
  }

  /**
   * The initialisation sequence of §3.1.1 up to FEATURES_OK: reset,
   * ACKNOWLEDGE, DRIVER, features (the offered ones masked by `want`),
   * FEATURES_OK and its check. Returns the accepted features.
   */
  negotiate(want: bigint): bigint {
    this.setStatus(0);
    this.setStatus(STATUS.ACKNOWLEDGE);
    this.setStatus(STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    const f = this.deviceFeatures() & want;
    this.writeDriverFeatures(f);
    this.setStatus(STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    if (!(this.status() & STATUS.FEATURES_OK)) throw new Error('device refused FEATURES_OK');
    return f;
  }

  /** Programs and enables queue `index` with `size` entries; returns its ring. */
  setupQueue(index: number, size?: number): RingDriver {
    this.commonWrite(COMMON.queue_select, 2, index);
    const max = this.commonRead(COMMON.queue_size, 2);
    if (max === 0) throw new Error(`queue ${index} not available`);
    const n = size ?? max;
    this.commonWrite(COMMON.queue_size, 2, n);
    const ring = new RingDriver(this.g, n);
    this.write64(COMMON.queue_desc, ring.desc);
    this.write64(COMMON.queue_driver, ring.avail);
    this.write64(COMMON.queue_device, ring.used);
    this.commonWrite(COMMON.queue_enable, 2, 1);
    return ring;
  }

  write64(off: number, v: number): void {
    this.commonWrite(off, 4, v % 2 ** 32);
    this.commonWrite(off + 4, 4, Math.floor(v / 2 ** 32));
  }

  driverOk(): void {
    this.setStatus(this.status() | STATUS.DRIVER_OK);
  }

  /** Available-buffer notification for queue `index` (§4.1.5.2). */
  kick(index: number): void {
    this.commonWrite(COMMON.queue_select, 2, index);
    const off = this.commonRead(COMMON.queue_notify_off, 2);
    const notify = this.cap(2);
    this.pciMem.write(this.barBase + notify.offset + off * notify.multiplier!, 2, index);
  }
}
