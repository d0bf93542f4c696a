import { type AddressSpace, type Mapping } from '../address-space.js';
import { ConfigValidator } from '../config.js';
import { type GuestMemory } from '../guest-memory.js';
import { hex, type Log, silentLog } from '../log.js';
import { type MmioRegion } from '../mmio.js';
import { base64ToBytes, bytesToBase64, checkState, type DeviceState, makeState } from '../snapshot.js';
import * as R from './registers.js';

export type PciBarKind = 'mem32' | 'mem64';

export interface PciBarOptions {
  /** BAR index 0..5 (a 64-bit BAR also takes index + 1). */
  index: number;
  /** The region the BAR exposes; its size (a power of two, at least 16) is the BAR size. */
  region: MmioRegion;
  kind?: PciBarKind;
  prefetchable?: boolean;
}

export interface PciFunctionOptions {
  name: string;
  vendorId: number;
  deviceId: number;
  /** 24-bit class code: base class << 16 | subclass << 8 | programming interface. */
  classCode: number;
  revision?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** INTx pin the function uses (INTA..INTD), or None. */
  interruptPin?: R.PciPin;
  /** Multi-function bit of the header type (function 0 of a multi-function device). */
  multiFunction?: boolean;
  /** 4 KiB PCIe config space (default) or the 256-byte conventional one. */
  express?: boolean;
  log?: Log;
}

/**
 * What a host bridge gives a function when it is plugged in: where its BARs
 * get mapped, how it reaches guest memory, and its INTx wire.
 */
export interface PciHostPort {
  /** PCI memory space: BAR regions are mapped here at the address the guest programs. */
  memory: AddressSpace;
  /** Guest memory for bus-master DMA. */
  dma: GuestMemory;
  /** Drives this function's INTx pin (the host applies its swizzle). */
  setIntx(level: boolean): void;
}

interface Bar {
  region: MmioRegion;
  kind: PciBarKind;
  prefetchable: boolean;
  mapping: Mapping | null;
  mappedAt: number;
  /** Where mapping last failed on an overlap (-1: none; logged once per address). */
  refusedAt: number;
}

const STATE_VERSION = 1;

/**
 * The PCI device model every PCI device builds on: config space with a type-0
 * header, BARs with sizing and guest relocation (the function maps and unmaps
 * its BAR regions in the host's PCI memory space as the guest programs BARs
 * and the memory-enable bit), a capability list, INTx with the interrupt
 * disable and status bits, and bus-master gating of DMA.
 *
 * Subclasses add capabilities in their constructor and may override
 * `configWritten` to react to writes in their own capability registers.
 */
export class PciFunction {
  readonly name: string;
  readonly log: Log;
  readonly config: Uint8Array;
  /** Bits of each config byte the guest may write. */
  protected readonly wmask: Uint8Array;
  /** Bits of each config byte that are write-one-to-clear. */
  protected readonly w1cmask: Uint8Array;
  /** Power-on contents of config space, restored by reset. */
  private readonly resetConfig: Uint8Array;
  private readonly bars: Array<Bar | undefined> = [];
  private port: PciHostPort | null = null;
  /** Set while a BAR waits for its address to become free (an onChange subscription). */
  private stopWaiting: (() => void) | null = null;
  private updatingBars = false;
  private intxLevel = false;
  private lastCapability = 0;
  private capabilityEnd: number = 0x40;
  /** Guest memory as this function sees it: fails unless bus mastering is enabled. */
  readonly dma: GuestMemory;

