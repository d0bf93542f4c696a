import { type BlockBackend, MemoryBlockBackend } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { type Buf } from '../../virtio/test/driver.js';
import { BlkTestBench, header, randomBytes, S, T } from './blk-driver.js';

const MiB = 1 << 20;
const PAGE = 4096;

/** A disk that is not a MemoryBlockBackend (as a file or OPFS disk), counting backend calls. */
class CountingDisk implements BlockBackend {
  readonly inner: MemoryBlockBackend;
  reads: number[] = [];
  writes: number[] = [];
  constructor(bytes: Uint8Array) {
    this.inner = new MemoryBlockBackend(bytes);
  }
  get size(): number {
    return this.inner.size;
  }
  get readOnly(): boolean {
    return false;
  }
  get bytes(): Uint8Array {
    return this.inner.bytes;
  }
  read(offset: number, dst: Uint8Array): boolean {
    this.reads.push(dst.length);
    return this.inner.read(offset, dst);
  }
  write(offset: number, src: Uint8Array): boolean {
    this.writes.push(src.length);
    return this.inner.write(offset, src);
  }
  flush(): boolean {
    return true;
  }
}

/** An in-memory disk (so no gathering) that counts its calls too. */
class CountingMemory extends MemoryBlockBackend {
  reads: number[] = [];
  writes: number[] = [];
  override read(offset: number, dst: Uint8Array): boolean {
    this.reads.push(dst.length);
    return super.read(offset, dst);
  }
  override write(offset: number, src: Uint8Array): boolean {
    this.writes.push(src.length);
    return super.write(offset, src);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `count` buffers of `len` bytes, each followed by a gap of `gap` bytes (0: back to back). */
function buffers(t: BlkTestBench<BlockBackend>, count: number, len: number, gap: number, write: boolean): Buf[] {
  const out: Buf[] = [];
  const base = t.g.alloc(count * (len + gap), PAGE);
  for (let i = 0; i < count; i++) out.push({ addr: base + i * (len + gap), len, write });
  return out;
}

/** Submits header + `data` + status as one indirect chain; returns the status byte. */
function submit(t: BlkTestBench<BlockBackend>, type: number, sector: number, data: Buf[]): number {
  const st = t.g.alloc(1);
  t.g.mem.write8(st, 0xee);
  t.ring.add([{ addr: t.g.put(header(type, sector)), len: 16 }, ...data, { addr: st, len: 1, write: true }], { indirect: true });
  t.kick();
  expect(t.ring.takeUsed().length).toBe(1);
  return t.g.mem.read8(st)!;
}

function gathered(t: BlkTestBench<BlockBackend>, bufs: Buf[]): Uint8Array {
  const out = new Uint8Array(bufs.reduce((a, b) => a + b.len, 0));
  let off = 0;
  for (const b of bufs) {
    out.set(t.g.get(b.addr, b.len), off);
    off += b.len;
  }
  return out;
}

describe('one backend call per request (virtio-blk IN/OUT over many guest buffers)', () => {
  it('a read over 64 scattered 4 KiB pages is one backend read of the whole request, into the right pages only', () => {
    const disk = new CountingDisk(randomBytes(4 * MiB, 3));
    const t = new BlkTestBench<BlockBackend>(disk, {}, 8 * MiB).start(undefined, 64);
    const bufs = buffers(t, 64, PAGE, PAGE, true);
    const gaps = bufs.map((b) => b.addr + PAGE);
    for (const g of gaps) t.g.mem.writeBytes(g, new Uint8Array(PAGE).fill(0x5a));
    disk.reads = [];
    expect(submit(t, T.IN, 24, bufs)).toBe(S.OK);
    expect(disk.reads).toEqual([64 * PAGE]);
    expect(sameBytes(gathered(t, bufs), disk.bytes.subarray(24 * 512, 24 * 512 + 64 * PAGE))).toBe(true);
    for (const g of gaps) expect(t.g.get(g, PAGE).every((x) => x === 0x5a)).toBe(true);
  });

  it('buffers that are adjacent in guest memory merge into one run: one backend call straight into RAM, either backend', () => {
    for (const disk of [new CountingDisk(randomBytes(2 * MiB, 4)), new CountingMemory(randomBytes(2 * MiB, 4))]) {
      const t = new BlkTestBench<BlockBackend>(disk, {}, 8 * MiB).start(undefined, 64);
      const bufs = buffers(t, 32, PAGE, 0, true);
      disk.reads = [];
      expect(submit(t, T.IN, 8, bufs)).toBe(S.OK);
      expect(disk.reads).toEqual([32 * PAGE]);
      expect(sameBytes(gathered(t, bufs), disk.bytes.subarray(8 * 512, 8 * 512 + 32 * PAGE))).toBe(true);
    }
  });

  it('an in-memory disk reads scattered buffers run by run (gathering would only add a copy)', () => {
    const disk = new CountingMemory(randomBytes(2 * MiB, 5));
    const t = new BlkTestBench<BlockBackend>(disk, {}, 8 * MiB).start(undefined, 64);
    // Two runs of three adjacent pages, then a lone page.
    const a = buffers(t, 3, PAGE, 0, true);
    t.g.alloc(PAGE);
    const b = buffers(t, 3, PAGE, 0, true);
    t.g.alloc(PAGE);
    const c = buffers(t, 1, PAGE, 0, true);
    disk.reads = [];
    expect(submit(t, T.IN, 0, [...a, ...b, ...c])).toBe(S.OK);
    expect(disk.reads).toEqual([3 * PAGE, 3 * PAGE, PAGE]);
    expect(sameBytes(gathered(t, [...a, ...b, ...c]), disk.bytes.subarray(0, 7 * PAGE))).toBe(true);
  });

  it('a write from scattered buffers is one backend write; a buffer outside RAM leaves the disk untouched', () => {
    const disk = new CountingDisk(randomBytes(2 * MiB, 6));
    const t = new BlkTestBench<BlockBackend>(disk, {}, 8 * MiB).start(undefined, 64);
    const bufs = buffers(t, 16, PAGE, 512, false);
    const data = randomBytes(16 * PAGE, 7);
    bufs.forEach((b, i) => t.g.mem.writeBytes(b.addr, data.subarray(i * PAGE, (i + 1) * PAGE)));
    disk.writes = [];
    expect(submit(t, T.OUT, 64, bufs)).toBe(S.OK);
    expect(disk.writes).toEqual([16 * PAGE]);
    expect(sameBytes(disk.bytes.subarray(64 * 512, 64 * 512 + 16 * PAGE), data)).toBe(true);

    const before = disk.bytes.slice();
    disk.writes = [];
    const bad = [...bufs.slice(0, 8), { addr: 0x1000, len: PAGE }, ...bufs.slice(8, 15)];
    expect(submit(t, T.OUT, 0, bad)).toBe(S.IOERR);
    expect(disk.writes).toEqual([]);
    expect(sameBytes(disk.bytes, before)).toBe(true);
  });

  it('a read whose later buffer is outside RAM is IOERR and writes nothing outside the buffers given', () => {
    const disk = new CountingDisk(randomBytes(2 * MiB, 8));
    const t = new BlkTestBench<BlockBackend>(disk, {}, 8 * MiB).start(undefined, 64);
    const bufs = buffers(t, 4, PAGE, PAGE, true);
    const ramBefore = t.g.ram.bytes.slice();
    expect(submit(t, T.IN, 0, [...bufs, { addr: 0x1000, len: PAGE, write: true }])).toBe(S.IOERR);
    const inBuffers = (a: number) => bufs.some((b) => a >= b.addr && a < b.addr + b.len);
    const afterRing = t.ring.used + 6 + 8 * t.ring.size;
    for (let i = 0; i < ramBefore.length; i++) {
      const a = t.g.base + i;
      // Changed bytes: the given buffers, the ring areas, and what the driver itself allocated after them.
      if (ramBefore[i] !== t.g.ram.bytes[i] && !inBuffers(a) && a >= afterRing && a < bufs[0]!.addr) {
        throw new Error(`byte at 0x${a.toString(16)} changed`);
      }
    }
  });

  it('a scattered request larger than the gather buffer (3 MiB) still reads correctly, run by run', () => {
    const disk = new CountingDisk(randomBytes(4 * MiB, 9));
    const t = new BlkTestBench<BlockBackend>(disk, {}, 12 * MiB).start(undefined, 64);
    const bufs = buffers(t, 3, MiB, PAGE, true);
    disk.reads = [];
    expect(submit(t, T.IN, 2, bufs)).toBe(S.OK);
    expect(disk.reads).toEqual([MiB, MiB, MiB]);
    expect(sameBytes(gathered(t, bufs), disk.bytes.subarray(1024, 1024 + 3 * MiB))).toBe(true);
  });

  it('random layouts: the gathering disk and the in-memory disk end with the same guest memory and disk contents', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let round = 0; round < 40; round++) {
      const image = randomBytes(MiB, round + 1);
      const disks = [new CountingDisk(image.slice()), new CountingMemory(image.slice())];
      const benches = disks.map((d) => new BlkTestBench<BlockBackend>(d, {}, 4 * MiB).start(undefined, 64));
      const count = 1 + rnd(20);
      const lens: number[] = [];
      const gaps: number[] = [];
      for (let i = 0; i < count; i++) {
        lens.push(1 + rnd(3000));
        gaps.push(rnd(3) === 0 ? 0 : rnd(700));
      }
      const total = lens.reduce((a, b) => a + b, 0);
      const bytes = total - (total % 512);
      if (bytes === 0) continue;
      const write = rnd(2) === 0;
      const sector = rnd((MiB - bytes) / 512);
      const payload = randomBytes(total, round + 100);
      const statuses = benches.map((t) => {
        const base = t.g.alloc(total + gaps.reduce((a, b) => a + b, 0), 1);
        const bufs: Buf[] = [];
        let at = base;
        let off = 0;
        for (let i = 0; i < count; i++) {
          // Cut the buffers to the sector-aligned length; the rest of the last would be data too.
          const len = Math.min(lens[i]!, bytes - off);
          if (len <= 0) break;
          bufs.push({ addr: at, len, write: !write });
          t.g.mem.writeBytes(at, payload.subarray(off, off + len));
          at += len + gaps[i]!;
          off += len;
        }
        return submit(t, write ? T.OUT : T.IN, sector, bufs);
      });
      expect(statuses).toEqual([S.OK, S.OK]);
      expect(sameBytes(disks[0]!.bytes, disks[1]!.bytes)).toBe(true);
      expect(sameBytes(benches[0]!.g.ram.bytes, benches[1]!.g.ram.bytes)).toBe(true);
      if (write) expect(sameBytes(disks[0]!.bytes.subarray(sector * 512, sector * 512 + bytes), payload.subarray(0, bytes))).toBe(true);
    }
  });
});
