import { AddressSpace, RamRegion } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { APPLE_GFX_MMIO, AppleGfxMmio, AppleGfxPci } from '../../src/index.js';
import { loadPvgBridge } from '../../src/node/index.js';

/**
 * Smoke test of the native bridge against the real ParavirtualizedGraphics
 * framework. Runs only on macOS with the shim built; on such a host:
 *   cd packages/apple-gfx && npx node-gyp rebuild && cd ../.. &&
 *   npx vitest run --project apple-gfx test/macos/pvg-smoke.test.ts
 * Elsewhere it is skipped, and the skipped suite's name says why.
 */
const RAM_BASE = 0x7000_0000;
const memory = new AddressSpace();
memory.mapRam(RAM_BASE, new RamRegion('ram', 0x100_0000));
const loaded = loadPvgBridge({ memory });
const why = loaded.ok ? '' : ` (skipped: ${loaded.error.message})`;

describe.skipIf(!loaded.ok)(`PVG native bridge on this Mac${why}`, () => {
  it('reports the framework: MMIO length, MSI vectors, option ROM', () => {
    if (!loaded.ok) return;
    const { bridge } = loaded;
    expect(bridge.mmioLength).toBeGreaterThan(0);
    expect(bridge.mmioLength % 4).toBe(0);
    expect(bridge.maxMsiVectors).toBeGreaterThanOrEqual(1);
    const rom = bridge.optionRom();
    expect(rom).not.toBeNull();
    expect(rom!.length).toBeGreaterThan(0);
  });

  it('an apple-gfx-mmio device on the framework: both windows answer, the display takes its modes, reset works', async () => {
    if (!loaded.ok) return;
    const gfx = new AppleGfxMmio({ bridge: loaded.bridge, memory, displayModes: ['1280x1024@60', '800x600@60'] });
    try {
      memory.mapMmio(APPLE_GFX_MMIO.GFX_BASE, gfx.gfx);
      memory.mapMmio(APPLE_GFX_MMIO.IOSFC_BASE, gfx.iosfc);
      expect(gfx.gfx.size).toBe(loaded.bridge.mmioLength);
      const v = memory.read(APPLE_GFX_MMIO.GFX_BASE, 4);
      expect(Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff).toBe(true);
      const s = memory.read(APPLE_GFX_MMIO.IOSFC_BASE, 4);
      expect(Number.isInteger(s) && s >= 0 && s <= 0xffff_ffff).toBe(true);
      const p = gfx.core.display.cursorPosition();
      expect(Number.isInteger(p.x) && Number.isInteger(p.y)).toBe(true);
      // No guest driver runs, so there may be no frame: the render must still settle (bytes or a rejection).
      const settled = await Promise.race([
        gfx.core.display.encodeFrame(64, 48).then(
          (bgra) => `bytes ${bgra.length}`,
          (e: unknown) => `rejected ${String(e)}`,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 5000)),
      ]);
      expect(settled === `bytes ${64 * 48 * 4}` || settled.startsWith('rejected Error: vmapple_pvg:')).toBe(true);
      gfx.reset();
    } finally {
      gfx.core.device.destroy();
    }
  });

  it('an apple-gfx-pci device is created on the framework with its MMIO length', () => {
    if (!loaded.ok) return;
    const pci = new AppleGfxPci({ bridge: loaded.bridge, memory });
    try {
      expect(pci.core.mmioLength).toBe(loaded.bridge.mmioLength);
    } finally {
      pci.core.device.destroy();
    }
  });
});