  constructor(options: PciFunctionOptions) {
    const v = new ConfigValidator(options.name);
    const vendorId = v.int('vendorId', options.vendorId, 0, { min: 0, max: 0xfffe });
    const deviceId = v.int('deviceId', options.deviceId, 0, { min: 0, max: 0xffff });
    const classCode = v.int('classCode', options.classCode, 0, { min: 0, max: 0xffffff });
    const pin = v.int('interruptPin', options.interruptPin, R.PciPin.None, { min: 0, max: 4 });
    this.name = options.name;
    this.log = options.log ?? silentLog;
    const size = options.express === false ? R.PCI_CONFIG_SPACE_SIZE : R.PCIE_CONFIG_SPACE_SIZE;
    this.config = new Uint8Array(size);
    this.wmask = new Uint8Array(size);
    this.w1cmask = new Uint8Array(size);
    this.set16(R.PCI_VENDOR_ID, vendorId);
    this.set16(R.PCI_DEVICE_ID, deviceId);
    this.config[R.PCI_REVISION_ID] = v.int('revision', options.revision, 0, { min: 0, max: 255 });
    this.config[R.PCI_CLASS_PROG] = classCode & 0xff;
    this.config[R.PCI_CLASS_PROG + 1] = (classCode >> 8) & 0xff;
    this.config[R.PCI_CLASS_PROG + 2] = classCode >> 16;
    this.config[R.PCI_HEADER_TYPE] = options.multiFunction ? 0x80 : 0;
    this.set16(R.PCI_SUBSYSTEM_VENDOR_ID, v.int('subsystemVendorId', options.subsystemVendorId, 0, { min: 0, max: 0xffff }));
    this.set16(R.PCI_SUBSYSTEM_ID, v.int('subsystemId', options.subsystemId, 0, { min: 0, max: 0xffff }));
    this.config[R.PCI_INTERRUPT_PIN] = pin;
    // Guest-writable header bits.
    // Writable bits as QEMU sets them (pci_init_wmask): the Latency Timer and Parity Error
    // Response stay 0; bytes after the header are writable until a capability claims them.
    const cmd = R.PCI_COMMAND_IO | R.PCI_COMMAND_MEMORY | R.PCI_COMMAND_MASTER | R.PCI_COMMAND_SERR | R.PCI_COMMAND_INTX_DISABLE;
    this.wmask[R.PCI_COMMAND] = cmd & 0xff;
    this.wmask[R.PCI_COMMAND + 1] = cmd >> 8;
    this.w1cmask[R.PCI_STATUS] = R.PCI_STATUS_W1C & 0xff;
    this.w1cmask[R.PCI_STATUS + 1] = R.PCI_STATUS_W1C >> 8;
    this.wmask[R.PCI_CACHE_LINE_SIZE] = 0xff;
    this.wmask[R.PCI_INTERRUPT_LINE] = 0xff;
    this.wmask.fill(0xff, 0x40);
    this.resetConfig = this.config.slice();
    this.dma = new BusMasterMemory(() => (this.busMaster ? (this.port?.dma ?? null) : null));
  }

  // ---- building the function (constructor time) --------------------------------

  /** Declares a BAR. Call from the subclass constructor. */
  addBar(options: PciBarOptions): void {
    const v = new ConfigValidator(this.name);
    const kind = options.kind ?? 'mem32';
    const index = v.int('bar index', options.index, 0, { min: 0, max: kind === 'mem64' ? 4 : 5 });
    const size = options.region.size;
    if (size < 16 || (size & (size - 1)) !== 0 || size > 2 ** 52) {
      v.fail(`bar ${index} size`, `must be a power of two from 16 bytes, got ${size}`);
    }
    if (kind === 'mem32' && size > 2 ** 31) v.fail(`bar ${index} size`, `is too large for a 32-bit BAR: ${size}`);
    if (this.bars[index] || (kind === 'mem64' && this.bars[index + 1]) || this.isUpperHalf(index)) {
      v.fail(`bar ${index}`, 'is already in use');
    }
    const bar: Bar = { region: options.region, kind, prefetchable: options.prefetchable ?? false, mapping: null, mappedAt: -1, refusedAt: -1 };
    this.bars[index] = bar;
    const flags = (kind === 'mem64' ? R.PCI_BAR_MEM64 : 0) | (bar.prefetchable ? R.PCI_BAR_PREFETCH : 0);
    this.set32(R.PCI_BAR0 + 4 * index, flags);
    this.resetConfig.set(this.config.subarray(R.PCI_BAR0, R.PCI_BAR0 + 24), R.PCI_BAR0);
  }

  /**
   * Adds a capability with `length` bytes (including its 2-byte header) to the
   * list and returns its offset. The body is zero and read-only until the
   * subclass fills `config` and sets `wmask` bits.
   */
  addCapability(id: number, length: number): number {
    const offset = (this.capabilityEnd + 3) & ~3;
    if (length < 2 || offset + length > R.PCI_CONFIG_SPACE_SIZE) {
      throw new RangeError(`${this.name}: capability 0x${id.toString(16)} of ${length} bytes does not fit in config space`);
    }
    this.config[offset] = id;
    this.config[offset + 1] = 0;
    this.wmask.fill(0, offset, offset + length); // read-only until the device opens fields
    if (this.lastCapability === 0) this.config[R.PCI_CAPABILITY_LIST] = offset;
    else this.config[this.lastCapability + 1] = offset;
    this.lastCapability = offset;
    this.capabilityEnd = offset + length;
    this.config[R.PCI_STATUS] |= R.PCI_STATUS_CAP_LIST;
    return offset;
  }

  /** Records the current config space as the power-on contents (call at the end of the subclass constructor). */
  protected sealConfig(): void {
    this.resetConfig.set(this.config);
  }

  // ---- host side ---------------------------------------------------------------------

  /** Called by the host bridge when the function is plugged in. */
  attach(port: PciHostPort): void {
    this.port = port;
    this.updateBars();
    port.setIntx(this.intxOut());
  }

