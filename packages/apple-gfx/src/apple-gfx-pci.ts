import { hex, MmioRegion } from '@vmapple/core-bus';
import { PCI_CAP_ID_MSI, PCI_ROM_ADDRESS, PciFunction, type PciHostPort } from '@vmapple/core-bus/pci';
import type { Mapping } from '@vmapple/core-bus';
import { AppleGfxCore, type AppleGfxOptions, migrationBlocked } from './apple-gfx-core.js';

/** IDs and layout of `apple-gfx-pci` (spec §8.5). */
export const APPLE_GFX_PCI = {
  VENDOR_ID: 0x106b,
  DEVICE_ID: 0x1b30,
  /** Display controller, "other" (0x0380), programming interface 0. */
  CLASS_CODE: 0x03_80_00,
  BAR_MMIO: 0,
  /** QEMU's MSI code caps MSI at 32 vectors. */
  MSI_VECTOR_LIMIT: 32,
  /** MSI capability with 64-bit addresses, no per-vector masking. */
  MSI_CAP_LENGTH: 14,
} as const;

const MSI_CONTROL = 2;
const MSI_ADDRESS_LO = 4;
const MSI_ADDRESS_HI = 8;
const MSI_DATA = 12;
const MSI_ENABLE = 1;
const MSI_64BIT = 1 << 7;
const ROM_ENABLE = 1;
const ROM_MIN_SIZE = 0x800;

function pow2AtLeast(n: number, min: number): number {
  let s = min;
  while (s < n) s *= 2;
  return s;
}

/**
 * `apple-gfx-pci` (spec §8.5): a PCI Express display controller whose BAR 0
 * is the GFX register window, with MSI (64-bit, no masking; the framework's
 * `raiseInterrupt(vector)` sends MSI `vector` when MSI is enabled, else
 * nothing; no INTx) and the framework's option ROM as the expansion ROM.
 */
export class AppleGfxPci extends PciFunction {
  readonly core: AppleGfxCore;
  readonly gfx: MmioRegion;
  readonly msiOffset: number;
  readonly msiVectors: number;
  readonly rom: Uint8Array | null;
  readonly romSize: number;
  private readonly romRegion: MmioRegion | null;
  private romPort: PciHostPort | null = null;
  private romMapping: Mapping | null = null;

  constructor(options: AppleGfxOptions) {
    super({
      name: 'apple-gfx-pci',
      vendorId: APPLE_GFX_PCI.VENDOR_ID,
      deviceId: APPLE_GFX_PCI.DEVICE_ID,
      classCode: APPLE_GFX_PCI.CLASS_CODE,
      express: true,
      log: options.log,
    });
    this.core = new AppleGfxCore(options, 'apple-gfx-pci', false, (vector) => this.sendMsi(vector));
    const core = this.core;
    const length = core.mmioLength;
    this.gfx = new MmioRegion({
      name: 'apple-gfx-pci',
      size: pow2AtLeast(length, 16),
      valid: { min: 4, max: 8 },
      impl: { min: 4, max: 4 },
      handler: {
        read: (offset) => (offset < length ? core.read32(offset) : 0),
        write: (offset, _size, value) => {
          if (offset < length) core.write32(offset, value);
        },
      },
    });
    this.addBar({ index: APPLE_GFX_PCI.BAR_MMIO, region: this.gfx, kind: 'mem32' });

    // MSI: vectors = the framework's maximum, capped like QEMU, rounded down to a power of two.
    const max = Math.max(1, Math.min(options.bridge.maxMsiVectors, APPLE_GFX_PCI.MSI_VECTOR_LIMIT));
    const mmc = Math.floor(Math.log2(max));
    this.msiVectors = 1 << mmc;
    const o = this.addCapability(PCI_CAP_ID_MSI, APPLE_GFX_PCI.MSI_CAP_LENGTH);
    this.msiOffset = o;
    this.config[o + MSI_CONTROL] = MSI_64BIT | (mmc << 1);
    this.wmask[o + MSI_CONTROL] = MSI_ENABLE | 0x70;
    this.wmask[o + MSI_ADDRESS_LO] = 0xfc;
    for (let i = 1; i < 4; i++) this.wmask[o + MSI_ADDRESS_LO + i] = 0xff;
    for (let i = 0; i < 4; i++) this.wmask[o + MSI_ADDRESS_HI + i] = 0xff;
    this.wmask[o + MSI_DATA] = 0xff;
    this.wmask[o + MSI_DATA + 1] = 0xff;

    // Expansion ROM: the framework's option ROM image, in a power-of-two window of at least 2 KiB.
    const rom = options.bridge.optionRom();
    this.rom = rom && rom.length > 0 ? rom.slice() : null;
    this.romSize = this.rom ? pow2AtLeast(this.rom.length, ROM_MIN_SIZE) : 0;
    this.romRegion = this.rom ? this.makeRomRegion(this.rom, this.romSize) : null;
    this.sealConfig();
  }

