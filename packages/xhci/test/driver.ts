/**
 * A driver-side helper for tests, written from the software side of the
 * xHCI 1.2 specification (offsets and bit positions are spelled out here
 * from the spec text, not imported from the device code). It does what
 * Linux's xhci-hcd does: reset, DCBAA, command ring, event ring, port reset,
 * Enable Slot, Address Device, control transfers, Configure Endpoint and
 * interrupt IN transfers.
 */
import { AddressSpace, RamRegion } from '@vmapple/core-bus';
import { type XhciController } from '../src/index.js';

/** Guest RAM with a bump allocator. */
export class GuestRam {
  readonly mem = new AddressSpace({ name: 'guest' });
  readonly ram: RamRegion;
  private next: number;

  constructor(
    readonly base = 0x8000_0000,
    readonly size = 1 << 20,
  ) {
    this.ram = new RamRegion('ram', size);
    this.mem.mapRam(base, this.ram);
    this.next = base;
  }

  alloc(len: number, align = 64): number {
    this.next = Math.ceil(this.next / align) * align;
    const at = this.next;
    this.next += len;
    if (this.next > this.base + this.size) throw new Error('test guest RAM exhausted');
    this.mem.writeBytes(at, new Uint8Array(len));
    return at;
  }

  get(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    if (!this.mem.readBytes(addr, out)) throw new Error(`test read outside RAM at ${addr.toString(16)}`);
    return out;
  }

  r32(addr: number): number {
    return this.mem.read32(addr)!;
  }

  w32(addr: number, v: number): void {
    this.mem.write32(addr, v >>> 0);
  }
}

// TRB types (xHCI 1.2 Table 6-91).
export const T = {
  NORMAL: 1, SETUP: 2, DATA: 3, STATUS: 4, LINK: 6, EVENT_DATA: 7, NOOP: 8,
  ENABLE_SLOT: 9, DISABLE_SLOT: 10, ADDRESS_DEVICE: 11, CONFIGURE_ENDPOINT: 12, EVALUATE_CONTEXT: 13,
  RESET_ENDPOINT: 14, STOP_ENDPOINT: 15, SET_TR_DEQUEUE: 16, RESET_DEVICE: 17, FORCE_EVENT: 18, NOOP_CMD: 23,
  TRANSFER_EVENT: 32, COMMAND_COMPLETION: 33, PORT_STATUS_CHANGE: 34, HOST_CONTROLLER_EVENT: 37,
} as const;

// Completion codes (Table 6-90).
export const CC = {
  SUCCESS: 1, DATA_BUFFER: 2, BABBLE: 3, TRANSACTION: 4, TRB: 5, STALL: 6, NO_SLOTS: 9, SLOT_NOT_ENABLED: 11,
  EP_NOT_ENABLED: 12, SHORT_PACKET: 13, PARAMETER: 17, CONTEXT_STATE: 19, EVENT_RING_FULL: 21, CMD_RING_STOPPED: 24,
  STOPPED: 26,
} as const;

// TRB control bits (§6.4).
export const IOC = 1 << 5;
export const ISP = 1 << 2;
export const CH = 1 << 4;
export const IDT = 1 << 6;

export interface Trb {
  addr: number;
  d0: number;
  d1: number;
  d2: number;
  d3: number;
}

export interface Event extends Trb {
  type: number;
  cc: number;
  /** Slot ID (dword 3 bits 31:24). */
  slot: number;
  /** Endpoint ID of a Transfer Event. */
  ep: number;
  /** TRB pointer / parameter (dwords 0-1). */
  ptr: number;
  /** Transfer length / command parameter (dword 2 bits 23:0). */
  len: number;
}

/** A producer ring (command or transfer ring) ending in a Link TRB with Toggle Cycle. */
export class ProducerRing {
  readonly base: number;
  private index = 0;
  cycle = 1;

  constructor(
    readonly g: GuestRam,
    readonly trbs: number,
  ) {
    this.base = g.alloc(16 * trbs, 64);
    this.writeTrb(this.base + 16 * (trbs - 1), this.base, 0, 0, T.LINK << 10 | 2, 0); // cycle set when reached
  }

  get enqueue(): number {
    return this.base + 16 * this.index;
  }

  private writeTrb(at: number, d0: number, d1: number, d2: number, d3: number, cycle: number): void {
    this.g.w32(at, d0);
    this.g.w32(at + 4, d1);
    this.g.w32(at + 8, d2);
    this.g.w32(at + 12, (d3 & ~1) | cycle);
  }

