import { BusStatus, ConfigError } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { Pl011 } from '../src/index.js';
import * as T from './harness.js';

// Reset values from the TRM register summary (DDI 0183 r1p5, table 3-1). UARTFR's
// modem bits follow the inputs (all deasserted here), so it reads TXFE | RXFE.
const RESET_TABLE: [name: string, offset: number, value: number][] = [
  ['UARTRSR', 0x004, 0x0],
  ['UARTFR', 0x018, 0x90],
  ['UARTILPR', 0x020, 0x00],
  ['UARTIBRD', 0x024, 0x0000],
  ['UARTFBRD', 0x028, 0x00],
  ['UARTLCR_H', 0x02c, 0x00],
  ['UARTCR', 0x030, 0x0300],
  ['UARTIFLS', 0x034, 0x12],
  ['UARTIMSC', 0x038, 0x000],
  ['UARTRIS', 0x03c, 0x000],
  ['UARTMIS', 0x040, 0x000],
  ['UARTDMACR', 0x048, 0x00],
  // Identification registers (TRM section 3.3.14-3.3.15; r1p5 is revision 3).
  ['UARTPeriphID0', 0xfe0, 0x11],
  ['UARTPeriphID1', 0xfe4, 0x10],
  ['UARTPeriphID2', 0xfe8, 0x34],
  ['UARTPeriphID3', 0xfec, 0x00],
  ['UARTPCellID0', 0xff0, 0x0d],
  ['UARTPCellID1', 0xff4, 0xf0],
  ['UARTPCellID2', 0xff8, 0x05],
  ['UARTPCellID3', 0xffc, 0xb1],
];

// Read/write registers and the bits the TRM defines for each (the rest read as zero).
const RW_TABLE: [name: string, offset: number, mask: number][] = [
  ['UARTILPR', 0x020, 0xff],
  ['UARTIBRD', 0x024, 0xffff],
  ['UARTFBRD', 0x028, 0x3f],
  ['UARTLCR_H', 0x02c, 0xff],
  ['UARTCR', 0x030, 0xff87],
  ['UARTIFLS', 0x034, 0x3f],
  ['UARTIMSC', 0x038, 0x7ff],
  ['UARTDMACR', 0x048, 0x7],
];

describe('PL011 registers (TRM tables)', () => {
  it.each(RESET_TABLE)('%s (0x%s) resets to its TRM value', (_name, offset, value) => {
    const t = T.makeUart();
    expect(t.r(offset)).toBe(value);
    expect(t.errors).toHaveLength(0);
  });

  it('AMBA probing sees part 0x011, designer 0x41, revision 3 and the PrimeCell ID', () => {
    const t = T.makeUart();
    let pid = 0;
    let cid = 0;
    for (let i = 0; i < 4; i++) {
      pid |= (t.r(0xfe0 + 4 * i) & 0xff) << (8 * i);
      cid |= (t.r(0xff0 + 4 * i) & 0xff) << (8 * i);
    }
    // Linux's amba bus matches amba-pl011 on id 0x00041011 under mask 0x000fffff.
    expect(pid & 0x000fffff).toBe(0x00041011);
    expect(pid >>> 20).toBe(3);
    expect(cid >>> 0).toBe(0xb105f00d);
  });

  it.each(RW_TABLE)('%s keeps exactly its defined bits', (_name, offset, mask) => {
    const t = T.makeUart();
    t.w(offset, 0xffffffff);
    expect(t.r(offset)).toBe(mask);
    t.w(offset, 0);
    expect(t.r(offset)).toBe(0);
    t.w(offset, 0x5a5a5a5a);
    expect(t.r(offset)).toBe(0x5a5a5a5a & mask);
  });

  it.each([
    ['UARTFR', 0x018],
    ['UARTRIS', 0x03c],
    ['UARTMIS', 0x040],
    ['UARTPeriphID0', 0xfe0],
    ['UARTPCellID3', 0xffc],
  ])('%s is read-only: a write changes nothing and is a guest error', (_n, offset) => {
    const t = T.makeUart();
    const before = t.r(offset);
    t.w(offset, 0xffffffff);
    expect(t.r(offset)).toBe(before);
    expect(t.errors).toHaveLength(1);
  });

  it('UARTICR is write-only: reads give 0 and a guest error', () => {
    const t = T.makeUart();
    expect(t.r(T.ICR)).toBe(0);
    expect(t.errors).toHaveLength(1);
  });

  it('reserved offsets read 0 and ignore writes, with a guest error each', () => {
    const t = T.makeUart();
    for (const off of [0x008, 0x00c, 0x010, 0x014, 0x01c, 0x04c, 0x100, 0xfdc]) {
      t.w(off, 0xffffffff);
      expect(t.r(off)).toBe(0);
    }
    expect(t.errors).toHaveLength(16);
    expect(t.r(T.CR)).toBe(0x300); // nothing else changed
  });

  it('a write to UARTECR clears UARTRSR', () => {
    const t = T.makeUart();
    t.uart.receiveWithErrors(0x41, { framing: true, parity: true });
    t.r(T.DR);
    expect(t.r(T.RSR)).toBe(0x3);
    t.w(T.ECR, 0x1234);
    expect(t.r(T.RSR)).toBe(0);
  });

  it('byte and halfword accesses at a register start work (earlycon writes UARTDR with writeb)', () => {
    const t = T.makeUart();
    t.w(T.DR, 0x41, 1);
    t.w(T.DR, 0x42, 2);
    expect(t.tx).toEqual([0x41, 0x42]);
    expect(t.r(0xfe8, 1)).toBe(0x34);
    expect(t.r(T.CR, 2)).toBe(0x300);
    expect(t.r(T.CR + 1, 1)).toBe(0x03); // upper byte of UARTCR
  });

  it('a write into the middle of a register is ignored as a guest error', () => {
    const t = T.makeUart();
    t.w(T.CR + 1, 0xff, 1);
    expect(t.r(T.CR)).toBe(0x300);
    expect(t.errors).toHaveLength(1);
  });

  it('8-byte accesses are refused by the bus before reaching the device', () => {
    const t = T.makeUart();
    t.bus.read64(T.BASE + T.CR);
    expect(t.bus.status).toBe(BusStatus.Invalid);
  });

  it('reset() brings every register back to its reset value', () => {
    const t = T.makeUart();
    for (const [, off, mask] of RW_TABLE) t.w(off, mask);
    t.uart.receive([1, 2, 3]);
    t.uart.reset();
    for (const [, off, value] of RESET_TABLE) expect(t.r(off)).toBe(value);
    expect(t.probe.level).toBe(false);
  });

  it.each([
    [{ clockHz: 0 }, 'clockHz'],
    [{ clockHz: 1.5 }, 'clockHz'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ honourEnable: 'yes' as unknown as boolean }, 'honourEnable'],
  ])('bad option %o throws ConfigError naming %s', (opts, prop) => {
    let err: unknown;
    try {
      new Pl011(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).property).toBe(prop);
  });
});
