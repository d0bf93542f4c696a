import { describe, expect, it } from 'vitest';
import { bgraToRgba, MAX_PENDING_FRAMES } from '../src/index.js';
import { mmioRig } from './helpers.js';

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('apple-gfx frames and cursor (spec §8.1 display callbacks)', () => {
  it('delivers a finished frame to the sink as RGBA (BGRA channels swapped)', async () => {
    const r = mmioRig();
    const cb = r.display.callbacks;
    cb.modeChange(3, 2);
    expect([r.sink.width, r.sink.height]).toEqual([3, 2]);
    cb.newFrame();
    expect(r.display.inFlight).toHaveLength(1);
    r.display.completeFrame((x, y) => [x, y, 200, 255]); // B = x, G = y, R = 200
    await settle();
    expect(r.frames).toHaveLength(1);
    const f = r.frames[0]!;
    expect([f.width, f.height]).toEqual([3, 2]);
    expect([...f.rgba.subarray(4 * 4, 4 * 5)]).toEqual([200, 1, 1, 255]); // pixel (1, 1)
  });

  it('at most two frames in flight, one render at a time; a third request is dropped', async () => {
    const r = mmioRig();
    const cb = r.display.callbacks;
    cb.modeChange(2, 2);
    cb.newFrame();
    cb.newFrame();
    cb.newFrame();
    expect(MAX_PENDING_FRAMES).toBe(2);
    expect(r.display.inFlight).toHaveLength(1); // only one render runs
    expect(r.gfx.core.frames.framesDropped).toBe(1);
    r.display.completeFrame(() => [0, 0, 0, 255]);
    await settle();
    expect(r.display.inFlight).toHaveLength(1); // the pending one starts next
    r.display.completeFrame(() => [0, 0, 0, 255]);
    await settle();
    expect(r.display.inFlight).toHaveLength(0);
    expect(r.frames).toHaveLength(2);
  });

  it('a frame that finishes after a mode change is discarded; same-size mode changes are no-ops', async () => {
    const r = mmioRig();
    const cb = r.display.callbacks;
    let resizes = 0;
    const resize = r.sink.resize.bind(r.sink);
    r.sink.resize = (w, h) => {
      resizes++;
      resize(w, h);
    };
    cb.modeChange(4, 4);
    cb.modeChange(4, 4);
    expect(resizes).toBe(1);
    cb.newFrame();
    cb.modeChange(8, 8);
    r.display.completeFrame(() => [1, 2, 3, 4]);
    await settle();
    expect(r.frames).toHaveLength(0);
    expect(r.gfx.core.frames.framesDiscarded).toBe(1);
    cb.newFrame();
    expect(r.display.inFlight[0]).toMatchObject({ width: 8, height: 8 });
  });

  it('a failed render frees the slot', async () => {
    const r = mmioRig();
    r.display.callbacks.modeChange(1, 1);
    r.display.callbacks.newFrame();
    r.display.failFrame();
    await settle();
    expect(r.gfx.core.frames.pending).toBe(0);
    r.display.callbacks.newFrame();
    expect(r.display.inFlight).toHaveLength(1);
  });

  it('cursor: 32 bpp glyphs honour the row stride; others are ignored; show and move', () => {
    const r = mmioRig();
    const cb = r.display.callbacks;
    const stride = 12; // 2 pixels of 4 bytes + 4 bytes of padding
    const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 99, 99, 99, 99, 9, 10, 11, 12, 13, 14, 15, 16, 99, 99, 99, 99]);
    cb.cursorGlyph({ data, width: 2, height: 2, stride, bitsPerPixel: 32 }, 1, 0);
    expect([...r.sink.cursor.image!.rgba]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect([r.sink.cursor.hotspotX, r.sink.cursor.hotspotY]).toEqual([1, 0]);
    cb.cursorGlyph({ data: new Uint8Array(6), width: 2, height: 1, stride: 6, bitsPerPixel: 24 }, 0, 0);
    expect(r.sink.cursor.image!.width).toBe(2);
    cb.cursorGlyph({ data: new Uint8Array(4), width: 2, height: 2, stride: 8, bitsPerPixel: 32 }, 0, 0);
    expect(r.entries.some((e) => e.kind === 'guest-error')).toBe(true);
    cb.cursorShow(false);
    expect(r.sink.cursor.visible).toBe(false);
    r.display.cursor = { x: 640, y: 400 };
    cb.cursorMove();
    expect([r.sink.cursor.x, r.sink.cursor.y]).toEqual([640, 400]);
  });

  it('bgraToRgba swaps B and R of every pixel', () => {
    expect([...bgraToRgba(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))]).toEqual([3, 2, 1, 4, 7, 6, 5, 8]);
  });

  it('reset forgets frames in flight', async () => {
    const r = mmioRig();
    r.display.callbacks.modeChange(1, 1);
    r.display.callbacks.newFrame();
    r.gfx.reset();
    r.display.completeFrame(() => [0, 0, 0, 0]);
    await settle();
    expect(r.frames).toHaveLength(0);
    r.display.callbacks.newFrame();
    expect(r.display.inFlight).toHaveLength(1);
  });
});
