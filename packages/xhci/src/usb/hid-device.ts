/**
 * A USB HID device with one interface and one interrupt IN endpoint (HID
 * 1.11): the chapter 9 standard requests, the HID class requests (GET/SET
 * REPORT, GET/SET IDLE, GET/SET PROTOCOL) and a bounded queue of input
 * reports the host side fills.
 */
import {
  configurationDescriptor,
  deviceDescriptor,
  type DeviceDescriptorFields,
  deviceQualifier,
  EP_ATTR_INTERRUPT,
  endpointDescriptor,
  hidDescriptor,
  interfaceDescriptor,
  languageDescriptor,
  stringDescriptor,
} from './descriptors.js';
import {
  type ControlResult,
  DESC_CONFIGURATION,
  DESC_DEVICE,
  DESC_DEVICE_QUALIFIER,
  DESC_STRING,
  type InResult,
  NAK,
  type OutResult,
  REQ_CLEAR_FEATURE,
  REQ_GET_CONFIGURATION,
  REQ_GET_DESCRIPTOR,
  REQ_GET_INTERFACE,
  REQ_GET_STATUS,
  REQ_SET_ADDRESS,
  REQ_SET_CONFIGURATION,
  REQ_SET_FEATURE,
  REQ_SET_INTERFACE,
  type SetupPacket,
  STALL,
  UsbDevice,
  type UsbSpeed,
} from './usb-device.js';

/** HID class requests (HID 1.11 §7.2). */
export const HID_GET_REPORT = 0x01;
export const HID_GET_IDLE = 0x02;
export const HID_GET_PROTOCOL = 0x03;
export const HID_SET_REPORT = 0x09;
export const HID_SET_IDLE = 0x0a;
export const HID_SET_PROTOCOL = 0x0b;
export const DESC_HID = 0x21;
export const DESC_HID_REPORT = 0x22;

/** Feature selectors (USB 2.0 Table 9-6). */
const FEATURE_ENDPOINT_HALT = 0;
const FEATURE_DEVICE_REMOTE_WAKEUP = 1;

/**
 * Reports held for the guest; the oldest are dropped beyond this (dropping the
 * oldest loses a key press whose release is kept, never leaves a key stuck).
 */
export const HID_QUEUE_DEPTH = 256;

export interface HidIdentity {
  idVendor: number;
  idProduct: number;
  /** String descriptors by index (index 0, the language list, is added). */
  strings: Record<number, string>;
  iManufacturer: number;
  iProduct: number;
  iSerialNumber: number;
  iConfiguration: number;
  /** Interface subclass (1 = boot interface) and protocol (1 keyboard, 2 mouse, 0 none). */
  subClass: number;
  protocol: number;
  /** bInterval of the interrupt endpoint at high speed (2^(n-1) microframes). */
  highSpeedInterval: number;
  reportDescriptor: Uint8Array;
  /** Length of one input report (the endpoint's wMaxPacketSize is 8). */
  reportLength: number;
}

export abstract class HidDevice extends UsbDevice {
  readonly speed: UsbSpeed = 'high';
  readonly name: string;
  readonly reportDescriptor: Uint8Array;
  protected readonly identity: HidIdentity;
  private readonly device: Uint8Array;
  private readonly qualifier: Uint8Array;
  private readonly config: Uint8Array;
  private readonly strings = new Map<number, Uint8Array>();
  /** Input reports waiting for an interrupt IN transfer. */
  protected queue: Uint8Array[] = [];
  /** 0 = boot protocol, 1 = report protocol (HID 1.11 §7.2.6). */
  protected protocol = 1;
  protected idle = 0;