  /** Writes one TRB (the cycle bit is ours) and returns its address. */
  push(d0: number, d1: number, d2: number, d3: number): number {
    const at = this.enqueue;
    this.writeTrb(at, d0, d1, d2, d3, this.cycle);
    this.index++;
    if (this.index === this.trbs - 1) {
      const link = this.base + 16 * (this.trbs - 1);
      // Hand the Link TRB over (chain bit kept from the TD being written), then toggle.
      this.writeTrb(link, this.base, 0, 0, (T.LINK << 10) | 2 | (d3 & CH), this.cycle);
      this.index = 0;
      this.cycle ^= 1;
    }
    return at;
  }
}

export class XhciDriver {
  readonly bar = 0x1000_0000;
  capLength = 0;
  dbOff = 0;
  rtsOff = 0;
  maxSlots = 0;
  maxPorts = 0;
  dcbaa = 0;
  cmd!: ProducerRing;
  erst = 0;
  eventRing = 0;
  eventTrbs = 0;
  private evIndex = 0;
  private evCycle = 1;
  readonly rings = new Map<string, ProducerRing>();
  readonly outCtx = new Map<number, number>();

  constructor(
    readonly xhci: XhciController,
    readonly pciMem: AddressSpace,
    readonly g: GuestRam,
  ) {
    // PCI: BAR0 (64-bit) at `bar`, memory decoding and bus mastering on.
    xhci.configWrite(0x10, 4, this.bar);
    xhci.configWrite(0x14, 4, 0);
    xhci.configWrite(0x04, 2, 0x0006);
  }

  r32(off: number): number {
    return this.pciMem.read(this.bar + off, 4);
  }

  w32(off: number, v: number): void {
    this.pciMem.write(this.bar + off, 4, v >>> 0);
  }

  op(r: number): number {
    return this.r32(this.capLength + r);
  }

  wop(r: number, v: number): void {
    this.w32(this.capLength + r, v);
  }

  portsc(port: number): number {
    return this.op(0x400 + 0x10 * (port - 1));
  }

  writePortsc(port: number, v: number): void {
    this.wop(0x400 + 0x10 * (port - 1), v);
  }

  ir(n: number, r: number): number {
    return this.r32(this.rtsOff + 0x20 + 32 * n + r);
  }

  wir(n: number, r: number, v: number): void {
    this.w32(this.rtsOff + 0x20 + 32 * n + r, v);
  }

  doorbell(n: number, v: number): void {
    this.w32(this.dbOff + 4 * n, v);
  }

  /** Linux's xhci_init path: halt, reset, DCBAA, command ring, event ring, interrupter 0, run. */
  init(opts: { cmdTrbs?: number; eventTrbs?: number; run?: boolean } = {}): void {
    this.capLength = this.r32(0) & 0xff;
    this.maxSlots = this.r32(4) & 0xff;
    this.maxPorts = this.r32(4) >>> 24;
    this.dbOff = this.r32(0x14) & ~3;
    this.rtsOff = this.r32(0x18) & ~0x1f;
    this.wop(0x00, 0); // R/S = 0
    if (!(this.op(0x04) & 1)) throw new Error('controller did not halt');
    this.wop(0x00, 2); // HCRST
    if (this.op(0x00) & 2 || this.op(0x04) & (1 << 11)) throw new Error('reset did not complete');
    this.wop(0x38, this.maxSlots); // CONFIG.MaxSlotsEn
    this.dcbaa = this.g.alloc(8 * (this.maxSlots + 1), 64);
    this.wop(0x30, this.dcbaa);
    this.wop(0x34, 0);
    this.cmd = new ProducerRing(this.g, opts.cmdTrbs ?? 32);
    this.wop(0x18, this.cmd.base | 1); // RCS = 1
    this.wop(0x1c, 0);
    this.eventTrbs = opts.eventTrbs ?? 64;
    this.eventRing = this.g.alloc(16 * this.eventTrbs, 64);
    this.erst = this.setupInterrupter(0, this.eventRing, this.eventTrbs);
    this.evIndex = 0;
    this.evCycle = 1;
    if (opts.run !== false) this.wop(0x00, 1 | 4); // R/S | INTE
  }

  /** ERST with one segment; ERSTSZ, ERDP, ERSTBA (in Linux's order), IMAN.IE. */
  setupInterrupter(n: number, ring: number, trbs: number): number {
    const erst = this.g.alloc(16, 64);
    this.g.w32(erst, ring);
    this.g.w32(erst + 4, 0);
    this.g.w32(erst + 8, trbs);
    this.wir(n, 0x08, 1);
    this.wir(n, 0x18, ring);
    this.wir(n, 0x1c, 0);
    this.wir(n, 0x10, erst);
    this.wir(n, 0x14, 0);
    this.wir(n, 0x04, 0);
    this.wir(n, 0x00, 2); // IE
    return erst;
  }

