/**
 * One root hub port register set (xHCI 1.2 §5.4.8-§5.4.11) and the device
 * plugged into it. USB 3 ports come first (1..n3), then USB 2 ports, as the
 * Supported Protocol capabilities say (qemu-xhci's order).
 */
import * as C from './constants.js';
import { type UsbDevice, type UsbSpeed } from './usb/usb-device.js';

export function speedId(speed: UsbSpeed): number {
  switch (speed) {
    case 'full':
      return C.SPEED_FULL;
    case 'low':
      return C.SPEED_LOW;
    case 'high':
      return C.SPEED_HIGH;
    case 'super':
      return C.SPEED_SUPER;
  }
}

export class RootPort {
  portsc = 0;
  portpmsc = 0;
  porthlpmc = 0;
  device: UsbDevice | null = null;

  constructor(
    readonly number: number,
    readonly usb3: boolean,
  ) {}

  /** The state after a controller reset: qemu-xhci reports a connect status change on every port. */
  reset(): void {
    this.portpmsc = 0;
    this.porthlpmc = 0;
    this.portsc = C.PORTSC_PP;
    this.connectState(true);
  }

  /** CCS, speed and link state for the current attachment; `change` sets CSC. */
  connectState(change: boolean): void {
    this.portsc &= ~(C.PORTSC_CCS | C.PORTSC_PED | C.PORTSC_SPEED_MASK | C.PORTSC_PLS_MASK);
    if (this.device) {
      this.portsc |= C.PORTSC_CCS | (speedId(this.device.speed) << C.PORTSC_SPEED_SHIFT);
      // A USB 3 port enables itself after link training; a USB 2 port waits for a reset.
      if (this.usb3) this.portsc |= C.PORTSC_PED | (C.PLS_U0 << C.PORTSC_PLS_SHIFT);
      else this.portsc |= C.PLS_POLLING << C.PORTSC_PLS_SHIFT;
      if (change) this.portsc |= C.PORTSC_CSC;
    } else {
      this.portsc |= C.PLS_RX_DETECT << C.PORTSC_PLS_SHIFT;
      if (change) this.portsc |= C.PORTSC_CSC;
    }
  }

  get pls(): number {
    return (this.portsc & C.PORTSC_PLS_MASK) >>> C.PORTSC_PLS_SHIFT;
  }

  setPls(pls: number): void {
    this.portsc = (this.portsc & ~C.PORTSC_PLS_MASK) | (pls << C.PORTSC_PLS_SHIFT);
  }

  /**
   * A guest write to PORTSC. Returns true when a change bit went from 0 to 1
   * (the caller posts a Port Status Change event).
   */
  write(v: number): boolean {
    const before = this.portsc & C.PORTSC_CHANGE_BITS;
    this.portsc &= ~(v & C.PORTSC_CHANGE_BITS);
    this.portsc = (this.portsc & ~C.PORTSC_WAKE_BITS) | (v & C.PORTSC_WAKE_BITS);
    if (v & C.PORTSC_PED) this.portsc &= ~C.PORTSC_PED; // software may only disable (§4.19.1)
    if (v & C.PORTSC_PR || (this.usb3 && v & C.PORTSC_WPR)) this.busReset(this.usb3 && (v & C.PORTSC_WPR) !== 0);
    else if (v & C.PORTSC_LWS) this.linkWrite((v & C.PORTSC_PLS_MASK) >>> C.PORTSC_PLS_SHIFT);
    const after = this.portsc & C.PORTSC_CHANGE_BITS;
    return (after & ~before) !== 0;
  }

  private busReset(warm: boolean): void {
    if (!this.device) return; // nothing to reset: no change bits (as qemu-xhci)
    this.portsc |= C.PORTSC_PRC | (warm ? C.PORTSC_WRC : 0);
    this.device.busReset();
    this.portsc |= C.PORTSC_PED;
    this.setPls(C.PLS_U0);
  }

  private linkWrite(pls: number): void {
    if (!(this.portsc & C.PORTSC_PED)) return;
    const old = this.pls;
    if (pls === C.PLS_U3 && old === C.PLS_U0) this.setPls(C.PLS_U3);
    else if (pls === C.PLS_U0 && (old === C.PLS_U3 || old === C.PLS_RESUME)) {
      this.setPls(C.PLS_U0);
      this.portsc |= C.PORTSC_PLC;
    } else if (pls === C.PLS_RESUME && !this.usb3 && old === C.PLS_U3) this.setPls(C.PLS_RESUME);
    else if (pls === C.PLS_U0 && old === C.PLS_U0) return;
  }
}
