/**
 * The framework side of apple-gfx (ParavirtualizedGraphics.framework, spec
 * §8.1, §8.4, §8.6) as TypeScript interfaces. A native bridge implements
 * them on macOS; `FakePvgBridge` implements them in TypeScript for tests.
 * The device models (`AppleGfxMmio`, `AppleGfxPci`) hold all logic that is
 * not inside Apple's framework: register forwarding rules, interrupts,
 * guest-memory tasks, modes, serial numbers, frame pacing and cursor.
 */
import type { DisplayMode } from './display-modes.js';

/** `PGPhysicalMemoryRange_t`. */
export interface PhysicalRange {
  physicalAddress: number;
  physicalLength: number;
}

/** Callbacks the device descriptor (`PGDeviceDescriptor`) gives the framework. */
export interface PvgDeviceCallbacks {
  /** `createTask`: reserve `size` bytes of task address space; returns the task id and its base. */
  createTask(size: number): { task: number; baseAddress: number } | null;
  /** `destroyTask`. */
  destroyTask(task: number): void;
  /** `mapMemory`: map guest ranges back to back at task base + `virtualOffset`. */
  mapMemory(task: number, virtualOffset: number, readOnly: boolean, ranges: readonly PhysicalRange[]): boolean;
  /** `unmapMemory`: that sub-range becomes fresh zero pages. */
  unmapMemory(task: number, virtualOffset: number, length: number): boolean;
  /** `readMemory`: copy guest physical memory into `destination`. */
  readMemory(physicalAddress: number, destination: Uint8Array): boolean;
  /** `raiseInterrupt(vector)`. */
  raiseInterrupt(vector: number): void;
}

/** The fields of `NSBitmapImageRep` the cursor callback uses. */
export interface CursorBitmap {
  data: Uint8Array;
  width: number;
  height: number;
  /** `bytesPerRow`. */
  stride: number;
  bitsPerPixel: number;
}

/** Callbacks of `PGDisplayDescriptor`. */
export interface PvgDisplayCallbacks {
  newFrame(): void;
  modeChange(width: number, height: number): void;
  /** The cursor image (`NSBitmapImageRep`: RGBA rows of `stride` bytes when 32 bpp) and its hotspot. */
  cursorGlyph(bitmap: CursorBitmap, hotspotX: number, hotspotY: number): void;
  cursorShow(visible: boolean): void;
  cursorMove(): void;
}

export interface PvgDisplayDescriptor {
  name: string;
  widthMm: number;
  heightMm: number;
  port: number;
  serialNumber: number;
}

/** `PGDisplay`. */
export interface PvgDisplay {
  /** `modeList`. */
  setModeList(modes: readonly DisplayMode[]): void;
  /** `cursorPosition`. */
  cursorPosition(): { x: number; y: number };
  /**
   * `encodeCurrentFrameToCommandBuffer:texture:region:` plus the copy-out:
   * resolves with the frame as BGRA8 rows of `width × 4` bytes.
   */
  encodeFrame(width: number, height: number): Promise<Uint8Array>;
}

/** `PGDevice`. */
export interface PvgDevice {
  readonly mmioLength: number;
  mmioRead(offset: number): number;
  mmioWrite(offset: number, value: number): void;
  reset(): void;
  newDisplay(descriptor: PvgDisplayDescriptor, callbacks: PvgDisplayCallbacks): PvgDisplay;
  destroy(): void;
}

/** Callbacks of the private `PGIOSurfaceHostDeviceDescriptor` (spec §8.4). */
export interface IosfcCallbacks {
  /** Guest range → a host mapping handle, or null when it is not within one RAM region. */
  mapMemory(physicalAddress: number, length: number, readOnly: boolean): number | null;
  /** Drops the mapping made by `mapMemory`. */
  unmapMemory(handle: number): boolean;
  raiseInterrupt(vector: number): boolean;
}

/** `PGIOSurfaceHostDevice`. */
export interface IosfcDevice {
  mmioRead(offset: number): number;
  mmioWrite(offset: number, value: number): void;
}

export interface PvgDeviceOptions {
  /** The MMIO variant sets the private `usingIOSurfaceMapper`. */
  usingIOSurfaceMapper: boolean;
}

/** Entry point of the framework side. */
export interface PvgBridge {
  /** A fresh `PGDeviceDescriptor`'s `mmioLength`. */
  readonly mmioLength: number;
  /** `PG_PCI_MAX_MSI_VECTORS`. */
  readonly maxMsiVectors: number;
  createDevice(options: PvgDeviceOptions, callbacks: PvgDeviceCallbacks): PvgDevice;
  createIosfc(callbacks: IosfcCallbacks): IosfcDevice;
  /** The contents of `PGCopyOptionROMURL()`, or null. */
  optionRom(): Uint8Array | null;
}
