import { type AddressSpace, type MmioHandler } from '@vmapple/core-bus';

/**
 * The CPU's view of a PCI memory window: offset o of the window is PCI
 * address base + o (identity mapping when the window sits at `base` in the
 * CPU's address space). Every access width, 8 bytes included, goes on to
 * the PCI memory space, where the BARs are mapped.
 */
export class MmioWindowHandler implements MmioHandler {
  constructor(
    private readonly pci: AddressSpace,
    private readonly base: number,
  ) {}

  read(offset: number, size: number): number {
    return this.pci.read(this.base + offset, size);
  }

  write(offset: number, size: number, value: number): void {
    this.pci.write(this.base + offset, size, value);
  }

  read64(offset: number): bigint {
    return this.pci.read64(this.base + offset);
  }

  write64(offset: number, value: bigint): void {
    this.pci.write64(this.base + offset, value);
  }
}
