/** Builders for standard descriptors (USB 2.0 §9.6) and HID descriptors (HID 1.11 §6.2.1). */
import { DESC_CONFIGURATION, DESC_DEVICE, DESC_DEVICE_QUALIFIER, DESC_ENDPOINT, DESC_INTERFACE, DESC_STRING } from './usb-device.js';

export interface DeviceDescriptorFields {
  bcdUSB: number;
  bDeviceClass: number;
  bDeviceSubClass: number;
  bDeviceProtocol: number;
  bMaxPacketSize0: number;
  idVendor: number;
  idProduct: number;
  bcdDevice: number;
  iManufacturer: number;
  iProduct: number;
  iSerialNumber: number;
  bNumConfigurations: number;
}

export function deviceDescriptor(f: DeviceDescriptorFields): Uint8Array {
  return new Uint8Array([
    18, DESC_DEVICE,
    f.bcdUSB & 0xff, f.bcdUSB >> 8,
    f.bDeviceClass, f.bDeviceSubClass, f.bDeviceProtocol, f.bMaxPacketSize0,
    f.idVendor & 0xff, f.idVendor >> 8,
    f.idProduct & 0xff, f.idProduct >> 8,
    f.bcdDevice & 0xff, f.bcdDevice >> 8,
    f.iManufacturer, f.iProduct, f.iSerialNumber, f.bNumConfigurations,
  ]);
}

/** The device qualifier: what the device would look like at the other speed (USB 2.0 §9.6.2). */
export function deviceQualifier(f: DeviceDescriptorFields): Uint8Array {
  return new Uint8Array([
    10, DESC_DEVICE_QUALIFIER, f.bcdUSB & 0xff, f.bcdUSB >> 8,
    f.bDeviceClass, f.bDeviceSubClass, f.bDeviceProtocol, f.bMaxPacketSize0, f.bNumConfigurations, 0,
  ]);
}

export function interfaceDescriptor(
  number: number, numEndpoints: number, cls: number, subClass: number, protocol: number, iInterface = 0,
): Uint8Array {
  return new Uint8Array([9, DESC_INTERFACE, number, 0, numEndpoints, cls, subClass, protocol, iInterface]);
}

/** bmAttributes transfer types. */
export const EP_ATTR_CONTROL = 0;
export const EP_ATTR_ISOCH = 1;
export const EP_ATTR_BULK = 2;
export const EP_ATTR_INTERRUPT = 3;

export function endpointDescriptor(address: number, attributes: number, maxPacket: number, interval: number): Uint8Array {
  return new Uint8Array([7, DESC_ENDPOINT, address, attributes, maxPacket & 0xff, maxPacket >> 8, interval]);
}

/** HID descriptor with one report descriptor (HID 1.11 §6.2.1). */
export function hidDescriptor(reportLength: number, bcdHID = 0x0111, country = 0): Uint8Array {
  return new Uint8Array([9, 0x21, bcdHID & 0xff, bcdHID >> 8, country, 1, 0x22, reportLength & 0xff, reportLength >> 8]);
}

/** A configuration descriptor followed by `parts` (interfaces, class descriptors, endpoints). */
export function configurationDescriptor(
  value: number, numInterfaces: number, attributes: number, maxPower2mA: number, parts: Uint8Array[], iConfiguration = 0,
): Uint8Array {
  const total = 9 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  out.set([9, DESC_CONFIGURATION, total & 0xff, total >> 8, numInterfaces, value, iConfiguration, attributes, maxPower2mA]);
  let at = 9;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** String descriptor 0: the supported language IDs. */
export function languageDescriptor(langIds: number[] = [0x0409]): Uint8Array {
  const out = new Uint8Array(2 + 2 * langIds.length);
  out[0] = out.length;
  out[1] = DESC_STRING;
  langIds.forEach((id, i) => {
    out[2 + 2 * i] = id & 0xff;
    out[3 + 2 * i] = id >> 8;
  });
  return out;
}

/** A UTF-16LE string descriptor (at most 126 code units). */
export function stringDescriptor(text: string): Uint8Array {
  const units = Math.min(text.length, 126);
  const out = new Uint8Array(2 + 2 * units);
  out[0] = out.length;
  out[1] = DESC_STRING;
  for (let i = 0; i < units; i++) {
    const c = text.charCodeAt(i);
    out[2 + 2 * i] = c & 0xff;
    out[3 + 2 * i] = c >> 8;
  }
  return out;
}
