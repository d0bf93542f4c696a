import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeDataAbort, esrEc, HvfEc } from '../../src/hvf/syndrome.js';
import { runEl2Payload } from './qemu-el2.js';
import { makeRig, MMIO_BASE } from './setup.js';

/**
 * Real stage-2 data-abort syndromes as the oracle: QEMU's TCG model of an
 * Arm CPU with EL2 reports them in ESR_EL2 exactly as Hypervisor.framework
 * reports exits. The payload (qemu-stage2.s) makes EL1 execute each
 * instruction below against unmapped guest memory.
 */
interface Case {
  insn: string;
  isv: boolean;
  size?: 1 | 2 | 4 | 8;
  sse?: boolean;
  rt?: number;
  sf?: boolean;
  ar?: boolean;
  write?: boolean;
}

// The meaning of each instruction (Arm ARM), independent of any syndrome.
const CASES: Case[] = [
  { insn: 'ldrb w2, [x1]', isv: true, size: 1, sse: false, rt: 2, sf: false, write: false },
  { insn: 'ldrh w3, [x1]', isv: true, size: 2, sse: false, rt: 3, sf: false, write: false },
  { insn: 'ldr w4, [x1]', isv: true, size: 4, sse: false, rt: 4, sf: false, write: false },
  { insn: 'ldr x5, [x1]', isv: true, size: 8, sse: false, rt: 5, sf: true, write: false },
  { insn: 'ldrsb w6, [x1]', isv: true, size: 1, sse: true, rt: 6, sf: false, write: false },
  { insn: 'ldrsb x7, [x1]', isv: true, size: 1, sse: true, rt: 7, sf: true, write: false },
  { insn: 'ldrsh w8, [x1]', isv: true, size: 2, sse: true, rt: 8, sf: false, write: false },
  { insn: 'ldrsh x9, [x1]', isv: true, size: 2, sse: true, rt: 9, sf: true, write: false },
  { insn: 'ldrsw x10, [x1]', isv: true, size: 4, sse: true, rt: 10, sf: true, write: false },
  { insn: 'strb w11, [x1]', isv: true, size: 1, rt: 11, sf: false, write: true },
  { insn: 'strh w12, [x1]', isv: true, size: 2, rt: 12, sf: false, write: true },
  { insn: 'str w13, [x1]', isv: true, size: 4, rt: 13, sf: false, write: true },
  { insn: 'str x14, [x1]', isv: true, size: 8, rt: 14, sf: true, write: true },
  { insn: 'str xzr, [x1]', isv: true, size: 8, rt: 31, sf: true, write: true },
  { insn: 'ldr wzr, [x1]', isv: true, size: 4, rt: 31, sf: false, write: false },
  { insn: 'ldar w15, [x1]', isv: true, size: 4, rt: 15, sf: false, ar: true, write: false },
  { insn: 'stlr x16, [x1]', isv: true, size: 8, rt: 16, sf: true, ar: true, write: true },
  { insn: 'ldr x17, [x1, #8]', isv: true, size: 8, rt: 17, sf: true, write: false },
  { insn: 'ldur w18, [x1, #-4]', isv: true, size: 4, rt: 18, sf: false, write: false },
  { insn: 'ldr x19, [x1], #8', isv: false },
  { insn: 'ldp x20, x21, [x1]', isv: false },
];

let syndromes: number[] = [];

beforeAll(() => {
  syndromes = runEl2Payload('qemu-stage2.s');
});

describe('data-abort syndromes from QEMU (EL2, stage-2 faults)', () => {
  it('one syndrome per instruction, all data aborts from a lower EL', () => {
    expect(syndromes).toHaveLength(CASES.length);
    for (const esr of syndromes) expect(esrEc(esr)).toBe(HvfEc.DATA_ABORT_LOWER);
  });

  CASES.forEach((c, i) => {
    it(`${c.insn}: decoded as the instruction means`, () => {
      const d = decodeDataAbort(syndromes[i]!);
      expect(d.isv).toBe(c.isv);
      if (!c.isv) return;
      expect(d).toMatchObject({
        size: c.size,
        signExtend: c.sse ?? false,
        rt: c.rt,
        sixtyFour: c.sf,
        acquireRelease: c.ar ?? false,
        write: c.write,
        cacheMaintenance: false,
      });
    });
  });

  it('HvfCpu completes each access with these syndromes like the instruction would', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (raw) => {
        CASES.forEach((c, i) => {
          if (!c.isv) return;
          const r = makeRig();
          r.readValue.v = raw;
          for (let n = 0; n < 31; n++) r.native.setReg(r.cpu.vcpu, n, 0x0123_4567_89ab_cdefn + BigInt(n));
          r.exit(syndromes[i]!, MMIO_BASE + 0x100);
          const bits = BigInt(c.size! * 8);
          const v = raw & ((1n << bits) - 1n);
          if (c.write) {
            const reg = c.rt === 31 ? 0n : 0x0123_4567_89ab_cdefn + BigInt(c.rt!);
            expect(r.mmio.at(-1), c.insn).toEqual({ op: 'w', offset: 0x100, size: c.size, value: reg & ((1n << bits) - 1n) });
          } else if (c.rt !== 31) {
            // LDRS*: SignExtend to the destination width; LDR*: ZeroExtend.
            let want = c.sse ? BigInt.asUintN(c.sf ? 64 : 32, BigInt.asIntN(c.size! * 8, v)) : v;
            if (!c.sf) want &= 0xffff_ffffn;
            expect(r.reg(c.rt!), c.insn).toBe(want);
          }
        });
      }),
      { numRuns: 20 },
    );
  });
});
