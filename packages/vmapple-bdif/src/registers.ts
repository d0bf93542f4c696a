/** Backdoor interface address decoding and registers (spec §3.1–§3.4). */

export const BDIF_BASE = 0x3000_0000;
export const BDIF_SIZE = 0x20_0000;

/** Device windows: dev = offset & 0xFFFF_0000. */
export const BdifWindow = {
  ROOT: 0x0_0000,
  AUX: 0x1_0000,
  /** Named by QEMU but not implemented: behaves like an unknown window. */
  USB: 0x10_0000,
} as const;

export const WINDOW_MASK = 0xffff_0000;
export const REG_MASK = 0x0000_ffff;

export const BdifReg = {
  STATUS: 0x000,
  CFG: 0x004,
  UNK1: 0x008,
  BUSY: 0x010,
  UNK2: 0x400,
  CMD: 0x408,
  NEXT_DEVICE: 0x420,
  UNK3: 0x434,
} as const;

/** Read values of the constant registers. */
export const REG_VALUES = {
  STATUS: 0x1, // ACTIVE
  CFG: 0x2, // ACTIVE
  UNK1: 0x420,
  BUSY: 0x1, // READY
  UNK2: 0x1,
  UNK3: 0x0,
  NEXT_DEVICE_ROOT: 0x0800_0000,
  NEXT_DEVICE_AUX: 0x0001_0000,
} as const;

/** Request descriptor: three 16-byte records {address u64, length u32, flags u32}. */
export const DESCRIPTOR_SIZE = 48;
export const Desc = {
  HEADER_ADDR: 0x00,
  HEADER_LEN: 0x08,
  DATA_ADDR: 0x10,
  DATA_LEN: 0x18,
  DATA_FLAGS: 0x1c,
  STATUS_ADDR: 0x20,
} as const;

export const SECTOR_HEADER_SIZE = 16;
/** Offset of the u32 sector number inside the sector header. */
export const SECTOR_FIELD = 0x8;
export const SECTOR_SIZE = 512;
export const MAX_DATA_LENGTH = 0x800_0000;

export const FLAGS_READ = 0x0003_0001;
export const FLAGS_WRITE = 0x0001_0001;

export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
