/**
 * FP state shared by every helper in this directory: the FPCR the interpreter
 * programmed, the cumulative FPSR flags the helpers OR into, and the high word
 * of the last 64-bit result (doubles and 64-bit integers are returned as their
 * low 32 bits, with the high 32 bits left in `rhi`).
 */
export class FpState {
  /** FPCR as the guest wrote it (AHP, DN, FZ, RMode, FZ16 are honoured). */
  fpcr = 0;
  /** Cumulative FPSR exception bits (IOC, DZC, OFC, UFC, IXC, IDC, QC) in FPSR positions. */
  fpsr = 0;
  /** High 32 bits of the last 64-bit result (double, 64-bit integer, PMULL lanes). */
  rhi = 0;
  /** Extra result words for 128-bit results (PMULL.1Q): bits 64..95 and 96..127. */
  r2 = 0;
  r3 = 0;
}

// FPCR fields.
export const FPCR_AHP = 1 << 26;
export const FPCR_DN = 1 << 25;
export const FPCR_FZ = 1 << 24;
export const FPCR_RMODE_SHIFT = 22;
export const FPCR_FZ16 = 1 << 19;

// FPSR cumulative flags.
export const FPSR_IOC = 1 << 0;
export const FPSR_DZC = 1 << 1;
export const FPSR_OFC = 1 << 2;
export const FPSR_UFC = 1 << 3;
export const FPSR_IXC = 1 << 4;
export const FPSR_IDC = 1 << 7;
export const FPSR_QC = 1 << 27;

// Rounding modes: 0..3 are the FPCR.RMode encodings; 4 and 5 are only named by instructions.
export const RN = 0; // to nearest, ties to even
export const RP = 1; // toward +infinity
export const RM = 2; // toward -infinity
export const RZ = 3; // toward zero
export const RA = 4; // to nearest, ties away from zero (FCVTA*, FRINTA)
export const RO = 5; // round to odd (FCVTXN)

/** The FPCR rounding mode. */
export function fpcrRMode(fpcr: number): number {
  return (fpcr >>> FPCR_RMODE_SHIFT) & 3;
}

// Formats.
export const FMT_H = 0;
export const FMT_S = 1;
export const FMT_D = 2;