  /** Called by the host bridge when the function is unplugged. */
  detach(): void {
    this.stopWaitingForSpace();
    for (const bar of this.bars) if (bar) this.unmapBar(bar);
    this.port?.setIntx(false);
    this.port = null;
  }

  // ---- config space access (from the host bridge's ECAM) --------------------------

  configRead(offset: number, size: number): number {
    if (offset < 0 || offset + size > this.config.length) return size === 4 ? 0xffff_ffff : (1 << (size * 8)) - 1;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.config[offset + i]!;
    return v;
  }

  configWrite(offset: number, size: number, value: number): void {
    if (offset < 0 || offset + size > this.config.length) return;
    const barsTouched = offset < R.PCI_BAR0 + 24 && offset + size > R.PCI_BAR0;
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      const b = (value >>> (8 * i)) & 0xff;
      if (at >= R.PCI_BAR0 && at < R.PCI_BAR0 + 24) this.writeBarByte(at, b);
      else if (at >= R.PCI_ROM_ADDRESS && at < R.PCI_ROM_ADDRESS + 4) continue; // no option ROM: reads 0
      else {
        const wm = this.wmask[at]!;
        const w1c = this.w1cmask[at]!;
        this.config[at] = ((this.config[at]! & ~wm) | (b & wm)) & ~(b & w1c);
      }
    }
    if (barsTouched || (offset <= R.PCI_COMMAND + 1 && offset + size > R.PCI_COMMAND)) {
      this.updateBars();
      this.updateIntx();
    }
    this.configWritten(offset, size);
  }

  /** Hook for subclasses: `size` bytes at `offset` were just written (masks already applied). */
  protected configWritten(_offset: number, _size: number): void {}

  // ---- interrupts -----------------------------------------------------------------

  /** Sets the function's INTx level (the device's interrupt condition). */
  setIntx(level: boolean): void {
    this.intxLevel = level;
    this.updateIntx();
  }

  private intxOut(): boolean {
    return this.intxLevel && (this.command & R.PCI_COMMAND_INTX_DISABLE) === 0 && this.config[R.PCI_INTERRUPT_PIN] !== 0;
  }

  private updateIntx(): void {
    if (this.intxLevel) this.config[R.PCI_STATUS] |= R.PCI_STATUS_INTERRUPT;
    else this.config[R.PCI_STATUS] &= ~R.PCI_STATUS_INTERRUPT;
    this.port?.setIntx(this.intxOut());
  }

  // ---- state ----------------------------------------------------------------------

  get command(): number {
    return this.config[R.PCI_COMMAND]! | (this.config[R.PCI_COMMAND + 1]! << 8);
  }

  get busMaster(): boolean {
    return (this.command & R.PCI_COMMAND_MASTER) !== 0;
  }

  get memoryEnabled(): boolean {
    return (this.command & R.PCI_COMMAND_MEMORY) !== 0;
  }

  /** Guest-programmed address of BAR `index`, or undefined when it is not a BAR. */
  barAddress(index: number): number | undefined {
    const bar = this.bars[index];
    if (!bar) return undefined;
    const lo = this.get32(R.PCI_BAR0 + 4 * index) & ~0xf;
    const hi = bar.kind === 'mem64' ? this.get32(R.PCI_BAR0 + 4 * index + 4) : 0;
    return (lo >>> 0) + hi * 2 ** 32;
  }

  /** Where BAR `index` is mapped now, or undefined when it is not mapped. */
  barMappedAt(index: number): number | undefined {
    const bar = this.bars[index];
    return bar?.mapping ? bar.mappedAt : undefined;
  }

  /** Back to power-on state: config space, BARs unmapped, INTx low. */
  reset(): void {
    this.config.set(this.resetConfig);
    this.intxLevel = false;
    this.updateBars();
    this.updateIntx();
  }

  saveState(): DeviceState<{ config: string; intx: boolean }> {
    return makeState('pci:' + this.name, STATE_VERSION, { config: bytesToBase64(this.config), intx: this.intxLevel });
  }

  restoreState(state: DeviceState<{ config: string; intx: boolean }>): void {
    const data = checkState<{ config: string; intx: boolean }>(state, 'pci:' + this.name, STATE_VERSION);
    const bytes = base64ToBytes(data.config);
    if (bytes.length !== this.config.length) throw new RangeError(`${this.name}: saved config space has the wrong size`);
    this.config.set(bytes);
    this.intxLevel = data.intx;
    this.updateBars();
    this.updateIntx();
  }

  // ---- internals --------------------------------------------------------------------

  private isUpperHalf(index: number): boolean {
    const below = this.bars[index - 1];
    return index > 0 && below !== undefined && below.kind === 'mem64';
  }

  private writeBarByte(at: number, b: number): void {
    const index = (at - R.PCI_BAR0) >> 2;
    const byte = (at - R.PCI_BAR0) & 3;
    let bar = this.bars[index];
    let sizeMask: number;
    if (bar) {
      // Low dword: address bits above the size are writable; flag bits are not.
      sizeMask = ~(bar.region.size - 1) & ~0xf;
      if (bar.region.size > 2 ** 32) sizeMask = 0;
    } else if (this.isUpperHalf(index)) {
      bar = this.bars[index - 1]!;
      const size = bar.region.size;
      sizeMask = size > 2 ** 32 ? ~(size / 2 ** 32 - 1) : 0xffff_ffff;
    } else {
      return; // unimplemented BAR: reads 0
    }
    const m = (sizeMask >>> (8 * byte)) & 0xff;
    this.config[at] = (this.config[at]! & ~m) | (b & m);
  }

  /**
   * Maps each BAR where the guest put it, while memory decoding is on. A BAR
   * that overlaps another mapping stays unmapped and is retried whenever the
   * PCI memory space changes (the other BAR may move away, as during a
   * guest's reassignment), so it does not stay dead until its own next write.
   */
  private updateBars(): void {
    if (this.updatingBars) return;
    this.updatingBars = true;
    let blocked: boolean;
    try {
      blocked = this.mapBars();
    } finally {
      this.updatingBars = false;
    }
    if (blocked && this.port && !this.stopWaiting) {
      this.stopWaiting = this.port.memory.onChange(() => this.updateBars());
    } else if (!blocked) {
      this.stopWaitingForSpace();
    }
  }

  private stopWaitingForSpace(): void {
    this.stopWaiting?.();
    this.stopWaiting = null;
  }

  /** One pass over the BARs; true if one could not be mapped where the guest wants it. */
  private mapBars(): boolean {
    let blocked = false;
    for (let i = 0; i < this.bars.length; i++) {
      const bar = this.bars[i];
      if (!bar) continue;
      const addr = this.barAddress(i)!;
      const want = this.port !== null && this.memoryEnabled ? addr : -1;
      if (bar.mapping && bar.mappedAt === want) continue;
      this.unmapBar(bar);
      if (want < 0 || !this.port) continue;
      if (!Number.isSafeInteger(want + bar.region.size)) continue;
      try {
        bar.mapping = this.port.memory.mapMmio(want, bar.region);
        bar.mappedAt = want;
        bar.refusedAt = -1;
      } catch {
        blocked = true;
        if (bar.refusedAt !== want) {
          bar.refusedAt = want;
          this.log.guestError(this.name, `BAR ${i} at ${hex(want)} overlaps another BAR; unmapped until the space is free`);
        }
      }
    }
    return blocked;
  }

  private unmapBar(bar: Bar): void {
    if (bar.mapping && this.port) this.port.memory.unmap(bar.mapping);
    bar.mapping = null;
    bar.mappedAt = -1;
  }

  protected set16(offset: number, value: number): void {
    this.config[offset] = value & 0xff;
    this.config[offset + 1] = (value >> 8) & 0xff;
  }

  protected set32(offset: number, value: number): void {
    for (let i = 0; i < 4; i++) this.config[offset + i] = (value >>> (8 * i)) & 0xff;
  }

  protected get32(offset: number): number {
    return (this.config[offset]! | (this.config[offset + 1]! << 8) | (this.config[offset + 2]! << 16) | (this.config[offset + 3]! << 24)) >>> 0;
  }
}

