/**
 * Bulk endpoints with a test-only loopback device: multi-TRB TDs, immediate
 * data, short packets, NAK/wake-up, babble and stalls.
 */
import { describe, expect, it } from 'vitest';
import { type InResult, NAK, type OutResult, type SetupPacket, STALL, UsbDevice } from '../src/index.js';
import { CC, CH, IDT, IOC, ISP, ProducerRing, T, type XhciDriver } from './driver.js';
import { setup } from './helpers.js';

/** Echoes OUT data on its bulk IN endpoint; stalls when told to. */
class Loopback extends UsbDevice {
  readonly speed = 'high' as const;
  readonly name = 'loopback';
  queue: Uint8Array[] = [];
  stallIn = false;
  extraIn = 0;
  control(s: SetupPacket): Uint8Array | typeof STALL {
    if (s.bRequest === 5) this.address = s.wValue;
    if (s.bRequest === 9) this.configuration = s.wValue;
    if (s.bRequest === 6) return new Uint8Array([18, 1, 0, 2, 0xff, 0, 0, 64, 0x34, 0x12, 0x78, 0x56, 0, 1, 0, 0, 0, 1]);
    return new Uint8Array(0);
  }
  transferIn(ep: number, max: number): InResult {
    if (ep !== 1 || this.stallIn) return STALL;
    const d = this.queue.shift();
    if (!d) return NAK;
    if (this.extraIn) return new Uint8Array(max + this.extraIn);
    return d.subarray(0, max);
  }
  override transferOut(ep: number, data: Uint8Array): OutResult {
    if (ep !== 1) return STALL;
    this.queue.push(data.slice());
    this.wake();
    return 'ack';
  }
}

function bulkSetup() {
  const env = setup();
  const dev = new Loopback();
  env.xhci.attach(7, dev);
  const { drv } = env;
  drv.init();
  const slot = drv.enumerate(7);
  const input = drv.g.alloc(33 * 32);
  drv.g.w32(input + 4, 1 | (1 << 2) | (1 << 3));
  drv.g.w32(input + 32, 3 << 27);
  for (const [dci, type] of [[2, 2], [3, 6]] as const) {
    const ring = new ProducerRing(drv.g, 16);
    drv.rings.set(`${slot}:${dci}`, ring);
    const ep = input + 32 * (dci + 1);
    drv.g.w32(ep + 4, (512 << 16) | (type << 3) | (3 << 1));
    drv.g.w32(ep + 8, ring.enqueue | ring.cycle);
  }
  expect(drv.command(input, 0, 0, (T.CONFIGURE_ENDPOINT << 10) | (slot << 24)).cc).toBe(CC.SUCCESS);
  drv.events();
  return { ...env, dev, slot };
}

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

function sendOut(drv: XhciDriver, slot: number, parts: Uint8Array[]): void {
  const ring = drv.ring(slot, 2);
  parts.forEach((p, i) => {
    const buf = drv.g.alloc(p.length);
    drv.g.mem.writeBytes(buf, p);
    ring.push(buf, 0, p.length, (T.NORMAL << 10) | (i < parts.length - 1 ? CH : IOC));
  });
  drv.doorbell(slot, 2);
}

