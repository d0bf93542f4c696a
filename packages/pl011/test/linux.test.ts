import { VirtualClock } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import * as T from './harness.js';

// What Linux's amba-pl011 driver does, step by step (register offsets and bit
// values as its header <linux/amba/serial.h> names them), replayed against the model.
const UART011_FEIS = 1 << 7;
const UART011_PEIS = 1 << 8;
const UART011_BEIS = 1 << 9;
const UART011_OEIS = 1 << 10;
const UART011_RTIS = 1 << 6;
const UART011_RXIS = 1 << 4;
const UART011_TXIS = 1 << 5;
const UART011_RTIM = 1 << 6;
const UART011_RXIM = 1 << 4;
const UART011_TXIM = 1 << 5;
const UART01x_FR_BUSY = 1 << 3;
const UART01x_FR_RXFE = 1 << 4;
const UART01x_FR_TXFF = 1 << 5;
const UART01x_CR_UARTEN = 1 << 0;
const UART011_CR_TXE = 1 << 8;
const UART011_CR_RXE = 1 << 9;
const UART011_CR_RTS = 1 << 11;
const UART011_CR_DTR = 1 << 10;
const UART01x_LCRH_WLEN_8 = 0x60;
const UART01x_LCRH_FEN = 1 << 4;
const IFLS_RX4_8_TX4_8 = (2 << 3) | 2;

type Uart = ReturnType<typeof T.makeUart>;

/** pl011_console_write: force UARTEN|TXE, poll TXFF before each byte, wait for !BUSY, restore UARTCR. */
function consoleWrite(t: Uart, s: string): void {
  const oldCr = t.r(T.CR);
  t.w(T.CR, (oldCr & ~(1 << 15)) | UART01x_CR_UARTEN | UART011_CR_TXE);
  for (const c of T.text(s)) {
    let spins = 0;
    while (t.r(T.FR) & UART01x_FR_TXFF) if (++spins > 100) throw new Error('TXFF stuck');
    t.w(T.DR, c);
  }
  let spins = 0;
  while (t.r(T.FR) & UART01x_FR_BUSY) if (++spins > 100) throw new Error('BUSY stuck');
  t.w(T.CR, oldCr);
}

/** pl011_set_termios for 115200 8N1 with a 24 MHz clock: UART off, divisors, LCR_H, UART back on. */
function setTermios(t: Uart): void {
  const oldCr = t.r(T.CR);
  t.w(T.CR, 0);
  t.w(T.IBRD, 13);
  t.w(T.FBRD, 1);
  t.w(T.LCR_H, UART01x_LCRH_WLEN_8 | UART01x_LCRH_FEN);
  t.w(T.CR, oldCr);
}

/** pl011_startup: hwinit, IFLS, enable, then pl011_enable_interrupts (which drains stale input). */
function startup(t: Uart, fifoSize: number): number {
  t.w(T.ICR, UART011_OEIS | UART011_BEIS | UART011_PEIS | UART011_FEIS | UART011_RTIS | UART011_RXIS);
  t.r(T.IMSC);
  t.w(T.IMSC, UART011_RTIM | UART011_RXIM);
  t.w(T.IFLS, IFLS_RX4_8_TX4_8);
  t.w(T.CR, UART01x_CR_UARTEN | UART011_CR_RXE | UART011_CR_TXE | UART011_CR_RTS | UART011_CR_DTR);
  t.r(T.FR);
  t.w(T.ICR, UART011_RTIS | UART011_RXIS);
  for (let i = 0; i < fifoSize * 2; i++) {
    if (t.r(T.FR) & UART01x_FR_RXFE) break;
    t.r(T.DR);
  }
  const im = UART011_RTIM | UART011_RXIM;
  t.w(T.IMSC, im);
  return im;
}

/**
 * pl011_int: while MIS != 0 (bounded), acknowledge everything but RX/RT/TX,
 * drain RX on RX/RT, refill TX on TX (16 bytes per round, stop_tx when done).
 */