  constructor(identity: HidIdentity) {
    super();
    this.identity = identity;
    this.name = identity.strings[identity.iProduct] ?? 'hid';
    this.reportDescriptor = identity.reportDescriptor;
    const fields: DeviceDescriptorFields = {
      bcdUSB: 0x0200,
      bDeviceClass: 0,
      bDeviceSubClass: 0,
      bDeviceProtocol: 0,
      bMaxPacketSize0: 64,
      idVendor: identity.idVendor,
      idProduct: identity.idProduct,
      bcdDevice: 0,
      iManufacturer: identity.iManufacturer,
      iProduct: identity.iProduct,
      iSerialNumber: identity.iSerialNumber,
      bNumConfigurations: 1,
    };
    this.device = deviceDescriptor(fields);
    this.qualifier = deviceQualifier(fields);
    this.config = configurationDescriptor(
      1, 1, 0xa0, 50,
      [
        interfaceDescriptor(0, 1, 3, identity.subClass, identity.protocol),
        hidDescriptor(identity.reportDescriptor.length),
        endpointDescriptor(0x81, EP_ATTR_INTERRUPT, 8, identity.highSpeedInterval),
      ],
      identity.iConfiguration,
    );
    this.strings.set(0, languageDescriptor());
    for (const [i, text] of Object.entries(identity.strings)) this.strings.set(Number(i), stringDescriptor(text));
  }

  override busReset(): void {
    super.busReset();
    this.protocol = 1;
    this.idle = 0;
  }

  override reset(): void {
    super.reset();
    this.queue = [];
    this.resetInput();
  }

  /** Clears the host-side input state (keys, buttons). */
  protected abstract resetInput(): void;
  /** The current input report (for GET_REPORT and idle repeats). */
  protected abstract currentReport(): Uint8Array;
  /** An output report from the host (SET_REPORT), e.g. keyboard LEDs. */
  protected outputReport(_data: Uint8Array): void {}

  /** Queues a report for the guest and wakes the controller. */
  protected pushReport(report: Uint8Array): void {
    if (this.queue.length >= HID_QUEUE_DEPTH) this.queue.shift();
    this.queue.push(report);
    this.wake();
  }

  /** Reports waiting for the guest. */
  get pendingReports(): number {
    return this.queue.length;
  }

  control(s: SetupPacket, data: Uint8Array): ControlResult {
    const type = s.bmRequestType & 0x60;
    const recipient = s.bmRequestType & 0x1f;
    const dirIn = (s.bmRequestType & 0x80) !== 0;
    if (type === 0x00) return this.standard(s, recipient, dirIn);
    if (type === 0x20 && recipient === 1 && (s.wIndex & 0xff) === 0) return this.hidClass(s, dirIn, data);
    return STALL;
  }

