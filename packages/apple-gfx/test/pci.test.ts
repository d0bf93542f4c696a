import { AddressSpace, RamRegion } from '@vmapple/core-bus';
import { PCI_CAP_ID_MSI, PCI_COMMAND, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_ROM_ADDRESS } from '@vmapple/core-bus/pci';
import { describe, expect, it } from 'vitest';
import { APPLE_GFX_PCI, AppleGfxPci, FakePvgBridge } from '../src/index.js';

function pciRig(options: { rom?: Uint8Array | null; maxMsi?: number; mmioLength?: number } = {}) {
  const system = new AddressSpace();
  const ram = new RamRegion('ram', 0x10_0000);
  system.mapRam(0x4000_0000, ram);
  const pciMemory = new AddressSpace();
  const bridge = new FakePvgBridge(options.mmioLength ?? 0x4000, options.maxMsi ?? 4, options.rom ?? null);
  const dev = new AppleGfxPci({ bridge, memory: system });
  const intx: boolean[] = [];
  dev.attach({ memory: pciMemory, dma: system, setIntx: (l) => intx.push(l) });
  return { system, ram, pciMemory, bridge, dev, intx, callbacks: bridge.device!.callbacks };
}

describe('apple-gfx-pci (spec §8.5)', () => {
  it('IDs, class 0x0380, revision 0, no INTx pin, PCIe config space', () => {
    const { dev } = pciRig();
    expect(dev.configRead(0, 2)).toBe(0x106b);
    expect(dev.configRead(2, 2)).toBe(0x1b30);
    expect(dev.configRead(0x08, 1)).toBe(0);
    expect(dev.configRead(0x09, 1)).toBe(0); // programming interface
    expect(dev.configRead(0x0a, 2)).toBe(0x0380);
    expect(dev.configRead(0x3d, 1)).toBe(0);
    expect(dev.config.length).toBe(4096);
    expect(dev.rom).toBeNull();
    expect(dev.core.device).toBe(dev.core.device);
    expect(dev.core.display).toBeTruthy();
  });

  it('BAR 0: 32-bit non-prefetchable memory of mmioLength, forwarding the GFX registers when enabled', () => {
    const r = pciRig({ mmioLength: 0x4000 });
    r.dev.configWrite(0x10, 4, 0xffff_ffff);
    expect(r.dev.configRead(0x10, 4) >>> 0).toBe(0xffff_c000); // size 16 KiB, mem32, not prefetchable
    r.dev.configWrite(0x10, 4, 0x1000_0000);
    r.dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    r.bridge.registers.set(0x40, 0xfeed);
    expect(r.pciMemory.read(0x1000_0040, 4)).toBe(0xfeed);
    r.pciMemory.write64(0x1000_0048, 0x2_0000_0001n);
    expect(r.bridge.accesses.slice(-2)).toEqual(['w 48 1', 'w 4c 2']);
  });

  it('MSI capability: 64-bit, no masking, vectors = framework maximum capped at 32', () => {
    for (const [max, mmc] of [
      [1, 0],
      [4, 2],
      [64, 5],
    ] as const) {
      const { dev } = pciRig({ maxMsi: max });
      const o = dev.configRead(0x34, 1);
      expect(dev.configRead(o, 1)).toBe(PCI_CAP_ID_MSI);
      const control = dev.configRead(o + 2, 2);
      expect(control & 0x80).toBe(0x80); // 64-bit address capable
      expect(control & 0x100).toBe(0); // no per-vector masking
      expect((control >> 1) & 7).toBe(mmc);
    }
    expect(APPLE_GFX_PCI.MSI_VECTOR_LIMIT).toBe(32);
  });

  it('raiseInterrupt(vector) sends that MSI when enabled (with bus mastering), else nothing; never INTx', () => {
    const r = pciRig({ maxMsi: 4 });
    const o = r.dev.msiOffset;
    r.callbacks.raiseInterrupt(0); // MSI disabled: nothing
    r.dev.configWrite(o + 4, 4, 0x4000_1000);
    r.dev.configWrite(o + 8, 4, 0);
    r.dev.configWrite(o + 12, 2, 0x4560);
    r.dev.configWrite(o + 2, 2, 1 | (2 << 4)); // enable, 4 vectors
    r.callbacks.raiseInterrupt(3); // bus mastering off: dropped
    expect(r.ram.view.getUint32(0x1000, true)).toBe(0);
    r.dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MASTER);
    r.callbacks.raiseInterrupt(3);
    expect(r.ram.view.getUint32(0x1000, true)).toBe(0x4563);
    expect(r.dev.msiMessage(4)).toBeNull(); // beyond the enabled vectors
    expect(r.intx.every((l) => !l)).toBe(true);
  });

  it('the option ROM is the expansion ROM: sized to a power of two, mapped when enabled', () => {
    const rom = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
    rom[0] = 0x55;
    rom[1] = 0xaa;
    const r = pciRig({ rom });
    expect(r.dev.romSize).toBe(4096);
    r.dev.configWrite(PCI_ROM_ADDRESS, 4, 0xffff_ffff);
    expect(r.dev.configRead(PCI_ROM_ADDRESS, 4) >>> 0).toBe(0xffff_f001);
    r.dev.configWrite(PCI_ROM_ADDRESS, 4, 0x2000_0000); // address, not enabled
    r.dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    expect(r.dev.romMappedAt()).toBeUndefined();
    r.dev.configWrite(PCI_ROM_ADDRESS, 4, 0x2000_0001);
    expect(r.dev.romMappedAt()).toBe(0x2000_0000);
    expect(r.pciMemory.read(0x2000_0000, 2)).toBe(0xaa55);
    expect(r.pciMemory.read(0x2000_0000 + 2999, 1)).toBe((2999 * 7) & 0xff);
    expect(r.pciMemory.read(0x2000_0000 + 3000, 1)).toBe(0); // padding
    r.pciMemory.write(0x2000_0000, 4, 0); // read-only
    expect(r.pciMemory.read(0x2000_0000, 2)).toBe(0xaa55);
    r.dev.configWrite(PCI_COMMAND, 2, 0); // memory decoding off unmaps it
    expect(r.dev.romMappedAt()).toBeUndefined();
    r.dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    expect(r.dev.romMappedAt()).toBe(0x2000_0000);
    r.dev.reset();
    expect(r.dev.romMappedAt()).toBeUndefined();
    expect(r.dev.configRead(PCI_ROM_ADDRESS, 4)).toBe(0);
    expect(r.bridge.device!.resets).toBe(1);
  });

  it('snapshots are refused with the migration blocker', () => {
    const r = pciRig();
    expect(() => r.dev.saveState()).toThrow(/migration state is blocked by the apple-gfx display device/);
  });

  it('without an option ROM the ROM register reads 0', () => {
    const r = pciRig();
    r.dev.configWrite(PCI_ROM_ADDRESS, 4, 0xffff_ffff);
    expect(r.dev.configRead(PCI_ROM_ADDRESS, 4)).toBe(0);
  });
});
