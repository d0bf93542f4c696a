import { VirtualClock } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import * as T from './harness.js';

// Bit positions from the TRM (UARTFR: 3.3.3, UARTLCR_H: 3.3.7, UARTCR: 3.3.8,
// interrupt registers: 3.3.10-3.3.13).
const FR_BUSY = 1 << 3;
const FR_RXFE = 1 << 4;
const FR_TXFF = 1 << 5;
const FR_RXFF = 1 << 6;
const FR_TXFE = 1 << 7;
const FEN = 1 << 4;
const BRK = 1 << 0;
const UARTEN = 1 << 0;
const LBE = 1 << 7;
const TXE = 1 << 8;
const RXE = 1 << 9;
const RXI = 1 << 4;
const TXI = 1 << 5;
const RTI = 1 << 6;
const FEI = 1 << 7;
const PEI = 1 << 8;
const BEI = 1 << 9;
const OEI = 1 << 10;

describe('PL011 transmit', () => {
  it('sends every byte written to UARTDR to the sink, in order, and TXFF never sticks', () => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN | (3 << 5));
    for (let i = 0; i < 1000; i++) {
      expect(t.r(T.FR) & FR_TXFF).toBe(0);
      t.w(T.DR, i & 0xff);
    }
    expect(t.tx).toEqual(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    expect(t.r(T.FR) & (FR_TXFE | FR_BUSY)).toBe(FR_TXFE);
  });

  it('by default transmits even while UARTCR disables the UART (like QEMU)', () => {
    const t = T.makeUart();
    t.w(T.CR, 0);
    t.w(T.DR, 0x55);
    expect(t.tx).toEqual([0x55]);
  });

  it('asserts TXRIS when the FIFO drains to the trigger level; UARTICR clears it', () => {
    const t = T.makeUart();
    expect(t.r(T.RIS) & TXI).toBe(0); // reset value 0
    t.w(T.DR, 0x41);
    expect(t.r(T.RIS) & TXI).toBe(TXI);
    expect(t.probe.level).toBe(false); // masked
    t.w(T.IMSC, TXI);
    expect(t.probe.level).toBe(true);
    expect(t.r(T.MIS)).toBe(TXI);
    t.w(T.ICR, TXI);
    expect(t.r(T.RIS) & TXI).toBe(0);
    expect(t.probe.level).toBe(false);
  });

  it('reports LCR_H.BRK changes to the host', () => {
    const breaks: boolean[] = [];
    const t = T.makeUart({ onBreak: (b) => breaks.push(b) });
    t.w(T.LCR_H, BRK | FEN);
    t.w(T.LCR_H, BRK | FEN);
    t.w(T.LCR_H, FEN);
    expect(breaks).toEqual([true, false]);
  });

  it('loopback (UARTCR.LBE) feeds transmitted bytes to the receiver', () => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN);
    t.w(T.CR, UARTEN | TXE | RXE | LBE);
    t.w(T.DR, 0x61);
    t.w(T.DR, 0x62);
    expect(t.tx).toEqual([]);
    expect(t.r(T.DR)).toBe(0x61);
    expect(t.r(T.DR)).toBe(0x62);
    expect(t.r(T.FR) & FR_RXFE).toBe(FR_RXFE);
  });

  it('a loopback overrun sets OE in UARTRSR and UARTRIS, keeps the FIFO content, and flags the next character', () => {
    const t = T.makeUart();
    t.w(T.CR, UARTEN | TXE | RXE | LBE); // FIFO disabled: one-character holding register
    t.w(T.DR, 0x31);
    t.w(T.DR, 0x32); // lost: the holding register is full
    expect(t.r(T.RSR) & 0x8).toBe(0x8);
    expect(t.r(T.RIS) & OEI).toBe(OEI);
    expect(t.r(T.DR)).toBe(0x31);
    t.w(T.DR, 0x33);
    expect(t.r(T.DR)).toBe(0x33 | (1 << 11)); // DR bit 11 = OE
    t.w(T.ECR, 0);
    expect(t.r(T.RSR)).toBe(0);
  });
});

