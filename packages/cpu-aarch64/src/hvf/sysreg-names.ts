import { sysregEncoding as enc } from '@vmapple/core-bus';

/**
 * System registers the HVF backend reads and writes by name (`getSysreg`),
 * with their MRS/MSR encodings; `hv_sys_reg_t` uses the same numbers.
 * Encodings from the Arm ARM register descriptions.
 */
export const HVF_SYSREGS: ReadonlyMap<string, number> = new Map([
  ['MIDR_EL1', enc(3, 0, 0, 0, 0)],
  ['MPIDR_EL1', enc(3, 0, 0, 0, 5)],
  ['ID_AA64PFR0_EL1', enc(3, 0, 0, 4, 0)],
  ['ID_AA64MMFR0_EL1', enc(3, 0, 0, 7, 0)],
  ['SCTLR_EL1', enc(3, 0, 1, 0, 0)],
  ['CPACR_EL1', enc(3, 0, 1, 0, 2)],
  ['TTBR0_EL1', enc(3, 0, 2, 0, 0)],
  ['TTBR1_EL1', enc(3, 0, 2, 0, 1)],
  ['TCR_EL1', enc(3, 0, 2, 0, 2)],
  ['SPSR_EL1', enc(3, 0, 4, 0, 0)],
  ['ELR_EL1', enc(3, 0, 4, 0, 1)],
  ['SP_EL0', enc(3, 0, 4, 1, 0)],
  ['ESR_EL1', enc(3, 0, 5, 2, 0)],
  ['FAR_EL1', enc(3, 0, 6, 0, 0)],
  ['PAR_EL1', enc(3, 0, 7, 4, 0)],
  ['MAIR_EL1', enc(3, 0, 10, 2, 0)],
  ['VBAR_EL1', enc(3, 0, 12, 0, 0)],
  ['CONTEXTIDR_EL1', enc(3, 0, 13, 0, 1)],
  ['TPIDR_EL1', enc(3, 0, 13, 0, 4)],
  ['TPIDR_EL0', enc(3, 3, 13, 0, 2)],
  ['CNTKCTL_EL1', enc(3, 0, 14, 1, 0)],
  ['CNTV_CTL_EL0', enc(3, 3, 14, 3, 1)],
  ['CNTV_CVAL_EL0', enc(3, 3, 14, 3, 2)],
  ['SP_EL1', enc(3, 4, 4, 1, 0)],
]);

export const SR = {
  SCTLR_EL1: HVF_SYSREGS.get('SCTLR_EL1')!,
  SPSR_EL1: HVF_SYSREGS.get('SPSR_EL1')!,
  ELR_EL1: HVF_SYSREGS.get('ELR_EL1')!,
  ESR_EL1: HVF_SYSREGS.get('ESR_EL1')!,
  FAR_EL1: HVF_SYSREGS.get('FAR_EL1')!,
  VBAR_EL1: HVF_SYSREGS.get('VBAR_EL1')!,
  MPIDR_EL1: HVF_SYSREGS.get('MPIDR_EL1')!,
  ID_AA64PFR0_EL1: HVF_SYSREGS.get('ID_AA64PFR0_EL1')!,
  CNTV_CTL_EL0: HVF_SYSREGS.get('CNTV_CTL_EL0')!,
  CNTV_CVAL_EL0: HVF_SYSREGS.get('CNTV_CVAL_EL0')!,
} as const;

/** Registers HVF traps that the backend emulates (spec §9.3). */
export const TRAPPED = {
  CNTPCT_EL0: enc(3, 3, 14, 0, 1),
  CNTP_CTL_EL0: enc(3, 3, 14, 2, 1),
  PMCR_EL0: enc(3, 3, 9, 12, 0),
  PMCNTENSET_EL0: enc(3, 3, 9, 12, 1),
  PMCNTENCLR_EL0: enc(3, 3, 9, 12, 2),
  PMOVSCLR_EL0: enc(3, 3, 9, 12, 3),
  PMSWINC_EL0: enc(3, 3, 9, 12, 4),
  PMSELR_EL0: enc(3, 3, 9, 12, 5),
  PMCEID0_EL0: enc(3, 3, 9, 12, 6),
  PMCEID1_EL0: enc(3, 3, 9, 12, 7),
  PMCCNTR_EL0: enc(3, 3, 9, 13, 0),
  PMUSERENR_EL0: enc(3, 3, 9, 14, 0),
  PMINTENSET_EL1: enc(3, 0, 9, 14, 1),
  PMINTENCLR_EL1: enc(3, 0, 9, 14, 2),
  PMCCFILTR_EL0: enc(3, 3, 14, 15, 7),
  OSLAR_EL1: enc(2, 0, 1, 0, 4),
  OSLSR_EL1: enc(2, 0, 1, 1, 4),
  OSDLR_EL1: enc(2, 0, 1, 3, 4),
  MDSCR_EL1: enc(2, 0, 0, 2, 2),
} as const;
