/**
 * The device side of USB as the controller sees it (USB 2.0 chapter 9): a
 * device answers control requests on endpoint 0 and moves data on its other
 * endpoints. Addresses do not route anything here: the controller talks to
 * the device attached to a port, so an address is just state the device keeps.
 */

export type UsbSpeed = 'low' | 'full' | 'high' | 'super';

/** The 8-byte SETUP packet (USB 2.0 §9.3). */
export interface SetupPacket {
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
  wLength: number;
}

/** The device refused the request or transfer (handshake STALL). */
export const STALL = 'stall';
/** No data ready on an IN endpoint (handshake NAK): the transfer waits. */
export const NAK = 'nak';

export type ControlResult = Uint8Array | typeof STALL;
export type InResult = Uint8Array | typeof STALL | typeof NAK;
export type OutResult = 'ack' | typeof STALL | typeof NAK;

/** Standard request codes (USB 2.0 Table 9-4). */
export const REQ_GET_STATUS = 0;
export const REQ_CLEAR_FEATURE = 1;
export const REQ_SET_FEATURE = 3;
export const REQ_SET_ADDRESS = 5;
export const REQ_GET_DESCRIPTOR = 6;
export const REQ_SET_DESCRIPTOR = 7;
export const REQ_GET_CONFIGURATION = 8;
export const REQ_SET_CONFIGURATION = 9;
export const REQ_GET_INTERFACE = 10;
export const REQ_SET_INTERFACE = 11;

/** Descriptor types (USB 2.0 Table 9-5). */
export const DESC_DEVICE = 1;
export const DESC_CONFIGURATION = 2;
export const DESC_STRING = 3;
export const DESC_INTERFACE = 4;
export const DESC_ENDPOINT = 5;
export const DESC_DEVICE_QUALIFIER = 6;

/** Saved state common to every device. */
export interface UsbDeviceState {
  address: number;
  configuration: number;
  remoteWakeup: boolean;
  halted: number[];
  extra?: unknown;
}

/**
 * A USB device. Subclasses implement the class-specific parts; this base
 * keeps the chapter 9 device state (address, configuration, halted
 * endpoints, remote wake-up).
 */
export abstract class UsbDevice {
  abstract readonly speed: UsbSpeed;
  abstract readonly name: string;
  protected address = 0;
  protected configuration = 0;
  protected remoteWakeup = false;
  /** Endpoint addresses (0x81, 0x02, ...) halted by SET_FEATURE(ENDPOINT_HALT). */
  protected readonly halted = new Set<number>();
  /** Set by the controller: the device has new IN data to offer. */
  onWake: (() => void) | null = null;

  get usbAddress(): number {
    return this.address;
  }

  get configured(): boolean {
    return this.configuration !== 0;
  }

  /** A bus reset (port reset): back to the default state, address 0, unconfigured. */
  busReset(): void {
    this.address = 0;
    this.configuration = 0;
    this.remoteWakeup = false;
    this.halted.clear();
  }

  /** Power-on state (the host side, e.g. pressed keys, is cleared too). */
  reset(): void {
    this.busReset();
  }

  /** Runs a control transfer. For OUT requests `data` holds the data stage. */
  abstract control(setup: SetupPacket, data: Uint8Array): ControlResult;
  /** An IN transaction on endpoint `ep` (1..15) of at most `maxLength` bytes. */
  abstract transferIn(ep: number, maxLength: number): InResult;
  /** An OUT transaction on endpoint `ep` (1..15). */
  transferOut(_ep: number, _data: Uint8Array): OutResult {
    return STALL;
  }

  protected wake(): void {
    this.onWake?.();
  }

  saveState(): UsbDeviceState {
    return {
      address: this.address,
      configuration: this.configuration,
      remoteWakeup: this.remoteWakeup,
      halted: [...this.halted],
      extra: this.saveExtra(),
    };
  }

  restoreState(s: UsbDeviceState): void {
    this.address = s.address & 0x7f;
    this.configuration = s.configuration & 0xff;
    this.remoteWakeup = !!s.remoteWakeup;
    this.halted.clear();
    for (const e of s.halted ?? []) this.halted.add(e & 0xff);
    this.restoreExtra(s.extra);
  }

  protected saveExtra(): unknown {
    return undefined;
  }

  protected restoreExtra(_extra: unknown): void {}
}

/** Decodes the 8 bytes of a SETUP packet given as two little-endian dwords. */
export function setupFromDwords(lo: number, hi: number): SetupPacket {
  return {
    bmRequestType: lo & 0xff,
    bRequest: (lo >>> 8) & 0xff,
    wValue: (lo >>> 16) & 0xffff,
    wIndex: hi & 0xffff,
    wLength: (hi >>> 16) & 0xffff,
  };
}