describe('PL011 with honourEnable (TRM gating by UARTCR)', () => {
  it('holds bytes in the TX FIFO while UARTEN or TXE is clear, then sends them in order', () => {
    const t = T.makeUart({ honourEnable: true });
    t.w(T.LCR_H, FEN);
    t.w(T.CR, TXE | RXE); // UARTEN clear
    for (let i = 0; i < 32; i++) t.w(T.DR, 0x40 + i);
    expect(t.tx).toEqual([]);
    expect(t.r(T.FR) & (FR_TXFF | FR_BUSY | FR_TXFE)).toBe(FR_TXFF | FR_BUSY);
    t.w(T.DR, 0x99); // FIFO full: dropped, guest error
    expect(t.errors).toHaveLength(1);
    t.w(T.CR, UARTEN | RXE); // TXE clear
    expect(t.tx).toEqual([]);
    t.w(T.CR, UARTEN | TXE | RXE);
    expect(t.tx).toEqual(Array.from({ length: 32 }, (_, i) => 0x40 + i));
    expect(t.r(T.FR) & (FR_TXFF | FR_BUSY | FR_TXFE)).toBe(FR_TXFE);
  });

  it('refuses input while the receiver is disabled and asks for it when enabled', () => {
    let space = 0;
    const t = T.makeUart({ honourEnable: true, onReceiveSpace: () => space++ });
    expect(t.uart.receiveSpace).toBe(0);
    expect(t.uart.receive([1, 2])).toBe(0);
    t.w(T.CR, UARTEN | RXE);
    expect(space).toBe(1);
    expect(t.uart.receive([1, 2])).toBe(1);
  });
});