  /** Event TRBs the controller has written since the last call (by cycle bit), without moving ERDP. */
  peekEvents(): Event[] {
    const out: Event[] = [];
    let i = this.evIndex;
    let c = this.evCycle;
    for (let n = 0; n < this.eventTrbs; n++) {
      const at = this.eventRing + 16 * i;
      const d3 = this.g.r32(at + 12);
      if ((d3 & 1) !== c) break;
      out.push(decodeEvent(at, this.g.r32(at), this.g.r32(at + 4), this.g.r32(at + 8), d3));
      if (++i === this.eventTrbs) {
        i = 0;
        c ^= 1;
      }
    }
    return out;
  }

  /** Consumes new events and writes ERDP (with EHB) as Linux's interrupt handler does. */
  events(): Event[] {
    const ev = this.peekEvents();
    for (let k = 0; k < ev.length; k++) {
      if (++this.evIndex === this.eventTrbs) {
        this.evIndex = 0;
        this.evCycle ^= 1;
      }
    }
    this.wir(0, 0x00, 3); // clear IP, keep IE
    this.w32(this.capLength + 4, 1 << 3); // USBSTS.EINT
    this.wir(0, 0x18, (this.eventRing + 16 * this.evIndex) | 8);
    this.wir(0, 0x1c, 0);
    return ev;
  }

  /** Queues a command, rings doorbell 0 and returns its Command Completion event. */
  command(d0: number, d1: number, d2: number, d3: number): Event {
    const at = this.cmd.push(d0, d1, d2, d3);
    this.doorbell(0, 0);
    const ev = this.events();
    const done = ev.find((e) => e.type === T.COMMAND_COMPLETION && e.ptr === at);
    if (!done) throw new Error(`no completion for command at ${at.toString(16)}: ${JSON.stringify(ev)}`);
    return done;
  }

  /** Port reset as the hub driver does it: PR, then clear PRC. Returns PORTSC after the reset. */
  resetPort(port: number): number {
    const keep = this.portsc(port) & ((1 << 9) | (0xf << 5)) & ~(0xf << 5); // PP only (RW1CS bits written 0)
    this.writePortsc(port, keep | (1 << 4));
    const after = this.portsc(port);
    this.writePortsc(port, (after & (1 << 9)) | (1 << 21));
    return after;
  }

  enableSlot(): Event {
    return this.command(0, 0, 0, T.ENABLE_SLOT << 10);
  }

  /** Builds an input context with the slot and EP0 contexts and runs Address Device. */
  addressDevice(slot: number, port: number, bsr: boolean, speed = 3, mps0 = 64): Event {
    const out = this.outCtx.get(slot) ?? this.g.alloc(32 * 32, 64);
    this.outCtx.set(slot, out);
    this.g.w32(this.dcbaa + 8 * slot, out);
    this.g.w32(this.dcbaa + 8 * slot + 4, 0);
    const ring = this.rings.get(`${slot}:1`) ?? new ProducerRing(this.g, 16);
    this.rings.set(`${slot}:1`, ring);
    const input = this.g.alloc(33 * 32, 64);
    this.g.w32(input + 4, 3); // A0 | A1
    this.g.w32(input + 32, (1 << 27) | (speed << 20)); // context entries 1, speed
    this.g.w32(input + 32 + 4, port << 16); // root hub port number
    this.g.w32(input + 64 + 4, (mps0 << 16) | (4 << 3) | (3 << 1)); // MPS, EP type control, CErr 3
    this.g.w32(input + 64 + 8, ring.enqueue | ring.cycle);
    this.g.w32(input + 64 + 12, 0);
    return this.command(input, 0, 0, (T.ADDRESS_DEVICE << 10) | (bsr ? 1 << 9 : 0) | (slot << 24));
  }

  /** Output slot context dwords. */
  slotCtx(slot: number): number[] {
    const out = this.outCtx.get(slot)!;
    return [0, 1, 2, 3].map((i) => this.g.r32(out + 4 * i));
  }

  epCtx(slot: number, dci: number): number[] {
    const out = this.outCtx.get(slot)!;
    return [0, 1, 2, 3, 4].map((i) => this.g.r32(out + 32 * dci + 4 * i));
  }

  ring(slot: number, dci: number): ProducerRing {
    return this.rings.get(`${slot}:${dci}`)!;
  }

