/**
 * Where apple-gfx puts the guest's screen: any host UI (a canvas, a window,
 * a VNC server, a PNG dump) implements this. Frames and the cursor image are
 * RGBA8, rows of `stride` bytes.
 */
export interface DisplaySink {
  /** The display size changed (also before the first frame). */
  resize(width: number, height: number): void;
  /** A complete frame. The buffer is only valid during the call. */
  frame(rgba: Uint8Array, width: number, height: number, stride: number): void;
  cursorImage?(rgba: Uint8Array, width: number, height: number, hotspotX: number, hotspotY: number): void;
  cursorVisible?(visible: boolean): void;
  cursorMove?(x: number, y: number): void;
}

/** Converts BGRA8 rows to RGBA8 into `out` (same layout). */
export function bgraToRgba(bgra: Uint8Array, out: Uint8Array = new Uint8Array(bgra.length)): Uint8Array {
  const n = bgra.length & ~3;
  for (let i = 0; i < n; i += 4) {
    out[i] = bgra[i + 2]!;
    out[i + 1] = bgra[i + 1]!;
    out[i + 2] = bgra[i]!;
    out[i + 3] = bgra[i + 3]!;
  }
  return out;
}

export interface RgbaFrame {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** The simplest sink: hands each frame (a copy, tightly packed) to a callback. */
export class CallbackDisplaySink implements DisplaySink {
  width = 0;
  height = 0;
  cursor: { visible: boolean; x: number; y: number; image: RgbaFrame | null; hotspotX: number; hotspotY: number } = {
    visible: true,
    x: 0,
    y: 0,
    image: null,
    hotspotX: 0,
    hotspotY: 0,
  };

  constructor(private readonly onFrame: (frame: RgbaFrame) => void) {}

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }

  frame(rgba: Uint8Array, width: number, height: number, stride: number): void {
    const out = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) out.set(rgba.subarray(y * stride, y * stride + width * 4), y * width * 4);
    this.onFrame({ rgba: out, width, height });
  }

  cursorImage(rgba: Uint8Array, width: number, height: number, hotspotX: number, hotspotY: number): void {
    this.cursor.image = { rgba: rgba.slice(), width, height };
    this.cursor.hotspotX = hotspotX;
    this.cursor.hotspotY = hotspotY;
  }

  cursorVisible(visible: boolean): void {
    this.cursor.visible = visible;
  }

  cursorMove(x: number, y: number): void {
    this.cursor.x = x;
    this.cursor.y = y;
  }
}