  private standard(s: SetupPacket, recipient: number, dirIn: boolean): ControlResult {
    const empty = new Uint8Array(0);
    switch (s.bRequest) {
      case REQ_GET_DESCRIPTOR: {
        if (!dirIn) return STALL;
        const dtype = s.wValue >> 8;
        const index = s.wValue & 0xff;
        if (recipient === 0) {
          if (dtype === DESC_DEVICE) return this.device;
          if (dtype === DESC_CONFIGURATION && index === 0) return this.config;
          if (dtype === DESC_STRING) return this.strings.get(index) ?? STALL;
          if (dtype === DESC_DEVICE_QUALIFIER) return this.qualifier;
          return STALL;
        }
        if (recipient === 1 && (s.wIndex & 0xff) === 0) {
          if (dtype === DESC_HID_REPORT) return this.reportDescriptor;
          if (dtype === DESC_HID) return this.config.subarray(18, 27);
        }
        return STALL;
      }
      case REQ_SET_ADDRESS:
        if (dirIn || recipient !== 0 || s.wValue > 127) return STALL;
        this.address = s.wValue;
        return empty;
      case REQ_SET_CONFIGURATION:
        if (dirIn || recipient !== 0 || (s.wValue & 0xff) > 1) return STALL;
        this.configuration = s.wValue & 0xff;
        this.halted.clear();
        return empty;
      case REQ_GET_CONFIGURATION:
        if (!dirIn) return STALL;
        return new Uint8Array([this.configuration]);
      case REQ_GET_STATUS: {
        if (!dirIn) return STALL;
        if (recipient === 0) return new Uint8Array([this.remoteWakeup ? 2 : 0, 0]); // bus powered
        if (recipient === 1) return new Uint8Array([0, 0]);
        if (recipient === 2) {
          const ep = s.wIndex & 0xff;
          if (ep !== 0 && ep !== 0x81) return STALL;
          return new Uint8Array([this.halted.has(ep) ? 1 : 0, 0]);
        }
        return STALL;
      }
      case REQ_CLEAR_FEATURE:
      case REQ_SET_FEATURE: {
        const on = s.bRequest === REQ_SET_FEATURE;
        if (recipient === 0 && s.wValue === FEATURE_DEVICE_REMOTE_WAKEUP) this.remoteWakeup = on;
        else if (recipient === 2 && s.wValue === FEATURE_ENDPOINT_HALT && (s.wIndex & 0xff) === 0x81) {
          if (on) this.halted.add(0x81);
          else this.halted.delete(0x81);
        } else return STALL;
        return empty;
      }
      case REQ_GET_INTERFACE:
        if (!dirIn || recipient !== 1 || (s.wIndex & 0xff) !== 0 || !this.configured) return STALL;
        return new Uint8Array([0]);
      case REQ_SET_INTERFACE:
        if (recipient !== 1 || s.wIndex !== 0 || s.wValue !== 0 || !this.configured) return STALL;
        return empty;
      default:
        return STALL;
    }
  }

  private hidClass(s: SetupPacket, dirIn: boolean, data: Uint8Array): ControlResult {
    switch (s.bRequest) {
      case HID_GET_REPORT:
        if (!dirIn || s.wValue >> 8 !== 1) return STALL; // input reports only
        return this.currentReport();
      case HID_SET_REPORT:
        if (dirIn || s.wValue >> 8 !== 2) return STALL; // output reports only
        this.outputReport(data);
        return new Uint8Array(0);
      case HID_GET_IDLE:
        return dirIn ? new Uint8Array([this.idle]) : STALL;
      case HID_SET_IDLE:
        if (dirIn) return STALL;
        this.idle = s.wValue >> 8;
        return new Uint8Array(0);
      case HID_GET_PROTOCOL:
        if (!dirIn || this.identity.subClass !== 1) return STALL;
        return new Uint8Array([this.protocol]);
      case HID_SET_PROTOCOL:
        if (dirIn || this.identity.subClass !== 1 || s.wValue > 1) return STALL;
        this.protocol = s.wValue;
        return new Uint8Array(0);
      default:
        return STALL;
    }
  }

  transferIn(ep: number, maxLength: number): InResult {
    if (ep !== 1 || !this.configured || this.halted.has(0x81)) return STALL;
    const r = this.queue.shift();
    if (!r) return NAK;
    return r.length > maxLength ? r.subarray(0, maxLength) : r;
  }

  override transferOut(_ep: number, _data: Uint8Array): OutResult {
    return STALL;
  }

  protected override saveExtra(): unknown {
    return { queue: this.queue.map((r) => [...r]), protocol: this.protocol, idle: this.idle, input: this.saveInput() };
  }

  protected override restoreExtra(extra: unknown): void {
    const e = (extra ?? {}) as { queue?: number[][]; protocol?: number; idle?: number; input?: unknown };
    this.queue = (e.queue ?? []).slice(-HID_QUEUE_DEPTH).map((r) => Uint8Array.from(r.slice(0, 64)));
    this.protocol = e.protocol === 0 ? 0 : 1;
    this.idle = (e.idle ?? 0) & 0xff;
    this.restoreInput(e.input);
  }

  protected abstract saveInput(): unknown;
  protected abstract restoreInput(input: unknown): void;
}
