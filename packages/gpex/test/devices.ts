// Test devices: PCI functions with BARs backed by plain register files.
import { type MmioHandler, MmioRegion } from '@vmapple/core-bus';
import { PciFunction, PciPin } from '@vmapple/core-bus/pci';

/** Memory-like registers: what is written is read back, every width. */
export class RegisterFile implements MmioHandler {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  read(offset: number, size: number): number {
    return size === 1 ? this.view.getUint8(offset) : size === 2 ? this.view.getUint16(offset, true) : this.view.getUint32(offset, true);
  }
  write(offset: number, size: number, value: number): void {
    if (size === 1) this.view.setUint8(offset, value);
    else if (size === 2) this.view.setUint16(offset, value, true);
    else this.view.setUint32(offset, value, true);
  }
  read64(offset: number): bigint {
    return this.view.getBigUint64(offset, true);
  }
  write64(offset: number, value: bigint): void {
    this.view.setBigUint64(offset, value, true);
  }
}

export const BAR0_SIZE = 0x1000;
export const BAR2_SIZE = 0x10_0000;

export interface TestDeviceOptions {
  name?: string;
  deviceId?: number;
  pin?: PciPin;
  multiFunction?: boolean;
  /** false: the 256-byte conventional config space. */
  express?: boolean;
}

/**
 * Vendor 0x1234: BAR0 is a 4 KiB 32-bit BAR, BAR2/3 a 1 MiB 64-bit
 * prefetchable BAR; both are register files the test can inspect.
 */
export class TestDevice extends PciFunction {
  readonly regs0 = new RegisterFile(BAR0_SIZE);
  readonly regs2 = new RegisterFile(BAR2_SIZE);

  constructor(options: TestDeviceOptions = {}) {
    super({
      name: options.name ?? 'test-dev',
      vendorId: 0x1234,
      deviceId: options.deviceId ?? 0x5678,
      classCode: 0xff0000,
      revision: 2,
      subsystemVendorId: 0x1af4,
      subsystemId: 0x1100,
      interruptPin: options.pin ?? PciPin.INTA,
      multiFunction: options.multiFunction ?? false,
      express: options.express ?? true,
    });
    this.addBar({ index: 0, region: new MmioRegion({ name: 'bar0', size: BAR0_SIZE, handler: this.regs0, impl: { min: 1, max: 8 } }) });
    this.addBar({
      index: 2,
      kind: 'mem64',
      prefetchable: true,
      region: new MmioRegion({ name: 'bar2', size: BAR2_SIZE, handler: this.regs2, impl: { min: 1, max: 8 } }),
    });
  }
}
