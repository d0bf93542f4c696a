import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SplitQueue } from '../src/index.js';
import { type Buf, GuestRam, RingDriver } from './driver.js';

const RAM_BASE = 0x4000_0000;
const RAM_SIZE = 0x10000;

/** Descriptor fields biased towards interesting values: inside RAM, straddling its end, outside, huge. */
const addrArb = fc.oneof(
  { arbitrary: fc.integer({ min: RAM_BASE, max: RAM_BASE + RAM_SIZE - 1 }), weight: 4 },
  fc.integer({ min: RAM_BASE + RAM_SIZE - 64, max: RAM_BASE + RAM_SIZE + 64 }),
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.constantFrom(2 ** 53, 2 ** 64 - 4096, RAM_BASE - 8),
);
const lenArb = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 256 }), weight: 4 }, fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(16, 32, 48, 0x10000));
const flagsArb = fc.oneof({ arbitrary: fc.constantFrom(0, 1, 2, 3), weight: 3 }, fc.integer({ min: 0, max: 0xffff }));
const descArb = fc.record({ addr: addrArb, len: lenArb, flags: flagsArb, next: fc.integer({ min: 0, max: 20 }) });

describe('SplitQueue fuzzing', () => {
  it('random descriptor tables never throw, stay bounded and never lead to writes outside the given buffers', () => {
    let written = 0;
    let errors = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8, 16),
        fc.array(descArb, { minLength: 16, maxLength: 16 }),
        fc.array(descArb, { minLength: 0, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 16, maxLength: 16 }),
        fc.oneof({ arbitrary: fc.integer({ min: 0, max: 20 }), weight: 4 }, fc.integer({ min: 0, max: 0xffff })),
        fc.boolean(),
        fc.boolean(),
        (size, table, indirectTable, heads, availIdx, indirect, eventIdx) => {
          const g = new GuestRam(RAM_BASE, RAM_SIZE);
          const ring = new RingDriver(g, size);
          // A spare indirect table in RAM that random descriptors may point at.
          const spare = g.alloc(16 * Math.max(1, indirectTable.length));
          indirectTable.forEach((d, i) => ring.writeDesc(i, d.addr, d.len, d.flags, i % 5 === 4 ? d.next : d.next % indirectTable.length, spare));
          // The oracle: every device-writable buffer any descriptor the driver wrote describes.
          const allowed: Array<[number, number]> = indirectTable.filter((d) => d.flags & 2).map((d) => [d.addr, d.len]);
          for (let i = 0; i < size; i++) {
            const d = table[i]!;
            // Indirect descriptors aim at the spare table, so every descriptor the device can see is known here.
            const addr = d.flags & 4 ? spare : d.addr;
            ring.writeDesc(i, addr, d.len, d.flags, i % 5 === 4 ? d.next : d.next % size);
            if (d.flags & 2) allowed.push([addr, d.len]);
          }
          for (let i = 0; i < size; i++) g.mem.write16(ring.avail + 4 + 2 * i, i % 4 === 3 ? heads[i]! : heads[i]! % size);
          ring.setAvailIdx(availIdx);
          const q = new SplitQueue(0, size);
          q.descAddr = ring.desc;
          q.driverAddr = ring.avail;
          q.deviceAddr = ring.used;
          q.indirect = indirect;
          q.eventIdx = eventIdx;
          q.ready = true;
          for (let n = 0; n < 2 * size + 2; n++) {
            const chain = q.pop(g.mem);
            if (!chain) break;
            expect(chain.head).toBeLessThan(size);
            expect(chain.readable.length + chain.writable.length).toBeLessThanOrEqual(size + 1024);
            if (chain.writableLength > 1 << 20) continue;
            const before = g.ram.bytes.slice();
            const pattern = new Uint8Array(chain.writableLength).fill(0xa5);
            if (chain.writeTo(g.mem, 0, pattern) && chain.writableLength > 0) written++;
            const after = g.ram.bytes;
            for (let off = 0; off < RAM_SIZE; off++) {
              if (before[off] === after[off]) continue;
              const addr = RAM_BASE + off;
              const inside = allowed.some(([a, l]) => addr >= a && addr < a + l);
              expect(inside, `byte at ${addr.toString(16)} changed outside the writable buffers`).toBe(true);
            }
            q.pushUsed(g.mem, chain.head, chain.writableLength);
          }
          if (q.error !== null) errors++;
          // A device never pops more than the driver made available.
          expect(((q.nextAvail - 0) & 0xffff) <= Math.min(availIdx, size)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
    // The generator reaches both outcomes: chains the device writes into, and broken rings.
    expect(written).toBeGreaterThan(8);
    expect(errors).toBeGreaterThan(100);
  }, 60_000);

  it('pops exactly the chains a well-behaved driver adds (model check)', () => {
    const bufArb = fc.record({ len: fc.integer({ min: 0, max: 64 }), write: fc.boolean() });
    const chainArb = fc.record({ bufs: fc.array(bufArb, { minLength: 1, maxLength: 6 }), indirect: fc.boolean() });
    fc.assert(
      fc.property(fc.array(chainArb, { minLength: 1, maxLength: 40 }), (chains) => {
        const g = new GuestRam(RAM_BASE, 1 << 20);
        const ring = new RingDriver(g, 8);
        const q = new SplitQueue(0, 8);
        q.descAddr = ring.desc;
        q.driverAddr = ring.avail;
        q.deviceAddr = ring.used;
        q.indirect = true;
        q.ready = true;
        for (const c of chains) {
          // Readable buffers first, as the spec requires of drivers.
          const bufs: Buf[] = [...c.bufs.filter((b) => !b.write), ...c.bufs.filter((b) => b.write)].map((b) => ({
            addr: g.alloc(Math.max(1, b.len)),
            len: b.len,
            write: b.write,
          }));
          const head = ring.add(bufs, { indirect: c.indirect });
          const got = q.pop(g.mem)!;
          expect(q.error).toBeNull();
          expect(got.head).toBe(head);
          const nz = bufs.filter((b) => b.len > 0);
          expect(got.readable).toEqual(nz.filter((b) => !b.write).map(({ addr, len }) => ({ addr, len })));
          expect(got.writable).toEqual(nz.filter((b) => b.write).map(({ addr, len }) => ({ addr, len })));
          q.pushUsed(g.mem, got.head, 0);
          expect(ring.takeUsed()).toEqual([{ id: head, len: 0 }]);
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
