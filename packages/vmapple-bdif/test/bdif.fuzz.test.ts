import fc from 'fast-check';
import { AddressSpace, MemoryBlockBackend, RamRegion } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { BDIF_BASE, VmappleBdif } from '../src/index.js';
import { image, writeDescriptor, writeSectorHeader } from './harness.js';

const RAM = 0x4000_0000;
const RAM_SIZE = 0x1_0000;
const HDR = RAM + 0x100;
const DESC = RAM + 0x200;
const IMG = 0x8000;

function small() {
  const bus = new AddressSpace();
  const ram = new RamRegion('ram', RAM_SIZE);
  bus.mapRam(RAM, ram);
  const root = new MemoryBlockBackend(image(IMG, 7));
  const aux = new MemoryBlockBackend(image(IMG / 2, 8));
  const bdif = new VmappleBdif({ memory: bus, root, aux });
  bus.mapMmio(BDIF_BASE, bdif.region);
  return { bus, ram, root, aux };
}

/** Addresses mostly in or near RAM, sometimes anywhere. */
const addr = fc.oneof(
  fc.integer({ min: RAM + 0x400, max: RAM + RAM_SIZE + 0x100 }),
  fc.integer({ min: 0, max: 2 ** 48 }),
);

describe('fuzzing', () => {
  it('random MMIO accesses of every size never throw', () => {
    const { bus } = small();
    const access = fc.record({
      off: fc.integer({ min: 0, max: 0x1f_ffff }),
      size: fc.constantFrom(1, 2, 4, 8),
      value: fc.integer({ min: 0, max: 0xffff_ffff }),
      write: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(access, { maxLength: 30 }), (ops) => {
        for (const { off, size, value, write } of ops) {
          const a = BDIF_BASE + (off & ~(size - 1));
          if (size === 8) {
            if (write) bus.write64(a, BigInt(value) * 0x1_0001n);
            else bus.read64(a);
          } else if (write) {
            bus.write(a, size, value & (size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1));
          } else {
            expect(bus.read(a, size)).toBeLessThan(2 ** (8 * size));
          }
        }
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('random requests: no exception, only the buffer and status byte change, reads are exact, out-of-range touches nothing', () => {
    const req = fc.record({
      aux: fc.boolean(),
      sector: fc.oneof(fc.integer({ min: 0, max: IMG / 512 + 2 }), fc.integer({ min: 0, max: 0xffff_ffff })),
      length: fc.oneof(fc.integer({ min: 0, max: 0x2000 }), fc.integer({ min: 0, max: 0xffff_ffff })),
      flags: fc.oneof(fc.constant(0x0003_0001), fc.constant(0x0001_0001), fc.integer({ min: 0, max: 0xffff_ffff })),
      headerLen: fc.oneof(fc.constant(16), fc.integer({ min: 0, max: 0xffff_ffff })),
      data: addr,
      status: addr,
    });
    fc.assert(
      fc.property(req, (r) => {
        const { bus, ram, root, aux } = small();
        writeSectorHeader(bus, HDR, r.sector);
        writeDescriptor(bus, DESC, { header: HDR, headerLen: r.headerLen, data: r.data, length: r.length, flags: r.flags, status: r.status });
        const before = ram.bytes.slice();
        expect(() => bus.write(BDIF_BASE + (r.aux ? 0x1_0408 : 0x408), 4, DESC)).not.toThrow();
        const img = (r.aux ? aux : root).bytes;
        const inRam = (a: number, n: number) => a >= RAM && a + n <= RAM + RAM_SIZE;
        const statusByte = inRam(r.status, 1) ? ram.bytes[r.status - RAM] : undefined;
        const good =
          r.headerLen === 16 && r.flags === 0x0003_0001 && r.length <= 0x800_0000 && r.sector * 512 + r.length <= img.length && (r.length === 0 || inRam(r.data, r.length));
        if (statusByte !== undefined) expect(statusByte).toBe(good ? 0 : 1);
        // Every byte outside the data buffer (when the read succeeded) and the status byte is unchanged.
        for (let i = 0; i < RAM_SIZE; i++) {
          const a = RAM + i;
          if (a === r.status) continue;
          if (good && a >= r.data && a < r.data + r.length) {
            if (ram.bytes[i] !== img[r.sector * 512 + (a - r.data)]) expect.fail(`byte at ${a.toString(16)} is not the image's`);
          } else if (ram.bytes[i] !== before[i]) {
            expect.fail(`byte at ${a.toString(16)} changed`);
          }
        }
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});