/** Guest memory that works only while the function may master the bus. */
class BusMasterMemory implements GuestMemory {
  constructor(private readonly target: () => GuestMemory | null) {}
  readBytes(addr: number, dst: Uint8Array): boolean {
    return this.target()?.readBytes(addr, dst) ?? false;
  }
  writeBytes(addr: number, src: Uint8Array): boolean {
    return this.target()?.writeBytes(addr, src) ?? false;
  }
  ramSlice(addr: number, length: number): Uint8Array | undefined {
    return this.target()?.ramSlice(addr, length);
  }
  read8(addr: number): number | undefined {
    return this.target()?.read8(addr);
  }
  read16(addr: number): number | undefined {
    return this.target()?.read16(addr);
  }
  read32(addr: number): number | undefined {
    return this.target()?.read32(addr);
  }
  read64u(addr: number): bigint | undefined {
    return this.target()?.read64u(addr);
  }
  write8(addr: number, value: number): boolean {
    return this.target()?.write8(addr, value) ?? false;
  }
  write16(addr: number, value: number): boolean {
    return this.target()?.write16(addr, value) ?? false;
  }
  write32(addr: number, value: number): boolean {
    return this.target()?.write32(addr, value) ?? false;
  }
  write64u(addr: number, value: bigint): boolean {
    return this.target()?.write64u(addr, value) ?? false;
  }
}
