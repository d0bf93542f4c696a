import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeBoard, MMIO_BASE } from './board.js';
import { BAR0_SIZE, BAR2_SIZE, TestDevice } from './devices.js';

// Command register bits a type-0 function may implement here (PCI 3.0 §6.2.2):
// I/O, Memory, Bus Master, Parity, SERR#, Interrupt Disable.
const COMMAND_WRITABLE = 0x0001 | 0x0002 | 0x0004 | 0x0040 | 0x0100 | 0x0400;

const target = fc.constantFrom(
  { bus: 0, dev: 0, fn: 0 }, // host bridge
  { bus: 0, dev: 1, fn: 0 },
  { bus: 0, dev: 2, fn: 0 }, // conventional (256-byte) config space
  { bus: 0, dev: 3, fn: 0 }, // empty
  { bus: 1, dev: 1, fn: 0 }, // no such bus
);
const write = fc.record({
  t: target,
  // Mostly the header, sometimes anywhere in the 4 KiB.
  reg: fc.oneof({ weight: 4, arbitrary: fc.nat(0x3f) }, { weight: 1, arbitrary: fc.nat(0xfff) }),
  size: fc.constantFrom(1, 2, 4),
  value: fc.oneof(fc.constant(0xffff_ffff), fc.constant(0), fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 0x1fff_ffff }).map((v) => MMIO_BASE + v)),
});
const mmio = fc.record({ offset: fc.nat(0x3ff_ffff), size: fc.constantFrom(1, 2, 4, 8), value: fc.nat({ max: 0xffff_ffff }) });

describe('config space fuzzing through ECAM', () => {
  it('never throws; read-only fields stay put; BAR flags and size masks hold; no stale BAR mappings', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 3, arbitrary: write }, { weight: 1, arbitrary: mmio }), { maxLength: 60 }), (ops) => {
        const { host, sys, cfg } = makeBoard();
        const devs = [new TestDevice({ deviceId: 0x1111 }), new TestDevice({ deviceId: 0x2222, express: false })];
        host.plug(devs[0]!, { slot: 1 });
        host.plug(devs[1]!, { slot: 2 });
        const rd = (dev: number, reg: number, size = 4) => sys.read(cfg(0, dev, 0, reg), size);
        for (const op of ops) {
          if ('t' in op) {
            const at = op.reg - (op.reg % op.size);
            sys.write(cfg(op.t.bus, op.t.dev, op.t.fn, at), op.size, op.value & (op.size === 4 ? 0xffff_ffff : (1 << (8 * op.size)) - 1));
          } else {
            const at = MMIO_BASE + op.offset - (op.offset % op.size);
            if (op.size === 8) {
              sys.write64(at, BigInt(op.value) * 0x1_0000_0001n);
              sys.read64(at);
            } else {
              sys.write(at, op.size, op.value & (op.size === 4 ? 0xffff_ffff : (1 << (8 * op.size)) - 1));
              sys.read(at, op.size);
            }
          }
          // Identity and other read-only fields (plain checks: this runs thousands of times).
          const check = (what: string, got: number, want: number) => {
            if (got !== want) throw new Error(`after ${JSON.stringify(op)}: ${what} reads 0x${got.toString(16)}, expected 0x${want.toString(16)}`);
          };
          check('host bridge IDs', rd(0, 0), 0x0008_1b36);
          check('host bridge class', rd(0, 8), 0x0600_0000);
          check('device 1 IDs', rd(1, 0), 0x1111_1234);
          check('device 2 IDs', rd(2, 0), 0x2222_1234);
          for (const dev of [1, 2]) {
            check(`${dev}: class/revision`, rd(dev, 8), 0xff00_0002);
            check(`${dev}: header type`, rd(dev, 0x0e, 1), 0);
            check(`${dev}: subsystem`, rd(dev, 0x2c), 0x1100_1af4);
            check(`${dev}: capability pointer`, rd(dev, 0x34, 1), 0);
            check(`${dev}: interrupt pin`, rd(dev, 0x3d, 1), 1);
            check(`${dev}: command bits outside the writable set`, rd(dev, 4, 2) & ~COMMAND_WRITABLE, 0);
            check(`${dev}: status capability/interrupt bits`, rd(dev, 6, 2) & 0x0018, 0); // no capability list, no interrupt pending
            // BAR0: 32-bit, 4 KiB → flags 0, bits below the size read 0.
            check(`${dev}: BAR0 low bits`, rd(dev, 0x10) % BAR0_SIZE, 0);
            // BAR2: 64-bit prefetchable 1 MiB → flags 0xc.
            check(`${dev}: BAR2 low bits`, rd(dev, 0x18) % BAR2_SIZE, 0xc);
            for (const unused of [0x14, 0x20, 0x24, 0x30]) check(`${dev}: unused BAR 0x${unused.toString(16)}`, rd(dev, unused), 0);
          }
          for (let r = 0x10; r < 0x28; r += 4) check('host bridge BAR', rd(0, r), 0);
          check('empty slot', rd(3, 0), 0xffff_ffff);
          check("beyond a conventional function's 256 bytes", sys.read(cfg(0, 2, 0, 0x100), 4), 0xffff_ffff);
          // Every mapping in PCI memory is a BAR of an enabled function, at its programmed address.
          for (const m of host.pciMemory.list()) {
            const owner = devs.find((d) => d.memoryEnabled && [0, 2].some((i) => d.barAddress(i) === m.base));
            if (!owner) throw new Error(`after ${JSON.stringify(op)}: stale mapping of '${m.region.name}' at 0x${m.base.toString(16)}`);
          }
        }
        // Sizing still works whatever happened before.
        for (const dev of [1, 2]) {
          sys.write(cfg(0, dev, 0, 0x10), 4, 0xffff_ffff);
          sys.write(cfg(0, dev, 0, 0x18), 4, 0xffff_ffff);
          sys.write(cfg(0, dev, 0, 0x1c), 4, 0xffff_ffff);
          expect(rd(dev, 0x10)).toBe(0x1_0000_0000 - BAR0_SIZE);
          expect(rd(dev, 0x18)).toBe(0x1_0000_0000 - BAR2_SIZE + 0xc);
          expect(rd(dev, 0x1c)).toBe(0xffff_ffff);
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
