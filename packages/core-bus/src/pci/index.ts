// @vmapple/core-bus/pci: the PCI device model shared by every PCI device.
export * from './registers.js';
export { PciFunction } from './pci-function.js';
export type { PciBarKind, PciBarOptions, PciFunctionOptions, PciHostPort } from './pci-function.js';
