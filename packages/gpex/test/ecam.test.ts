import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PciPin } from '@vmapple/core-bus/pci';
import { makeBoard } from './board.js';
import { TestDevice } from './devices.js';

function populated() {
  const b = makeBoard();
  const a = new TestDevice({ name: 'a', deviceId: 0xaaaa, multiFunction: true });
  const a1 = new TestDevice({ name: 'a1', deviceId: 0xa1a1, pin: PciPin.INTB });
  const c = new TestDevice({ name: 'c', deviceId: 0xcccc });
  b.host.plug(a, { slot: 3 });
  b.host.plug(a1, { slot: 3, function: 1 });
  b.host.plug(c, { slot: 31, function: 7 });
  return { ...b, a, a1, c };
}

describe('ECAM', () => {
  it('shows the host bridge at 00:00.0: 1b36:0008, class 060000, header type 0', () => {
    const { sys, cfg } = makeBoard();
    expect(sys.read(cfg(0, 0, 0, 0x00), 4)).toBe(0x0008_1b36);
    expect(sys.read(cfg(0, 0, 0, 0x00), 2)).toBe(0x1b36);
    expect(sys.read(cfg(0, 0, 0, 0x02), 2)).toBe(0x0008);
    expect(sys.read(cfg(0, 0, 0, 0x08), 4) >>> 8).toBe(0x06_0000);
    expect(sys.read(cfg(0, 0, 0, 0x0b), 1)).toBe(0x06);
    expect(sys.read(cfg(0, 0, 0, 0x0e), 1)).toBe(0x00);
    expect(sys.read(cfg(0, 0, 0, 0x3d), 1)).toBe(0); // no interrupt pin
  });

  it('decodes bus, device, function and register', () => {
    const { sys, cfg } = populated();
    const ids = new Map([
      [(3 << 3) | 0, 0xaaaa_1234],
      [(3 << 3) | 1, 0xa1a1_1234],
      [(31 << 3) | 7, 0xcccc_1234],
      [0, 0x0008_1b36],
    ]);
    for (let dev = 0; dev < 32; dev++) {
      for (let fn = 0; fn < 8; fn++) {
        expect(sys.read(cfg(0, dev, fn, 0), 4)).toBe(ids.get((dev << 3) | fn) ?? 0xffff_ffff);
        // The same device number on other buses: nothing there (no bridges).
        expect(sys.read(cfg(1, dev, fn, 0), 4)).toBe(0xffff_ffff);
      }
    }
    expect(sys.read(cfg(255, 31, 7, 0xffc), 4)).toBe(0xffff_ffff);
    expect(sys.read(cfg(0, 3, 1, 0x3d), 1)).toBe(PciPin.INTB);
    expect(sys.read(cfg(0, 3, 0, 0x0e), 1)).toBe(0x80); // multi-function bit of function 0
  });

  it('reads every width consistently: bytes and halves assemble the dword', () => {
    const { sys, cfg } = populated();
    for (const [dev, fn] of [
      [0, 0],
      [3, 0],
      [3, 1],
      [31, 7],
      [5, 0],
    ] as const) {
      for (let reg = 0; reg < 0x40; reg += 4) {
        const dword = sys.read(cfg(0, dev, fn, reg), 4);
        const halves = sys.read(cfg(0, dev, fn, reg), 2) | (sys.read(cfg(0, dev, fn, reg + 2), 2) << 16);
        let bytes = 0;
        for (let i = 3; i >= 0; i--) bytes = bytes * 256 + sys.read(cfg(0, dev, fn, reg + i), 1);
        expect(halves >>> 0).toBe(dword);
        expect(bytes).toBe(dword);
      }
    }
  });

  it('unpopulated functions read all ones at every width and ignore writes', () => {
    const { sys, cfg, a, a1, c } = populated();
    const before = [a, a1, c].map((f) => f.config.slice());
    for (const size of [1, 2, 4]) {
      const ones = size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1;
      expect(sys.read(cfg(0, 4, 0, 0), size)).toBe(ones);
      expect(sys.read(cfg(0, 3, 2, 0x10), size)).toBe(ones);
      expect(sys.read(cfg(7, 0, 0, 0), size)).toBe(ones);
      sys.write(cfg(0, 4, 0, 0x04), size, 0xffff_ffff);
      sys.write(cfg(1, 3, 0, 0x04), size, 0xffff_ffff); // bus 1, same devfn as a
    }
    expect(sys.read(cfg(0, 4, 0, 0), 4)).toBe(0xffff_ffff);
    [a, a1, c].forEach((f, i) => expect(f.config).toEqual(before[i]));
  });

  it('writes of every width reach the addressed function and register only', () => {
    const { sys, cfg, a, a1 } = populated();
    sys.write(cfg(0, 3, 1, 0x3c), 1, 0x5a); // Interrupt Line
    expect(sys.read(cfg(0, 3, 1, 0x3c), 1)).toBe(0x5a);
    expect(sys.read(cfg(0, 3, 0, 0x3c), 1)).toBe(0);
    sys.write(cfg(0, 3, 0, 0x0c), 2, 0x4010); // Cache Line Size + Latency Timer (read-only 0, as on QEMU)
    expect(sys.read(cfg(0, 3, 0, 0x0c), 1)).toBe(0x10);
    expect(sys.read(cfg(0, 3, 0, 0x0d), 1)).toBe(0);
    sys.write(cfg(0, 3, 0, 0x3c), 4, 0xffff_ff77); // only Interrupt Line is writable in this dword
    expect(sys.read(cfg(0, 3, 0, 0x3c), 4)).toBe(0x0000_0177);
    expect(a.config[0x3c]).toBe(0x77);
    expect(a1.config[0x3c]).toBe(0x5a);
  });

  it('PCIe functions answer in all 4 KiB of config space, conventional ones (the host bridge) in 256 bytes', () => {
    const { sys, cfg } = populated();
    expect(sys.read(cfg(0, 3, 0, 0xffc), 4)).toBe(0); // present, nothing there
    expect(sys.read(cfg(0, 0, 0, 0xfc), 4)).toBe(0);
    expect(sys.read(cfg(0, 0, 0, 0x100), 4)).toBe(0xffff_ffff);
    expect(sys.read(cfg(0, 0, 0, 0x100), 1)).toBe(0xff);
  });

  it('refuses unaligned accesses at the bus, logging a guest error', () => {
    const { sys, cfg, log, a } = populated();
    const errors = log.counts['guest-error'];
    sys.write(cfg(0, 3, 0, 0x3d), 2, 0xffff);
    sys.read(cfg(0, 3, 0, 0x02), 4);
    sys.read64(cfg(0, 3, 0, 0x04));
    expect(log.counts['guest-error']).toBe(errors + 3);
    expect(a.config[0x3c]).toBe(0);
  });

  it('8-byte accesses are two dword accesses', () => {
    const { sys, cfg, a } = populated();
    expect(sys.read64(cfg(0, 3, 0, 0))).toBe((BigInt(sys.read(cfg(0, 3, 0, 4), 4)) << 32n) | 0xaaaa_1234n);
    expect(sys.read64(cfg(0, 4, 0, 0))).toBe(0xffff_ffff_ffff_ffffn);
    sys.write64(cfg(0, 3, 0, 0x38), 0x0000_0042_0000_0000n); // Interrupt Line is byte 0x3c
    expect(a.config[0x3c]).toBe(0x42);
  });

  it('a smaller ECAM covers fewer buses', () => {
    const { host } = makeBoard({ ecamSize: 16 * 0x10_0000 });
    expect(host.ecam.size).toBe(16 * 0x10_0000);
    expect(host.describe().busRange).toEqual([0, 15]);
  });

  it('fuzz: random reads never throw and match the populated set', () => {
    const { sys, cfg } = populated();
    const present = new Set([0, (3 << 3) | 0, (3 << 3) | 1, (31 << 3) | 7]);
    fc.assert(
      fc.property(fc.nat(255), fc.nat(31), fc.nat(7), fc.nat(0xfff), fc.constantFrom(1, 2, 4), (bus, dev, fn, reg, size) => {
        const at = reg - (reg % size);
        const v = sys.read(cfg(bus, dev, fn, at), size);
        if (bus !== 0 || !present.has((dev << 3) | fn)) expect(v).toBe(size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1);
      }),
      { numRuns: 2000 },
    );
  }, 30_000);
});
