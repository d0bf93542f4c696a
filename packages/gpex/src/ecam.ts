import { type MmioHandler } from '@vmapple/core-bus';
import { type PciFunction } from '@vmapple/core-bus/pci';
import { ECAM_BUS_SHIFT, ECAM_FUNCTION_SHIFT, ECAM_FUNCTION_SIZE } from './constants.js';

/** ECAM offset of a config register: bus << 20 | device << 15 | function << 12 | register. */
export function ecamOffset(bus: number, device: number, fn: number, register: number): number {
  return bus * 2 ** ECAM_BUS_SHIFT + ((device << 3) | fn) * ECAM_FUNCTION_SIZE + register;
}

const ONES = [0, 0xff, 0xffff, 0, 0xffff_ffff];

/**
 * Config space through ECAM. Only the root bus (bus 0) has functions: it is
 * indexed by devfn (device << 3 | function). Config reads of an absent
 * function (or of any other bus) return all ones and writes to it are
 * dropped, as a PCIe root complex completes them with Unsupported Request.
 */
export class EcamHandler implements MmioHandler {
  constructor(private readonly rootBus: ReadonlyArray<PciFunction | null>) {}

  read(offset: number, size: number): number {
    const f = offset >>> ECAM_BUS_SHIFT === 0 ? this.rootBus[offset >>> ECAM_FUNCTION_SHIFT] : null;
    if (!f) return ONES[size]!;
    return f.configRead(offset & (ECAM_FUNCTION_SIZE - 1), size);
  }

  write(offset: number, size: number, value: number): void {
    const f = offset >>> ECAM_BUS_SHIFT === 0 ? this.rootBus[offset >>> ECAM_FUNCTION_SHIFT] : null;
    if (f) f.configWrite(offset & (ECAM_FUNCTION_SIZE - 1), size, value);
  }
}
