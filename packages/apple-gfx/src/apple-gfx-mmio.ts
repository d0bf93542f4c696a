import { hex, IrqLine, MmioRegion, type RamRegion, type Resettable, type TracePoint } from '@vmapple/core-bus';
import { AppleGfxCore, type AppleGfxOptions, migrationBlocked } from './apple-gfx-core.js';
import type { IosfcDevice } from './pvg-bridge.js';

/** Addresses and interrupts on vmapple (spec §8.3). */
export const APPLE_GFX_MMIO = {
  GFX_BASE: 0x3020_0000,
  IOSFC_BASE: 0x3021_0000,
  IOSFC_SIZE: 0x1_0000,
  /** SPI numbers (INTID = 32 + n). */
  GFX_SPI: 0x11,
  IOSFC_SPI: 0x10,
} as const;

interface IosfcMapping {
  ram: RamRegion;
  offset: number;
  length: number;
}

/** Live IOSFC mappings at most (the framework is trusted, but the table stays bounded). */
const MAX_IOSFC_MAPPINGS = 65536;

/**
 * `apple-gfx-mmio` (spec §8.3, §8.4): the GFX register window (accesses of 4
 * or 8 bytes, forwarded as 32-bit units) and the IOSFC window (4 or 8 bytes,
 * not split: 8-byte reads are zero-extended, 8-byte writes truncated), each
 * with a pulsed interrupt. Map `gfx` at 0x3020_0000 and `iosfc` at
 * 0x3021_0000; wire `gfxIrq` to SPI 0x11 and `iosfcIrq` to SPI 0x10.
 */
export class AppleGfxMmio implements Resettable {
  readonly core: AppleGfxCore;
  readonly gfx: MmioRegion;
  readonly iosfc: MmioRegion;
  readonly gfxIrq = new IrqLine();
  readonly iosfcIrq = new IrqLine();
  readonly iosfcDevice: IosfcDevice;
  private readonly iosfcMaps = new Map<number, IosfcMapping>();
  private nextHandle = 1;
  private readonly traceIosfcRead: TracePoint;
  private readonly traceIosfcWrite: TracePoint;

  constructor(options: AppleGfxOptions) {
    this.core = new AppleGfxCore(options, 'apple-gfx-mmio', true, () => this.gfxIrq.pulse());
    const log = this.core.log;
    this.traceIosfcRead = log.tracePoint('apple_gfx_mmio_iosfc_read');
    this.traceIosfcWrite = log.tracePoint('apple_gfx_mmio_iosfc_write');
    const core = this.core;
    this.gfx = new MmioRegion({
      name: 'apple-gfx-mmio',
      size: core.mmioLength,
      valid: { min: 4, max: 8 },
      impl: { min: 4, max: 4 },
      handler: {
        read: (offset) => core.read32(offset),
        write: (offset, _size, value) => core.write32(offset, value),
      },
    });
    const memory = options.memory;
    this.iosfcDevice = options.bridge.createIosfc({
      mapMemory: (addr, length, _readOnly) => {
        const hit = memory.ramAt(addr);
        if (!hit || length <= 0 || hit.limit < length || this.iosfcMaps.size >= MAX_IOSFC_MAPPINGS) {
          log.guestError('apple-gfx-mmio', `IOSFC: cannot map guest ${hex(addr)}+${hex(length)} (not guest RAM)`);
          return null;
        }
        const handle = this.nextHandle++;
        this.iosfcMaps.set(handle, { ram: hit.ram, offset: hit.offset, length });
        return handle;
      },
      unmapMemory: (handle) => this.iosfcMaps.delete(handle),
      raiseInterrupt: () => {
        this.iosfcIrq.pulse();
        return true;
      },
    });
    this.iosfc = new MmioRegion({
      name: 'apple-gfx-iosfc',
      size: APPLE_GFX_MMIO.IOSFC_SIZE,
      valid: { min: 4, max: 8 },
      impl: { min: 4, max: 8 },
      handler: {
        read: (offset) => this.iosfcRead(offset),
        write: (offset, _size, value) => this.iosfcWrite(offset, value),
        read64: (offset) => BigInt(this.iosfcRead(offset)),
        write64: (offset, value) => this.iosfcWrite(offset, Number(value & 0xffff_ffffn)),
      },
    });
  }

  /** The guest bytes behind an IOSFC mapping handle (what a native bridge hands PVG as a pointer). */
  iosfcMapping(handle: number): Uint8Array | undefined {
    const m = this.iosfcMaps.get(handle);
    return m ? m.ram.bytes.subarray(m.offset, m.offset + m.length) : undefined;
  }

  get iosfcMappingCount(): number {
    return this.iosfcMaps.size;
  }

  reset(): void {
    this.core.reset();
    this.gfxIrq.lower();
    this.iosfcIrq.lower();
  }

  /** Always throws SnapshotError: the framework's state cannot be saved (spec §8.1 migration blocker). */
  saveState(): never {
    return migrationBlocked();
  }

  restoreState(_state: unknown): never {
    return migrationBlocked();
  }

  private iosfcRead(offset: number): number {
    const v = this.iosfcDevice.mmioRead(offset) >>> 0;
    if (this.traceIosfcRead.enabled) this.traceIosfcRead.emit(`${hex(offset)} -> ${hex(v)}`);
    return v;
  }

  private iosfcWrite(offset: number, value: number): void {
    if (this.traceIosfcWrite.enabled) this.traceIosfcWrite.emit(`${hex(offset)} <- ${hex(value >>> 0)}`);
    this.iosfcDevice.mmioWrite(offset, value >>> 0);
  }
}