function interrupt(t: Uart, state: { im: number; pending: number[]; got: number[] }): void {
  for (let pass = 0; pass < 256; pass++) {
    const status = t.r(T.MIS);
    if (status === 0) return;
    t.w(T.ICR, status & ~(UART011_TXIS | UART011_RTIS | UART011_RXIS));
    if (status & (UART011_RTIS | UART011_RXIS)) {
      for (let n = 0; n < 256 && !(t.r(T.FR) & UART01x_FR_RXFE); n++) state.got.push(t.r(T.DR) & 0xff);
    }
    if (status & UART011_TXIS) {
      for (let n = 0; n < 16 && state.pending.length > 0; n++) t.w(T.DR, state.pending.shift()!);
      if (state.pending.length === 0) {
        state.im &= ~UART011_TXIM;
        t.w(T.IMSC, state.im);
      }
    }
  }
  throw new Error('interrupt storm');
}

describe('Linux amba-pl011 sequences', () => {
  it('probe: the AMBA bus identifies the device and the driver masks and clears interrupts', () => {
    const t = T.makeUart();
    let pid = 0;
    for (let i = 0; i < 4; i++) pid |= (t.r(0xfe0 + 4 * i) & 0xff) << (8 * i);
    expect(pid & 0xfffff).toBe(0x41011);
    const fifoSize = ((pid >>> 20) & 0xf) < 3 ? 16 : 32; // get_fifosize_arm
    expect(fifoSize).toBe(32);
    t.w(T.IMSC, 0);
    t.w(T.ICR, 0xffff);
    expect(t.probe.level).toBe(false);
    expect(t.errors).toHaveLength(0);
  });

  it('console: boot messages come out intact through set_termios and console_write', () => {
    const t = T.makeUart();
    setTermios(t);
    consoleWrite(t, '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]\n');
    consoleWrite(t, 'Run /init as init process\n');
    expect(T.decode(t.tx)).toBe(
      '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]\nRun /init as init process\n',
    );
    expect(t.r(T.CR)).toBe(0x300); // restored
    expect(t.errors).toHaveLength(0);
  });

  it('console also works when UARTCR gating is honoured (the driver enables TX itself)', () => {
    const t = T.makeUart({ honourEnable: true });
    setTermios(t);
    t.w(T.CR, 0); // firmware left the UART off
    consoleWrite(t, 'hello\n');
    expect(T.decode(t.tx)).toBe('hello\n');
  });

  it('earlycon (writeb to UARTDR, poll UARTFR) works on an unprogrammed UART', () => {
    const t = T.makeUart();
    for (const c of T.text('earlycon\n')) {
      while (t.r(T.FR) & UART01x_FR_TXFF);
      t.w(T.DR, c, 1);
      while (t.r(T.FR) & UART01x_FR_BUSY);
    }
    expect(T.decode(t.tx)).toBe('earlycon\n');
  });

  it('tty: typed input reaches the driver through RX/RT interrupts, output through TX interrupts', () => {
    const clock = new VirtualClock();
    const t = T.makeUart({}, clock);
    setTermios(t);
    t.uart.receive(T.text('stale')); // typed before the tty was opened: drained by startup
    const state = { im: startup(t, 32), pending: [] as number[], got: [] as number[] };
    expect(t.r(T.FR) & UART01x_FR_RXFE).toBe(UART01x_FR_RXFE);

    // A short line stays below the RX trigger (16): only the receive timeout reports it.
    t.uart.receive(T.text('root\n'));
    expect(t.probe.level).toBe(false);
    clock.advance(1e6);
    clock.runDue();
    expect(t.probe.level).toBe(true);
    interrupt(t, state);
    expect(T.decode(state.got)).toBe('root\n');
    expect(t.probe.level).toBe(false);

    // A long paste crosses the trigger and is taken in bursts.
    state.got = [];
    const paste = 'x'.repeat(20);
    t.uart.receive(T.text(paste));
    expect(t.probe.level).toBe(true); // 20 >= 16
    interrupt(t, state);
    expect(T.decode(state.got)).toBe(paste);

    // start_tx from interrupt context: TXIM on, the handler refills until done, then masks TXIM.
    state.pending = T.text('# ls\n'.repeat(10));
    t.w(T.DR, state.pending.shift()!);
    state.im |= UART011_TXIM;
    t.w(T.IMSC, state.im);
    expect(t.probe.level).toBe(true);
    interrupt(t, state);
    expect(T.decode(t.tx)).toBe('# ls\n'.repeat(10));
    expect(t.probe.level).toBe(false);
  });
});
