import { AddressSpace, IrqProbe, VirtualClock } from '@vmapple/core-bus';
import { bench, describe } from 'vitest';
import { Pl011 } from '../src/index.js';

// Each iteration moves N bytes: divide the reported time by N for ns/byte.
const N = 1000;
const BASE = 0x2001_0000;

let sent = 0;
const clock = new VirtualClock();
const uart = new Pl011({ clock, onTransmit: () => sent++ });
uart.irq.connect(new IrqProbe());
const bus = new AddressSpace();
bus.mapMmio(BASE, uart.region);
bus.write(BASE + 0x2c, 4, 0x70); // 8 bits, FIFO on
bus.write(BASE + 0x38, 4, 0x50); // RX and RT interrupts on
const input = new Uint8Array(32).fill(0x61);

let sink = 0;
describe('pl011 (1000 bytes per iteration)', () => {
  bench('console TX: poll UARTFR.TXFF, write UARTDR (Linux console_write)', () => {
    for (let i = 0; i < N; i++) {
      sink ^= bus.read(BASE + 0x18, 4) & 0x20;
      bus.write(BASE + 0x00, 4, 0x41);
    }
  });
  bench('RX: host receive() in 32-byte chunks, guest drains UARTDR until RXFE', () => {
    for (let done = 0; done < N; ) {
      done += uart.receive(input);
      while (!(bus.read(BASE + 0x18, 4) & 0x10)) sink ^= bus.read(BASE, 4);
    }
  });
});
export { sink, sent };