describe('PL011 receive', () => {
  it('FIFO disabled: one character at a time, RXFF when held, RX interrupt until read', () => {
    let space = 0;
    const t = T.makeUart({ onReceiveSpace: () => space++ });
    t.w(T.IMSC, RXI);
    expect(t.uart.receive([0x41, 0x42])).toBe(1);
    expect(t.r(T.FR) & (FR_RXFE | FR_RXFF)).toBe(FR_RXFF);
    expect(t.r(T.RIS) & RXI).toBe(RXI);
    expect(t.probe.level).toBe(true);
    expect(space).toBe(0);
    expect(t.r(T.DR)).toBe(0x41);
    expect(t.probe.level).toBe(false);
    expect(space).toBe(1);
    expect(t.uart.receive([0x42])).toBe(1);
    expect(t.r(T.DR)).toBe(0x42);
    expect(space).toBe(1); // nothing was refused since
  });

  it('FIFO enabled: takes 32 characters, then RXFF and back-pressure', () => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN | (3 << 5));
    const input = Array.from({ length: 40 }, (_, i) => i);
    expect(t.uart.receive(input)).toBe(32);
    expect(t.r(T.FR) & FR_RXFF).toBe(FR_RXFF);
    expect(t.uart.receiveSpace).toBe(0);
    const got: number[] = [];
    while (!(t.r(T.FR) & FR_RXFE)) got.push(t.r(T.DR) & 0xff);
    expect(got).toEqual(input.slice(0, 32));
  });

  // RXIFLSEL encodings from the TRM (UARTIFLS, 3.3.9): 1/8, 1/4, 1/2, 3/4, 7/8 of 32.
  it.each([
    [0, 4],
    [1, 8],
    [2, 16],
    [3, 24],
    [4, 28],
  ])('RXIFLSEL=%i: RXRIS rises when the FIFO reaches %i entries and falls below it', (sel, level) => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN);
    t.w(T.IFLS, sel << 3);
    t.uart.receive(new Array(level - 1).fill(0x20));
    expect(t.r(T.RIS) & RXI).toBe(0);
    t.uart.receive([0x20]);
    expect(t.r(T.RIS) & RXI).toBe(RXI);
    t.r(T.DR);
    expect(t.r(T.RIS) & RXI).toBe(0);
  });

  // TXIFLSEL: the transmit interrupt is asserted while the FIFO is at or below the level.
  it.each([0, 1, 2, 3, 4])('TXIFLSEL=%i: a byte leaving the FIFO asserts TXRIS', (sel) => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN);
    t.w(T.IFLS, sel);
    t.w(T.DR, 0x41);
    expect(t.r(T.RIS) & TXI).toBe(TXI);
  });

  it('framing, parity and break errors show in UARTDR, UARTRSR and UARTRIS', () => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN);
    t.uart.receiveWithErrors(0x41, { framing: true });
    t.uart.receiveWithErrors(0x42, { parity: true });
    t.uart.receiveWithErrors(0x43, { break: true });
    expect(t.r(T.RIS) & (FEI | PEI | BEI)).toBe(FEI | PEI | BEI);
    expect(t.r(T.DR)).toBe(0x41 | (1 << 8));
    expect(t.r(T.RSR)).toBe(0x1);
    expect(t.r(T.DR)).toBe(0x42 | (1 << 9));
    expect(t.r(T.RSR)).toBe(0x2);
    expect(t.r(T.DR)).toBe(0x00 | (1 << 10)); // a break reads as a zero character
    expect(t.r(T.RSR)).toBe(0x4);
    t.w(T.ICR, FEI | PEI | BEI);
    expect(t.r(T.RIS) & (FEI | PEI | BEI)).toBe(0);
  });

  it('switching LCR_H.FEN empties the FIFOs and calls for more input', () => {
    let space = 0;
    const t = T.makeUart({ onReceiveSpace: () => space++ });
    t.w(T.LCR_H, FEN);
    expect(t.uart.receive(new Array(40).fill(1))).toBe(32);
    t.w(T.LCR_H, 0);
    expect(t.r(T.FR) & FR_RXFE).toBe(FR_RXFE);
    expect(space).toBe(1);
  });

  it('modem input changes show in UARTFR and raise the modem interrupts', () => {
    const t = T.makeUart();
    t.w(T.IMSC, 0xf);
    t.uart.setModemInputs({ cts: true, dcd: true });
    expect(t.r(T.FR) & 0x107).toBe(0x5);
    expect(t.r(T.MIS)).toBe((1 << 1) | (1 << 2));
    expect(t.probe.level).toBe(true);
    t.w(T.ICR, 0xf);
    t.uart.setModemInputs({ ri: true, cts: true });
    expect(t.r(T.FR) & 0x100).toBe(0x100);
    expect(t.r(T.MIS)).toBe(1 << 0);
  });
});

