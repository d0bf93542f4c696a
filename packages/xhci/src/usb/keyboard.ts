/**
 * A USB HID boot keyboard (HID 1.11 Appendix B.1): 8-byte reports of a
 * modifier byte, a reserved byte and up to six pressed key usages; LEDs
 * through SET_REPORT. Host API: press/release HID usage IDs (Usage Page 7).
 */
import { HidDevice } from './hid-device.js';

/** The boot keyboard report descriptor of HID 1.11 Appendix B.1. */
export const BOOT_KEYBOARD_REPORT_DESCRIPTOR = new Uint8Array([
  0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01,
  0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01,
  0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
  0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xc0,
]);

/** Usage IDs of the modifier keys (LeftControl .. Right GUI). */
export const USAGE_LEFT_CONTROL = 0xe0;
export const USAGE_RIGHT_GUI = 0xe7;
export const USAGE_LEFT_SHIFT = 0xe1;
/** ErrorRollOver: reported in every key slot when more than six keys are down. */
const USAGE_ERROR_ROLLOVER = 0x01;

export class UsbKeyboard extends HidDevice {
  private modifiers = 0;
  private keys: number[] = [];
  private leds = 0;

  constructor() {
    super({
      idVendor: 0x0627,
      idProduct: 0x0001,
      // String indices as QEMU's usb-kbd.
      strings: { 1: 'QEMU', 4: 'QEMU USB Keyboard', 5: '42', 8: 'HID Keyboard', 11: '68284' },
      iManufacturer: 1,
      iProduct: 4,
      iSerialNumber: 11,
      iConfiguration: 8,
      subClass: 1,
      protocol: 1,
      highSpeedInterval: 7,
      reportDescriptor: BOOT_KEYBOARD_REPORT_DESCRIPTOR,
      reportLength: 8,
    });
  }

  /** LED state the guest last set (bit 0 Num Lock, 1 Caps Lock, 2 Scroll Lock, 3 Compose, 4 Kana). */
  get ledState(): number {
    return this.leds;
  }

  /** Presses the key with HID usage `usage` (0x04 'a' .. 0xE7 Right GUI). */
  press(usage: number): void {
    usage &= 0xff;
    if (usage >= USAGE_LEFT_CONTROL && usage <= USAGE_RIGHT_GUI) {
      const bit = 1 << (usage - USAGE_LEFT_CONTROL);
      if (this.modifiers & bit) return;
      this.modifiers |= bit;
    } else {
      if (usage < 4 || this.keys.includes(usage)) return;
      this.keys.push(usage);
    }
    this.pushReport(this.currentReport());
  }

  release(usage: number): void {
    usage &= 0xff;
    if (usage >= USAGE_LEFT_CONTROL && usage <= USAGE_RIGHT_GUI) {
      const bit = 1 << (usage - USAGE_LEFT_CONTROL);
      if (!(this.modifiers & bit)) return;
      this.modifiers &= ~bit;
    } else {
      const i = this.keys.indexOf(usage);
      if (i < 0) return;
      this.keys.splice(i, 1);
    }
    this.pushReport(this.currentReport());
  }

  /** Presses and releases each usage in turn (a key "tap" per usage). */
  type(...usages: number[]): void {
    for (const u of usages) {
      this.press(u);
      this.release(u);
    }
  }

  /**
   * Types US-layout ASCII text: letters, digits, space, Enter (\n), Tab,
   * Backspace (\b), Escape (\x1b) and punctuation, with Left Shift where the
   * character needs it. Other characters are skipped.
   */
  typeText(text: string): void {
    for (const ch of text) {
      const k = usageForChar(ch);
      if (!k) continue;
      if (k.shift) this.press(USAGE_LEFT_SHIFT);
      this.press(k.usage);
      this.release(k.usage);
      if (k.shift) this.release(USAGE_LEFT_SHIFT);
    }
  }

  protected currentReport(): Uint8Array {
    const r = new Uint8Array(8);
    r[0] = this.modifiers;
    if (this.keys.length > 6) r.fill(USAGE_ERROR_ROLLOVER, 2);
    else r.set(this.keys, 2);
    return r;
  }

  protected override outputReport(data: Uint8Array): void {
    if (data.length >= 1) this.leds = data[0]! & 0x1f;
  }

  protected resetInput(): void {
    this.modifiers = 0;
    this.keys = [];
    this.leds = 0;
  }

  protected saveInput(): unknown {
    return { modifiers: this.modifiers, keys: [...this.keys], leds: this.leds };
  }

  protected restoreInput(input: unknown): void {
    const i = (input ?? {}) as { modifiers?: number; keys?: number[]; leds?: number };
    this.modifiers = (i.modifiers ?? 0) & 0xff;
    this.keys = (i.keys ?? []).slice(0, 32).map((k) => k & 0xff);
    this.leds = (i.leds ?? 0) & 0x1f;
  }
}

/** Keyboard page usages for the US layout (HID Usage Tables, Keyboard/Keypad page 0x07). */
const PLAIN = '1234567890\n\x1b\b\t -=[]\\#;\'`,./';
const SHIFTED = '!@#$%^&*()\n\x1b\b\t _+{}|\u0000:"~<>?';

export function usageForChar(ch: string): { usage: number; shift: boolean } | undefined {
  const c = ch.charCodeAt(0);
  if (c >= 0x61 && c <= 0x7a) return { usage: 0x04 + c - 0x61, shift: false };
  if (c >= 0x41 && c <= 0x5a) return { usage: 0x04 + c - 0x41, shift: true };
  const p = PLAIN.indexOf(ch);
  if (p >= 0 && ch !== '#') return { usage: 0x1e + p, shift: false };
  const s = SHIFTED.indexOf(ch);
  if (s >= 0) return { usage: 0x1e + s, shift: s < 10 || s > 14 };
  return undefined;
}