  /** The MSI the device would send for `vector` now, or null (disabled, or vector out of range). */
  msiMessage(vector: number): { address: number; data: number } | null {
    const o = this.msiOffset;
    const control = this.config[o + MSI_CONTROL]!;
    if ((control & MSI_ENABLE) === 0) return null;
    const enabled = 1 << Math.min((control >> 4) & 7, Math.log2(this.msiVectors));
    if (!Number.isInteger(vector) || vector < 0 || vector >= enabled) {
      this.log.guestError(this.name, `MSI vector ${vector} is not among the ${enabled} enabled`);
      return null;
    }
    const lo = this.cfg32(o + MSI_ADDRESS_LO);
    const hi = this.cfg32(o + MSI_ADDRESS_HI);
    const data = this.config[o + MSI_DATA]! | (this.config[o + MSI_DATA + 1]! << 8);
    return { address: hi * 2 ** 32 + lo, data: (data & ~(enabled - 1)) | vector };
  }

  override configWrite(offset: number, size: number, value: number): void {
    super.configWrite(offset, size, value);
    if (offset < PCI_ROM_ADDRESS + 4 && offset + size > PCI_ROM_ADDRESS && this.rom) {
      const mask = (~(this.romSize - 1) & 0xffff_f800) | ROM_ENABLE;
      for (let i = 0; i < size; i++) {
        const at = offset + i;
        if (at < PCI_ROM_ADDRESS || at >= PCI_ROM_ADDRESS + 4) continue;
        const shift = 8 * (at - PCI_ROM_ADDRESS);
        const m = (mask >>> shift) & 0xff;
        this.config[at] = (value >>> (8 * i)) & m & 0xff;
      }
    }
    this.updateRom();
  }

  override attach(port: PciHostPort): void {
    super.attach(port);
    this.romPort = port;
    this.updateRom();
  }

  override detach(): void {
    this.unmapRom();
    this.romPort = null;
    super.detach();
  }

  override reset(): void {
    super.reset();
    this.core.reset();
    this.updateRom();
  }

  /** Always throws SnapshotError: the framework's state cannot be saved (spec §8.1 migration blocker). */
  override saveState(): never {
    return migrationBlocked();
  }

  override restoreState(_state: unknown): never {
    return migrationBlocked();
  }

  /** Where the expansion ROM is mapped now, or undefined. */
  romMappedAt(): number | undefined {
    return this.romMapping ? this.romMapping.base : undefined;
  }

  private sendMsi(vector: number): void {
    const msg = this.msiMessage(vector);
    if (!msg) return;
    // An MSI is a DWORD memory write by the function: dropped when bus mastering is off.
    if (!this.dma.write32(msg.address, msg.data)) {
      this.log.guestError(this.name, `MSI write to ${hex(msg.address)} failed (bus mastering off or nothing there)`);
    }
  }

  private cfg32(at: number): number {
    return (this.config[at]! | (this.config[at + 1]! << 8) | (this.config[at + 2]! << 16) | (this.config[at + 3]! << 24)) >>> 0;
  }

  private makeRomRegion(rom: Uint8Array, size: number): MmioRegion {
    return new MmioRegion({
      name: 'apple-gfx-pci.rom',
      size,
      valid: { min: 1, max: 4 },
      handler: {
        read: (offset, sz) => {
          let v = 0;
          for (let i = sz - 1; i >= 0; i--) v = v * 256 + (rom[offset + i] ?? 0);
          return v;
        },
        write: () => {}, // read-only
      },
    });
  }

  private unmapRom(): void {
    if (this.romMapping && this.romPort) this.romPort.memory.unmap(this.romMapping);
    this.romMapping = null;
  }

  private updateRom(): void {
    const reg = this.cfg32(PCI_ROM_ADDRESS);
    const base = reg & 0xffff_f800;
    const want = this.romRegion && this.romPort && (reg & ROM_ENABLE) !== 0 && this.memoryEnabled && base !== 0 ? base >>> 0 : -1;
    if (this.romMapping && this.romMapping.base === want) return;
    this.unmapRom();
    if (want >= 0 && this.romPort && this.romRegion) {
      this.romMapping = this.romPort.memory.mapMmio(want, this.romRegion, { priority: 1 });
    }
  }
}
