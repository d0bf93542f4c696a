import { sysregEncoding } from '@vmapple/core-bus';
import { ccsidr, ID } from './id-registers.js';
import type { InterpreterCpu } from '../interpreter-cpu.js';

/**
 * System registers the CPU owns, keyed by MRS/MSR encoding
 * (op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2).
 */

/** EL0 access policy. */
export const EL0_NONE = 0;
export const EL0_RW = 1;
export const EL0_RO = 2;
/** EL0 access decided by `el0Check` (returns 0 allowed, 1 trap EC 0x18, 2 UNDEFINED). */
export const EL0_CHECK = 3;

/** What a write asks of the interpreter loop. */
export const W_CONTINUE = 0;
/** State that the loop caches changed (translation regime, PSTATE, interrupt masks). */
export const W_EXIT = 1;

export interface SysregDef {
  name: string;
  encoding: number;
  el0: number;
  el0Check?: (cpu: InterpreterCpu, write: boolean) => number;
  read: ((cpu: InterpreterCpu) => bigint) | null;
  write: ((cpu: InterpreterCpu, v: bigint) => number) | null;
}

export const SYSREGS = new Map<number, SysregDef>();
export const SYSREGS_BY_NAME = new Map<string, SysregDef>();

function def(
  name: string,
  enc: [number, number, number, number, number],
  read: SysregDef['read'],
  write: SysregDef['write'],
  el0 = EL0_NONE,
  el0Check?: SysregDef['el0Check'],
): void {
  const encoding = sysregEncoding(...enc);
  const d: SysregDef = { name, encoding, el0, read, write };
  if (el0Check) d.el0Check = el0Check;
  SYSREGS.set(encoding, d);
  SYSREGS_BY_NAME.set(name, d);
}

/** A plain read/write register stored in `cpu.sr[name]`. */
function storage(name: string, enc: [number, number, number, number, number], el0 = EL0_NONE, mask = 0xffff_ffff_ffff_ffffn, exit = false): void {
  def(
    name,
    enc,
    (c) => c.sr[name] ?? 0n,
    (c, v) => {
      c.sr[name] = v & mask;
      return exit ? W_EXIT : W_CONTINUE;
    },
    el0,
  );
}

function constant(name: string, enc: [number, number, number, number, number], value: bigint, el0 = EL0_NONE): void {
  def(name, enc, () => value, null, el0);
}

// ---- identification ----
constant('MIDR_EL1', [3, 0, 0, 0, 0], ID.MIDR_EL1);
def('MPIDR_EL1', [3, 0, 0, 0, 5], (c) => c.mpidr, null);
constant('REVIDR_EL1', [3, 0, 0, 0, 6], ID.REVIDR_EL1);
// The whole ID space op0=3, op1=0, CRn=0, CRm=1..7 reads as zero unless listed.
for (let crm = 1; crm <= 7; crm++) {
  for (let op2 = 0; op2 <= 7; op2++) constant(`ID_${crm}_${op2}`, [3, 0, 0, crm, op2], 0n);
}
constant('ID_AA64PFR0_EL1', [3, 0, 0, 4, 0], ID.ID_AA64PFR0_EL1);
constant('ID_AA64PFR1_EL1', [3, 0, 0, 4, 1], ID.ID_AA64PFR1_EL1);
constant('ID_AA64ZFR0_EL1', [3, 0, 0, 4, 4], 0n);
constant('ID_AA64SMFR0_EL1', [3, 0, 0, 4, 5], 0n);
constant('ID_AA64DFR0_EL1', [3, 0, 0, 5, 0], ID.ID_AA64DFR0_EL1);
constant('ID_AA64DFR1_EL1', [3, 0, 0, 5, 1], ID.ID_AA64DFR1_EL1);
constant('ID_AA64AFR0_EL1', [3, 0, 0, 5, 4], 0n);
constant('ID_AA64AFR1_EL1', [3, 0, 0, 5, 5], 0n);
constant('ID_AA64ISAR0_EL1', [3, 0, 0, 6, 0], ID.ID_AA64ISAR0_EL1);
constant('ID_AA64ISAR1_EL1', [3, 0, 0, 6, 1], ID.ID_AA64ISAR1_EL1);
constant('ID_AA64ISAR2_EL1', [3, 0, 0, 6, 2], ID.ID_AA64ISAR2_EL1);
constant('ID_AA64MMFR0_EL1', [3, 0, 0, 7, 0], ID.ID_AA64MMFR0_EL1);
constant('ID_AA64MMFR1_EL1', [3, 0, 0, 7, 1], ID.ID_AA64MMFR1_EL1);
constant('ID_AA64MMFR2_EL1', [3, 0, 0, 7, 2], ID.ID_AA64MMFR2_EL1);
def('CCSIDR_EL1', [3, 1, 0, 0, 0], (c) => ccsidr(Number(c.sr['CSSELR_EL1'] ?? 0n)), null);
constant('CLIDR_EL1', [3, 1, 0, 0, 1], ID.CLIDR_EL1);
constant('AIDR_EL1', [3, 1, 0, 0, 7], 0n);
storage('CSSELR_EL1', [3, 2, 0, 0, 0], EL0_NONE, 0xfn);
def('CTR_EL0', [3, 3, 0, 0, 1], () => ID.CTR_EL0, null, EL0_CHECK, (c) => (c.sctlr & (1 << 15) ? 0 : 1));
def(
  'DCZID_EL0',
  [3, 3, 0, 0, 7],
  (c) => (c.el === 0 && (c.sctlr & (1 << 14)) === 0 ? ID.DCZID_EL0 | 0x10n : ID.DCZID_EL0),
  null,
  EL0_RO,
);

