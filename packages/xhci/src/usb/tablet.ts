/**
 * A USB HID tablet: an absolute pointer with three buttons and a wheel.
 * Reports are 6 bytes: buttons, X (16 bits), Y (16 bits), wheel (signed 8
 * bits, relative). X and Y run from 0 to 0x7FFF.
 */
import { HidDevice } from './hid-device.js';

export const TABLET_REPORT_DESCRIPTOR = new Uint8Array([
  0x05, 0x01, // Usage Page (Generic Desktop)
  0x09, 0x02, // Usage (Mouse)
  0xa1, 0x01, // Collection (Application)
  0x09, 0x01, //   Usage (Pointer)
  0xa1, 0x00, //   Collection (Physical)
  0x05, 0x09, //     Usage Page (Button)
  0x19, 0x01, //     Usage Minimum (1)
  0x29, 0x03, //     Usage Maximum (3)
  0x15, 0x00, //     Logical Minimum (0)
  0x25, 0x01, //     Logical Maximum (1)
  0x95, 0x03, //     Report Count (3)
  0x75, 0x01, //     Report Size (1)
  0x81, 0x02, //     Input (Data, Variable, Absolute)
  0x95, 0x01, //     Report Count (1)
  0x75, 0x05, //     Report Size (5)
  0x81, 0x01, //     Input (Constant)
  0x05, 0x01, //     Usage Page (Generic Desktop)
  0x09, 0x30, //     Usage (X)
  0x09, 0x31, //     Usage (Y)
  0x15, 0x00, //     Logical Minimum (0)
  0x26, 0xff, 0x7f, // Logical Maximum (0x7FFF)
  0x35, 0x00, //     Physical Minimum (0)
  0x46, 0xff, 0x7f, // Physical Maximum (0x7FFF)
  0x75, 0x10, //     Report Size (16)
  0x95, 0x02, //     Report Count (2)
  0x81, 0x02, //     Input (Data, Variable, Absolute)
  0x05, 0x01, //     Usage Page (Generic Desktop)
  0x09, 0x38, //     Usage (Wheel)
  0x15, 0x81, //     Logical Minimum (-127)
  0x25, 0x7f, //     Logical Maximum (127)
  0x35, 0x00, //     Physical Minimum (0)
  0x45, 0x00, //     Physical Maximum (0)
  0x75, 0x08, //     Report Size (8)
  0x95, 0x01, //     Report Count (1)
  0x81, 0x06, //     Input (Data, Variable, Relative)
  0xc0, //   End Collection
  0xc0, // End Collection
]);

export const TABLET_MAX = 0x7fff;

export class UsbTablet extends HidDevice {
  private x = 0;
  private y = 0;
  private buttons = 0;

  constructor() {
    super({
      idVendor: 0x0627,
      idProduct: 0x0001,
      // String indices as QEMU's usb-tablet.
      strings: { 1: 'QEMU', 3: 'QEMU USB Tablet', 5: '42', 7: 'HID Tablet', 10: '28754' },
      iManufacturer: 1,
      iProduct: 3,
      iSerialNumber: 10,
      iConfiguration: 7,
      subClass: 0,
      protocol: 0,
      highSpeedInterval: 4,
      reportDescriptor: TABLET_REPORT_DESCRIPTOR,
      reportLength: 6,
    });
  }

  /** Moves the pointer to (x, y), each clamped to 0..0x7FFF. */
  move(x: number, y: number): void {
    this.x = clamp(x);
    this.y = clamp(y);
    this.pushReport(this.currentReport(0));
  }

  /** Presses (down) or releases button `n`: 0 left, 1 right, 2 middle. */
  button(n: number, down: boolean): void {
    if (!Number.isInteger(n) || n < 0 || n > 2) return;
    const bit = 1 << n;
    const next = down ? this.buttons | bit : this.buttons & ~bit;
    if (next === this.buttons) return;
    this.buttons = next;
    this.pushReport(this.currentReport(0));
  }

  /** Scrolls the wheel by `delta` detents (clamped to -127..127). */
  wheel(delta: number): void {
    const d = Math.max(-127, Math.min(127, Math.trunc(delta)));
    if (d !== 0) this.pushReport(this.currentReport(d));
  }

  protected currentReport(wheel = 0): Uint8Array {
    return new Uint8Array([this.buttons, this.x & 0xff, this.x >> 8, this.y & 0xff, this.y >> 8, wheel & 0xff]);
  }

  protected resetInput(): void {
    this.x = 0;
    this.y = 0;
    this.buttons = 0;
  }

  protected saveInput(): unknown {
    return { x: this.x, y: this.y, buttons: this.buttons };
  }

  protected restoreInput(input: unknown): void {
    const i = (input ?? {}) as { x?: number; y?: number; buttons?: number };
    this.x = clamp(i.x ?? 0);
    this.y = clamp(i.y ?? 0);
    this.buttons = (i.buttons ?? 0) & 7;
  }
}

function clamp(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.max(0, Math.min(TABLET_MAX, Math.round(v)));
}
