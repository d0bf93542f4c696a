import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDataAbort, decodeSysregTrap, esrEc, HvfEc, isWfe } from '../../src/hvf/syndrome.js';
import { HVF_SYSREGS, TRAPPED } from '../../src/hvf/sysreg-names.js';
import { isIccRegister, isIdSpace } from '../../src/hvf/trapped-sysregs.js';
import { loadCapstone } from '../oracle/disasm.js';
import { dataAbortEsr, sysregEsr, WFE_ESR, WFI_ESR } from './setup.js';

describe('HVF exit syndromes', () => {
  it('decodes every data-abort ISS field (Arm ARM layout)', () => {
    fc.assert(
      fc.property(
        fc.record({
          isv: fc.boolean(),
          size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
          sse: fc.boolean(),
          srt: fc.integer({ min: 0, max: 31 }),
          sf: fc.boolean(),
          ar: fc.boolean(),
          cm: fc.boolean(),
          write: fc.boolean(),
        }),
        (f) => {
          const esr = dataAbortEsr(f);
          expect(esrEc(esr)).toBe(HvfEc.DATA_ABORT_LOWER);
          const d = decodeDataAbort(esr);
          expect(d).toMatchObject({
            isv: f.isv,
            size: f.size,
            signExtend: f.sse,
            rt: f.srt,
            sixtyFour: f.sf,
            acquireRelease: f.ar,
            cacheMaintenance: f.cm,
            write: f.write,
            faultStatus: 7,
          });
        },
      ),
    );
  });

  it('decodes every sysreg-trap ISS field (spec §9.2)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 31 }),
        fc.boolean(),
        (op0, op1, crn, crm, op2, rt, read) => {
          const t = decodeSysregTrap(sysregEsr(op0, op1, crn, crm, op2, rt, read));
          expect(t).toMatchObject({ op0, op1, crn, crm, op2, rt, read });
          // The encoding is MRS/MSR bits [20:5]: the instruction built from it carries the same fields.
          const word = (0xd5000000 | (read ? 1 << 21 : 0) | (t.encoding << 5) | rt) >>> 0;
          expect((word >>> 19) & 3).toBe(op0);
          expect((word >>> 16) & 7).toBe(op1);
          expect((word >>> 12) & 15).toBe(crn);
          expect((word >>> 8) & 15).toBe(crm);
          expect((word >>> 5) & 7).toBe(op2);
        },
      ),
    );
  });

  it('tells WFI from WFE', () => {
    expect(esrEc(WFI_ESR)).toBe(HvfEc.WFX);
    expect(isWfe(WFI_ESR)).toBe(false);
    expect(isWfe(WFE_ESR)).toBe(true);
  });

  it('names the right registers: Capstone disassembles MRS of each encoding to the expected name', async () => {
    const cs = await loadCapstone();
    const names: Array<[string, number]> = [...HVF_SYSREGS, ...Object.entries(TRAPPED)];
    for (const [name, enc] of names) {
      const writeOnly = name === 'OSLAR_EL1' || name === 'PMSWINC_EL0';
      const word = ((writeOnly ? 0xd5000000 : 0xd5200000) | (enc << 5) | 3) >>> 0;
      expect(cs.text(word), name).toMatch(new RegExp(`\\b${name.toLowerCase()}\\b`));
    }
  });

  it('classifies the GIC CPU interface and ID space like Capstone names them', async () => {
    const cs = await loadCapstone();
    let icc = 0;
    for (let crn = 0; crn < 16; crn++) {
      for (let crm = 0; crm < 16; crm++) {
        for (let op2 = 0; op2 < 8; op2++) {
          const enc = (3 << 14) | (crn << 7) | (crm << 3) | op2;
          const text = cs.text((0xd5200000 | (enc << 5)) >>> 0) ?? '';
          const named = /\bicc_/.test(text);
          // Capstone names only architected registers; our test is "every ICC_ name is forwarded".
          if (named) {
            icc++;
            expect(isIccRegister(enc), text).toBe(true);
          } else if (isIccRegister(enc)) {
            // Forwarded but not an ICC_ name: only unallocated encodings (Capstone prints s3_0_c12_...).
            expect(text, text).toMatch(/\bs3_0_c1[24]_c\d+_\d\b/);
          }
          if (crn === 0 && crm >= 1 && crm <= 7) expect(isIdSpace(enc)).toBe(true);
          else expect(isIdSpace(enc)).toBe(false);
        }
      }
    }
    expect(icc).toBeGreaterThanOrEqual(20);
  });
});
