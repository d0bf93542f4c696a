import { AddressSpace, IrqProbe, Log, type LogEntry, VirtualClock } from '@vmapple/core-bus';
import { Pl011, type Pl011Options } from '../src/index.js';

/** The board address of the UART (spec §1.2); any base would do. */
export const BASE = 0x2001_0000;

// Register offsets, written out from the TRM's register summary (DDI 0183 table 3-1)
// rather than imported, so the tests check the implementation against the manual.
export const DR = 0x000;
export const RSR = 0x004;
export const ECR = 0x004;
export const FR = 0x018;
export const ILPR = 0x020;
export const IBRD = 0x024;
export const FBRD = 0x028;
export const LCR_H = 0x02c;
export const CR = 0x030;
export const IFLS = 0x034;
export const IMSC = 0x038;
export const RIS = 0x03c;
export const MIS = 0x040;
export const ICR = 0x044;
export const DMACR = 0x048;

export function makeUart(options: Pl011Options = {}, clock?: VirtualClock) {
  const errors: LogEntry[] = [];
  const log = new Log((e) => {
    if (e.kind === 'guest-error') errors.push(e);
  });
  const tx: number[] = [];
  const uart = new Pl011({ log, onTransmit: (b) => tx.push(b), ...(clock ? { clock } : {}), ...options });
  const bus = new AddressSpace({ unmapped: 'fault' });
  bus.mapMmio(BASE, uart.region);
  const probe = new IrqProbe();
  uart.irq.connect(probe);
  return {
    uart,
    bus,
    probe,
    tx,
    errors,
    log,
    r: (off: number, size = 4) => bus.read(BASE + off, size),
    w: (off: number, value: number, size = 4) => bus.write(BASE + off, size, value),
  };
}

export const text = (s: string) => Array.from(new TextEncoder().encode(s));
export const decode = (bytes: number[]) => new TextDecoder().decode(new Uint8Array(bytes));
