/**
 * virtio 1.2 constants: device status bits (§2.1), reserved feature bits
 * (§6), split-virtqueue layout (§2.7) and the PCI transport (§4.1).
 */

/** Device status field bits (virtio 1.2 §2.1). */
export const VIRTIO_STATUS_ACKNOWLEDGE = 1;
export const VIRTIO_STATUS_DRIVER = 2;
export const VIRTIO_STATUS_DRIVER_OK = 4;
export const VIRTIO_STATUS_FEATURES_OK = 8;
export const VIRTIO_STATUS_DEVICE_NEEDS_RESET = 0x40;
export const VIRTIO_STATUS_FAILED = 0x80;

/** Reserved (transport and ring) feature bit numbers (virtio 1.2 §6). */
export const VIRTIO_F_RING_INDIRECT_DESC = 28;
export const VIRTIO_F_RING_EVENT_IDX = 29;
export const VIRTIO_F_VERSION_1 = 32;
export const VIRTIO_F_ACCESS_PLATFORM = 33;
export const VIRTIO_F_RING_PACKED = 34;

/** A feature bit number as a 64-bit mask. */
export function featureBit(bit: number): bigint {
  return 1n << BigInt(bit);
}

/** Split virtqueue descriptor flags (virtio 1.2 §2.7.5). */
export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
/** Size of one descriptor: addr u64, len u32, flags u16, next u16. */
export const VIRTQ_DESC_SIZE = 16;
/** Available ring flag: the driver asks for no used-buffer notifications (§2.7.7). */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
/** Used ring flag: the device asks for no available-buffer notifications (§2.7.10). */
export const VIRTQ_USED_F_NO_NOTIFY = 1;
/** Largest split queue size (§2.7). */
export const VIRTQ_MAX_SIZE = 32768;

/** virtio-pci capability cfg_type values (virtio 1.2 §4.1.4). */
export const VIRTIO_PCI_CAP_COMMON_CFG = 1;
export const VIRTIO_PCI_CAP_NOTIFY_CFG = 2;
export const VIRTIO_PCI_CAP_ISR_CFG = 3;
export const VIRTIO_PCI_CAP_DEVICE_CFG = 4;
export const VIRTIO_PCI_CAP_PCI_CFG = 5;

/** Common configuration structure offsets (virtio 1.2 §4.1.4.3). */
export const VIRTIO_PCI_COMMON_DFSELECT = 0x00;
export const VIRTIO_PCI_COMMON_DF = 0x04;
export const VIRTIO_PCI_COMMON_GFSELECT = 0x08;
export const VIRTIO_PCI_COMMON_GF = 0x0c;
export const VIRTIO_PCI_COMMON_MSIX = 0x10;
export const VIRTIO_PCI_COMMON_NUMQ = 0x12;
export const VIRTIO_PCI_COMMON_STATUS = 0x14;
export const VIRTIO_PCI_COMMON_CFGGENERATION = 0x15;
export const VIRTIO_PCI_COMMON_Q_SELECT = 0x16;
export const VIRTIO_PCI_COMMON_Q_SIZE = 0x18;
export const VIRTIO_PCI_COMMON_Q_MSIX = 0x1a;
export const VIRTIO_PCI_COMMON_Q_ENABLE = 0x1c;
export const VIRTIO_PCI_COMMON_Q_NOFF = 0x1e;
export const VIRTIO_PCI_COMMON_Q_DESCLO = 0x20;
export const VIRTIO_PCI_COMMON_Q_DESCHI = 0x24;
export const VIRTIO_PCI_COMMON_Q_AVAILLO = 0x28;
export const VIRTIO_PCI_COMMON_Q_AVAILHI = 0x2c;
export const VIRTIO_PCI_COMMON_Q_USEDLO = 0x30;
export const VIRTIO_PCI_COMMON_Q_USEDHI = 0x34;
/** Size of the common configuration structure this transport implements. */
export const VIRTIO_PCI_COMMON_CFG_SIZE = 0x38;

/** The MSI-X "no vector" value; this transport has no MSI-X, so every vector field reads it. */
export const VIRTIO_MSI_NO_VECTOR = 0xffff;

/** ISR status bits (virtio 1.2 §4.1.4.5). */
export const VIRTIO_ISR_QUEUE = 1;
export const VIRTIO_ISR_CONFIG = 2;

/** PCI IDs (virtio 1.2 §4.1.2): modern device ID = 0x1040 + device type. */
export const VIRTIO_PCI_VENDOR_ID = 0x1af4;
export const VIRTIO_PCI_MODERN_DEVICE_ID_BASE = 0x1040;
