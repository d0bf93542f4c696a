/**
 * Exit syndromes of Hypervisor.framework (ESR_EL2 as HVF reports it) decoded
 * into plain records. Pure functions over numbers: the tests drive them with
 * synthesised syndromes, no native code involved.
 *
 * Field layouts: Arm ARM D19.2 (ESR_ELx), and spec §9.2 for sysreg traps.
 */
import { sysregEncoding } from '@vmapple/core-bus';

/** Exception classes (ESR bits [31:26]) HVF exits carry. */
export const HvfEc = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  HVC64: 0x16,
  SMC64: 0x17,
  SYSREG: 0x18,
  INSN_ABORT_LOWER: 0x20,
  DATA_ABORT_LOWER: 0x24,
  DATA_ABORT_SAME: 0x25,
  SOFTWARE_STEP_LOWER: 0x32,
  BRK64: 0x3c,
} as const;

/** ESR exception class, bits [31:26]. */
export function esrEc(esr: number): number {
  return (esr >>> 26) & 0x3f;
}

/** ESR instruction-specific syndrome, bits [24:0]. */
export function esrIss(esr: number): number {
  return esr & 0x1ff_ffff;
}

/** A data abort as an MMIO access (valid only when `isv`). */
export interface DataAbort {
  /** ISV: the syndrome describes the access (false for pre/post-index, pair and SIMD accesses). */
  isv: boolean;
  /** Access size in bytes: 1, 2, 4 or 8 (1 << SAS). */
  size: 1 | 2 | 4 | 8;
  /** SSE: a load sign-extends the value. */
  signExtend: boolean;
  /** SRT: the transfer register; 31 is XZR/WZR. */
  rt: number;
  /** SF: the register is 64 bits wide (else 32, upper half zeroed). */
  sixtyFour: boolean;
  /** AR: acquire/release semantics. */
  acquireRelease: boolean;
  /** CM: the abort came from a cache maintenance instruction. */
  cacheMaintenance: boolean;
  /** WnR: a write (store). */
  write: boolean;
  /** DFSC, bits [5:0]. */
  faultStatus: number;
}

export function decodeDataAbort(esr: number): DataAbort {
  const iss = esrIss(esr);
  return {
    isv: ((iss >>> 24) & 1) === 1,
    size: (1 << ((iss >>> 22) & 3)) as 1 | 2 | 4 | 8,
    signExtend: ((iss >>> 21) & 1) === 1,
    rt: (iss >>> 16) & 31,
    sixtyFour: ((iss >>> 15) & 1) === 1,
    acquireRelease: ((iss >>> 14) & 1) === 1,
    cacheMaintenance: ((iss >>> 8) & 1) === 1,
    write: ((iss >>> 6) & 1) === 1,
    faultStatus: iss & 0x3f,
  };
}

/** A trapped MRS/MSR (EC 0x18). */
export interface SysregTrap {
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
  rt: number;
  /** Direction bit 0: true for a read (MRS). */
  read: boolean;
  /** The register as `sysregEncoding` names it (MRS/MSR bits [20:5]). */
  encoding: number;
}

/** Decodes the ISS per spec §9.2: op0 21..20, op2 19..17, op1 16..14, CRn 13..10, Rt 9..5, CRm 4..1, dir 0. */
export function decodeSysregTrap(esr: number): SysregTrap {
  const iss = esrIss(esr);
  const op0 = (iss >>> 20) & 3;
  const op2 = (iss >>> 17) & 7;
  const op1 = (iss >>> 14) & 7;
  const crn = (iss >>> 10) & 15;
  const rt = (iss >>> 5) & 31;
  const crm = (iss >>> 1) & 15;
  const read = (iss & 1) === 1;
  return { op0, op1, crn, crm, op2, rt, read, encoding: sysregEncoding(op0, op1, crn, crm, op2) };
}

/** WFI/WFE (EC 0x01): TI bit 0 is 1 for WFE. */
export function isWfe(esr: number): boolean {
  return (esr & 1) === 1;
}

/** HVC/SMC immediate (ISS bits [15:0]). */
export function callImmediate(esr: number): number {
  return esr & 0xffff;
}

/** Syndrome of an UNDEFINED instruction ("uncategorized", IL = 1). */
export const UNDEF_SYNDROME = 0x0200_0000;

/** Syndrome of a synchronous external abort on a data access at `sameEl` or from a lower EL. */
export function externalAbortSyndrome(sameEl: boolean, write: boolean): number {
  const ec = sameEl ? HvfEc.DATA_ABORT_SAME : HvfEc.DATA_ABORT_LOWER;
  return ((ec << 26) | (1 << 25) | (write ? 1 << 6 : 0) | 0x10) >>> 0;
}