  /**
   * A control transfer on EP0 the way Linux queues it: Setup (IDT, TRT),
   * an optional Data stage (IN with ISP) and a Status stage with IOC.
   * Returns the events and, for IN, the data buffer contents.
   */
  control(slot: number, bmRequestType: number, bRequest: number, wValue: number, wIndex: number, wLength: number, outData?: Uint8Array): { events: Event[]; data: Uint8Array; buf: number } {
    const ring = this.ring(slot, 1);
    const dirIn = (bmRequestType & 0x80) !== 0;
    const trt = wLength === 0 ? 0 : dirIn ? 3 : 2;
    ring.push(bmRequestType | (bRequest << 8) | (wValue << 16), wIndex | (wLength << 16), 8, (T.SETUP << 10) | IDT | (trt << 16));
    let buf = 0;
    if (wLength > 0) {
      buf = this.g.alloc(wLength, 64);
      if (outData) this.g.mem.writeBytes(buf, outData);
      ring.push(buf, 0, wLength, (T.DATA << 10) | (dirIn ? ISP | (1 << 16) : 0));
    }
    ring.push(0, 0, 0, (T.STATUS << 10) | IOC | (dirIn && wLength > 0 ? 0 : 1 << 16));
    this.doorbell(slot, 1);
    const events = this.events();
    return { events, data: buf ? this.g.get(buf, wLength) : new Uint8Array(0), buf };
  }

  /** GET_DESCRIPTOR with the actual length from the transfer events. */
  getDescriptor(slot: number, type: number, index: number, length: number, recipient = 0, wIndex = 0): Uint8Array {
    const r = this.control(slot, 0x80 | recipient, 6, (type << 8) | index, wIndex, length);
    const status = r.events.find((e) => e.type === T.TRANSFER_EVENT && e.cc === CC.SUCCESS);
    if (!status) throw new Error(`GET_DESCRIPTOR failed: ${JSON.stringify(r.events)}`);
    const short = r.events.find((e) => e.type === T.TRANSFER_EVENT && e.cc === CC.SHORT_PACKET);
    return r.data.subarray(0, length - (short ? short.len : 0));
  }

  /** Configure Endpoint adding one interrupt IN endpoint (DCI = 2 * number + 1). */
  configureInterruptIn(slot: number, epNum: number, mps: number, interval: number): Event {
    const dci = 2 * epNum + 1;
    const ring = new ProducerRing(this.g, 16);
    this.rings.set(`${slot}:${dci}`, ring);
    const input = this.g.alloc(33 * 32, 64);
    this.g.w32(input, 0);
    this.g.w32(input + 4, 1 | (1 << dci)); // A0 | A(dci)
    this.g.w32(input + 32, dci << 27); // context entries
    const ep = input + 32 * (dci + 1);
    this.g.w32(ep, interval << 16);
    this.g.w32(ep + 4, (mps << 16) | (7 << 3) | (3 << 1)); // interrupt IN, CErr 3
    this.g.w32(ep + 8, ring.enqueue | ring.cycle);
    this.g.w32(ep + 16, (mps << 16) | mps);
    return this.command(input, 0, 0, (T.CONFIGURE_ENDPOINT << 10) | (slot << 24));
  }

  /** Queues one Normal TRB (ISP | IOC like Linux's interrupt URBs) and returns its buffer. */
  queueIn(slot: number, dci: number, len: number, extra = 0): { trb: number; buf: number } {
    const buf = this.g.alloc(len, 64);
    const trb = this.ring(slot, dci).push(buf, 0, len, (T.NORMAL << 10) | ISP | IOC | extra);
    this.doorbell(slot, dci);
    return { trb, buf };
  }

  /** Full enumeration of the device on `port` (Linux's order) up to SET_CONFIGURATION. */
  enumerate(port: number): number {
    this.resetPort(port);
    this.events();
    const slot = this.enableSlot().slot;
    const a1 = this.addressDevice(slot, port, true);
    if (a1.cc !== CC.SUCCESS) throw new Error(`Address Device (BSR=1) failed: ${a1.cc}`);
    this.getDescriptor(slot, 1, 0, 64);
    const a2 = this.addressDevice(slot, port, false);
    if (a2.cc !== CC.SUCCESS) throw new Error(`Address Device failed: ${a2.cc}`);
    this.getDescriptor(slot, 1, 0, 18);
    return slot;
  }
}

export function decodeEvent(addr: number, d0: number, d1: number, d2: number, d3: number): Event {
  return {
    addr, d0, d1, d2, d3,
    type: (d3 >>> 10) & 0x3f,
    cc: d2 >>> 24,
    slot: d3 >>> 24,
    ep: (d3 >>> 16) & 0x1f,
    ptr: d1 * 2 ** 32 + d0,
    len: d2 & 0xffffff,
  };
}
