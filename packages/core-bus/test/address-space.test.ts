import { describe, expect, it } from 'vitest';
import { AddressSpace, BusStatus, Log, MmioRegion, RamRegion } from '../src/index.js';

function regs(size = 0x100) {
  const mem = new Uint8Array(size);
  const calls: string[] = [];
  const region = new MmioRegion({
    name: 'dev',
    size,
    handler: {
      read(off, sz) {
        calls.push(`r${sz}@${off}`);
        let v = 0;
        for (let i = sz - 1; i >= 0; i--) v = v * 256 + mem[off + i]!;
        return v;
      },
      write(off, sz, val) {
        calls.push(`w${sz}@${off}=${val.toString(16)}`);
        for (let i = 0; i < sz; i++) mem[off + i] = (val >>> (8 * i)) & 0xff;
      },
    },
  });
  return { mem, calls, region };
}

describe('AddressSpace', () => {
  it('reads and writes RAM little-endian at every size', () => {
    const as = new AddressSpace();
    const ram = new RamRegion('ram', 0x1000);
    as.mapRam(0x8000, ram);
    as.write(0x8000, 4, 0xdeadbeef);
    expect(ram.bytes.subarray(0, 4)).toEqual(new Uint8Array([0xef, 0xbe, 0xad, 0xde]));
    expect(as.read(0x8001, 2)).toBe(0xadbe);
    as.write64(0x8008, 0x0123456789abcdefn);
    expect(as.read64(0x8008)).toBe(0x0123456789abcdefn);
    expect(as.read(0x800c, 4)).toBe(0x01234567);
  });

  it('refuses overlapping regions of equal priority and lets a higher priority overlay', () => {
    const as = new AddressSpace();
    as.mapRam(0x1000, new RamRegion('a', 0x1000));
    expect(() => as.mapRam(0x1800, new RamRegion('b', 0x1000))).toThrow(/overlaps 'a'/);
    const { region } = regs(0x100);
    as.mapMmio(0x1800, region, { priority: 1 });
    as.write(0x17fc, 4, 0x11111111);
    as.write(0x1800, 4, 0x22222222);
    expect(as.ramAt(0x17fc)?.limit).toBe(4);
    expect(as.mmioAt(0x1804)?.offset).toBe(4);
    expect(as.ramAt(0x1900)?.offset).toBe(0x900);
  });

  it('splits an 8-byte access into the 4-byte accesses the device implements', () => {
    const as = new AddressSpace();
    const { calls, region } = regs();
    as.mapMmio(0x100, region);
    as.write64(0x108, 0x1122334455667788n);
    expect(calls).toEqual(['w4@8=55667788', 'w4@12=11223344']);
    expect(as.read64(0x108)).toBe(0x1122334455667788n);
  });

  it('ignores unmapped accesses by default and logs a guest error', () => {
    const entries: string[] = [];
    const as = new AddressSpace({ log: new Log((e) => entries.push(e.kind)) });
    expect(as.read(0x1234, 4)).toBe(0);
    expect(as.status).toBe(BusStatus.Ok);
    as.write(0x1234, 4, 1);
    expect(entries).toEqual(['guest-error', 'guest-error']);
  });

  it('reports unmapped and invalid accesses as faults under the fault policy', () => {
    const as = new AddressSpace({ unmapped: 'fault' });
    const { region, calls } = regs();
    as.mapMmio(0, region);
    as.read(0x1000, 4);
    expect(as.status).toBe(BusStatus.Unmapped);
    as.read(0x2, 4);
    expect(as.status).toBe(BusStatus.Invalid);
    expect(calls).toEqual([]);
    as.read(0x4, 4);
    expect(as.status).toBe(BusStatus.Ok);
  });
});
