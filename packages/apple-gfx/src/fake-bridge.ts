import type {
  IosfcCallbacks,
  IosfcDevice,
  PvgBridge,
  PvgDevice,
  PvgDeviceCallbacks,
  PvgDeviceOptions,
  PvgDisplay,
  PvgDisplayCallbacks,
  PvgDisplayDescriptor,
} from './pvg-bridge.js';
import type { DisplayMode } from './display-modes.js';

/** A display in `FakePvgBridge`: frames are rendered when the test (or host) says so. */
export class FakePvgDisplay implements PvgDisplay {
  modes: readonly DisplayMode[] = [];
  cursor = { x: 0, y: 0 };
  /** Renders in progress: resolve them with `completeFrame`. */
  readonly inFlight: Array<{ width: number; height: number; resolve: (bgra: Uint8Array) => void; reject: (e: Error) => void }> = [];

  constructor(
    readonly descriptor: PvgDisplayDescriptor,
    readonly callbacks: PvgDisplayCallbacks,
  ) {}

  setModeList(modes: readonly DisplayMode[]): void {
    this.modes = modes.map((m) => ({ ...m }));
  }

  cursorPosition(): { x: number; y: number } {
    return { ...this.cursor };
  }

  encodeFrame(width: number, height: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => this.inFlight.push({ width, height, resolve, reject }));
  }

  /** Finishes the oldest render with `fill(x, y)` → [b, g, r, a]. */
  completeFrame(fill: (x: number, y: number) => [number, number, number, number]): void {
    const f = this.inFlight.shift();
    if (!f) throw new Error('fake pvg: no frame is rendering');
    const out = new Uint8Array(f.width * f.height * 4);
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) out.set(fill(x, y), (y * f.width + x) * 4);
    }
    f.resolve(out);
  }

  failFrame(): void {
    this.inFlight.shift()?.reject(new Error('fake pvg: render failed'));
  }
}

/**
 * A TypeScript stand-in for ParavirtualizedGraphics.framework: a register
 * file instead of Apple's (unknown) protocol, and direct access to the
 * callbacks the device registered, so tests and demos can play the
 * framework's part.
 */
export class FakePvgBridge implements PvgBridge {
  readonly registers = new Map<number, number>();
  readonly iosfcRegisters = new Map<number, number>();
  readonly accesses: string[] = [];
  device: (PvgDevice & { options: PvgDeviceOptions; callbacks: PvgDeviceCallbacks; resets: number }) | null = null;
  display: FakePvgDisplay | null = null;
  iosfc: IosfcCallbacks | null = null;

  constructor(
    readonly mmioLength = 0x4000,
    readonly maxMsiVectors = 4,
    private readonly rom: Uint8Array | null = null,
  ) {}

  createDevice(options: PvgDeviceOptions, callbacks: PvgDeviceCallbacks): PvgDevice {
    const device = {
      options,
      callbacks,
      resets: 0,
      mmioLength: this.mmioLength,
      mmioRead: (offset: number): number => {
        this.accesses.push(`r ${offset.toString(16)}`);
        return this.registers.get(offset) ?? 0;
      },
      mmioWrite: (offset: number, value: number): void => {
        this.accesses.push(`w ${offset.toString(16)} ${value.toString(16)}`);
        this.registers.set(offset, value);
      },
      reset: (): void => {
        device.resets++;
        this.registers.clear();
      },
      newDisplay: (descriptor: PvgDisplayDescriptor, cb: PvgDisplayCallbacks): PvgDisplay => {
        this.display = new FakePvgDisplay(descriptor, cb);
        return this.display;
      },
      destroy: (): void => {},
    };
    this.device = device;
    return device;
  }

  createIosfc(callbacks: IosfcCallbacks): IosfcDevice {
    this.iosfc = callbacks;
    return {
      mmioRead: (offset) => {
        this.accesses.push(`iosfc r ${offset.toString(16)}`);
        return this.iosfcRegisters.get(offset) ?? 0;
      },
      mmioWrite: (offset, value) => {
        this.accesses.push(`iosfc w ${offset.toString(16)} ${value.toString(16)}`);
        this.iosfcRegisters.set(offset, value);
      },
    };
  }

  optionRom(): Uint8Array | null {
    return this.rom;
  }
}
