// Public API of @vmapple/core-bus. The PCI device model is at @vmapple/core-bus/pci.
export { type AccessRules, type AccessSize, BusStatus, isAccessSize } from './access.js';
export { AddressSpace, Mapping, type AddressSpaceOptions, type MapOptions, type UnmappedPolicy } from './address-space.js';
export { type ClockMode, type ClockOptions, Timer, VirtualClock } from './clock.js';
export { ConfigError, ConfigValidator, type IntRange } from './config.js';
export { type GuestMemory } from './guest-memory.js';
export { type InterruptSink, type InterruptTarget, IrqLine, IrqProbe, sinkInput, WiredOr } from './irq.js';
export { hex, Log, type LogEntry, type LogKind, type LogSink, silentLog, TracePoint } from './log.js';
export { type MmioHandler, MmioRegion, type MmioRegionOptions } from './mmio.js';
export { RamRegion } from './ram.js';
export { type Resettable, ResetDomain } from './reset.js';
export {
  base64ToBytes,
  bytesToBase64,
  checkState,
  type DeviceState,
  makeState,
  SnapshotError,
  type Snapshottable,
} from './snapshot.js';
export { type BlockBackend, MemoryBlockBackend } from './block.js';
export { type SysregValue, type SystemRegisterHandler, sysregEncoding } from './sysreg.js';
