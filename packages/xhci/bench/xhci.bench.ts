import { bench, describe } from 'vitest';
import { IDT, IOC, ISP, T } from '../test/driver.js';
import { configured, setup } from '../test/helpers.js';

describe('xhci', () => {
  const env = setup({}, 1 << 22);
  const { drv, kbd } = env;
  drv.init({ eventTrbs: 256 });
  const slot = configured(drv, 5);
  const buf = drv.g.alloc(64);
  const intr = drv.ring(slot, 3);
  const ep0 = drv.ring(slot, 1);
  let k = 0;
  bench('key press + release: two interrupt IN TDs, doorbells, events consumed', () => {
    intr.push(buf, 0, 8, (T.NORMAL << 10) | ISP | IOC);
    intr.push(buf, 0, 8, (T.NORMAL << 10) | ISP | IOC);
    drv.doorbell(slot, 3);
    const u = 4 + (k++ % 20);
    kbd.press(u);
    kbd.release(u);
    drv.events();
  });
  bench('No Op command round trip', () => {
    drv.command(0, 0, 0, T.NOOP_CMD << 10);
  });
  bench('GET_DESCRIPTOR(device) control transfer (Setup, Data, Status)', () => {
    ep0.push(0x80 | (6 << 8) | (0x0100 << 16), 18 << 16, 8, (T.SETUP << 10) | IDT | (3 << 16));
    ep0.push(buf, 0, 18, (T.DATA << 10) | ISP | (1 << 16));
    ep0.push(0, 0, 0, (T.STATUS << 10) | IOC);
    drv.doorbell(slot, 1);
    drv.events();
  });
});
