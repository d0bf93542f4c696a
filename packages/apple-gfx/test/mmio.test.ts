import { describe, expect, it } from 'vitest';
import { AddressSpace, SnapshotError } from '@vmapple/core-bus';
import { APPLE_GFX_MMIO, AppleGfxMmio, DISPLAY_NAME, FakePvgBridge, MIGRATION_BLOCKED, resetDisplaySerialNumbers } from '../src/index.js';
import { mmioRig, RAM_BASE } from './helpers.js';

const G = APPLE_GFX_MMIO.GFX_BASE;
const I = APPLE_GFX_MMIO.IOSFC_BASE;

describe('apple-gfx-mmio registers (spec §8.1, §8.3, §8.4)', () => {
  it('sits at 0x3020_0000 / 0x3021_0000 with a 64 KiB IOSFC window and mmioLength GFX window', () => {
    const r = mmioRig({ mmioLength: 0x8000 });
    expect(G).toBe(0x3020_0000);
    expect(I).toBe(0x3021_0000);
    expect(r.gfx.gfx.size).toBe(0x8000);
    expect(r.gfx.iosfc.size).toBe(0x1_0000);
    expect([APPLE_GFX_MMIO.GFX_SPI + 32, APPLE_GFX_MMIO.IOSFC_SPI + 32]).toEqual([49, 48]);
    expect(r.bridge.device!.options.usingIOSurfaceMapper).toBe(true);
  });

  it('GFX: 4-byte accesses forwarded; 8-byte ones split low then high; 1- and 2-byte ones never reach the framework', () => {
    const r = mmioRig();
    r.bridge.registers.set(0x10, 0x1111_2222);
    r.bridge.registers.set(0x14, 0x3333_4444);
    expect(r.memory.read(G + 0x10, 4)).toBe(0x1111_2222);
    expect(r.memory.read64(G + 0x10)).toBe(0x3333_4444_1111_2222n);
    r.memory.write64(G + 0x20, 0xaaaa_bbbb_cccc_ddddn);
    r.memory.write(G + 0x30, 4, 0xffff_ffff);
    const before = r.bridge.accesses.length;
    r.memory.read(G + 0x10, 1);
    r.memory.read(G + 0x10, 2);
    r.memory.write(G + 0x10, 2, 5);
    r.memory.read(G + 0x12, 4); // unaligned
    expect(r.bridge.accesses.length).toBe(before);
    expect(r.bridge.accesses).toEqual(['r 10', 'r 10', 'r 14', 'w 20 ccccdddd', 'w 24 aaaabbbb', 'w 30 ffffffff']);
  });

  it('IOSFC: 8-byte accesses are not split: reads zero-extend, writes truncate', () => {
    const r = mmioRig();
    r.bridge.iosfcRegisters.set(0x8, 0x8765_4321);
    expect(r.memory.read64(I + 0x8)).toBe(0x8765_4321n);
    r.memory.write64(I + 0x10, 0x1234_5678_9abc_def0n);
    expect(r.memory.read(I + 0x10, 4)).toBe(0x9abc_def0);
    expect(r.bridge.accesses).toEqual(['iosfc r 8', 'iosfc w 10 9abcdef0', 'iosfc r 10']);
    r.memory.read(I + 0x10, 2);
    expect(r.bridge.accesses).toHaveLength(3);
  });

  it('interrupts are pulses; vectors are ignored; IOSFC raiseInterrupt returns true', () => {
    const r = mmioRig();
    r.callbacks.raiseInterrupt(7);
    r.callbacks.raiseInterrupt(0);
    expect([r.gfxIrq.rises, r.gfxIrq.level]).toEqual([2, false]);
    expect(r.bridge.iosfc!.raiseInterrupt(3)).toBe(true);
    expect([r.iosfcIrq.rises, r.iosfcIrq.level, r.gfxIrq.rises]).toEqual([1, false, 2]);
  });

  it('readMemory copies guest RAM; outside RAM it fails', () => {
    const r = mmioRig();
    r.ram.bytes.set([1, 2, 3, 4, 5], 0x100);
    const dest = new Uint8Array(5);
    expect(r.callbacks.readMemory(RAM_BASE + 0x100, dest)).toBe(true);
    expect([...dest]).toEqual([1, 2, 3, 4, 5]);
    expect(r.callbacks.readMemory(0x10, new Uint8Array(4))).toBe(false);
  });

  it('IOSFC mapMemory: one RAM region only, shared bytes; unmapMemory drops it; others fail', () => {
    const r = mmioRig();
    const h = r.bridge.iosfc!.mapMemory(RAM_BASE + 0x1000, 0x2000, false);
    expect(h).not.toBeNull();
    r.gfx.iosfcMapping(h!)![0] = 0x5a;
    expect(r.ram.bytes[0x1000]).toBe(0x5a); // shared, not copied
    expect(r.bridge.iosfc!.mapMemory(RAM_BASE + 0xf_f000, 0x2000, true)).toBeNull(); // runs past RAM
    expect(r.bridge.iosfc!.mapMemory(0x1000, 0x10, true)).toBeNull();
    expect(r.entries.filter((e) => e.kind === 'guest-error')).toHaveLength(2);
    expect(r.bridge.iosfc!.unmapMemory(h!)).toBe(true);
    expect(r.bridge.iosfc!.unmapMemory(h!)).toBe(false);
    expect(r.gfx.iosfcMappingCount).toBe(0);
  });

  it('one display: "QEMU display", 400 x 300 mm, port 0, the mode list in order', () => {
    const r = mmioRig({ displayModes: ['1024x768@60', '3840x2160@30'] });
    expect(r.display.descriptor).toMatchObject({ name: DISPLAY_NAME, widthMm: 400, heightMm: 300, port: 0 });
    expect(DISPLAY_NAME).toBe('QEMU display');
    expect(r.display.modes).toEqual([
      { width: 1024, height: 768, refreshRateHz: 60 },
      { width: 3840, height: 2160, refreshRateHz: 30 },
    ]);
    expect(r.sink.cursor.visible).toBe(true);
  });

  it('serial numbers count from 1 across instances', () => {
    resetDisplaySerialNumbers();
    const serials = [0, 1, 2].map(() => {
      const b = new FakePvgBridge();
      new AppleGfxMmio({ bridge: b, memory: new AddressSpace() });
      return b.display!.descriptor.serialNumber;
    });
    expect(serials).toEqual([1, 2, 3]);
  });

  it('bad display-modes throw ConfigError at construction', () => {
    expect(() => mmioRig({ displayModes: ['1920x0@60'] })).toThrow(/height/);
  });

  it('snapshots are refused with the migration blocker (SnapshotError)', () => {
    const r = mmioRig();
    expect(() => r.gfx.saveState()).toThrow(SnapshotError);
    expect(() => r.gfx.saveState()).toThrow(MIGRATION_BLOCKED);
    expect(() => r.gfx.restoreState({})).toThrow(SnapshotError);
  });

  it('reset resets the framework device and lowers the lines', () => {
    const r = mmioRig();
    r.memory.write(G, 4, 1);
    r.gfx.reset();
    expect(r.bridge.device!.resets).toBe(1);
    expect(r.memory.read(G, 4)).toBe(0);
  });
});