describe('PL011 receive timeout', () => {
  // 115200 baud from a 24 MHz UARTCLK: divisor 13 + 1/64 (TRM 3.3.6 formula:
  // BAUDDIV = UARTCLK / (16 * baud)). The timeout is 32 bit periods.
  const IBRD_115200 = 13;
  const FBRD_115200 = 1;
  const timeoutNs = (32 * 16 * (IBRD_115200 + FBRD_115200 / 64) * 1e9) / 24e6;

  it('asserts RTRIS 32 bit periods after the last character while data waits below the trigger', () => {
    const clock = new VirtualClock();
    const t = T.makeUart({}, clock);
    t.w(T.IBRD, IBRD_115200);
    t.w(T.FBRD, FBRD_115200);
    t.w(T.LCR_H, FEN | (3 << 5));
    t.w(T.IMSC, RXI | RTI);
    t.uart.receive(T.text('ls\n'));
    expect(t.probe.level).toBe(false);
    clock.advance(Math.floor(timeoutNs) - 1000);
    clock.runDue();
    expect(t.r(T.RIS) & RTI).toBe(0);
    clock.advance(2000);
    clock.runDue();
    expect(t.r(T.RIS) & RTI).toBe(RTI);
    expect(t.probe.level).toBe(true);
    const got: number[] = [];
    while (!(t.r(T.FR) & FR_RXFE)) got.push(t.r(T.DR) & 0xff);
    expect(T.decode(got)).toBe('ls\n');
    expect(t.r(T.RIS) & RTI).toBe(0);
    expect(t.probe.level).toBe(false);
  });

  it('a new character restarts the timeout', () => {
    const clock = new VirtualClock();
    const t = T.makeUart({}, clock);
    t.w(T.IBRD, IBRD_115200);
    t.w(T.FBRD, FBRD_115200);
    t.w(T.LCR_H, FEN);
    t.uart.receive([1]);
    clock.advance(timeoutNs * 0.75);
    clock.runDue();
    t.uart.receive([2]);
    clock.advance(timeoutNs * 0.75);
    clock.runDue();
    expect(t.r(T.RIS) & RTI).toBe(0);
    clock.advance(timeoutNs * 0.5);
    clock.runDue();
    expect(t.r(T.RIS) & RTI).toBe(RTI);
  });

  it('with no clock the timeout condition is immediate', () => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN);
    t.uart.receive([1]);
    expect(t.r(T.RIS) & RTI).toBe(RTI);
  });

  it('after UARTICR.RTIC with data still waiting, the timeout asserts again later', () => {
    const clock = new VirtualClock();
    const t = T.makeUart({}, clock);
    t.w(T.LCR_H, FEN);
    t.uart.receive([1]);
    clock.advance(1e6);
    clock.runDue();
    expect(t.r(T.RIS) & RTI).toBe(RTI);
    t.w(T.ICR, RTI);
    expect(t.r(T.RIS) & RTI).toBe(0);
    clock.advance(1e6);
    clock.runDue();
    expect(t.r(T.RIS) & RTI).toBe(RTI);
  });
});

describe('PL011 host-side edge cases', () => {
  it('a sink that writes back into the UART (echo) neither recurses nor loses bytes', () => {
    const out: number[] = [];
    let echoes = 0;
    const t = T.makeUart({
      onTransmit: (b) => {
        out.push(b);
        if (echoes < 5) {
          echoes++;
          t.w(T.DR, b + 1);
        }
      },
    });
    t.w(T.LCR_H, FEN);
    t.w(T.DR, 0x30);
    expect(out).toEqual([0x30, 0x31, 0x32, 0x33, 0x34, 0x35]);
  });

  it('raising the RX trigger level drops RXRIS; lowering it below the FIFO level raises it', () => {
    const t = T.makeUart();
    t.w(T.LCR_H, FEN);
    t.w(T.IFLS, 0 << 3); // 4
    t.uart.receive(new Array(6).fill(1));
    expect(t.r(T.RIS) & RXI).toBe(RXI);
    t.w(T.IFLS, 1 << 3); // 8
    expect(t.r(T.RIS) & RXI).toBe(0);
    t.w(T.IFLS, 0 << 3);
    expect(t.r(T.RIS) & RXI).toBe(RXI);
  });

  it('reset empties the RX FIFO and calls for the input it refused', () => {
    let space = 0;
    const t = T.makeUart({ onReceiveSpace: () => space++ });
    expect(t.uart.receive([1, 2])).toBe(1);
    t.uart.reset();
    expect(space).toBe(1);
    expect(t.uart.receiveSpace).toBe(1);
  });

  it('a full RX FIFO refuses errored characters too, and asks for them later', () => {
    let space = 0;
    const t = T.makeUart({ onReceiveSpace: () => space++ });
    t.uart.receive([1]);
    expect(t.uart.receiveWithErrors(2, { parity: true })).toBe(false);
    t.r(T.DR);
    expect(space).toBe(1);
    expect(t.uart.receiveWithErrors(2, { parity: true })).toBe(true);
    expect(t.r(T.DR)).toBe(2 | (1 << 9));
  });
});
