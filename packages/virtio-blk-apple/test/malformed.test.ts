import { MemoryBlockBackend } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlkTestBench, header, randomBytes, S, T } from './blk-driver.js';
import { type Buf } from '../../virtio/test/driver.js';

const NEEDS_RESET = 0x40;

function bench(size = 1 << 20) {
  return new BlkTestBench(new MemoryBlockBackend(randomBytes(size, 11))).start();
}

/** Adds a raw chain and kicks; returns the used entries. */
function raw(t: BlkTestBench, bufs: Buf[]) {
  t.ring.add(bufs);
  t.kick();
  return t.ring.takeUsed();
}

describe('malformed requests complete with IOERR (and the ring stays usable)', () => {
  it('a header shorter than 16 bytes', () => {
    const t = bench();
    const st = t.g.alloc(1);
    const used = raw(t, [{ addr: t.g.put(header(T.IN, 0).subarray(0, 12)), len: 12 }, { addr: t.g.alloc(512), len: 512, write: true }, { addr: st, len: 1, write: true }]);
    expect(used.length).toBe(1);
    expect(t.g.mem.read8(st)).toBe(S.IOERR);
    expect(t.errors.some((e) => /header/.test(e.message))).toBe(true);
    expect(t.run(T.IN, 0, { inLen: 512 }).status).toBe(S.OK);
  });

  it('a header split over several descriptors is fine', () => {
    const t = bench();
    const h = header(T.IN, 2);
    const st = t.g.alloc(1);
    const data = t.g.alloc(512);
    raw(t, [
      { addr: t.g.put(h.subarray(0, 5), 1), len: 5 },
      { addr: t.g.put(h.subarray(5, 16), 1), len: 11 },
      { addr: data, len: 512, write: true },
      { addr: st, len: 1, write: true },
    ]);
    expect(t.g.mem.read8(st)).toBe(S.OK);
    expect(t.g.get(data, 512)).toEqual(t.backend.bytes.slice(1024, 1536));
  });

  it('wrong direction: IN with device-readable data, OUT with device-writable data', () => {
    const t = bench();
    expect(t.run(T.IN, 0, { out: new Uint8Array(512), inLen: 512 }).status).toBe(S.IOERR);
    const before = t.backend.bytes.slice(0, 512);
    expect(t.run(T.OUT, 0, { out: new Uint8Array(512), inLen: 512 }).status).toBe(S.IOERR);
    expect(t.backend.bytes.slice(0, 512)).toEqual(before);
  });

  it('data lengths that are not whole sectors', () => {
    const t = bench();
    expect(t.run(T.IN, 0, { inLen: 500 }).status).toBe(S.IOERR);
    expect(t.run(T.OUT, 0, { out: new Uint8Array(513) }).status).toBe(S.IOERR);
  });

  it('a data buffer outside RAM: IOERR, nothing written anywhere else', () => {
    const t = bench();
    const st = t.g.alloc(1);
    const ramBefore = t.g.ram.bytes.slice();
    t.ring.add([{ addr: t.g.put(header(T.IN, 0)), len: 16 }, { addr: 0x1000, len: 512, write: true }, { addr: st, len: 1, write: true }]);
    const ringBytesStart = t.ring.desc;
    t.kick();
    expect(t.g.mem.read8(st)).toBe(S.IOERR);
    // Only the status byte, the ring's own device-written fields and the driver's writes changed.
    const changed: number[] = [];
    for (let i = 0; i < ramBefore.length; i++) if (ramBefore[i] !== t.g.ram.bytes[i]) changed.push(t.g.base + i);
    const usedArea = [t.ring.used, t.ring.used + 6 + 8 * t.ring.size];
    const driverArea = [ringBytesStart, t.ring.used]; // descriptors + avail ring, written by the test driver
    for (const a of changed) {
      const ok = a === st || (a >= usedArea[0]! && a < usedArea[1]!) || (a >= driverArea[0]! && a < driverArea[1]!);
      expect(ok, `byte at 0x${a.toString(16)} changed`).toBe(true);
    }
    expect(t.drv.status() & NEEDS_RESET).toBe(0);
  });

  it('a write source buffer outside RAM: IOERR, backend untouched', () => {
    const t = bench();
    const before = t.backend.bytes.slice(0, 1024);
    const st = t.g.alloc(1);
    raw(t, [{ addr: t.g.put(header(T.OUT, 0)), len: 16 }, { addr: 0x7fff_0000_0000, len: 1024 }, { addr: st, len: 1, write: true }]);
    expect(t.g.mem.read8(st)).toBe(S.IOERR);
    expect(t.backend.bytes.slice(0, 1024)).toEqual(before);
  });
});