describe('apple-gfx tasks (spec §8.1 createTask/mapMemory/unmapMemory)', () => {
  it('maps ranges back to back at the running offset, shared with guest RAM', () => {
    const r = mmioRig();
    const t = r.callbacks.createTask(0x10000)!;
    expect(t.baseAddress % 0x4000).toBe(0);
    r.ram.bytes.fill(0xaa, 0x2000, 0x3000);
    r.ram.bytes.fill(0xbb, 0x8000, 0x9000);
    const ok = r.callbacks.mapMemory(t.task, 0x1000, false, [
      { physicalAddress: RAM_BASE + 0x2000, physicalLength: 0x1000 },
      { physicalAddress: RAM_BASE + 0x8000, physicalLength: 0x1000 },
    ]);
    expect(ok).toBe(true);
    const bytes = r.gfx.core.tasks.resolve(t.task, 0, 0x4000)!;
    expect([bytes[0xfff], bytes[0x1000], bytes[0x1fff], bytes[0x2000], bytes[0x2fff], bytes[0x3000]]).toEqual([0, 0xaa, 0xaa, 0xbb, 0xbb, 0]);
    r.ram.bytes[0x8010] = 0x01; // later guest writes show through
    expect(r.gfx.core.tasks.resolve(t.task, 0x2010, 1)![0]).toBe(1);
  });

  it('a range that is not guest RAM is skipped and makes the call fail; the others are mapped', () => {
    const r = mmioRig();
    const t = r.callbacks.createTask(0x10000)!;
    r.ram.bytes.fill(0xcc, 0, 0x1000);
    const ok = r.callbacks.mapMemory(t.task, 0, true, [
      { physicalAddress: 0x1000_0000, physicalLength: 0x1000 },
      { physicalAddress: RAM_BASE, physicalLength: 0x1000 },
    ]);
    expect(ok).toBe(false);
    expect(r.gfx.core.tasks.mappings(t.task).map((m) => [m.offset, m.guestAddress, m.readOnly])).toEqual([[0x1000, RAM_BASE, true]]);
  });

  it('unmapMemory turns a sub-range into zero pages, splitting a mapping', () => {
    const r = mmioRig();
    const t = r.callbacks.createTask(0x10000)!;
    r.ram.bytes.fill(0x77, 0, 0x3000);
    r.callbacks.mapMemory(t.task, 0, false, [{ physicalAddress: RAM_BASE, physicalLength: 0x3000 }]);
    expect(r.callbacks.unmapMemory(t.task, 0x1000, 0x1000)).toBe(true);
    const b = r.gfx.core.tasks.resolve(t.task, 0, 0x3000)!;
    expect([b[0xfff], b[0x1000], b[0x1fff], b[0x2000]]).toEqual([0x77, 0, 0, 0x77]);
    expect(r.gfx.core.tasks.mappings(t.task).map((m) => [m.offset, m.length, m.guestAddress])).toEqual([
      [0, 0x1000, RAM_BASE],
      [0x2000, 0x1000, RAM_BASE + 0x2000],
    ]);
    r.callbacks.destroyTask(t.task);
    expect(r.gfx.core.tasks.size).toBe(0);
    expect(r.callbacks.mapMemory(t.task, 0, false, [{ physicalAddress: RAM_BASE, physicalLength: 0x1000 }])).toBe(false);
  });

  it('task bases never overlap', () => {
    const r = mmioRig();
    const a = r.callbacks.createTask(0x5000)!;
    const b = r.callbacks.createTask(0x1000)!;
    expect(b.baseAddress).toBeGreaterThanOrEqual(a.baseAddress + 0x5000);
    expect(r.callbacks.createTask(0)).toBeNull();
  });
});
