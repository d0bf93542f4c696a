/**
 * PL061 register map and identification (Arm PrimeCell General Purpose
 * Input/Output (PL061) Technical Reference Manual, DDI 0190).
 */
/** GPIODATA occupies 0x000..0x3FC: address bits [9:2] mask the bits a read or write touches. */
export const GPIODATA_END = 0x3fc;
export const GPIODIR = 0x400;
export const GPIOIS = 0x404;
export const GPIOIBE = 0x408;
export const GPIOIEV = 0x40c;
export const GPIOIE = 0x410;
export const GPIORIS = 0x414;
export const GPIOMIS = 0x418;
export const GPIOIC = 0x41c;
export const GPIOAFSEL = 0x420;
/** GPIOPeriphID0..3 at 0xFE0..0xFEC, GPIOPCellID0..3 at 0xFF0..0xFFC. */
export const GPIOPeriphID0 = 0xfe0;

export const PL061_REGION_SIZE = 0x1000;
export const PL061_LINES = 8;

/** PeriphID0..3 then PCellID0..3: part 0x061, designer 0x41 (Arm), revision 0; 0xB105F00D. */
export const PL061_ID = [0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;
