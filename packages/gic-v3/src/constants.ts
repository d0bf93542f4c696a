/**
 * Register offsets, bit fields and implementation choices of the GICv3 model,
 * named as in Arm's GICv3/v4 architecture specification (IHI 0069), chapter 12.
 */
import { sysregEncoding } from '@vmapple/core-bus';

/** Number of SPIs (vmapple-hardware.md §1.3: 256 external lines, INTIDs 32..287). */
export const SPI_COUNT = 256;
/** Interrupts per processor that are private (SGIs 0..15, PPIs 16..31). */
export const PRIVATE_COUNT = 32;
/** One past the highest implemented INTID. */
export const INTID_LIMIT = PRIVATE_COUNT + SPI_COUNT;
/** 32-bit words in an interrupt bitmap (word 0 is the banked private word). */
export const WORDS = INTID_LIMIT / 32;
/** First special INTID (1020..1023 are never interrupts). */
export const INTID_SPECIAL = 1020;
/** The INTID an acknowledge returns when there is nothing to take. */
export const INTID_SPURIOUS = 1023;
/** Most processors the redistributor window of the board can hold (§1.4). */
export const MAX_CPUS = 32;

/** Size of the distributor frame. */
export const GICD_SIZE = 0x1_0000;
/** Size of one redistributor (RD_base frame + SGI_base frame). */
export const GICR_STRIDE = 0x2_0000;
/** Offset of the SGI_base frame inside a redistributor. */
export const GICR_SGI_BASE = 0x1_0000;

/**
 * Implemented priority bits: 5 (32 levels), as in Arm's Cortex-A CPU interfaces.
 * Unimplemented low bits of every priority field read as zero.
 */
export const PRIORITY_BITS = 5;
export const PRIORITY_MASK = (0xff << (8 - PRIORITY_BITS)) & 0xff;
/** Idle priority: what ICC_RPR_EL1 reads when nothing is active. */
export const IDLE_PRIORITY = 0xff;
/** Smallest ICC_BPR0_EL1 value (group priority field [7:3]). */
export const BPR0_MIN = 7 - PRIORITY_BITS;
/** Smallest ICC_BPR1_EL1 value (BPR0 minimum plus one). */
export const BPR1_MIN = BPR0_MIN + 1;

/** Distributor registers (offsets from the GICD frame base). */
export const GICD = {
  CTLR: 0x0000,
  TYPER: 0x0004,
  IIDR: 0x0008,
  TYPER2: 0x000c,
  STATUSR: 0x0010,
  IGROUPR: 0x0080,
  ISENABLER: 0x0100,
  ICENABLER: 0x0180,
  ISPENDR: 0x0200,
  ICPENDR: 0x0280,
  ISACTIVER: 0x0300,
  ICACTIVER: 0x0380,
  IPRIORITYR: 0x0400,
  ITARGETSR: 0x0800,
  ICFGR: 0x0c00,
  IGRPMODR: 0x0d00,
  NSACR: 0x0e00,
  SGIR: 0x0f00,
  CPENDSGIR: 0x0f10,
  SPENDSGIR: 0x0f20,
  IROUTER: 0x6000,
  PIDR2: 0xffe8,
} as const;

/** GICD_CTLR in a GIC with a single Security state (DS == 1). */
export const GICD_CTLR = {
  EnableGrp0: 1 << 0,
  EnableGrp1: 1 << 1,
  ARE: 1 << 4,
  DS: 1 << 6,
  RWP: 1 << 31,
} as const;

/** GICD_TYPER fields. */
export const GICD_TYPER = {
  ITLinesNumber: WORDS - 1,
  /** IDbits: 16 INTID bits, minus one. */
  IDbitsShift: 19,
  IDbits: 15,
  No1N: 1 << 25,
  A3V: 1 << 24,
  LPIS: 1 << 17,
  SecurityExtn: 1 << 10,
} as const;

/** Redistributor registers in the RD_base frame. */
export const GICR = {
  CTLR: 0x0000,
  IIDR: 0x0004,
  TYPER: 0x0008,
  STATUSR: 0x0010,
  WAKER: 0x0014,
  SETLPIR: 0x0040,
  CLRLPIR: 0x0048,
  PROPBASER: 0x0070,
  PENDBASER: 0x0078,
  INVLPIR: 0x00a0,
  INVALLR: 0x00b0,
  SYNCR: 0x00c0,
  PIDR2: 0xffe8,
} as const;

