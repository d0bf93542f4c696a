// Public API of @vmapple/machine-vmapple: the board, its memory map, PSCI and the loaders.
export { type BoardDisk, type DirectKernel, VmappleBoard, type VmappleBoardOptions } from './board.js';
export { buildDeviceTree, type DeviceTreeInput, type PciInterruptMapEntry } from './device-tree.js';
export { KernelImageError, type KernelSegment, type LoadedKernel, loadKernel, RAW_KERNEL_OFFSET } from './kernel-image.js';
export * from './memory-map.js';
export { createPsciHandler, PSCI, PSCI_RET, type PsciBoard, SMCCC } from './psci.js';
export { type MachineExit, Runner, type Runnable, SLICE, type StepResult } from './runner.js';
export { parseSize, parseU64 } from './size.js';
export { EXIT } from './cli/exit-codes.js';
