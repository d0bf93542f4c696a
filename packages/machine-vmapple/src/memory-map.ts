/**
 * The vmapple board's physical memory map and interrupt numbers
 * (shared/spec/vmapple-hardware.md §1.2, §1.3). SPI n is GIC INTID 32 + n.
 */
export const MEMORY_MAP = {
  firmware: { base: 0x0010_0000, size: 0x0010_0000 },
  cfg: { base: 0x0040_0000, size: 0x0001_0000 },
  gicDistributor: { base: 0x1000_0000, size: 0x0001_0000 },
  gicRedistributors: { base: 0x1001_0000, size: 0x0040_0000 },
  uart: { base: 0x2001_0000, size: 0x1000 },
  rtc: { base: 0x2005_0000, size: 0x1000 },
  gpio: { base: 0x2006_0000, size: 0x1000 },
  pvpanic: { base: 0x2007_0000, size: 0x2 },
  bdif: { base: 0x3000_0000, size: 0x0020_0000 },
  gfx: { base: 0x3020_0000, size: 0x0001_0000 },
  gfxIosfc: { base: 0x3021_0000, size: 0x0001_0000 },
  aes: { base: 0x3022_0000, size: 0x4000 },
  aes2: { base: 0x3023_0000, size: 0x4000 },
  pcieEcam: { base: 0x4000_0000, size: 0x1000_0000 },
  pcieMmio: { base: 0x5000_0000, size: 0x1fff_0000 },
  ram: { base: 0x7000_0000 },
} as const;

/** SPI numbers (GIC INTID = 32 + SPI). */
export const SPI = {
  uart: 1,
  rtc: 2,
  gpio: 5,
  gfxIosfc: 0x10,
  gfx: 0x11,
  aes: 0x12,
  /** PCIe INTx line L is SPI pcieIntxBase + L, L = 0..15. */
  pcieIntxBase: 0x20,
} as const;

export const PCIE_INTX_LINES = 16;

/** Private peripheral interrupts (INTIDs). */
export const PPI = {
  virtualTimer: 27,
  physicalTimer: 30,
} as const;

export const GIC_SPI_COUNT = 256;
export const MAX_CPUS = 32;
/** The power button is PL061 input line 3, held high for 100 ms. */
export const POWER_BUTTON_LINE = 3;
export const POWER_BUTTON_PULSE_NS = 100_000_000;

/** MPIDR affinity of CPU n: Aff0 = n mod 16, Aff1 = n div 16 (GICv3 target lists of 16). */
export function mpidrOf(index: number): bigint {
  return BigInt(((index >> 4) << 8) | (index & 15));
}