describe('bulk endpoints', () => {
  it('moves a TD split over several TRBs both ways', () => {
    const { drv, slot, dev } = bulkSetup();
    const a = bytes(300, 1);
    const b = bytes(212, 2);
    sendOut(drv, slot, [a, b]);
    const outEv = drv.events();
    expect(outEv.map((e) => [e.ep, e.cc, e.len])).toEqual([[2, CC.SUCCESS, 0]]);
    expect(dev.queue[0]!.length).toBe(512);
    const ring = drv.ring(slot, 3);
    const bufs = [drv.g.alloc(256), drv.g.alloc(256)];
    ring.push(bufs[0]!, 0, 256, (T.NORMAL << 10) | CH | ISP);
    const last = ring.push(bufs[1]!, 0, 256, (T.NORMAL << 10) | ISP | IOC);
    drv.doorbell(slot, 3);
    const inEv = drv.events();
    expect(inEv.map((e) => [e.ep, e.cc, e.len, e.ptr])).toEqual([[3, CC.SUCCESS, 0, last]]);
    expect([...drv.g.get(bufs[0]!, 256), ...drv.g.get(bufs[1]!, 256)]).toEqual([...a, ...b]);
  });

  it('reports a short packet on the first TRB with ISP and the residual of that TRB', () => {
    const { drv, slot } = bulkSetup();
    sendOut(drv, slot, [bytes(100, 3)]);
    drv.events();
    const ring = drv.ring(slot, 3);
    const b0 = drv.g.alloc(64);
    const b1 = drv.g.alloc(64);
    const b2 = drv.g.alloc(64);
    ring.push(b0, 0, 64, (T.NORMAL << 10) | CH | ISP);
    const second = ring.push(b1, 0, 64, (T.NORMAL << 10) | CH | ISP);
    ring.push(b2, 0, 64, (T.NORMAL << 10) | ISP | IOC);
    drv.doorbell(slot, 3);
    const ev = drv.events();
    expect(ev.map((e) => [e.cc, e.len, e.ptr])).toEqual([[CC.SHORT_PACKET, 64 - 36, second]]);
  });

  it('takes OUT data from immediate-data TRBs', () => {
    const { drv, slot, dev } = bulkSetup();
    drv.ring(slot, 2).push(0x04030201, 0x08070605, 6, (T.NORMAL << 10) | IDT | IOC);
    drv.doorbell(slot, 2);
    expect(drv.events()[0]!.cc).toBe(CC.SUCCESS);
    expect(Array.from(dev.queue[0]!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('an IN TD waits for data and runs when the device wakes the controller', () => {
    const { drv, slot } = bulkSetup();
    const ring = drv.ring(slot, 3);
    const buf = drv.g.alloc(64);
    ring.push(buf, 0, 64, (T.NORMAL << 10) | ISP | IOC);
    drv.doorbell(slot, 3);
    expect(drv.events()).toEqual([]);
    sendOut(drv, slot, [bytes(10, 9)]);
    const ev = drv.events();
    expect(ev.map((e) => [e.ep, e.cc])).toEqual([[2, CC.SUCCESS], [3, CC.SHORT_PACKET]]);
    expect(Array.from(drv.g.get(buf, 10))).toEqual(Array.from(bytes(10, 9)));
  });

  it('a stalled IN endpoint halts with Stall Error; babble halts with Babble', () => {
    const { drv, slot, dev } = bulkSetup();
    dev.stallIn = true;
    drv.ring(slot, 3).push(drv.g.alloc(8), 0, 8, (T.NORMAL << 10) | IOC);
    drv.doorbell(slot, 3);
    expect(drv.events().map((e) => [e.cc, e.len])).toEqual([[CC.STALL, 8]]);
    expect(drv.epCtx(slot, 3)[0]! & 7).toBe(2);
    dev.stallIn = false;
    dev.extraIn = 4;
    dev.queue.push(new Uint8Array(1));
    drv.command(0, 0, 0, (T.RESET_ENDPOINT << 10) | (3 << 16) | (slot << 24));
    drv.doorbell(slot, 3);
    expect(drv.events().map((e) => e.cc)).toEqual([CC.BABBLE]);
  });

  it('Block Event Interrupt writes the event without an interrupt', () => {
    const { drv, slot, intx } = bulkSetup();
    drv.ring(slot, 2).push(0, 0, 1, (T.NORMAL << 10) | IDT | IOC | (1 << 9));
    drv.doorbell(slot, 2);
    expect(intx.level).toBe(false);
    expect(drv.peekEvents().map((e) => e.cc)).toEqual([CC.SUCCESS]);
  });
});
