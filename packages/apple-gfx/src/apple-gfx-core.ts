import { type AddressSpace, hex, type Log, silentLog, SnapshotError, type TracePoint } from '@vmapple/core-bus';
import { type DisplayMode, parseDisplayModes } from './display-modes.js';
import type { DisplaySink } from './display-sink.js';
import { FramePump } from './frame-pump.js';
import type { PvgBridge, PvgDevice, PvgDisplay } from './pvg-bridge.js';
import { nextDisplaySerialNumber } from './serial-numbers.js';
import { TaskTable } from './task-table.js';

export interface AppleGfxOptions {
  /** The framework side: the native bridge on macOS, or `FakePvgBridge`. */
  bridge: PvgBridge;
  /** Guest physical memory (tasks map its RAM; readMemory reads it). */
  memory: AddressSpace;
  /** `display-modes`: `"WIDTHxHEIGHT@RATE"` strings; empty or absent = the three defaults. */
  displayModes?: readonly string[];
  /** Where frames and the cursor go. */
  sink?: DisplaySink;
  log?: Log;
}

/** Why snapshots refuse apple-gfx: the framework's state cannot be saved (QEMU installs a migration blocker). */
export const MIGRATION_BLOCKED = 'apple-gfx: migration state is blocked by the apple-gfx display device';

/** Throws the migration blocker (both variants' saveState/restoreState). */
export function migrationBlocked(): never {
  throw new SnapshotError(MIGRATION_BLOCKED);
}

/** Display descriptor values (spec §8.1). */
export const DISPLAY_NAME = 'QEMU display';
export const DISPLAY_SIZE_MM = { width: 400, height: 300 } as const;

/**
 * What both variants share (spec §8.1): the PGDevice and its callbacks, one
 * display with a serial number, the mode list, frame pacing, and register
 * forwarding in 32-bit units.
 */
export class AppleGfxCore {
  readonly device: PvgDevice;
  readonly display: PvgDisplay;
  readonly modes: readonly DisplayMode[];
  readonly serialNumber: number;
  readonly tasks: TaskTable;
  readonly frames: FramePump;
  readonly log: Log;
  private readonly traceRead: TracePoint;
  private readonly traceWrite: TracePoint;

  constructor(
    options: AppleGfxOptions,
    readonly name: string,
    usingIOSurfaceMapper: boolean,
    raiseInterrupt: (vector: number) => void,
  ) {
    this.log = options.log ?? silentLog;
    this.modes = parseDisplayModes(options.displayModes, name);
    this.tasks = new TaskTable(options.memory, this.log, name);
    this.frames = new FramePump(options.sink, this.log, name);
    const memory = options.memory;
    this.traceRead = this.log.tracePoint('apple_gfx_read');
    this.traceWrite = this.log.tracePoint('apple_gfx_write');
    this.device = options.bridge.createDevice(
      { usingIOSurfaceMapper },
      {
        createTask: (size) => this.tasks.create(size),
        destroyTask: (task) => this.tasks.destroy(task),
        mapMemory: (task, offset, readOnly, ranges) => this.tasks.map(task, offset, readOnly, ranges),
        unmapMemory: (task, offset, length) => this.tasks.unmap(task, offset, length),
        readMemory: (addr, dest) => memory.readBytes(addr, dest),
        raiseInterrupt,
      },
    );
    this.serialNumber = nextDisplaySerialNumber();
    this.display = this.device.newDisplay(
      { name: DISPLAY_NAME, widthMm: DISPLAY_SIZE_MM.width, heightMm: DISPLAY_SIZE_MM.height, port: 0, serialNumber: this.serialNumber },
      this.frames,
    );
    this.frames.display = this.display;
    this.display.setModeList(this.modes);
    options.sink?.cursorVisible?.(true); // the cursor starts shown
  }

  get mmioLength(): number {
    return this.device.mmioLength;
  }

  read32(offset: number): number {
    const v = this.device.mmioRead(offset) >>> 0;
    if (this.traceRead.enabled) this.traceRead.emit(`${hex(offset)} -> ${hex(v)}`);
    return v;
  }

  write32(offset: number, value: number): void {
    if (this.traceWrite.enabled) this.traceWrite.emit(`${hex(offset)} <- ${hex(value >>> 0)}`);
    this.device.mmioWrite(offset, value >>> 0);
  }

  reset(): void {
    this.device.reset();
    this.frames.reset();
  }
}
