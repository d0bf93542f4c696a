/**
 * Facts about the generic PCIe host: the ECAM layout (PCIe Base Specification
 * §7.2.2), the host bridge's identity, and the vmapple board's placement of it
 * (vmapple hardware spec §1.2, §1.3, §1.9, §7).
 */

/** ECAM offset = bus << 20 | device << 15 | function << 12 | register. */
export const ECAM_BUS_SHIFT = 20;
export const ECAM_DEVICE_SHIFT = 15;
export const ECAM_FUNCTION_SHIFT = 12;
/** Config space bytes per function (4 KiB), and ECAM bytes per bus (1 MiB). */
export const ECAM_FUNCTION_SIZE = 1 << ECAM_FUNCTION_SHIFT;
export const ECAM_BUS_SIZE = 1 << ECAM_BUS_SHIFT;
/** ECAM covering all 256 buses. */
export const ECAM_MAX_SIZE = 256 * ECAM_BUS_SIZE;

export const PCI_SLOTS = 32;
export const PCI_FUNCTIONS = 8;
/** INTx pins per function: INTA..INTD. */
export const PCI_INTX_PINS = 4;

/** The host bridge function 00:00.0: Red Hat's PCIe host bridge ID, class "host bridge". */
export const GPEX_HOST_VENDOR_ID = 0x1b36;
export const GPEX_HOST_DEVICE_ID = 0x0008;
export const GPEX_HOST_CLASS_CODE = 0x060000;
export const GPEX_HOST_SUBSYSTEM_VENDOR_ID = 0x1af4;
export const GPEX_HOST_SUBSYSTEM_ID = 0x1100;

/** The vmapple board's values (spec §1.2, §1.9). */
export const VMAPPLE_PCIE = {
  ecamBase: 0x4000_0000,
  ecamSize: 0x1000_0000,
  mmioBase: 0x5000_0000,
  mmioSize: 0x1fff_0000,
  intxLines: 16,
  spiBase: 0x20,
} as const;

/** QEMU's virt board: 4 lines (the classic swizzle) from SPI 3. */
export const VIRT_PCIE_INTX_LINES = 4;

/** Device tree `ranges` phys.hi space codes (IEEE 1275 PCI binding): 32-bit and 64-bit memory. */
export const PCI_RANGE_MEM32 = 0x0200_0000;
export const PCI_RANGE_MEM64 = 0x0300_0000;

/** GIC interrupt specifier cells (arm,gic-v3 binding): SPI type and level-high trigger. */
export const GIC_SPI = 0;
export const IRQ_TYPE_LEVEL_HIGH = 4;

/** Largest SPI index a GICv3 has (INTIDs 32..1019). */
export const GIC_MAX_SPI = 987;
