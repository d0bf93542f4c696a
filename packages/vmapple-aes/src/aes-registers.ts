/** Register offsets, bits and command fields of the apple-aes engine (spec §2.2–§2.5). */

export const AES_REGION_SIZE = 0x4000;
export const AES2_REGION_SIZE = 0x4000;
/** Board addresses and interrupt (spec §2.1), for board code. */
export const AES_BASE = 0x3022_0000;
export const AES2_BASE = 0x3023_0000;
export const AES_SPI = 0x12;

export const AesReg = {
  STATUS: 0x00c,
  IRQ_STATUS: 0x018,
  IRQ_ENABLE: 0x01c,
  WATERMARK: 0x020,
  Q_STATUS: 0x024,
  FLAG_INFO: 0x030,
  FIFO: 0x200,
} as const;

/** Reset values of the read-only state registers. */
export const STATUS_RESET = 0x3f80;
export const Q_STATUS_RESET = 2;

/** IRQ_STATUS bits. */
export const IRQ_INVALID_CMD = 0x04;
export const IRQ_FLAG = 0x20;

/** Depth of the command FIFO in 32-bit words. */
export const FIFO_DEPTH = 9;

export const Opcode = {
  KEY: 0x1,
  IV: 0x2,
  DSB: 0x3,
  SKG: 0x4,
  DATA: 0x5,
  STORE_IV: 0x6,
  WRITE_REG: 0x7,
  FLAG: 0x8,
} as const;

/** KEY command fields. */
export const KEY_CONTEXT_SHIFT = 27;
export const KEY_SELECT_SHIFT = 24;
export const KEY_SELECT_MASK = 0x7;
export const KEY_LEN_SHIFT = 22;
export const KEY_LEN_MASK = 0x3;
export const KEY_ENCRYPT_BIT = 1 << 20;
export const KEY_BLOCK_MODE_SHIFT = 16;
export const KEY_BLOCK_MODE_MASK = 0x3;
/** Key length in bytes for each length code. */
export const KEY_LENGTHS = [16, 24, 32, 64] as const;

/** IV / STORE_IV context (the intended two-bit field at 27..26, used by the fixed mode). */
export const IV_CONTEXT_SHIFT = 26;
/** DATA command fields. */
export const DATA_KEY_CONTEXT_SHIFT = 27;
export const DATA_IV_CONTEXT_SHIFT = 25;
export const DATA_LENGTH_MASK = 0xff_ffff;
/** FLAG command fields. */
export const FLAG_IRQ_BIT = 1 << 27;
export const FLAG_INFO_MASK = 0xff;

/**
 * Built-in keys selectable by KEY's key-select field (QEMU placeholders, not
 * Apple's keys): 1..3 are 32 bytes (the select value then 31 zeros), 4..7 are
 * empty, so DATA with them fails on the key length.
 */
export function builtinKey(select: number): Uint8Array {
  if (select >= 1 && select <= 3) {
    const k = new Uint8Array(32);
    k[0] = select;
    return k;
  }
  return new Uint8Array(0);
}
