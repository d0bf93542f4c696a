import { ConfigError, MemoryBlockBackend } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { VirtioBlkPci } from '../src/index.js';
import { ALL, BlkTestBench, dwzSegment, F, randomBytes, S, T } from './blk-driver.js';

const MiB = 1 << 20;

/** Byte-wise equality (vitest's deep equality is slow on megabyte arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function disk(size = MiB, seed = 7, readOnly = false) {
  return new MemoryBlockBackend(randomBytes(size, seed), readOnly);
}

function capsIds(fn: VirtioBlkPci): number[] {
  const ids: number[] = [];
  for (let at = fn.configRead(0x34, 1); at !== 0; at = fn.configRead(at + 1, 1)) ids.push(fn.configRead(at, 1));
  return ids;
}

describe('PCI identity (vmapple spec §5; virtio 1.2 §4.1.2)', () => {
  it('the Apple model is 106B:1A00, class 0x010000, revision 1, subsystem 1AF4:1100, INTA, no MSI-X', () => {
    const fn = new VirtioBlkPci({ backend: disk(), variant: 'aux' });
    expect(fn.configRead(0, 4)).toBe(0x1a00106b);
    expect(fn.configRead(0x08, 4) >>> 8).toBe(0x010000);
    expect(fn.configRead(0x08, 1)).toBe(1);
    expect(fn.configRead(0x2c, 4)).toBe(0x11001af4);
    expect(fn.configRead(0x3d, 1)).toBe(1);
    expect(capsIds(fn)).not.toContain(0x11);
    expect(fn.name).toBe('vmapple-virtio-blk-aux');
  });

  it('the standard model is 1AF4:1042', () => {
    const fn = new VirtioBlkPci({ backend: disk(), model: 'standard' });
    expect(fn.configRead(0, 4)).toBe(0x10421af4);
    expect(fn.configRead(0x08, 4) >>> 8).toBe(0x010000);
  });

  it('rejects bad options with ConfigError', () => {
    expect(() => new VirtioBlkPci({ backend: disk() })).toThrow(ConfigError);
    expect(() => new VirtioBlkPci({ backend: disk(), variant: 'boot' as 'root' })).toThrow(/variant/);
    expect(() => new VirtioBlkPci({ backend: disk(), model: 'standard', variant: 'root' })).toThrow(/only for the Apple model/);
    expect(() => new VirtioBlkPci({ backend: disk(), variant: 'root', logicalBlockSize: 1000 })).toThrow(/power of two/);
    expect(() => new VirtioBlkPci({ backend: disk(), variant: 'root', serial: 'x'.repeat(21) })).toThrow(/at most 20 bytes/);
    expect(() => new VirtioBlkPci({ backend: disk(MiB, 1, true), variant: 'root', readOnly: false })).toThrow(/read-only backend/);
    expect(() => new VirtioBlkPci({ backend: disk(), variant: 'root', queueSize: 100 })).toThrow(/power of two/);
  });
});

describe('features and configuration space (virtio 1.2 §5.2.3, §5.2.4; vmapple spec §5)', () => {
  it('the Apple model offers the standard set plus ZONED and reports the variant at 0x3C', () => {
    for (const [variant, value] of [['root', 1], ['aux', 2]] as const) {
      const t = new BlkTestBench(disk(MiB), { variant });
      const f = t.drv.deviceFeatures();
      for (const bit of [F.SEG_MAX, F.BLK_SIZE, F.FLUSH, F.TOPOLOGY, F.DISCARD, F.WRITE_ZEROES, F.ZONED, F.VERSION_1, F.INDIRECT, F.EVENT_IDX]) {
        expect(f & bit).toBe(bit);
      }
      expect(f & F.RO).toBe(0n);
      expect(f & F.MQ).toBe(0n);
      expect(t.drv.deviceRead(0x3c, 4)).toBe(value);
      expect(t.drv.cap(4).length).toBeGreaterThanOrEqual(0x60);
      expect(t.drv.deviceRead(0x5c, 1)).toBe(0); // zoned model: none
    }
  });

  it('lays out capacity, seg_max, blk_size, topology and the discard/write-zeroes limits', () => {
    const t = new BlkTestBench(disk(3 * MiB), { variant: 'root', logicalBlockSize: 4096, physicalBlockSize: 16384, minIoSize: 8192, optIoSize: 65536, queueSize: 128 });
    expect(t.drv.deviceRead(0x00, 4)).toBe((3 * MiB) / 512);
    expect(t.drv.deviceRead(0x04, 4)).toBe(0);
    expect(t.drv.deviceRead(0x0c, 4)).toBe(126);
    expect(t.drv.deviceRead(0x14, 4)).toBe(4096);
    expect(t.drv.deviceRead(0x18, 1)).toBe(2); // log2(16384 / 4096)
    expect(t.drv.deviceRead(0x19, 1)).toBe(0);
    expect(t.drv.deviceRead(0x1a, 2)).toBe(2);
    expect(t.drv.deviceRead(0x1c, 4)).toBe(16);
    expect(t.drv.deviceRead(0x24, 4)).toBeGreaterThan(0);
    expect(t.drv.deviceRead(0x28, 4)).toBe(1);
    expect(t.drv.deviceRead(0x2c, 4)).toBe(8);
    expect(t.drv.deviceRead(0x30, 4)).toBeGreaterThan(0);
    expect(t.drv.deviceRead(0x34, 4)).toBe(1);
  });

  it('the standard model has no ZONED and its config ends after write_zeroes_may_unmap (0x39, as QEMU)', () => {
    const t = new BlkTestBench(disk(), { model: 'standard' });
    expect(t.drv.deviceFeatures() & F.ZONED).toBe(0n);
    expect(t.drv.deviceRead(0x38, 1)).toBe(1);
    expect(t.drv.deviceRead(0x39, 1)).toBe(0xff);
    expect(t.drv.deviceRead(0x3c, 4)).toBe(0xffff_ffff);
  });

  it('read-only disks offer VIRTIO_BLK_F_RO; more queues offer MQ with num_queues', () => {
    expect(new BlkTestBench(disk(MiB, 1, true), { variant: 'root' }).drv.deviceFeatures() & F.RO).toBe(F.RO);
    const t = new BlkTestBench(disk(), { variant: 'root', numQueues: 3 });
    expect(t.drv.deviceFeatures() & F.MQ).toBe(F.MQ);
    expect(t.drv.deviceRead(0x22, 2)).toBe(3);
    expect(t.drv.commonRead(0x12, 2)).toBe(3);
  });

  it('ignores config writes, logging a guest error', () => {
    const t = new BlkTestBench(disk(), { variant: 'root' });
    t.drv.deviceWrite(0x14, 4, 1234);
    expect(t.drv.deviceRead(0x14, 4)).toBe(512);
    expect(t.errors.length).toBe(1);
  });
});

describe('requests (virtio 1.2 §5.2.6)', () => {
  for (const [name, opts] of [
    ['one buffer', { parts: 1 }],
    ['several buffers', { parts: 5 }],
    ['an indirect table', { parts: 3, indirect: true }],
  ] as const) {
    it(`IN reads sectors into ${name}; used length = data + status`, () => {
      const b = disk();
      const t = new BlkTestBench(b).start();
      const r = t.run(T.IN, 10, { inLen: 4096, ...opts });
      expect(r.status).toBe(S.OK);
      expect(r.len).toBe(4097);
      expect(sameBytes(t.dataIn(r.req), b.bytes.subarray(10 * 512, 10 * 512 + 4096))).toBe(true);
    });

    it(`OUT writes sectors from ${name}`, () => {
      const b = disk();
      const t = new BlkTestBench(b).start();
      const data = randomBytes(3 * 512, 99);
      const before = b.bytes.slice();
      const r = t.run(T.OUT, 7, { out: data, ...opts });
      expect(r.status).toBe(S.OK);
      expect(r.len).toBe(1);
      expect(sameBytes(b.bytes.subarray(7 * 512, 10 * 512), data)).toBe(true);
      expect(sameBytes(b.bytes.subarray(0, 7 * 512), before.subarray(0, 7 * 512))).toBe(true);
      expect(sameBytes(b.bytes.subarray(10 * 512), before.subarray(10 * 512))).toBe(true);
    });
  }

  it('reads the last sector and refuses one past the end', () => {
    const b = disk();
    const t = new BlkTestBench(b).start();
    expect(t.run(T.IN, MiB / 512 - 1, { inLen: 512 }).status).toBe(S.OK);
    expect(t.run(T.IN, MiB / 512, { inLen: 512 }).status).toBe(S.IOERR);
    expect(t.run(T.IN, MiB / 512 - 1, { inLen: 1024 }).status).toBe(S.IOERR);
    expect(t.run(T.IN, 2 ** 52, { inLen: 512 }).status).toBe(S.IOERR);
    expect(t.run(T.OUT, 2 ** 40, { out: new Uint8Array(512) }).status).toBe(S.IOERR);
  });

  it('acknowledges a write only after the backend took it, and reports backend failures as IOERR', () => {
    const b = disk();
    const t = new BlkTestBench(b).start();
    const usedAtWrite: number[] = [];
    const write = b.write.bind(b);
    let fail = false;
    b.write = (off, src) => {
      usedAtWrite.push(t.ring.usedIdx());
      return fail ? false : write(off, src);
    };
    expect(t.run(T.OUT, 0, { out: new Uint8Array(512).fill(1) }).status).toBe(S.OK);
    expect(usedAtWrite).toEqual([0]);
    fail = true;
    expect(t.run(T.OUT, 0, { out: new Uint8Array(512).fill(2) }).status).toBe(S.IOERR);
    expect(b.bytes[0]).toBe(1);
  });

  it('FLUSH calls backend.flush(); a failing flush is IOERR', () => {
    const b = disk();
    const t = new BlkTestBench(b).start();
    expect(t.run(T.FLUSH, 0).status).toBe(S.OK);
    expect(b.flushes).toBe(1);
    b.flush = () => false;
    expect(t.run(T.FLUSH, 0).status).toBe(S.IOERR);
  });

  it('GET_ID returns the serial and its NUL, cut to the buffer; used length is the whole writable size', () => {
    const t = new BlkTestBench(disk(), { variant: 'root', serial: 'vmapple-root' }).start();
    const r = t.run(T.GET_ID, 0, { inLen: 20 });
    expect(r.status).toBe(S.OK);
    expect(r.len).toBe(21);
    const expected = new Uint8Array(20);
    expected.set(new TextEncoder().encode('vmapple-root'));
    expect(sameBytes(t.dataIn(r.req), expected)).toBe(true);
    const short = t.run(T.GET_ID, 0, { inLen: 4 });
    expect(short.status).toBe(S.OK);
    expect(new TextDecoder().decode(t.dataIn(short.req))).toBe('vmap');
  });

  it('WRITE_ZEROES zeroes the range (with or without UNMAP) and nothing else', () => {
    const b = disk();
    const before = b.bytes.slice();
    const t = new BlkTestBench(b).start();
    expect(t.run(T.WRITE_ZEROES, 0, { out: dwzSegment(3, 300, 0) }).status).toBe(S.OK);
    expect(t.run(T.WRITE_ZEROES, 0, { out: dwzSegment(1000, 2, 1) }).status).toBe(S.OK);
    expect(b.bytes.subarray(3 * 512, 303 * 512).every((x) => x === 0)).toBe(true);
    expect(b.bytes.subarray(1000 * 512, 1002 * 512).every((x) => x === 0)).toBe(true);
    expect(sameBytes(b.bytes.subarray(0, 3 * 512), before.subarray(0, 3 * 512))).toBe(true);
    expect(sameBytes(b.bytes.subarray(303 * 512, 1000 * 512), before.subarray(303 * 512, 1000 * 512))).toBe(true);
    expect(sameBytes(b.bytes.subarray(1002 * 512), before.subarray(1002 * 512))).toBe(true);
  });

  it('DISCARD succeeds in range; UNMAP or unknown flags are UNSUPP; out of range is IOERR', () => {
    const t = new BlkTestBench(disk()).start();
    expect(t.run(T.DISCARD, 0, { out: dwzSegment(0, 8, 0) }).status).toBe(S.OK);
    expect(t.run(T.DISCARD, 0, { out: dwzSegment(0, 8, 1) }).status).toBe(S.UNSUPP);
    expect(t.run(T.WRITE_ZEROES, 0, { out: dwzSegment(0, 8, 2) }).status).toBe(S.UNSUPP);
    expect(t.run(T.DISCARD, 0, { out: dwzSegment(MiB / 512 - 4, 8, 0) }).status).toBe(S.IOERR);
    // More segments than max_discard_seg (1).
    const two = new Uint8Array(32);
    two.set(dwzSegment(0, 1, 0));
    two.set(dwzSegment(8, 1, 0), 16);
    expect(t.run(T.DISCARD, 0, { out: two }).status).toBe(S.UNSUPP);
    // A payload that is not whole segments.
    expect(t.run(T.DISCARD, 0, { out: new Uint8Array(20) }).status).toBe(S.IOERR);
  });

  it('DISCARD and WRITE_ZEROES are UNSUPP when not negotiated or not offered', () => {
    const t = new BlkTestBench(disk()).start(ALL & ~F.DISCARD & ~F.WRITE_ZEROES);
    expect(t.run(T.DISCARD, 0, { out: dwzSegment(0, 8, 0) }).status).toBe(S.UNSUPP);
    const u = new BlkTestBench(disk(), { variant: 'root', writeZeroes: false }).start();
    expect(u.drv.deviceFeatures() & F.WRITE_ZEROES).toBe(0n);
    expect(u.run(T.WRITE_ZEROES, 0, { out: dwzSegment(0, 8, 0) }).status).toBe(S.UNSUPP);
  });

  it('APPLE_BARRIER (exactly 0x10000) flushes on the Apple model; near misses and the standard model get UNSUPP', () => {
    const b = disk();
    const t = new BlkTestBench(b).start();
    const r = t.run(T.APPLE_BARRIER, 0);
    expect(r.status).toBe(S.OK);
    expect(r.len).toBe(1);
    expect(b.flushes).toBe(1);
    expect(t.run(0x10001, 0).status).toBe(S.UNSUPP);
    expect(t.run(0x80010000, 0).status).toBe(S.UNSUPP);
    const s = new BlkTestBench(disk(), { model: 'standard' }).start();
    expect(s.run(T.APPLE_BARRIER, 0).status).toBe(S.UNSUPP);
  });

  it('unknown and unimplemented types (GET_LIFETIME, SECURE_ERASE, 0xff) are UNSUPP', () => {
    const t = new BlkTestBench(disk()).start();
    for (const type of [T.GET_LIFETIME, T.SECURE_ERASE, 0xff]) expect(t.run(type, 0, { inLen: 8 }).status).toBe(S.UNSUPP);
  });

  it('a read-only disk serves reads and refuses writes and write-zeroes with IOERR', () => {
    const b = disk(MiB, 3, true);
    const before = b.bytes.slice();
    const t = new BlkTestBench(b).start();
    expect(t.features & F.RO).toBe(F.RO);
    expect(t.run(T.IN, 0, { inLen: 512 }).status).toBe(S.OK);
    expect(t.run(T.OUT, 0, { out: new Uint8Array(512) }).status).toBe(S.IOERR);
    expect(t.run(T.WRITE_ZEROES, 0, { out: dwzSegment(0, 8, 0) }).status).toBe(S.IOERR);
    expect(t.run(T.FLUSH, 0).status).toBe(S.OK);
    expect(sameBytes(b.bytes, before)).toBe(true);
  });

  it('honours a 4 KiB logical block size: unaligned requests are IOERR', () => {
    const t = new BlkTestBench(disk(), { variant: 'root', logicalBlockSize: 4096 }).start();
    expect(t.run(T.IN, 8, { inLen: 4096 }).status).toBe(S.OK);
    expect(t.run(T.IN, 1, { inLen: 4096 }).status).toBe(S.IOERR);
    expect(t.run(T.IN, 8, { inLen: 512 }).status).toBe(S.IOERR);
  });

  it('serves several queues independently', () => {
    const b = disk();
    const t = new BlkTestBench(b, { variant: 'root', numQueues: 2 });
    t.features = t.drv.negotiate(ALL);
    const q0 = t.drv.setupQueue(0, 16);
    const q1 = t.drv.setupQueue(1, 16);
    t.drv.driverOk();
    t.ring = q0;
    const r1 = t.add(T.IN, 4, { inLen: 512, ring: q1 });
    t.kick(1);
    expect(q1.takeUsed().length).toBe(1);
    expect(q0.takeUsed().length).toBe(0);
    expect(sameBytes(t.dataIn(r1), b.bytes.subarray(4 * 512, 5 * 512))).toBe(true);
  });

  it('works through the bounce path when a buffer straddles two RAM regions', async () => {
    const { RamRegion } = await import('@vmapple/core-bus');
    const b = disk();
    const t = new BlkTestBench(b).start();
    // A second RAM region right after the first: a buffer across the seam has no single RAM slice.
    const end = t.g.base + t.g.size;
    t.g.mem.mapRam(end, new RamRegion('ram2', 0x10000));
    const data = randomBytes(1024, 5);
    t.g.mem.writeBytes(end - 300, data);
    const hdr = t.g.put(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    const st = t.g.alloc(1);
    t.ring.add([{ addr: hdr, len: 16 }, { addr: end - 300, len: 1024 }, { addr: st, len: 1, write: true }]);
    t.kick();
    expect(t.g.mem.read8(st)).toBe(S.OK);
    expect(sameBytes(b.bytes.subarray(1024, 2048), data)).toBe(true);
    // And a read back across the seam.
    const hdr2 = t.g.put(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    t.g.mem.writeBytes(end - 300, new Uint8Array(1024));
    t.ring.add([{ addr: hdr2, len: 16 }, { addr: end - 300, len: 1024, write: true }, { addr: st, len: 1, write: true }]);
    t.kick();
    const back = new Uint8Array(1024);
    t.g.mem.readBytes(end - 300, back);
    expect(sameBytes(back, data)).toBe(true);
  });
});
