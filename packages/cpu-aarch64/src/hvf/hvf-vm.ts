import { type AddressSpace, ConfigValidator, type InterruptSink, RamRegion } from '@vmapple/core-bus';
import { HvMemory, type HvfNative } from './native-api.js';

export interface HvfVmOptions {
  /** The loaded shim (see `loadHvfNative`), or a fake in tests. */
  native: HvfNative;
  /** The board's physical address space: its RAM regions from `allocateRam` are mapped into the VM. */
  memory: AddressSpace;
  /** Guest physical address width; 0 = HVF's default (36 bits). */
  ipaBits?: number;
  /** Use the macOS 15 in-kernel GICv3 at these addresses instead of the TypeScript GIC. */
  gic?: { distributorBase: number; redistributorBase: number };
}

const PAGE = 0x4000; // 16 KiB host pages on Apple silicon

/**
 * The HVF virtual machine: creates it, allocates guest RAM that HVF and
 * JavaScript share (`allocateRam`), and keeps the VM's stage-2 mappings equal
 * to the RAM mappings of the board's AddressSpace. Guest accesses to
 * anything not mapped (MMIO, and RAM regions not allocated here) exit to
 * `HvfCpu`, which sends them through the AddressSpace.
 */
export class HvfVm {
  readonly native: HvfNative;
  readonly memory: AddressSpace;
  readonly usesHvfGic: boolean;
  /**
   * Every vCPU's vtimer offset: the host counter when the VM was created, so
   * the guest's virtual counter starts near 0 (spec §9.4).
   */
  readonly vtimerOffset: bigint;
  private readonly nativeBuffers = new WeakSet<ArrayBuffer>();
  /** Mapped ranges: guest base → size. */
  private readonly mapped = new Map<number, number>();
  private destroyed = false;
  private readonly unsubscribe: () => void;

  constructor(options: HvfVmOptions) {
    const v = new ConfigValidator('hvf');
    if (!options.native) v.fail('native', 'must be the HVF native shim, got undefined');
    if (!options.memory) v.fail('memory', 'must be an AddressSpace, got undefined');
    const ipaBits = v.int('ipaBits', options.ipaBits, 0, { min: 0, max: 52 });
    if (ipaBits !== 0 && ipaBits < 32) v.fail('ipaBits', `must be 0 (default) or 32..52, got ${ipaBits}`);
    this.native = options.native;
    this.memory = options.memory;
    this.usesHvfGic = options.gic !== undefined;
    if (options.gic) {
      v.int('gic.distributorBase', options.gic.distributorBase, 0, { min: 0 });
      v.int('gic.redistributorBase', options.gic.redistributorBase, 0, { min: 0 });
    }
    this.native.vmCreate(ipaBits, options.gic ?? null);
    this.vtimerOffset = this.native.hostTicks();
    this.unsubscribe = this.memory.onChange(() => this.syncMappings());
    this.syncMappings();
  }

  /** Guest RAM HVF can map: page-aligned native memory wrapped in a RamRegion. */
  allocateRam(name: string, size: number): RamRegion {
    const v = new ConfigValidator('hvf');
    v.int(`${name}.size`, size, 0, { min: PAGE });
    if (size % PAGE !== 0) v.fail(`${name}.size`, `must be a multiple of 16 KiB (the host page), got ${size}`);
    const buffer = this.native.ramAlloc(size);
    if (buffer.byteLength !== size) throw new Error(`hvf: the native allocator returned ${buffer.byteLength} bytes, not ${size}`);
    this.nativeBuffers.add(buffer);
    return new RamRegion(name, buffer);
  }

  /** Whether `ram` lives in native memory HVF can map. */
  isMappable(ram: RamRegion): boolean {
    return this.nativeBuffers.has(ram.buffer);
  }

  /** Brings the VM's mappings in line with the AddressSpace (called on every change). */
  syncMappings(): void {
    if (this.destroyed) return;
    const wanted = new Map<number, { ram: RamRegion; size: number }>();
    for (const m of this.memory.list()) {
      if (!(m.region instanceof RamRegion) || !this.isMappable(m.region)) continue;
      if (m.base % PAGE !== 0) continue; // HVF maps whole pages: leave it to the MMIO path
      const size = Math.floor(m.size / PAGE) * PAGE;
      if (size > 0) wanted.set(m.base, { ram: m.region, size });
    }
    for (const [base, size] of this.mapped) {
      const w = wanted.get(base);
      if (!w || w.size !== size) {
        this.native.vmUnmap(base, size);
        this.mapped.delete(base);
      }
    }
    for (const [base, w] of wanted) {
      if (this.mapped.has(base)) continue;
      this.native.vmMap(w.ram.buffer, 0, base, w.size, HvMemory.RWX);
      this.mapped.set(base, w.size);
    }
  }

  /** Current stage-2 mappings (guest base → size), for tests and diagnostics. */
  mappings(): ReadonlyMap<number, number> {
    return this.mapped;
  }

  /** The macOS 15 HVF GIC as an interrupt sink for SPIs (input n = SPI n, INTID 32 + n). */
  gicSink(): InterruptSink {
    if (!this.usesHvfGic) throw new Error('hvf: the VM was created without the HVF GIC (option gic)');
    return { setInput: (n, level) => this.native.gicSetSpi(32 + n, level) };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.unsubscribe();
    for (const [base, size] of this.mapped) this.native.vmUnmap(base, size);
    this.mapped.clear();
    this.native.vmDestroy();
  }
}
