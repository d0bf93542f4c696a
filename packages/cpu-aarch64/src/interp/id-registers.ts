/**
 * Identification registers: a plain ARMv8.0-A core (Cortex-A53 MIDR) with
 * exactly the optional features this interpreter implements and tests.
 */
export const ID = {
  /** Cortex-A53 r0p4: on Linux's Meltdown/Spectre safe lists. */
  MIDR_EL1: 0x410f_d034n,
  REVIDR_EL1: 0n,
  /** EL0=1, EL1=1 (AArch64 only), EL2/EL3 absent, FP=0, AdvSIMD=0 (present, no FP16), GIC=1, CSV2=1, CSV3=1. */
  ID_AA64PFR0_EL1: 0x1100_0000_0100_0011n,
  ID_AA64PFR1_EL1: 0n,
  /** DebugVer=6 (v8.0), BRPs=1 and WRPs=1 (two each), PMUVer=0, DoubleLock=0xF (absent). */
  ID_AA64DFR0_EL1: 0x0000_00f0_0010_1006n,
  ID_AA64DFR1_EL1: 0n,
  /** AES=2 (with PMULL), SHA1=1, SHA2=1, CRC32=1, Atomic=2 (LSE); no SHA3/SHA512, RDM, DotProd, ... */
  ID_AA64ISAR0_EL1: 0x0021_1120n,
  ID_AA64ISAR1_EL1: 0n,
  ID_AA64ISAR2_EL1: 0n,
  /** PARange=5 (48 bits), ASIDBits=2 (16), TGran4=0 (supported), TGran64=0xF, TGran16=0 (not supported). */
  ID_AA64MMFR0_EL1: 0x0f00_0025n,
  /** No HAFDBS, no PAN, no VHE. */
  ID_AA64MMFR1_EL1: 0n,
  ID_AA64MMFR2_EL1: 0n,
  /** 64-byte lines, PIPT I-cache, IDC=1, DIC=0 (software must invalidate the I-cache). */
  CTR_EL0: 0x9444_c004n,
  /** DC ZVA block of 64 bytes, allowed. */
  DCZID_EL0: 0x4n,
  /** L1 I+D, L2 unified (Cortex-A57 values). */
  CLIDR_EL1: 0x0a20_0023n,
} as const;

/** CCSIDR_EL1 per CSSELR_EL1 (level << 1 | InD): A57-like geometry. */
export function ccsidr(csselr: number): bigint {
  switch (csselr & 0xf) {
    case 0:
      return 0x701f_e00an; // L1 D: 32 KiB, 2-way, 64 B
    case 1:
      return 0x201f_e012n; // L1 I: 48 KiB, 3-way, 64 B
    case 2:
      return 0x70ff_e07an; // L2: 2 MiB, 16-way, 64 B
    default:
      return 0n;
  }
}
