import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace, type AccessSize, MmioRegion, RamRegion } from '../src/index.js';

/**
 * The address space against a byte-array reference model: random maps of RAM
 * and MMIO regions (with random impl rules) at random places, then random
 * accesses of every size and alignment. The reference is one flat byte array
 * per address; MMIO regions here are "memory-like", so splitting, widening
 * and read-modify-write must all be invisible.
 */
const SPACE = 0x80;

interface RegionSpec {
  base: number;
  size: number;
  kind: 'ram' | 'mmio';
  implMin: AccessSize;
  implMax: AccessSize;
}

const sizes: AccessSize[] = [1, 2, 4, 8];

const regionArb = fc
  .record({
    base: fc.integer({ min: 0, max: SPACE - 16 }).map((b) => b & ~7),
    size: fc.constantFrom(8, 16, 32),
    kind: fc.constantFrom<'ram' | 'mmio'>('ram', 'mmio'),
    implMin: fc.constantFrom<AccessSize>(1, 2, 4),
    implMax: fc.constantFrom<AccessSize>(1, 2, 4, 8),
  })
  .map((r) => ({ ...r, implMax: Math.max(r.implMin, r.implMax) as AccessSize, size: Math.min(r.size, SPACE - r.base) }));

const accessArb = fc.record({
  addr: fc.integer({ min: 0, max: SPACE - 8 }),
  size: fc.constantFrom<AccessSize>(...sizes),
  write: fc.boolean(),
  value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
});

function build(specs: RegionSpec[]) {
  const as = new AddressSpace();
  const model = new Int16Array(SPACE).fill(-1); // -1: unmapped (reads 0, writes dropped)
  const regionOf = new Int32Array(SPACE).fill(-1);
  specs.forEach((spec, idx) => {
    for (let a = spec.base; a < spec.base + spec.size; a++) if (regionOf[a] !== -1) return; // skip overlaps
    for (let a = spec.base; a < spec.base + spec.size; a++) {
      regionOf[a] = idx;
      model[a] = 0;
    }
    if (spec.kind === 'ram') {
      as.mapRam(spec.base, new RamRegion(`ram${idx}`, spec.size));
    } else {
      const mem = new Uint8Array(spec.size);
      const get = (off: number, n: number) => {
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem[off + i]!);
        return v;
      };
      const put = (off: number, n: number, v: bigint) => {
        for (let i = 0; i < n; i++) mem[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
      };
      as.mapMmio(
        spec.base,
        new MmioRegion({
          name: `mmio${idx}`,
          size: spec.size,
          valid: { min: 1, max: 8, unaligned: true },
          impl: { min: spec.implMin, max: spec.implMax },
          handler: {
            read: (off, n) => {
              expect(n).toBeGreaterThanOrEqual(spec.implMin);
              expect(n).toBeLessThanOrEqual(Math.min(spec.implMax, 4));
              expect(off % n).toBe(0);
              return Number(get(off, n));
            },
            write: (off, n, v) => {
              expect(off % n).toBe(0);
              put(off, n, BigInt(v));
            },
            read64: (off) => get(off, 8),
            write64: (off, v) => put(off, 8, v),
          },
        }),
      );
    }
  });
  return { as, model, regionOf };
}

describe('AddressSpace against a reference model', () => {
  it('behaves like a flat byte array with unmapped holes', () => {
    fc.assert(
      fc.property(fc.array(regionArb, { maxLength: 6 }), fc.array(accessArb, { maxLength: 100 }), (specs, accesses) => {
        const { as, model, regionOf } = build(specs);
        for (const { addr, size, write, value } of accesses) {
          // An access crossing the edge of an MMIO region is refused by design (tested elsewhere).
          const first = regionOf[addr]!;
          let straddles = false;
          for (let i = 0; i < size; i++) {
            const r = regionOf[addr + i]!;
            if (r !== first && ((r >= 0 && specs[r]!.kind === 'mmio') || (first >= 0 && specs[first]!.kind === 'mmio'))) straddles = true;
          }
          if (straddles) continue;
          const v = BigInt.asUintN(size * 8, value);
          if (write) {
            if (size === 8) as.write64(addr, v);
            else as.write(addr, size, Number(v));
            for (let i = 0; i < size; i++) if (model[addr + i]! >= 0) model[addr + i] = Number((v >> BigInt(8 * i)) & 0xffn);
          } else {
            const got = size === 8 ? as.read64(addr) : BigInt(as.read(addr, size));
            let want = 0n;
            for (let i = size - 1; i >= 0; i--) want = (want << 8n) | BigInt(Math.max(0, model[addr + i]!));
            expect(got).toBe(want);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
