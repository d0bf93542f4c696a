import { VirtioPciFunction } from '@vmapple/virtio';
import * as B from './constants.js';
import { VirtioBlk, type VirtioBlkOptions } from './virtio-blk.js';

/**
 * A virtio-blk disk on PCI: by default Apple's vmapple variant
 * (`vmapple-virtio-blk-pci`, 106B:1A00, spec §5), or with `model: 'standard'`
 * a plain modern virtio-blk-pci (1AF4:1042). Both are modern-only with INTx,
 * class 0x010000 (mass storage, SCSI), revision 1. `name` (default
 * `vmapple-virtio-blk-root|aux` or `virtio-blk`) names the function in logs
 * and snapshots, so give each disk its own.
 */
export class VirtioBlkPci extends VirtioPciFunction {
  readonly blk: VirtioBlk;

  constructor(options: VirtioBlkOptions) {
    const blk = new VirtioBlk(options);
    const apple = blk.model === 'apple';
    super({
      name: options.name ?? (apple ? `vmapple-virtio-blk-${blk.variant}` : 'virtio-blk'),
      device: blk,
      vendorId: apple ? B.APPLE_VENDOR_ID : undefined,
      deviceId: apple ? B.APPLE_VIRTIO_BLK_DEVICE_ID : B.VIRTIO_BLK_MODERN_DEVICE_ID,
      classCode: B.PCI_CLASS_STORAGE_SCSI,
      log: options.log,
    });
    this.blk = blk;
  }
}
