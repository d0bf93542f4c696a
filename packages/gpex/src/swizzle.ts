import { PCI_INTX_PINS } from './constants.js';

/**
 * The host's INTx line for a function in `slot` on the root bus using `pin`
 * (1 = INTA .. 4 = INTD, as the Interrupt Pin register encodes it):
 * (slot + pin - 1) mod lines (spec §1.9, §7). With 4 lines this is the
 * classic PCI swizzle. Returns -1 for pin 0 (no interrupt).
 */
export function intxLine(slot: number, pin: number, lines: number): number {
  if (pin < 1 || pin > PCI_INTX_PINS) return -1;
  return (slot + pin - 1) % lines;
}
