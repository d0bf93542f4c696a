// Public API of @vmapple/gpex: the generic PCI Express host bridge.
export { GpexHost, type GpexHostOptions, type PlugOptions, type PlugResult } from './gpex-host.js';
export { GpexHostBridge } from './host-bridge.js';
export {
  type GpexDescription,
  type GpexInterruptMapEntry,
  type GpexRange,
  gpexInterruptMapCells,
  gpexRangesCells,
  gpexRegCells,
} from './description.js';
export { ecamOffset } from './ecam.js';
export { intxLine } from './swizzle.js';
export {
  ECAM_BUS_SIZE,
  ECAM_FUNCTION_SIZE,
  ECAM_MAX_SIZE,
  GPEX_HOST_CLASS_CODE,
  GPEX_HOST_DEVICE_ID,
  GPEX_HOST_SUBSYSTEM_ID,
  GPEX_HOST_SUBSYSTEM_VENDOR_ID,
  GPEX_HOST_VENDOR_ID,
  PCI_RANGE_MEM32,
  PCI_RANGE_MEM64,
  VIRT_PCIE_INTX_LINES,
  VMAPPLE_PCIE,
} from './constants.js';
