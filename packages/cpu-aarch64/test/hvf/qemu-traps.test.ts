import { beforeAll, describe, expect, it } from 'vitest';
import { callImmediate, decodeSysregTrap, esrEc, HvfEc, isWfe } from '../../src/hvf/syndrome.js';
import { assemble } from '../helpers.js';
import { runEl2Payload } from './qemu-el2.js';
import { makeRig } from './setup.js';

/**
 * Real trap syndromes as the oracle: qemu-traps.s runs EL1 code under QEMU's
 * EL2 with WFI, SMC, ID group 3, PMU, debug, OS-lock and EL1 physical-timer
 * traps on, and prints each ESR_EL2 (what HVF reports for these exits).
 */
const SYSREG_CASES: Array<{ insn: string; handled: boolean }> = [
  { insn: 'msr cntp_ctl_el0, xzr', handled: true }, // spec §9.1: ignored
  { insn: 'mrs x2, cntp_ctl_el0', handled: false }, // reads stay UNDEFINED
  { insn: 'mrs x3, cntpct_el0', handled: true },
  { insn: 'mrs x4, id_aa64pfr0_el1', handled: true }, // ID space reads 0
  { insn: 'mrs x5, id_aa64mmfr2_el1', handled: true },
  { insn: 'mrs x6, pmcr_el0', handled: true },
  { insn: 'msr pmcr_el0, x7', handled: true },
  { insn: 'msr pmcntenset_el0, x8', handled: true },
  { insn: 'mrs x9, pmccntr_el0', handled: true },
  { insn: 'msr pmuserenr_el0, x10', handled: true },
  { insn: 'msr oslar_el1, x11', handled: true },
  { insn: 'mrs x12, oslsr_el1', handled: true },
  { insn: 'mrs x13, osdlr_el1', handled: true },
  { insn: 'mrs x14, mdscr_el1', handled: true },
  { insn: 'msr dbgbvr5_el1, x15', handled: true },
  { insn: 'mrs x16, dbgwcr3_el1', handled: true },
];

let esr: number[] = [];

beforeAll(() => {
  esr = runEl2Payload('qemu-traps.s');
});

describe('trap syndromes from QEMU (EL2)', () => {
  it('one syndrome per trapping instruction', () => {
    expect(esr).toHaveLength(4 + SYSREG_CASES.length);
  });

  it('WFI: EC 0x01 with TI = 0 (not WFE)', () => {
    expect(esrEc(esr[0]!)).toBe(HvfEc.WFX);
    expect(isWfe(esr[0]!)).toBe(false);
  });

  it('HVC #0x1234 and SMC #0x77: EC 0x16 / 0x17 with the immediate', () => {
    expect([esrEc(esr[1]!), callImmediate(esr[1]!)]).toEqual([HvfEc.HVC64, 0x1234]);
    expect([esrEc(esr[2]!), callImmediate(esr[2]!)]).toEqual([HvfEc.SMC64, 0x77]);
    expect([esrEc(esr.at(-1)!), callImmediate(esr.at(-1)!)]).toEqual([HvfEc.HVC64, 0xffff]);
  });

  SYSREG_CASES.forEach((c, i) => {
    it(`${c.insn}: same register, Rt and direction as GNU as encodes; ${c.handled ? 'handled' : 'UNDEFINED'} by HvfCpu`, () => {
      const s = esr[3 + i]!;
      expect(esrEc(s)).toBe(HvfEc.SYSREG);
      const word = new DataView(assemble(c.insn).buffer).getUint32(0, true);
      const t = decodeSysregTrap(s);
      expect(t.encoding).toBe((word >>> 5) & 0xffff);
      expect(t.rt).toBe(word & 31);
      expect(t.read).toBe(((word >>> 21) & 1) === 1);

      const r = makeRig();
      r.cpu.setSysreg('VBAR_EL1', 0x7000_8000n);
      const pc = r.cpu.getPc();
      r.exit(s);
      expect(r.cpu.getPc()).toBe(c.handled ? pc + 4n : 0x7000_8200n);
    });
  });
});
