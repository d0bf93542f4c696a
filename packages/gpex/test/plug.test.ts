import { describe, expect, it } from 'vitest';
import { ConfigError, RamRegion, AddressSpace } from '@vmapple/core-bus';
import { GpexHost } from '../src/index.js';
import { makeBoard, MMIO_BASE } from './board.js';
import { TestDevice } from './devices.js';

describe('plugging', () => {
  it('takes the lowest free slot (slot 0 is the host bridge), or the slot asked for', () => {
    const { host, sys, cfg } = makeBoard();
    const d = Array.from({ length: 6 }, (_, i) => new TestDevice({ name: `d${i}`, deviceId: 0x100 + i }));
    expect(host.plug(d[0]!)).toEqual({ slot: 1, fn: 0, devfn: 8 });
    expect(host.plug(d[1]!)).toEqual({ slot: 2, fn: 0, devfn: 16 });
    expect(host.plug(d[2]!, { slot: 4 })).toEqual({ slot: 4, fn: 0, devfn: 32 });
    expect(host.plug(d[3]!)).toEqual({ slot: 3, fn: 0, devfn: 24 });
    expect(host.plug(d[4]!)).toEqual({ slot: 5, fn: 0, devfn: 40 });
    expect(host.plug(d[5]!, { slot: 4, function: 2 })).toEqual({ slot: 4, fn: 2, devfn: 34 });
    expect(sys.read(cfg(0, 4, 2, 2), 2)).toBe(0x105);
    expect(sys.read(cfg(0, 3, 0, 2), 2)).toBe(0x103);
    expect(host.functionAt(4, 2)).toBe(d[5]);
    expect(host.functionAt(0)).toBe(host.hostBridge);
    expect(host.functionAt(6)).toBeUndefined();
    expect(host.functionAt(32)).toBeUndefined();
    expect(host.addressOf(d[3]!)).toEqual({ slot: 3, fn: 0, devfn: 24 });
  });

  it('a slot with any function in it is not free for automatic placement', () => {
    const { host } = makeBoard();
    host.plug(new TestDevice(), { slot: 1, function: 3 });
    expect(host.plug(new TestDevice()).slot).toBe(2);
  });

  it('refuses taken, reserved and out-of-range slots with ConfigError', () => {
    const { host } = makeBoard();
    const a = new TestDevice({ name: 'a' });
    host.plug(a, { slot: 7 });
    const t = (f: () => unknown, message: RegExp) => {
      expect(f).toThrow(ConfigError);
      expect(f).toThrow(message);
    };
    t(() => host.plug(new TestDevice({ name: 'b' }), { slot: 7 }), /gpex: property 'slot' 7 function 0 is taken by 'a', so 'b' cannot go there/);
    t(() => host.plug(new TestDevice(), { slot: 0 }), /belongs to the host bridge/);
    t(() => host.plug(new TestDevice(), { slot: 32 }), /'slot' must be at most 31, got 32/);
    t(() => host.plug(new TestDevice(), { slot: -1 }), /'slot' must be at least 0/);
    t(() => host.plug(new TestDevice(), { slot: 1.5 }), /'slot' must be an integer/);
    t(() => host.plug(new TestDevice(), { slot: 8, function: 8 }), /'function' must be at most 7/);
    t(() => host.plug(a), /already plugged/);
    t(() => host.plug(host.hostBridge), /already plugged/);
    t(() => host.unplug(new TestDevice({ name: 'stray' })), /cannot remove 'stray'/);
    t(() => host.unplug(host.hostBridge), /not a plugged device/);
  });

  it('runs out of slots after 31 devices; unplugging frees one', () => {
    const { host } = makeBoard();
    const devs = Array.from({ length: 31 }, () => new TestDevice());
    devs.forEach((d, i) => expect(host.plug(d).slot).toBe(i + 1));
    expect(() => host.plug(new TestDevice())).toThrow(/no free slot/);
    host.unplug(devs[10]!);
    expect(host.plug(new TestDevice()).slot).toBe(11);
  });

  it('unplugging unmaps the BARs and hides the function', () => {
    const { host, sys, cfg } = makeBoard();
    const d = new TestDevice();
    host.plug(d, { slot: 3 });
    sys.write(cfg(0, 3, 0, 0x10), 4, MMIO_BASE);
    sys.write(cfg(0, 3, 0, 0x04), 2, 2);
    expect(sys.read(MMIO_BASE, 4)).toBe(0);
    host.unplug(d);
    expect(sys.read(MMIO_BASE, 4)).toBe(0xffff_ffff);
    expect(sys.read(cfg(0, 3, 0, 0), 4)).toBe(0xffff_ffff);
  });

  it('validates its options with ConfigError', () => {
    const dma = new AddressSpace();
    dma.mapRam(0, new RamRegion('r', 0x1000));
    const mk = (o: object) => () => new GpexHost({ mmioWindow: { base: MMIO_BASE, size: 0x1000_0000 }, dma, ...o });
    expect(mk({})).not.toThrow();
    expect(mk({ intxLines: 0 })).toThrow(/'intxLines' must be at least 1/);
    expect(mk({ intxLines: 256 })).toThrow(/'intxLines' must be at most 255/);
    expect(mk({ spiBase: 980 })).toThrow(/'spiBase' must be at most 972/);
    expect(mk({ ecamSize: 0x1000_0001 })).toThrow(/'ecamSize' must be at most/);
    expect(mk({ ecamSize: 0x18_0000 })).toThrow(/'ecamSize' must be a multiple of 1 MiB/);
    expect(mk({ ecamBase: 0x4000_1000 })).toThrow(/'ecamBase' must be 1 MiB aligned/);
    expect(mk({ mmioWindow: { base: MMIO_BASE, size: 0 } })).toThrow(/'mmioWindow.size' must be at least 1/);
    expect(mk({ mmioWindow: undefined })).toThrow(/'mmioWindow' must be given/);
    expect(mk({ mmioWindow: { size: 0x1000 } })).toThrow(/'mmioWindow.base' must be given/);
    expect(mk({ mmioWindow: { base: 0 } })).toThrow(/'mmioWindow.size' must be given/);
    expect(mk({ mmioWindow: { base: -1, size: 0x1000 } })).toThrow(/'mmioWindow.base' must be at least 0/);
    expect(mk({ dma: undefined })).toThrow(/'dma'/);
    expect(mk({ intxLines: 4 })).not.toThrow();
  });

  it('saves and restores the host bridge state', () => {
    const { host, sys, cfg } = makeBoard();
    sys.write(cfg(0, 0, 0, 0x0c), 1, 0x40);
    sys.write(cfg(0, 0, 0, 0x80), 4, 0x1234_5678);
    const saved = JSON.parse(JSON.stringify(host.saveState()));
    const { host: other, sys: sys2, cfg: cfg2 } = makeBoard();
    other.restoreState(saved);
    expect(sys2.read(cfg2(0, 0, 0, 0x0c), 1)).toBe(0x40);
    expect(sys2.read(cfg2(0, 0, 0, 0x80), 4)).toBe(0x1234_5678);
    expect(() => other.restoreState({ ...saved, version: 99 })).toThrow();
  });
});
