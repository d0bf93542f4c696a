// Public API of @vmapple/apple-gfx. The Node loader of the native bridge is at @vmapple/apple-gfx/node.
export { AppleGfxCore, type AppleGfxOptions, DISPLAY_NAME, DISPLAY_SIZE_MM, MIGRATION_BLOCKED } from './apple-gfx-core.js';
export { APPLE_GFX_MMIO, AppleGfxMmio } from './apple-gfx-mmio.js';
export { APPLE_GFX_PCI, AppleGfxPci } from './apple-gfx-pci.js';
export {
  DEFAULT_DISPLAY_MODES,
  type DisplayMode,
  formatDisplayMode,
  parseDisplayMode,
  parseDisplayModes,
} from './display-modes.js';
export { bgraToRgba, CallbackDisplaySink, type DisplaySink, type RgbaFrame } from './display-sink.js';
export { FakePvgBridge, FakePvgDisplay } from './fake-bridge.js';
export { FramePump, MAX_PENDING_FRAMES } from './frame-pump.js';
export type {
  CursorBitmap,
  IosfcCallbacks,
  IosfcDevice,
  PhysicalRange,
  PvgBridge,
  PvgDevice,
  PvgDeviceCallbacks,
  PvgDeviceOptions,
  PvgDisplay,
  PvgDisplayCallbacks,
  PvgDisplayDescriptor,
} from './pvg-bridge.js';
export { nextDisplaySerialNumber, resetDisplaySerialNumbers } from './serial-numbers.js';
export { type TaskMapping, TaskTable } from './task-table.js';
