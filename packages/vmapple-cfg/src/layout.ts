/**
 * The configuration structure (spec §4.2) at the offsets QEMU really
 * produces ("Actual": derived from the declared field types, as compiled).
 * QEMU's source comments give different offsets from 0x180 on, see
 * `CFG_COMMENT_OFFSETS` and the README.
 */
export const CfgOffset = {
  version: 0x000,
  nr_cpus: 0x004,
  unk1: 0x008,
  unk2: 0x00c,
  unk3: 0x010,
  unk4: 0x014,
  ecid: 0x018,
  ram_size: 0x020,
  run_installer1: 0x028,
  unk5: 0x02c,
  unk6: 0x030,
  run_installer2: 0x034,
  rnd: 0x038,
  unk7: 0x03c,
  mac_en0: 0x040,
  mac_en1: 0x048,
  mac_wifi0: 0x050,
  mac_bt0: 0x058,
  reserved: 0x060,
  cpu_ids: 0x100,
  scratch: 0x300,
  serial: 0x500,
  unk8: 0x520,
  model: 0x540,
  unk9: 0x560,
  unk10: 0x580,
  soc_name: 0x584,
} as const;

/**
 * Offsets written in QEMU's source comments for the fields where they differ
 * from the compiled layout (the comments assume a 0x80-byte cpu_ids table;
 * the declaration has 0x80 four-byte entries). Documentation only.
 */
export const CFG_COMMENT_OFFSETS = {
  scratch: 0x180,
  serial: 0x380,
  unk8: 0x3a0,
  model: 0x3c0,
  unk9: 0x3e0,
  unk10: 0x400,
  soc_name: 0x404,
} as const;

/** Size of the guest RAM region holding the structure. */
export const CFG_REGION_SIZE = 0x1_0000;
/** Size of the structure, including 4 trailing pad bytes. */
export const CFG_STRUCT_SIZE = 0x5a8;
/** Board address (spec §4.1), for board code. */
export const CFG_BASE = 0x0040_0000;

/** Entries in cpu_ids (u32 each). */
export const CFG_MAX_CPUS = 0x80;
/** Bytes in each string field; strings hold at most one less plus a NUL. */
export const CFG_STRING_FIELD = 32;
export const CFG_STRING_MAX = CFG_STRING_FIELD - 1;

/** Fixed values QEMU writes to the fields of unknown meaning. */
export const CFG_FIXED = {
  version: 2,
  unk1: 1,
  unk2: 1,
  unk3: 0x20,
  unk4: 0,
  unk5: 1,
  unk6: 1,
  unk7: 0,
  unk8: 'D/A',
  unk10: 1,
} as const;
