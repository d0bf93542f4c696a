import { type Log } from '@vmapple/core-bus';
import { PciFunction } from '@vmapple/core-bus/pci';
import {
  GPEX_HOST_CLASS_CODE,
  GPEX_HOST_DEVICE_ID,
  GPEX_HOST_SUBSYSTEM_ID,
  GPEX_HOST_SUBSYSTEM_VENDOR_ID,
  GPEX_HOST_VENDOR_ID,
} from './constants.js';

/**
 * Function 00:00.0: the host bridge as the guest sees it in config space. No
 * BARs, no interrupt, no capabilities. As in QEMU it is a conventional
 * function (256 bytes of config space: the extended space reads all ones)
 * with the subsystem IDs QEMU gives every type-0 function by default (Red
 * Hat/Qumranet 1af4:1100).
 */
export class GpexHostBridge extends PciFunction {
  constructor(log?: Log) {
    super({
      name: 'gpex-root',
      vendorId: GPEX_HOST_VENDOR_ID,
      deviceId: GPEX_HOST_DEVICE_ID,
      classCode: GPEX_HOST_CLASS_CODE,
      subsystemVendorId: GPEX_HOST_SUBSYSTEM_VENDOR_ID,
      subsystemId: GPEX_HOST_SUBSYSTEM_ID,
      express: false,
      ...(log ? { log } : {}),
    });
  }
}
