// A minimal board around the host: the CPU's address space with ECAM, the window and RAM.
import { AddressSpace, Log, RamRegion } from '@vmapple/core-bus';
import { GpexHost, type GpexHostOptions } from '../src/index.js';

// The vmapple memory map (spec §1.2), written out here rather than taken from the package.
export const ECAM_BASE = 0x4000_0000;
export const MMIO_BASE = 0x5000_0000;
export const MMIO_SIZE = 0x1fff_0000;
export const RAM_BASE = 0x7000_0000;

export function makeBoard(options: Partial<GpexHostOptions> = {}) {
  const log = new Log();
  const sys = new AddressSpace({ name: 'system', log });
  const ram = new RamRegion('ram', 0x10_0000);
  sys.mapRam(RAM_BASE, ram);
  const host = new GpexHost({ mmioWindow: { base: MMIO_BASE, size: MMIO_SIZE }, dma: sys, log, ...options });
  sys.mapMmio(ECAM_BASE, host.ecam);
  sys.mapMmio(options.mmioWindow?.base ?? MMIO_BASE, host.mmio);
  /** CPU address of a config register, from the ECAM layout: bus << 20 | dev << 15 | fn << 12 | reg. */
  const cfg = (bus: number, dev: number, fn: number, reg: number) => ECAM_BASE + bus * 0x10_0000 + dev * 0x8000 + fn * 0x1000 + reg;
  return { host, sys, ram, log, cfg };
}
