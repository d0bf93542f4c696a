/**
 * System registers a CPU does not own (the GICv3 CPU interface `ICC_*`, or a
 * board's implementation-defined registers) are served by a handler the
 * board gives the CPU. The CPU and the handler meet only through this
 * interface, so an interrupt controller never imports a CPU package.
 *
 * Registers are named by their MRS/MSR encoding (instruction bits [20:5]):
 * op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2.
 */
export interface SystemRegisterHandler {
  /**
   * Reads the register for CPU `cpu` into `out` (two unsigned 32-bit halves).
   * Returns false when the handler does not implement the register (the CPU
   * then raises UNDEFINED).
   */
  readSysreg(cpu: number, encoding: number, out: SysregValue): boolean;
  /** Writes the register; false when not implemented (UNDEFINED). */
  writeSysreg(cpu: number, encoding: number, lo: number, hi: number): boolean;
}

/** Reusable holder for a 64-bit system register value as two 32-bit halves. */
export interface SysregValue {
  lo: number;
  hi: number;
}

/** The MRS/MSR encoding of a system register. */
export function sysregEncoding(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
