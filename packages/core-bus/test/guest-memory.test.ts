import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AddressSpace, MemoryBlockBackend, MmioRegion, RamRegion } from '../src/index.js';
import { FileBlockBackend } from '../src/node/index.js';

function space() {
  const as = new AddressSpace();
  as.mapRam(0x1000, new RamRegion('a', 0x1000));
  as.mapRam(0x2000, new RamRegion('b', 0x1000)); // contiguous with a
  as.mapMmio(0x4000, new MmioRegion({ name: 'dev', size: 0x100, handler: { read: () => 0, write: () => {} } }));
  return as;
}

describe('GuestMemory (DMA)', () => {
  it('copies across contiguous RAM regions', () => {
    const as = space();
    const data = Uint8Array.from({ length: 64 }, (_, i) => i);
    expect(as.writeBytes(0x1fe0, data)).toBe(true);
    const back = new Uint8Array(64);
    expect(as.readBytes(0x1fe0, back)).toBe(true);
    expect(back).toEqual(data);
    expect(as.read32(0x2000)).toBe(0x23222120);
  });

  it('fails without partial effect when any byte is not RAM', () => {
    const as = space();
    const data = new Uint8Array(32).fill(0xaa);
    expect(as.writeBytes(0x2ff0, data)).toBe(false);
    expect(as.read8(0x2ff0)).toBe(0);
    expect(as.readBytes(0x4000, new Uint8Array(4))).toBe(false); // MMIO is not DMA-able
    expect(as.read32(0x3ffe)).toBeUndefined();
    expect(as.write64u(-8, 1n)).toBe(false);
    expect(as.readBytes(2 ** 60, new Uint8Array(1))).toBe(false);
  });

  it('gives zero-copy slices inside one region only', () => {
    const as = space();
    const s = as.ramSlice(0x1010, 16)!;
    s[0] = 0x5a;
    expect(as.read8(0x1010)).toBe(0x5a);
    expect(as.ramSlice(0x1ff8, 16)).toBeUndefined();
  });

  it('reads and writes 64-bit values exactly', () => {
    const as = space();
    expect(as.write64u(0x1100, 0xfedcba9876543210n)).toBe(true);
    expect(as.read64u(0x1100)).toBe(0xfedcba9876543210n);
    expect(as.read16(0x1106)).toBe(0xfedc);
  });
});

describe('block backends', () => {
  it('memory backend refuses out-of-range and read-only writes', () => {
    const disk = new MemoryBlockBackend(1024);
    expect(disk.write(1020, new Uint8Array(4).fill(1))).toBe(true);
    expect(disk.write(1021, new Uint8Array(4))).toBe(false);
    const ro = new MemoryBlockBackend(disk.bytes, true);
    expect(ro.write(0, new Uint8Array(1))).toBe(false);
    const dst = new Uint8Array(4);
    expect(ro.read(1020, dst)).toBe(true);
    expect(dst).toEqual(new Uint8Array(4).fill(1));
  });

  it('file backend reads, writes and flushes a host file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blk-'));
    const path = join(dir, 'disk.img');
    writeFileSync(path, Buffer.alloc(4096, 0x11));
    const disk = new FileBlockBackend(path);
    expect(disk.size).toBe(4096);
    expect(disk.write(512, new Uint8Array([1, 2, 3]))).toBe(true);
    expect(disk.flush()).toBe(true);
    expect([...readFileSync(path).subarray(511, 515)]).toEqual([0x11, 1, 2, 3]);
    expect(disk.read(4094, new Uint8Array(4))).toBe(false);
    disk.close();
    const ro = new FileBlockBackend(path, true);
    expect(ro.write(0, new Uint8Array(1))).toBe(false);
    ro.close();
  });
});
