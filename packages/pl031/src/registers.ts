/**
 * PL031 register map and identification (Arm PrimeCell Real Time Clock
 * (PL031) Technical Reference Manual, DDI 0224).
 */
export const RTCDR = 0x000;
export const RTCMR = 0x004;
export const RTCLR = 0x008;
export const RTCCR = 0x00c;
export const RTCIMSC = 0x010;
export const RTCRIS = 0x014;
export const RTCMIS = 0x018;
export const RTCICR = 0x01c;
/** RTCPeriphID0..3 at 0xFE0..0xFEC, RTCPCellID0..3 at 0xFF0..0xFFC. */
export const RTCPeriphID0 = 0xfe0;

export const PL031_REGION_SIZE = 0x1000;

/** RTCCR.RTCStart. */
export const CR_START = 1;
/** The one interrupt bit of RTCIMSC/RTCRIS/RTCMIS/RTCICR. */
export const INT_MATCH = 1;

/**
 * PeriphID0..3 then PCellID0..3: part 0x031, designer 0x41 (Arm), revision 1
 * (what QEMU and other PL031 models report; Linux ignores the revision);
 * PrimeCell ID 0xB105F00D.
 */
export const PL031_ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

/** The counter is 32 bits wide and wraps. */
export const COUNTER_MODULUS = 0x1_0000_0000;
export const NS_PER_SECOND = 1_000_000_000;
