/**
 * virtio-blk constants (virtio 1.2 §5.2) and the Apple variant's additions
 * (vmapple spec §5).
 */

/** virtio device type of a block device. */
export const VIRTIO_ID_BLOCK = 2;

/** Feature bits (virtio 1.2 §5.2.3). */
export const VIRTIO_BLK_F_SIZE_MAX = 1;
export const VIRTIO_BLK_F_SEG_MAX = 2;
export const VIRTIO_BLK_F_GEOMETRY = 4;
export const VIRTIO_BLK_F_RO = 5;
export const VIRTIO_BLK_F_BLK_SIZE = 6;
export const VIRTIO_BLK_F_FLUSH = 9;
export const VIRTIO_BLK_F_TOPOLOGY = 10;
export const VIRTIO_BLK_F_CONFIG_WCE = 11;
export const VIRTIO_BLK_F_MQ = 12;
export const VIRTIO_BLK_F_DISCARD = 13;
export const VIRTIO_BLK_F_WRITE_ZEROES = 14;
export const VIRTIO_BLK_F_LIFETIME = 15;
export const VIRTIO_BLK_F_SECURE_ERASE = 16;
/** Offered by the Apple variant only so that the config space reaches 0x60 (spec §5). */
export const VIRTIO_BLK_F_ZONED = 17;

/** Request types (virtio 1.2 §5.2.6). */
export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;
export const VIRTIO_BLK_T_GET_LIFETIME = 10;
export const VIRTIO_BLK_T_DISCARD = 11;
export const VIRTIO_BLK_T_WRITE_ZEROES = 13;
export const VIRTIO_BLK_T_SECURE_ERASE = 14;
/** Apple's barrier request (vmapple spec §5): matched on the exact 32-bit type. */
export const VIRTIO_BLK_T_APPLE_BARRIER = 0x0001_0000;

/** Request status byte values. */
export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

/** Discard / write-zeroes segment flag. */
export const VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP = 1;

/** Bytes of the request header (type u32, reserved u32, sector u64) and of a discard/write-zeroes segment. */
export const VIRTIO_BLK_OUTHDR_SIZE = 16;
export const VIRTIO_BLK_DWZ_SEGMENT_SIZE = 16;
/** GET_ID returns up to 20 bytes of serial. */
export const VIRTIO_BLK_ID_BYTES = 20;
/** virtio-blk addresses in 512-byte sectors whatever the block size. */
export const VIRTIO_BLK_SECTOR_SIZE = 512;

/** Device configuration layout (virtio 1.2 §5.2.4; vmapple spec §5 for 0x3C). */
export const BLK_CFG_CAPACITY = 0x00;
export const BLK_CFG_SIZE_MAX = 0x08;
export const BLK_CFG_SEG_MAX = 0x0c;
export const BLK_CFG_GEOMETRY = 0x10;
export const BLK_CFG_BLK_SIZE = 0x14;
export const BLK_CFG_PHYSICAL_BLOCK_EXP = 0x18;
export const BLK_CFG_ALIGNMENT_OFFSET = 0x19;
export const BLK_CFG_MIN_IO_SIZE = 0x1a;
export const BLK_CFG_OPT_IO_SIZE = 0x1c;
export const BLK_CFG_WRITEBACK = 0x20;
export const BLK_CFG_NUM_QUEUES = 0x22;
export const BLK_CFG_MAX_DISCARD_SECTORS = 0x24;
export const BLK_CFG_MAX_DISCARD_SEG = 0x28;
export const BLK_CFG_DISCARD_SECTOR_ALIGNMENT = 0x2c;
export const BLK_CFG_MAX_WRITE_ZEROES_SECTORS = 0x30;
export const BLK_CFG_MAX_WRITE_ZEROES_SEG = 0x34;
export const BLK_CFG_WRITE_ZEROES_MAY_UNMAP = 0x38;
/** max_secure_erase_sectors in the standard layout; the Apple variant value lives here. */
export const BLK_CFG_APPLE_VARIANT = 0x3c;
/** Config size of the Apple device: up to the end of the zoned block (ZONED is always offered). */
export const BLK_CFG_SIZE_APPLE = 0x60;

/** Apple variant values at config offset 0x3C (QEMU's VMAppleVirtioBlkVariant). */
export const APPLE_VARIANT_ROOT = 1;
export const APPLE_VARIANT_AUX = 2;

/** PCI identity. */
export const APPLE_VENDOR_ID = 0x106b;
export const APPLE_VIRTIO_BLK_DEVICE_ID = 0x1a00;
export const VIRTIO_BLK_MODERN_DEVICE_ID = 0x1042;
/** Mass storage, SCSI subclass (QEMU's class for virtio-blk-pci). */
export const PCI_CLASS_STORAGE_SCSI = 0x010000;

/** Largest discard / write-zeroes request (QEMU's default limit, in sectors). */
export const DEFAULT_MAX_DWZ_SECTORS = 0x3f_ffff;
