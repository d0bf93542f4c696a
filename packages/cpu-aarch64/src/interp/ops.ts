/**
 * Register-file slots and handler ids shared by the decoder and the
 * interpreter loop. The loop `switch`es on these ids; keep the numbering dense.
 */

/** Slot 31 reads as zero (XZR/WZR) and is never written. */
export const ZR = 31;
/** The current stack pointer (SP_EL0 or SP_EL1 per PSTATE.SPSel). */
export const SP = 32;
/** Writes to XZR land here. */
export const TRASH = 33;
/** Scratch slots (addresses, shifted operands). */
export const T0 = 34;
export const T1 = 35;
export const T2 = 36;
/** Virtual address of the page currently executing (valid inside the loop). */
export const PGB = 37;
/** Program counter when the loop is not running. */
export const PC = 38;
/** Scratch for the second half of a pair load. */
export const T3 = 39;
export const SLOTS = 40;

export const Op = {
  UNDEF: 1,
  NOP: 2,
  ADD_I64: 3,
  ADD_I32: 4,
  ADDS_I64: 5,
  SUBS_I64: 6,
  ADDS_I32: 7,
  SUBS_I32: 8,
  AND_I64: 9,
  ORR_I64: 10,
  EOR_I64: 11,
  ANDS_I64: 12,
  AND_I32: 13,
  ORR_I32: 14,
  EOR_I32: 15,
  ANDS_I32: 16,
  MOV_C64: 17,
  MOV_C32: 18,
  MOVK64: 19,
  MOVK32: 20,
  ADR: 21,
  LSL_I64: 22,
  LSR_I64: 23,
  ASR_I64: 24,
  LSL_I32: 25,
  LSR_I32: 26,
  ASR_I32: 27,
  BITFIELD: 28,
  EXTR: 29,
  B: 30,
  BL: 31,
  BCOND: 32,
  CBZ64: 33,
  CBNZ64: 34,
  CBZ32: 35,
  CBNZ32: 36,
  TBZ: 37,
  TBNZ: 38,
  BR: 39,
  BLR: 40,
  EXC: 41,
  ERET: 42,
  MRS: 43,
  MSR: 44,
  MSR_IMM: 45,
  HINT: 46,
  CLREX: 47,
  SYS: 48,
  LS_IMM: 49,
  LS_PRE: 50,
  LS_POST: 51,
  LS_REG: 52,
  LS_LIT: 53,
  LS_UNPRIV: 54,
  LSP_OFF: 55,
  LSP_PRE: 56,
  LSP_POST: 57,
  LS_EXCL: 58,
  LS_MULTI: 59,
  MOV_R64: 60,
  MOV_R32: 61,
  ADD_R64: 62,
  SUB_R64: 63,
  ADDS_R64: 64,
  SUBS_R64: 65,
  ADD_R32: 66,
  SUB_R32: 67,
  ADDS_R32: 68,
  SUBS_R32: 69,
  AND_R64: 70,
  ORR_R64: 71,
  EOR_R64: 72,
  ADDSUB_SHIFT: 73,
  ADDSUB_EXT: 74,
  LOGIC_SHIFT: 75,
  ADC: 76,
  CCMP: 77,
  CSEL: 78,
  DP1: 79,
  DP2: 80,
  MADD64: 81,
  MADD32: 82,
  DP3: 83,
  FPSIMD: 84,
  FP_MOVE: 85,
  LS_ATOMIC: 86,
} as const;

/** Load/store kinds (`b & 31` of the load/store handlers). */
export const Ls = {
  STRB: 0,
  STRH: 1,
  STRW: 2,
  STRX: 3,
  LDRB: 4,
  LDRH: 5,
  LDRW: 6,
  LDRX: 7,
  LDRSB64: 8,
  LDRSH64: 9,
  LDRSW: 10,
  LDRSB32: 11,
  LDRSH32: 12,
  PRFM: 13,
  STR_B: 16,
  STR_H: 17,
  STR_S: 18,
  STR_D: 19,
  STR_Q: 20,
  LDR_B: 21,
  LDR_H: 22,
  LDR_S: 23,
  LDR_D: 24,
  LDR_Q: 25,
} as const;

/** Access size in bytes per load/store kind. */
export const LS_SIZE = new Int32Array([1, 2, 4, 8, 1, 2, 4, 8, 1, 2, 4, 1, 2, 8, 0, 0, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16]);