// ---- control and translation ----
def('SCTLR_EL1', [3, 0, 1, 0, 0], (c) => BigInt(c.sctlr >>> 0) | (BigInt(c.sctlrHi >>> 0) << 32n), (c, v) => c.writeSctlr(v));
storage('ACTLR_EL1', [3, 0, 1, 0, 1], EL0_NONE, 0n);
def('CPACR_EL1', [3, 0, 1, 0, 2], (c) => BigInt(c.cpacr >>> 0), (c, v) => {
  c.cpacr = Number(v & 0x30_0000n);
  c.updateFpOk();
  return W_EXIT;
});
def('TTBR0_EL1', [3, 0, 2, 0, 0], (c) => c.ttbr0, (c, v) => c.writeTranslation('TTBR0_EL1', v));
def('TTBR1_EL1', [3, 0, 2, 0, 1], (c) => c.ttbr1, (c, v) => c.writeTranslation('TTBR1_EL1', v));
def('TCR_EL1', [3, 0, 2, 0, 2], (c) => c.tcr, (c, v) => c.writeTranslation('TCR_EL1', v));
def('MAIR_EL1', [3, 0, 10, 2, 0], (c) => c.mair, (c, v) => c.writeTranslation('MAIR_EL1', v));
storage('AMAIR_EL1', [3, 0, 10, 3, 0]);
storage('CONTEXTIDR_EL1', [3, 0, 13, 0, 1], EL0_NONE, 0xffff_ffffn);
def('TPIDR_EL1', [3, 0, 13, 0, 4], (c) => c.tpidrEl1, (c, v) => {
  c.tpidrEl1 = v;
  return W_CONTINUE;
});
storage('TPIDR_EL0', [3, 3, 13, 0, 2], EL0_RW);
def('TPIDRRO_EL0', [3, 3, 13, 0, 3], (c) => c.sr['TPIDRRO_EL0'] ?? 0n, (c, v) => {
  c.sr['TPIDRRO_EL0'] = v;
  return W_CONTINUE;
}, EL0_RO);

// ---- exceptions ----
def('VBAR_EL1', [3, 0, 12, 0, 0], (c) => c.vbar, (c, v) => {
  c.vbar = v & ~0x7ffn;
  return W_CONTINUE;
});
def('ELR_EL1', [3, 0, 4, 0, 1], (c) => c.elr, (c, v) => {
  c.elr = v;
  return W_CONTINUE;
});
def('SPSR_EL1', [3, 0, 4, 0, 0], (c) => BigInt(c.spsr >>> 0), (c, v) => {
  c.spsr = Number(v & 0xffff_ffffn) | 0;
  return W_CONTINUE;
});
def('ESR_EL1', [3, 0, 5, 2, 0], (c) => BigInt(c.esr >>> 0), (c, v) => {
  c.esr = Number(v & 0xffff_ffffn) | 0;
  return W_CONTINUE;
});
def('FAR_EL1', [3, 0, 6, 0, 0], (c) => c.far, (c, v) => {
  c.far = v;
  return W_CONTINUE;
});
storage('AFSR0_EL1', [3, 0, 5, 1, 0], EL0_NONE, 0n);
storage('AFSR1_EL1', [3, 0, 5, 1, 1], EL0_NONE, 0n);
def('PAR_EL1', [3, 0, 7, 4, 0], (c) => c.par, (c, v) => {
  c.par = v;
  return W_CONTINUE;
});
def('ISR_EL1', [3, 0, 12, 1, 0], (c) => BigInt((c.irqLevel ? 0x80 : 0) | (c.fiqLevel ? 0x40 : 0)), null);
def('SP_EL0', [3, 0, 4, 1, 0], (c) => c.readSpEl0(), (c, v) => {
  c.writeSpEl0(v);
  return W_CONTINUE;
});
def('SPSel', [3, 0, 4, 2, 0], (c) => BigInt(c.spsel), (c, v) => {
  c.setMode(c.el, Number(v & 1n));
  return W_EXIT;
});
def('CurrentEL', [3, 0, 4, 2, 2], (c) => BigInt(c.el << 2), null);
def('DAIF', [3, 3, 4, 2, 1], (c) => BigInt(c.daif), (c, v) => {
  c.daif = Number(v & 0x3c0n);
  return W_EXIT;
}, EL0_CHECK, (c) => (c.sctlr & (1 << 9) ? 0 : 1));
def('NZCV', [3, 3, 4, 2, 0], (c) => BigInt(c.nzcv() >>> 0), (c, v) => {
  c.setNzcv(Number(v & 0xf000_0000n) | 0);
  return W_CONTINUE;
}, EL0_RW);
def('FPCR', [3, 3, 4, 4, 0], (c) => BigInt(c.fpcr >>> 0), (c, v) => {
  c.fpcr = Number(v & 0x07ff_ff00n);
  return W_CONTINUE;
}, EL0_CHECK, (c) => (c.fpOk ? 0 : 4));
def('FPSR', [3, 3, 4, 4, 1], (c) => BigInt(c.fpsr >>> 0), (c, v) => {
  c.fpsr = Number(v & 0xf800_009fn);
  return W_CONTINUE;
}, EL0_CHECK, (c) => (c.fpOk ? 0 : 4));