/** Redistributor registers in the SGI_base frame (offsets inside that frame). */
export const GICR_SGI = {
  IGROUPR0: 0x0080,
  ISENABLER0: 0x0100,
  ICENABLER0: 0x0180,
  ISPENDR0: 0x0200,
  ICPENDR0: 0x0280,
  ISACTIVER0: 0x0300,
  ICACTIVER0: 0x0380,
  IPRIORITYR: 0x0400,
  ICFGR0: 0x0c00,
  ICFGR1: 0x0c04,
  IGRPMODR0: 0x0d00,
  NSACR: 0x0e00,
} as const;

export const GICR_WAKER = {
  ProcessorSleep: 1 << 1,
  ChildrenAsleep: 1 << 2,
} as const;

/** GICR_TYPER.Last: this is the last redistributor of the region. */
export const GICR_TYPER_LAST = 1 << 4;

/** GICD_IROUTER<n> fields in the low word (Aff3 in the high word is RES0: A3V == 0). */
export const IROUTER_IRM = 1 << 31;
export const IROUTER_AFF_MASK = 0x00ff_ffff;

/** Implementer: Arm (JEP106 0x43B), product 0, r0p0, in GICD_IIDR and GICR_IIDR. */
export const IIDR_VALUE = 0x0000_043b;

/**
 * Identification registers at 0xFFD0..0xFFFC, in address order: PIDR4..PIDR7,
 * PIDR0..PIDR3, CIDR0..CIDR3. PIDR2.ArchRev (bits [7:4]) = 3 says GICv3; the
 * rest is the usual Arm PrimeCell identification.
 */
export const ID_REGISTERS: readonly number[] = [0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1];
export const ID_REGISTERS_BASE = 0xffd0;

/** ICC_CTLR_EL1 fields. */
export const ICC_CTLR = {
  CBPR: 1 << 0,
  EOImode: 1 << 1,
  PRIbitsShift: 8,
  IDbitsShift: 11,
  A3V: 1 << 15,
  RSS: 1 << 18,
} as const;
/** Read-only part of ICC_CTLR_EL1: PRIbits = 4 (5 bits), IDbits = 0 (16 bits), no A3V/RSS/SEIS. */
export const ICC_CTLR_RO = (PRIORITY_BITS - 1) << ICC_CTLR.PRIbitsShift;
/** ICC_SRE_EL1: SRE, DFB and DIB are RAO/WI (no legacy interface, no EL2/EL3). */
export const ICC_SRE_VALUE = 0x7;

/** The GICv3 CPU interface system registers this model serves, by MRS/MSR encoding. */
export const ICC_ENCODINGS = {
  ICC_PMR_EL1: sysregEncoding(3, 0, 4, 6, 0),
  ICC_IAR0_EL1: sysregEncoding(3, 0, 12, 8, 0),
  ICC_EOIR0_EL1: sysregEncoding(3, 0, 12, 8, 1),
  ICC_HPPIR0_EL1: sysregEncoding(3, 0, 12, 8, 2),
  ICC_BPR0_EL1: sysregEncoding(3, 0, 12, 8, 3),
  ICC_AP0R0_EL1: sysregEncoding(3, 0, 12, 8, 4),
  ICC_AP1R0_EL1: sysregEncoding(3, 0, 12, 9, 0),
  ICC_DIR_EL1: sysregEncoding(3, 0, 12, 11, 1),
  ICC_RPR_EL1: sysregEncoding(3, 0, 12, 11, 3),
  ICC_SGI1R_EL1: sysregEncoding(3, 0, 12, 11, 5),
  ICC_ASGI1R_EL1: sysregEncoding(3, 0, 12, 11, 6),
  ICC_SGI0R_EL1: sysregEncoding(3, 0, 12, 11, 7),
  ICC_IAR1_EL1: sysregEncoding(3, 0, 12, 12, 0),
  ICC_EOIR1_EL1: sysregEncoding(3, 0, 12, 12, 1),
  ICC_HPPIR1_EL1: sysregEncoding(3, 0, 12, 12, 2),
  ICC_BPR1_EL1: sysregEncoding(3, 0, 12, 12, 3),
  ICC_CTLR_EL1: sysregEncoding(3, 0, 12, 12, 4),
  ICC_SRE_EL1: sysregEncoding(3, 0, 12, 12, 5),
  ICC_IGRPEN0_EL1: sysregEncoding(3, 0, 12, 12, 6),
  ICC_IGRPEN1_EL1: sysregEncoding(3, 0, 12, 12, 7),
} as const;

export type IccRegisterName = keyof typeof ICC_ENCODINGS;
