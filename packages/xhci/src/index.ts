// Public API of @vmapple/xhci.
export { XhciController, type XhciOptions } from './xhci-controller.js';
export * as XHCI from './constants.js';
export {
  UsbDevice,
  type UsbSpeed,
  type SetupPacket,
  type ControlResult,
  type InResult,
  type OutResult,
  type UsbDeviceState,
  STALL,
  NAK,
} from './usb/usb-device.js';
export { HidDevice, type HidIdentity, HID_QUEUE_DEPTH } from './usb/hid-device.js';
export { UsbKeyboard, BOOT_KEYBOARD_REPORT_DESCRIPTOR, usageForChar } from './usb/keyboard.js';
export { UsbTablet, TABLET_REPORT_DESCRIPTOR, TABLET_MAX } from './usb/tablet.js';
