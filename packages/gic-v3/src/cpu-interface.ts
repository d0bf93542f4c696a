import type { SystemRegisterHandler, SysregValue } from '@vmapple/core-bus';
import { BPR0_MIN, BPR1_MIN, ICC_CTLR, ICC_CTLR_RO, ICC_ENCODINGS as E, ICC_SRE_VALUE, PRIORITY_MASK } from './constants.js';
import type { GicState } from './gic-state.js';

const SOURCE = 'gicv3.cpuif';
const INTID_MASK = 0x00ff_ffff;

/**
 * The GICv3 CPU interface as system registers (ICC_*_EL1), one per
 * processor. The CPU calls `readSysreg`/`writeSysreg` for encodings it does
 * not own; `false` means "not a register here" and the CPU raises UNDEFINED.
 * That is also the answer for MRS of write-only registers (EOIR, DIR, SGIxR),
 * MSR of read-only ones (IAR, HPPIR, RPR), and ICC_AP0R1..3/AP1R1..3, which do
 * not exist with 5 priority bits.
 *
 * Single Security state, no EL2/EL3: Group 1 is signalled as IRQ and Group 0
 * as FIQ; one ICC_CTLR_EL1 (CBPR, EOImode) governs both groups.
 */
export class CpuInterface implements SystemRegisterHandler {
  constructor(private readonly s: GicState) {}

  readSysreg(cpu: number, encoding: number, out: SysregValue): boolean {
    const s = this.s;
    if (!(cpu >= 0 && cpu < s.cpus)) return false;
    let v: number;
    switch (encoding) {
      case E.ICC_PMR_EL1:
        v = s.pmr[cpu];
        break;
      case E.ICC_IAR0_EL1:
        v = s.acknowledge(cpu, 0);
        break;
      case E.ICC_IAR1_EL1:
        v = s.acknowledge(cpu, 1);
        break;
      case E.ICC_HPPIR0_EL1:
        v = s.highestPending(cpu, 0);
        break;
      case E.ICC_HPPIR1_EL1:
        v = s.highestPending(cpu, 1);
        break;
      case E.ICC_BPR0_EL1:
        v = s.bpr0[cpu];
        break;
      case E.ICC_BPR1_EL1:
        // With CBPR set, Group 1 uses BPR0; reads return BPR0 + 1, saturated.
        v = s.iccCtlr[cpu] & ICC_CTLR.CBPR ? Math.min(s.bpr0[cpu] + 1, 7) : s.bpr1[cpu];
        break;
      case E.ICC_AP0R0_EL1:
        v = s.ap0[cpu];
        break;
      case E.ICC_AP1R0_EL1:
        v = s.ap1[cpu];
        break;
      case E.ICC_RPR_EL1:
        v = s.runningPriority(cpu);
        break;
      case E.ICC_CTLR_EL1:
        v = ICC_CTLR_RO | s.iccCtlr[cpu];
        break;
      case E.ICC_SRE_EL1:
        v = ICC_SRE_VALUE;
        break;
      case E.ICC_IGRPEN0_EL1:
        v = s.igrpen0[cpu];
        break;
      case E.ICC_IGRPEN1_EL1:
        v = s.igrpen1[cpu];
        break;
      default:
        return false;
    }
    out.lo = v >>> 0;
    out.hi = 0;
    return true;
  }

  writeSysreg(cpu: number, encoding: number, lo: number, hi: number): boolean {
    const s = this.s;
    if (!(cpu >= 0 && cpu < s.cpus)) return false;
    switch (encoding) {
      case E.ICC_PMR_EL1:
        s.pmr[cpu] = lo & PRIORITY_MASK;
        s.recompute(cpu);
        return true;
      case E.ICC_BPR0_EL1:
        // Values below the minimum set the minimum.
        s.bpr0[cpu] = Math.max(lo & 7, BPR0_MIN);
        s.recompute(cpu);
        return true;
      case E.ICC_BPR1_EL1:
        if (!(s.iccCtlr[cpu] & ICC_CTLR.CBPR)) {
          s.bpr1[cpu] = Math.max(lo & 7, BPR1_MIN);
          s.recompute(cpu);
        }
        return true;
      case E.ICC_AP0R0_EL1:
        s.ap0[cpu] = lo >>> 0;
        s.recompute(cpu);
        return true;
      case E.ICC_AP1R0_EL1:
        s.ap1[cpu] = lo >>> 0;
        s.recompute(cpu);
        return true;
      case E.ICC_CTLR_EL1:
        s.iccCtlr[cpu] = lo & (ICC_CTLR.CBPR | ICC_CTLR.EOImode);
        s.recompute(cpu);
        return true;
      case E.ICC_SRE_EL1:
        return true;
      case E.ICC_IGRPEN0_EL1:
      case E.ICC_IGRPEN1_EL1: {
        const bank = encoding === E.ICC_IGRPEN0_EL1 ? s.igrpen0 : s.igrpen1;
        if (bank[cpu] !== (lo & 1)) {
          bank[cpu] = lo & 1;
          s.rerouteOneOfN();
          s.recompute(cpu);
        }
        return true;
      }
      case E.ICC_EOIR0_EL1:
        s.endOfInterrupt(cpu, 0, lo & INTID_MASK);
        return true;
      case E.ICC_EOIR1_EL1:
        s.endOfInterrupt(cpu, 1, lo & INTID_MASK);
        return true;
      case E.ICC_DIR_EL1:
        if (!(s.iccCtlr[cpu] & ICC_CTLR.EOImode)) {
          s.log.guestError(SOURCE, `cpu ${cpu}: ICC_DIR_EL1 write with EOImode 0 ignored`);
          return true;
        }
        s.deactivate(cpu, lo & INTID_MASK, -1);
        return true;
      case E.ICC_SGI0R_EL1:
        s.sendSgi(cpu, 0, lo, hi);
        return true;
      case E.ICC_SGI1R_EL1:
        s.sendSgi(cpu, 1, lo, hi);
        return true;
      case E.ICC_ASGI1R_EL1:
        // Group 1 SGIs for "the other" Security state: there is none, so nothing is sent.
        return true;
      default:
        return false;
    }
  }
}
