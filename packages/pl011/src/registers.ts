/**
 * PL011 register map, bit fields and reset values (Arm PrimeCell UART
 * (PL011) Technical Reference Manual, DDI 0183, revision r1p5).
 */
export const UARTDR = 0x000;
/** Read: UARTRSR (receive status); write: UARTECR (error clear). */
export const UARTRSR_ECR = 0x004;
export const UARTFR = 0x018;
export const UARTILPR = 0x020;
export const UARTIBRD = 0x024;
export const UARTFBRD = 0x028;
export const UARTLCR_H = 0x02c;
export const UARTCR = 0x030;
export const UARTIFLS = 0x034;
export const UARTIMSC = 0x038;
export const UARTRIS = 0x03c;
export const UARTMIS = 0x040;
export const UARTICR = 0x044;
export const UARTDMACR = 0x048;
/** UARTPeriphID0..3 at 0xFE0..0xFEC, UARTPCellID0..3 at 0xFF0..0xFFC. */
export const UARTPeriphID0 = 0xfe0;

/** Size of the register window. */
export const PL011_REGION_SIZE = 0x1000;
/** Depth of each FIFO in r1p5 (earlier revisions had 16). */
export const PL011_FIFO_DEPTH = 32;

/**
 * PeriphID0..3 then PCellID0..3: part 0x011, designer 0x41 (Arm),
 * revision 3 (r1p5), PrimeCell ID 0xB105F00D. Linux derives the FIFO depth
 * from the revision (32 entries from revision 3 on), so it matches the depth
 * modelled here.
 */
export const PL011_ID = [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

// UARTDR read bits [11:8] and UARTRSR bits [3:0]: the receive error flags.
export const DR_FE = 1 << 8;
export const DR_PE = 1 << 9;
export const DR_BE = 1 << 10;
export const DR_OE = 1 << 11;
export const RSR_FE = 1 << 0;
export const RSR_PE = 1 << 1;
export const RSR_BE = 1 << 2;
export const RSR_OE = 1 << 3;

// UARTFR
export const FR_CTS = 1 << 0;
export const FR_DSR = 1 << 1;
export const FR_DCD = 1 << 2;
export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;
export const FR_RI = 1 << 8;

// UARTLCR_H
export const LCR_H_BRK = 1 << 0;
export const LCR_H_FEN = 1 << 4;

// UARTCR
export const CR_UARTEN = 1 << 0;
export const CR_LBE = 1 << 7;
export const CR_TXE = 1 << 8;
export const CR_RXE = 1 << 9;

// UARTDMACR
export const DMACR_RXDMAE = 1 << 0;
export const DMACR_TXDMAE = 1 << 1;

// Interrupt bits, shared by UARTIMSC, UARTRIS, UARTMIS and UARTICR.
export const INT_RI = 1 << 0;
export const INT_CTS = 1 << 1;
export const INT_DCD = 1 << 2;
export const INT_DSR = 1 << 3;
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6;
export const INT_FE = 1 << 7;
export const INT_PE = 1 << 8;
export const INT_BE = 1 << 9;
export const INT_OE = 1 << 10;
export const INT_ALL = 0x7ff;

/** Writable bits of each read/write register. */
export const MASK_ILPR = 0xff;
export const MASK_IBRD = 0xffff;
export const MASK_FBRD = 0x3f;
export const MASK_LCR_H = 0xff;
export const MASK_CR = 0xff87; // bits [6:3] are reserved
export const MASK_IFLS = 0x3f;
export const MASK_DMACR = 0x7;

/** Reset values that are not zero. */
export const RESET_CR = CR_TXE | CR_RXE;
export const RESET_IFLS = 0x12; // both trigger levels at 1/2

/**
 * FIFO trigger levels selected by UARTIFLS.TXIFLSEL / RXIFLSEL for a
 * 32-entry FIFO: 1/8, 1/4, 1/2, 3/4, 7/8. Values 5..7 are reserved.
 */
export const TRIGGER_LEVELS = [4, 8, 16, 24, 28] as const;
