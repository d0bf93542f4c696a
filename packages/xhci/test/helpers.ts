import { AddressSpace, IrqProbe, Log, type LogEntry } from '@vmapple/core-bus';
import { UsbKeyboard, UsbTablet, XhciController, type XhciOptions } from '../src/index.js';
import { GuestRam, XhciDriver } from './driver.js';

export function setup(opts: XhciOptions = {}, ramSize = 1 << 20) {
  const g = new GuestRam(0x8000_0000, ramSize);
  const pciMem = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
  const intx = new IrqProbe();
  const errors: LogEntry[] = [];
  const log = new Log((e) => {
    if (e.kind === 'guest-error') errors.push(e);
  });
  const xhci = new XhciController({ log, ...opts });
  xhci.attach({ memory: pciMem, dma: g.mem, setIntx: (l) => intx.setLevel(l) });
  const kbd = new UsbKeyboard();
  const tab = new UsbTablet();
  xhci.attach(5, kbd);
  xhci.attach(6, tab);
  const drv = new XhciDriver(xhci, pciMem, g);
  return { g, pciMem, intx, errors, log, xhci, kbd, tab, drv };
}

/** Enumerates and configures the HID device on `port` (slot, configured interrupt IN endpoint 1). */
export function configured(drv: XhciDriver, port: number): number {
  const slot = drv.enumerate(port);
  drv.configureInterruptIn(slot, 1, 8, 7);
  drv.control(slot, 0x00, 9, 1, 0, 0); // SET_CONFIGURATION 1
  drv.control(slot, 0x21, 0x0a, 0, 0, 0); // SET_IDLE 0
  return slot;
}
