import { describe, expect, it } from 'vitest';
import { decodeSysregTrap, esrEc, HvfEc } from '../../src/hvf/syndrome.js';
import { assemble, runSnippet } from '../helpers.js';

/**
 * Cross-check of the spec §9.2 ISS layout against two independent sources:
 * the instruction words GNU as produces (the MRS/MSR fields) and the ESR the
 * interpreter (written from the Arm ARM by another engineer) reports when EL0
 * traps the same instruction to EL1.
 */
const CASES = ['mrs x7, ctr_el0', 'mrs x9, cntvct_el0', 'mrs x3, cntpct_el0', 'mrs x30, cntfrq_el0', 'msr daif, x4', 'mrs xzr, ctr_el0'];

function trapEsr(instruction: string): number {
  const m = runSnippet(`
    adr x0, vectors
    msr vbar_el1, x0
    adr x0, el0
    msr elr_el1, x0
    msr spsr_el1, xzr
    isb
    eret
  el0:
    ${instruction}
    hvc #0xffff
  .balign 2048
  vectors:
    .space 0x400
    mrs x20, esr_el1
    hvc #0xffff
  `);
  return Number(m.cpu.getX(20));
}

describe('sysreg-trap ISS: decoder vs GNU as encodings and the interpreter', () => {
  for (const instruction of CASES) {
    it(instruction, () => {
      const word = new DataView(assemble(instruction).buffer).getUint32(0, true);
      const esr = trapEsr(instruction);
      expect(esrEc(esr)).toBe(HvfEc.SYSREG);
      const t = decodeSysregTrap(esr);
      expect(t).toMatchObject({
        op0: 2 + ((word >>> 19) & 1),
        op1: (word >>> 16) & 7,
        crn: (word >>> 12) & 15,
        crm: (word >>> 8) & 15,
        op2: (word >>> 5) & 7,
        rt: word & 31,
        read: ((word >>> 21) & 1) === 1,
      });
      expect(t.encoding).toBe((word >>> 5) & 0xffff);
    });
  }
});