describe('requests the device cannot complete set DEVICE_NEEDS_RESET', () => {
  it('no device-writable status byte', () => {
    const t = bench();
    t.ring.add([{ addr: t.g.put(header(T.FLUSH, 0)), len: 16 }]);
    t.kick();
    expect(t.drv.status() & NEEDS_RESET).toBe(NEEDS_RESET);
    expect(t.drv.readIsr() & 2).toBe(2);
    expect(t.ring.usedIdx()).toBe(0);
  });

  it('a status byte outside RAM', () => {
    const t = bench();
    t.ring.add([{ addr: t.g.put(header(T.FLUSH, 0)), len: 16 }, { addr: 0x10, len: 1, write: true }]);
    t.kick();
    expect(t.drv.status() & NEEDS_RESET).toBe(NEEDS_RESET);
  });

  it('a descriptor loop, and recovery through reset', () => {
    const t = bench();
    t.ring.writeDesc(0, t.g.put(header(T.IN, 0)), 16, 1, 1);
    t.ring.writeDesc(1, t.g.alloc(512), 512, 2 | 1, 0);
    t.ring.pushAvail(0);
    t.kick();
    expect(t.drv.status() & NEEDS_RESET).toBe(NEEDS_RESET);
    // Further requests are not served until the driver resets the device.
    const again = t.ring.usedIdx();
    t.kick();
    expect(t.ring.usedIdx()).toBe(again);
    t.start();
    expect(t.run(T.IN, 0, { inLen: 512 }).status).toBe(S.OK);
  });
});

describe('request fuzzing', () => {
  it('random requests over random buffers never throw and never write outside the buffers given', () => {
    const image = randomBytes(1 << 18, 3);
    const outcomes: Record<number, number> = {};
    const seg = fc.record({ len: fc.oneof(fc.constantFrom(1, 16, 512, 1024, 513), fc.integer({ min: 0, max: 1200 })), write: fc.boolean(), outside: fc.integer({ min: 0, max: 9 }) });
    fc.assert(
      fc.property(
        fc.constantFrom(T.IN, T.OUT, T.FLUSH, T.GET_ID, T.DISCARD, T.WRITE_ZEROES, T.APPLE_BARRIER, 3, 0x10001),
        fc.oneof(fc.integer({ min: 0, max: 520 }), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
        fc.array(seg, { minLength: 0, maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        (type, sector, segs, indirect, readOnly) => {
          const backend = new MemoryBlockBackend(image.slice(), readOnly);
          const t = new BlkTestBench(backend, { variant: 'aux' }, 1 << 18).start();
          const ordered = [...segs.filter((s) => !s.write), ...segs.filter((s) => s.write)];
          const bufs: Buf[] = [{ addr: t.g.put(header(type, sector)), len: 16 }];
          const writable: Array<[number, number]> = [];
          for (const s of ordered) {
            // One in ten buffers points outside RAM.
            const addr = s.outside === 0 ? 0x2000_0000 : s.write ? t.g.alloc(Math.max(1, s.len), 1) : t.g.put(randomBytes(Math.max(1, s.len), s.len), 1);
            bufs.push({ addr, len: s.len, write: s.write });
            if (s.write) writable.push([addr, s.len]);
          }
          const backendBefore = readOnly ? backend.bytes.slice() : null;
          t.ring.add(bufs, { indirect });
          // The ring areas the test driver itself wrote are excluded from the check.
          const ringStart = t.ring.desc;
          const ringEnd = t.ring.used + 6 + 8 * t.ring.size;
          const changedBefore = t.g.ram.bytes.slice();
          t.kick();
          const after = t.g.ram.bytes;
          for (let i = 0; i < after.length; i++) {
            if (changedBefore[i] === after[i]) continue;
            const a = t.g.base + i;
            const inside = writable.some(([w, l]) => a >= w && a < w + l) || (a >= ringStart && a < ringEnd);
            expect(inside, `byte at 0x${a.toString(16)} changed`).toBe(true);
          }
          if (backendBefore) expect(Buffer.compare(backendBefore, backend.bytes)).toBe(0);
          const last = writable[writable.length - 1];
          const status = last && last[1] > 0 ? t.g.mem.read8(last[0] + last[1] - 1) : undefined;
          if (status !== undefined) outcomes[status] = (outcomes[status] ?? 0) + 1;
        },
      ),
      { numRuns: 150 },
    );
    // The generator reaches successful, failed and unsupported requests alike.
    expect(outcomes[S.OK]).toBeGreaterThan(5);
    expect(outcomes[S.IOERR]).toBeGreaterThan(5);
    expect(outcomes[S.UNSUPP]).toBeGreaterThan(2);
  }, 60_000);
});
