// QEMU's PL011 (qemu-system-aarch64 -M virt, output captured with -serial file:)
// as a differential oracle for the transmit side and the register file: the same
// accesses must read back the same values and put the same bytes on the wire.
// Known, documented divergences kept out of the sequences (README "Choices"):
// QEMU 7.2 models r1p1-like 16-entry FIFOs (UARTPeriphID2 0x14; ours 0x34, r1p5,
// 32 entries), stores every register without masking reserved bits (we keep the
// TRM's widths, so only in-range values are written here), has no loopback (LBE)
// and raises RX at one character with no receive timeout (the guest cannot feed
// QEMU's receiver from here anyway).
import { AddressSpace, IrqProbe } from '@vmapple/core-bus';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Pl011 } from '../src/index.js';
import { cleanupQemu, ISPENDR1, type Op, pendingRegister, r, runOnBus, runOnQemuWithSerial, VIRT, w } from '../../../test-support/qemu-mmio-oracle.js';

const U = VIRT.uart;
const UART_SPI = 1; // QEMU virt's UART interrupt

function model() {
  const tx: number[] = [];
  const uart = new Pl011({ onTransmit: (b) => tx.push(b) });
  const probe = new IrqProbe();
  uart.irq.connect(probe);
  const bus = new AddressSpace();
  bus.mapMmio(U, uart.region);
  bus.mapMmio(VIRT.gicd, pendingRegister({ [UART_SPI]: probe }));
  return { bus, tx };
}

function compare(ops: Op[]): void {
  const qemu = runOnQemuWithSerial(ops);
  const m = model();
  const ours = runOnBus(m.bus, ops);
  const reads = ops.filter((o) => o.op === 'r');
  const view = (values: number[]) =>
    values.map((v, i) => (reads[i]!.addr === ISPENDR1 ? `pending:${(v >> UART_SPI) & 1}` : `${reads[i]!.addr.toString(16)}/${reads[i]!.size}:${v}`));
  expect(view(ours)).toEqual(view(qemu.values));
  expect(m.tx).toEqual(Array.from(qemu.serial));
}

afterAll(cleanupQemu);

/** Register offsets and the bits the TRM defines for each (values outside are not sent). */
const RW: [offset: number, mask: number][] = [
  [0x020, 0xff], // ILPR
  [0x024, 0xffff], // IBRD
  [0x028, 0x3f], // FBRD
  [0x02c, 0xff], // LCR_H
  [0x030, 0xff07], // CR without LBE (QEMU has no loopback)
  [0x034, 0x3f], // IFLS
  [0x038, 0x7ff], // IMSC
];

describe('PL011 against QEMU', () => {
  it('reset values and ID registers agree (except the documented PeriphID2 revision)', () => {
    const ops: Op[] = [];
    for (const off of [0x004, 0x018, 0x020, 0x024, 0x028, 0x02c, 0x030, 0x034, 0x038, 0x03c, 0x040, 0x048]) ops.push(r(U + off));
    for (const off of [0xfe0, 0xfe4, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc]) ops.push(r(U + off), r(U + off, 1));
    ops.push(r(ISPENDR1));
    compare(ops);
  });

  it('console output: bytes written with writeb and writel come out in order; UARTFR agrees', () => {
    const ops: Op[] = [];
    const text = Array.from(new TextEncoder().encode('Booting Linux on physical CPU 0x0\r\n'));
    text.forEach((c, i) => ops.push(r(U + 0x018), w(U, c, i % 2 ? 1 : 4)));
    ops.push(r(U + 0x018), r(U + 0x03c));
    compare(ops);
  });

  it('TX interrupt: raised by a transmitted byte, masked by IMSC, cleared by ICR; the GIC line agrees', () => {
    compare([
      r(U + 0x03c),
      w(U, 0x41),
      r(U + 0x03c),
      r(U + 0x040),
      r(ISPENDR1),
      w(U + 0x038, 0x20),
      r(U + 0x040),
      r(ISPENDR1),
      w(U + 0x044, 0x20),
      r(U + 0x03c),
      r(ISPENDR1),
      w(U + 0x02c, 0x70),
      w(U, 0x42),
      r(U + 0x040),
      r(ISPENDR1),
      w(U + 0x044, 0x7ff),
      r(U + 0x03c),
    ]);
  });

  it('random register and data sequences agree, including the bytes sent', () => {
    const step = fc.oneof(
      fc.tuple(fc.constantFrom(...RW), fc.nat({ max: 0xffff })).map(([[off, mask], v]) => [w(U + off, v & mask)]),
      fc.nat({ max: 255 }).map((c) => [w(U, c)]),
      fc.nat({ max: 0x7ff }).map((v) => [w(U + 0x044, v)]),
      fc.constantFrom(0x004, 0x018, 0x020, 0x024, 0x028, 0x02c, 0x030, 0x034, 0x038, 0x03c, 0x040).map((off) => [r(U + off)]),
      fc.constant([r(ISPENDR1)]),
    );
    for (const seq of fc.sample(fc.array(step, { minLength: 20, maxLength: 120 }), { numRuns: 10, seed: 1011 })) {
      const ops = seq.flat();
      ops.push(r(U + 0x03c), r(U + 0x040), r(ISPENDR1));
      compare(ops);
    }
  });
});
