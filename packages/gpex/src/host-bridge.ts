import { type Log } from '@vmapple/core-bus';
import { PCI_COMMAND, PCI_COMMAND_PARITY, PCI_CONFIG_SPACE_SIZE, PCI_LATENCY_TIMER, PciFunction } from '@vmapple/core-bus/pci';
import {
  GPEX_HOST_CLASS_CODE,
  GPEX_HOST_DEVICE_ID,
  GPEX_HOST_SUBSYSTEM_ID,
  GPEX_HOST_SUBSYSTEM_VENDOR_ID,
  GPEX_HOST_VENDOR_ID,
} from './constants.js';

/** First byte after the standard type-0 header. */
const HEADER_END = 0x40;

/**
 * Function 00:00.0: the host bridge as the guest sees it in config space. No
 * BARs, no interrupt, no capabilities. As in QEMU it is a conventional
 * function (256 bytes of config space: the extended space reads all ones)
 * with the subsystem IDs QEMU gives every type-0 function by default (Red
 * Hat/Qumranet 1af4:1100). Its writable bits are QEMU's defaults, measured
 * from a guest (test/qemu-guest.test.ts): Command bit 6 (Parity Error
 * Response) and the Latency Timer are read-only 0, and the device-specific
 * bytes 0x40..0xff are plain read/write storage.
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
    this.wmask[PCI_COMMAND] &= ~PCI_COMMAND_PARITY;
    this.wmask[PCI_LATENCY_TIMER] = 0;
    this.wmask.fill(0xff, HEADER_END, PCI_CONFIG_SPACE_SIZE);
  }
}
