import { AddressSpace, MmioRegion, RamRegion } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { FakePvgBridge } from '../src/index.js';
import { loadPvgBridge, nativeHostFor, PVG_REQUIREMENT, type PvgNativeHost } from '../src/node/index.js';

function memoryRig() {
  const memory = new AddressSpace();
  const low = new RamRegion('low', 0x1_0000);
  const high = new RamRegion('high', 0x1_0000);
  memory.mapRam(0x4000_0000, low);
  memory.mapRam(0x4001_0000, high); // adjacent to `low`, a different region
  memory.mapMmio(0x5000_0000, new MmioRegion({ name: 'dev', size: 0x1000, handler: { read: () => 0, write: () => {} } }));
  return { memory, low, high };
}

describe('nativeHostFor (what the native shim asks of TypeScript)', () => {
  it('ramView shares guest RAM bytes in both directions (the bus is the oracle)', () => {
    const { memory } = memoryRig();
    const view = nativeHostFor(memory).ramView(0x4000_1000, 0x100, true)!;
    expect(view.length).toBe(0x100);
    view[0] = 0x5a;
    view[0xff] = 0xa5;
    expect(memory.read(0x4000_1000, 1)).toBe(0x5a);
    expect(memory.read(0x4000_10ff, 1)).toBe(0xa5);
    memory.write(0x4000_1010, 4, 0xdead_beef);
    expect([...view.subarray(0x10, 0x14)]).toEqual([0xef, 0xbe, 0xad, 0xde]);
    // The last bytes of a region are reachable, and the second region starts at its own offset 0.
    expect(nativeHostFor(memory).ramView(0x4000_fff0, 0x10, false)!.length).toBe(0x10);
    memory.write(0x4001_0000, 1, 0x77);
    expect(nativeHostFor(memory).ramView(0x4001_0000, 1, false)![0]).toBe(0x77);
  });

  it('ramView refuses what is not wholly inside one RAM region', () => {
    const { memory } = memoryRig();
    const host = nativeHostFor(memory);
    expect(host.ramView(0x4000_fff0, 0x20, true)).toBeNull(); // crosses into the next region
    expect(host.ramView(0x4001_fff0, 0x20, true)).toBeNull(); // runs past the end of RAM
    expect(host.ramView(0x5000_0000, 4, true)).toBeNull(); // MMIO
    expect(host.ramView(0x6000_0000, 4, true)).toBeNull(); // unmapped
    expect(host.ramView(0x4000_0000, 0, true)).toBeNull();
    expect(host.ramView(0x4000_0000, -4, true)).toBeNull();
    expect(host.ramView(0x4000_0000, 1.5, true)).toBeNull();
    expect(host.ramView(-1, 4, true)).toBeNull();
  });
});

describe('loadPvgBridge on macOS (addon replaced by a test double)', () => {
  it('returns the bridge the addon builds, with a host over the given memory', () => {
    const { memory } = memoryRig();
    const made = new FakePvgBridge();
    let host: PvgNativeHost | undefined;
    const loaded: string[] = [];
    const r = loadPvgBridge({
      platform: 'darwin',
      memory,
      requireAddon: (path) => {
        loaded.push(path);
        return { probe: () => ({ framework: true, optionRomPath: '' }), createBridge: (h: PvgNativeHost) => ((host = h), made) };
      },
    });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.bridge).toBe(made);
    expect(loaded).toEqual(['../../build/Release/vmapple_pvg.node']);
    host!.ramView(0x4000_0020, 4, true)!.set([1, 2, 3, 4]);
    expect(memory.read(0x4000_0020, 4)).toBe(0x0403_0201);
  });

  it('tries the second build location when the first is missing', () => {
    const { memory } = memoryRig();
    const made = new FakePvgBridge();
    const r = loadPvgBridge({
      platform: 'darwin',
      memory,
      requireAddon: (path) => {
        if (path.startsWith('../../')) throw new Error(`Cannot find module '${path}'\nRequire stack: ...`);
        return { probe: () => ({ framework: true, optionRomPath: '' }), createBridge: () => made };
      },
    });
    expect(r.ok && r.bridge).toBe(made);
  });

  it('fails in one line: the old stub, missing memory, a shim that throws, nothing built', () => {
    const { memory } = memoryRig();
    const stub = loadPvgBridge({ platform: 'darwin', memory, requireAddon: () => ({ probe: () => ({}) }) });
    const noMemory = loadPvgBridge({ platform: 'darwin', requireAddon: () => ({ createBridge: () => new FakePvgBridge() }) });
    const throws = loadPvgBridge({
      platform: 'darwin',
      memory,
      requireAddon: () => ({
        createBridge: () => {
          throw new Error('vmapple_pvg: no Metal device\nsecond line');
        },
      }),
    });
    const missing = loadPvgBridge({
      platform: 'darwin',
      memory,
      requireAddon: (path) => {
        throw new Error(`Cannot find module '${path}'\nRequire stack: ...`);
      },
    });
    const messages = [stub, noMemory, throws, missing].map((r) => (r.ok ? 'ok' : r.error.message));
    for (const m of messages) {
      expect(m.startsWith(PVG_REQUIREMENT)).toBe(true);
      expect(m).not.toContain('\n');
    }
    expect(messages[0]).toMatch(/old stub.*npx node-gyp rebuild/);
    expect(messages[1]).toMatch(/loadPvgBridge\(\{ memory \}\)/);
    expect(messages[2]).toMatch(/failed: vmapple_pvg: no Metal device$/);
    expect(messages[3]).toMatch(/npx node-gyp rebuild.*Cannot find module '..\/..\/build\/Release\/vmapple_pvg.node'/);
  });
});
