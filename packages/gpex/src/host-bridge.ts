import { type Log } from '@vmapple/core-bus';
import { PciFunction } from '@vmapple/core-bus/pci';
import { GPEX_HOST_CLASS_CODE, GPEX_HOST_DEVICE_ID, GPEX_HOST_VENDOR_ID } from './constants.js';

/** Function 00:00.0: the host bridge as the guest sees it in config space. No BARs, no interrupt. */
export class GpexHostBridge extends PciFunction {
  constructor(log?: Log) {
    super({
      name: 'gpex-root',
      vendorId: GPEX_HOST_VENDOR_ID,
      deviceId: GPEX_HOST_DEVICE_ID,
      classCode: GPEX_HOST_CLASS_CODE,
      ...(log ? { log } : {}),
    });
  }
}