// ---- generic timer ----
function timerEl0(bitCounter: number, bitTimer: number, isCounter: boolean) {
  return (c: InterpreterCpu): number => {
    const k = c.cntkctl;
    const ok = isCounter ? (k >>> bitCounter) & 1 : (k >>> bitTimer) & 1;
    return ok ? 0 : 1;
  };
}
def('CNTFRQ_EL0', [3, 3, 14, 0, 0], (c) => BigInt(c.counter.frequency), (c, _v) => {
  // Writable only at the highest EL (absent here): ignore like EL1 would trap; keep the value.
  void c;
  return W_CONTINUE;
}, EL0_CHECK, (c, write) => (write ? 2 : (c.cntkctl & 3) !== 0 ? 0 : 1));
def('CNTPCT_EL0', [3, 3, 14, 0, 1], (c) => c.counter.count(), null, EL0_CHECK, timerEl0(0, 0, true));
def('CNTVCT_EL0', [3, 3, 14, 0, 2], (c) => c.counter.count(), null, EL0_CHECK, timerEl0(1, 1, true));
def('CNTKCTL_EL1', [3, 0, 14, 1, 0], (c) => BigInt(c.cntkctl), (c, v) => {
  c.cntkctl = Number(v & 0x3ffn);
  return W_CONTINUE;
});
for (const [prefix, crm, bit] of [
  ['CNTP', 2, 9],
  ['CNTV', 3, 8],
] as const) {
  const t = (c: InterpreterCpu) => (prefix === 'CNTP' ? c.ptimer : c.vtimer);
  const check = timerEl0(0, bit, false);
  def(`${prefix}_TVAL_EL0`, [3, 3, 14, crm, 0], (c) => t(c).readTval(), (c, v) => {
    t(c).writeTval(v);
    return W_EXIT;
  }, EL0_CHECK, check);
  def(`${prefix}_CTL_EL0`, [3, 3, 14, crm, 1], (c) => BigInt(t(c).readCtl()), (c, v) => {
    t(c).writeCtl(Number(v & 3n));
    return W_EXIT;
  }, EL0_CHECK, check);
  def(`${prefix}_CVAL_EL0`, [3, 3, 14, crm, 2], (c) => t(c).cval, (c, v) => {
    t(c).writeCval(v);
    return W_EXIT;
  }, EL0_CHECK, check);
}

// ---- debug (self-hosted debug registers Linux resets at boot; no debug events are generated) ----
storage('MDSCR_EL1', [2, 0, 0, 2, 2]);
storage('MDCCINT_EL1', [2, 0, 0, 2, 0]);
constant('MDCCSR_EL0', [2, 3, 0, 1, 0], 0n);
constant('MDRAR_EL1', [2, 0, 1, 0, 0], 0n);
def('OSLAR_EL1', [2, 0, 1, 0, 4], null, (c, v) => {
  c.sr['OSLSR_EL1'] = (v & 1n) === 1n ? 0xan : 0x8n;
  return W_CONTINUE;
});
def('OSLSR_EL1', [2, 0, 1, 1, 4], (c) => c.sr['OSLSR_EL1'] ?? 0xan, null);
storage('OSDLR_EL1', [2, 0, 1, 3, 4], EL0_NONE, 1n);
storage('OSECCR_EL1', [2, 0, 0, 6, 2], EL0_NONE, 0xffff_ffffn);
storage('DBGCLAIMSET_EL1', [2, 0, 7, 8, 6], EL0_NONE, 0n);
storage('DBGCLAIMCLR_EL1', [2, 0, 7, 9, 6], EL0_NONE, 0n);
constant('DBGAUTHSTATUS_EL1', [2, 0, 7, 14, 6], 0xan);
for (let n = 0; n < 2; n++) {
  storage(`DBGBVR${n}_EL1`, [2, 0, 0, n, 4]);
  storage(`DBGBCR${n}_EL1`, [2, 0, 0, n, 5], EL0_NONE, 0xffff_ffffn);
  storage(`DBGWVR${n}_EL1`, [2, 0, 0, n, 6]);
  storage(`DBGWCR${n}_EL1`, [2, 0, 0, n, 7], EL0_NONE, 0xffff_ffffn);
}
