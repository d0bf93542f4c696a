import { type Log } from '@vmapple/core-bus';
import { bgraToRgba, type DisplaySink } from './display-sink.js';
import type { CursorBitmap, PvgDisplay, PvgDisplayCallbacks } from './pvg-bridge.js';

/** Frames requested but not finished; a request beyond this is dropped (spec §8.1). */
export const MAX_PENDING_FRAMES = 2;

/**
 * The display callbacks of spec §8.1: frame pacing (at most two frames in
 * flight, one render at a time, a frame finished after a mode change is
 * discarded), mode changes, and the cursor, all delivered to a DisplaySink.
 */
export class FramePump implements PvgDisplayCallbacks {
  width = 0;
  height = 0;
  /** Frames requested and not finished (including the one rendering). */
  pending = 0;
  rendering = false;
  framesDelivered = 0;
  framesDropped = 0;
  framesDiscarded = 0;
  display: PvgDisplay | null = null;
  private rgba = new Uint8Array(0);
  /** Bumped by reset so a render finishing afterwards is ignored. */
  private epoch = 0;

  constructor(
    private readonly sink: DisplaySink | undefined,
    private readonly log: Log,
    private readonly source: string,
  ) {}

  newFrame(): void {
    if (this.pending >= MAX_PENDING_FRAMES) {
      this.framesDropped++;
      return;
    }
    this.pending++;
    if (!this.rendering) this.render();
  }

  modeChange(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.sink?.resize(width, height);
  }

  cursorGlyph(bitmap: CursorBitmap, hotspotX: number, hotspotY: number): void {
    if (bitmap.bitsPerPixel !== 32) return; // only 32 bpp glyphs are shown (spec §8.1)
    const { width, height, stride, data } = bitmap;
    if (width <= 0 || height <= 0 || stride < width * 4 || data.length < (height - 1) * stride + width * 4) {
      this.log.guestError(this.source, `cursor glyph ${width}x${height} stride ${stride} does not fit its ${data.length} bytes`);
      return;
    }
    const out = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) out.set(data.subarray(y * stride, y * stride + width * 4), y * width * 4);
    this.sink?.cursorImage?.(out, width, height, hotspotX, hotspotY);
  }

  cursorShow(visible: boolean): void {
    this.sink?.cursorVisible?.(visible);
  }

  cursorMove(): void {
    if (!this.display) return;
    const p = this.display.cursorPosition();
    this.sink?.cursorMove?.(p.x, p.y);
  }

  /** Forgets frames in flight (device reset). */
  reset(): void {
    this.epoch++;
    this.pending = 0;
    this.rendering = false;
  }

  private render(): void {
    const display = this.display;
    if (!display || this.width === 0 || this.height === 0) {
      // Nothing to render into yet: the request is consumed.
      this.pending = 0;
      return;
    }
    this.rendering = true;
    const w = this.width;
    const h = this.height;
    const epoch = this.epoch;
    display.encodeFrame(w, h).then(
      (bgra) => this.finished(epoch, w, h, bgra),
      (e: unknown) => {
        this.log.info(this.source, `frame render failed: ${String(e)}`);
        this.finished(epoch, w, h, null);
      },
    );
  }

  private finished(epoch: number, w: number, h: number, bgra: Uint8Array | null): void {
    if (epoch !== this.epoch) return;
    this.pending = Math.max(0, this.pending - 1);
    this.rendering = false;
    if (bgra && w === this.width && h === this.height && bgra.length >= w * h * 4) {
      if (this.rgba.length !== w * h * 4) this.rgba = new Uint8Array(w * h * 4);
      bgraToRgba(bgra.subarray(0, w * h * 4), this.rgba);
      this.sink?.frame(this.rgba, w, h, w * 4);
      this.framesDelivered++;
    } else {
      this.framesDiscarded++;
    }
    if (this.pending > 0) this.render();
  }
}
