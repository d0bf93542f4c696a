/**
 * One interrupter (xHCI 1.2 §4.17, §5.5.2): IMAN, IMOD, the event ring
 * segment table and the event ring dequeue pointer, and the producer side of
 * its event ring (§4.9.4): cycle bit, segment wrap, the Event Ring Full Error
 * event and events held back while the ring is full.
 */
import { type GuestMemory, hex, type Log } from '@vmapple/core-bus';
import * as C from './constants.js';

interface Segment {
  base: number;
  size: number;
}

export interface InterrupterState {
  iman: number;
  imod: number;
  erstsz: number;
  erstba: string;
  erdp: string;
  configured: boolean;
  segment: number;
  index: number;
  cycle: number;
  full: boolean;
  pending: number[][];
}

/** Why an event could not be written: the controller turns this into HCE. */
export type PostResult = 'ok' | 'held' | 'dropped' | 'unconfigured' | 'fault';

export class Interrupter {
  iman = 0;
  imod = 0;
  erstsz = 0;
  erstbaLo = 0;
  erstbaHi = 0;
  erdpLo = 0;
  erdpHi = 0;
  /** The segment table is read lazily, at the first event after ERSTBA/ERSTSZ change. */
  private dirty = true;
  private segments: Segment[] = [];
  private total = 0;
  private seg = 0;
  private index = 0;
  private cycle = 1;
  private full = false;
  private pending: number[][] = [];
  private readonly buf = new Uint8Array(16);
  private readonly view = new DataView(this.buf.buffer);

  constructor(
    readonly number: number,
    private readonly dma: GuestMemory,
    private readonly log: Log,
    private readonly source: string,
  ) {}

  reset(): void {
    this.iman = 0;
    this.imod = 0; // qemu-xhci resets IMOD to 0
    this.erstsz = 0;
    this.erstbaLo = this.erstbaHi = 0;
    this.erdpLo = this.erdpHi = 0;
    this.dirty = true;
    this.segments = [];
    this.total = 0;
    this.seg = this.index = 0;
    this.cycle = 1;
    this.full = false;
    this.pending = [];
  }

  get erdp(): number {
    return this.erdpHi * 2 ** 32 + ((this.erdpLo & ~0xf) >>> 0);
  }

  get erstba(): number {
    return this.erstbaHi * 2 ** 32 + ((this.erstbaLo & ~0x3f) >>> 0);
  }

  /** Events waiting for room in the ring. */
  get heldEvents(): number {
    return this.pending.length;
  }

  /** The ERST registers changed: the ring restarts at segment 0 with cycle 1 (§4.9.4.1). */
  tableChanged(): void {
    this.dirty = true;
  }

  private load(): boolean {
    this.dirty = false;
    this.segments = [];
    this.total = 0;
    this.seg = this.index = 0;
    this.cycle = 1;
    this.full = false;
    const n = this.erstsz & 0xffff;
    if (n === 0) return false;
    if (n > C.MAX_ERST_ENTRIES) {
      this.log.guestError(this.source, `interrupter ${this.number}: ERSTSZ ${n} exceeds ${C.MAX_ERST_ENTRIES}`);
      return false;
    }
    for (let i = 0; i < n; i++) {
      if (!this.dma.readBytes(this.erstba + 16 * i, this.buf)) {
        this.log.guestError(this.source, `interrupter ${this.number}: ERST entry ${i} at ${hex(this.erstba + 16 * i)} is not in RAM`);
        this.segments = [];
        return false;
      }
      const base = this.view.getUint32(4, true) * 2 ** 32 + ((this.view.getUint32(0, true) & ~0x3f) >>> 0);
      const size = this.view.getUint32(8, true) & 0xffff;
      if (size < 16 || size > 4096) {
        this.log.guestError(this.source, `interrupter ${this.number}: ERST entry ${i} has ring segment size ${size} (16..4096)`);
        this.segments = [];
        return false;
      }
      this.segments.push({ base, size });
      this.total += size;
    }
    return true;
  }

  /** Linear position of the guest's dequeue pointer, or -1 when it is outside every segment. */
  private dequeueIndex(): number {
    const p = this.erdp;
    let start = 0;
    for (const s of this.segments) {
      if (p >= s.base && p < s.base + 16 * s.size) return start + Math.floor((p - s.base) / 16);
      start += s.size;
    }
    return -1;
  }

  private enqueueIndex(): number {
    let start = 0;
    for (let i = 0; i < this.seg; i++) start += this.segments[i]!.size;
    return start + this.index;
  }

  /** Entries in the ring the guest has not consumed. */
  private used(): number {
    const d = this.dequeueIndex();
    if (d < 0) return 0;
    return (this.enqueueIndex() - d + this.total) % this.total;
  }

  /**
   * Posts one event (dwords 0..3; the cycle bit of dword 3 is ours). Returns
   * 'fault' when the ring is unusable or not in RAM.
   */
  post(d0: number, d1: number, d2: number, d3: number): PostResult {
    if (this.dirty) this.load();
    if (this.segments.length === 0) {
      // No usable event ring: with ERSTSZ = 0 the event has nowhere to go;
      // a table that is not in RAM or malformed is a controller error.
      return (this.erstsz & 0xffff) === 0 ? 'unconfigured' : 'fault';
    }
    if (this.full || this.pending.length > 0) return this.hold(d0, d1, d2, d3);
    const used = this.used();
    if (used >= this.total - 2) {
      // One slot left: it takes the Event Ring Full Error event (§4.9.4).
      const r = this.write(0, 0, C.CC_EVENT_RING_FULL << 24, C.TRB_HOST_CONTROLLER_EVENT << 10);
      if (r !== 'ok') return r;
      this.full = true;
      this.log.guestError(this.source, `interrupter ${this.number}: event ring full`);
      return this.hold(d0, d1, d2, d3);
    }
    return this.write(d0, d1, d2, d3);
  }

  private hold(d0: number, d1: number, d2: number, d3: number): PostResult {
    if (this.pending.length >= C.MAX_PENDING_EVENTS) return 'dropped';
    this.pending.push([d0, d1, d2, d3]);
    return 'held';
  }

  private write(d0: number, d1: number, d2: number, d3: number): PostResult {
    const s = this.segments[this.seg]!;
    const at = s.base + 16 * this.index;
    this.view.setUint32(0, d0 >>> 0, true);
    this.view.setUint32(4, d1 >>> 0, true);
    this.view.setUint32(8, d2 >>> 0, true);
    this.view.setUint32(12, ((d3 & ~1) | this.cycle) >>> 0, true);
    if (!this.dma.writeBytes(at, this.buf)) {
      this.log.guestError(this.source, `interrupter ${this.number}: event ring entry at ${hex(at)} is not in RAM`);
      return 'fault';
    }
    if (++this.index >= s.size) {
      this.index = 0;
      if (++this.seg >= this.segments.length) {
        this.seg = 0;
        this.cycle ^= 1;
      }
    }
    return 'ok';
  }

  /**
   * The guest moved ERDP: leave the full state once there is room and write
   * the held events. Returns true when events were written.
   */
  drain(): boolean | 'fault' {
    if (this.dirty || this.segments.length === 0) return false;
    if (this.full) {
      if (this.used() >= this.total - 1) return false;
      this.full = false;
    }
    let wrote = false;
    while (this.pending.length > 0) {
      if (this.used() >= this.total - 2) {
        if (this.write(0, 0, C.CC_EVENT_RING_FULL << 24, C.TRB_HOST_CONTROLLER_EVENT << 10) !== 'ok') return 'fault';
        this.full = true;
        return true;
      }
      const e = this.pending.shift()!;
      if (this.write(e[0]!, e[1]!, e[2]!, e[3]!) !== 'ok') return 'fault';
      wrote = true;
    }
    return wrote;
  }

  /** True when the ring holds events past the guest's dequeue pointer. */
  hasUnconsumed(): boolean {
    if (this.dirty || this.segments.length === 0) return false;
    return this.used() > 0;
  }

  saveState(): InterrupterState {
    return {
      iman: this.iman,
      imod: this.imod,
      erstsz: this.erstsz,
      erstba: (this.erstbaHi * 2 ** 32 + (this.erstbaLo >>> 0)).toString(),
      erdp: (this.erdpHi * 2 ** 32 + (this.erdpLo >>> 0)).toString(),
      configured: !this.dirty,
      segment: this.seg,
      index: this.index,
      cycle: this.cycle,
      full: this.full,
      pending: this.pending.map((e) => [...e]),
    };
  }

  restoreState(s: InterrupterState): void {
    this.iman = s.iman & 3;
    this.imod = s.imod >>> 0;
    this.erstsz = s.erstsz & 0xffff;
    const ba = Number(s.erstba);
    const dp = Number(s.erdp);
    this.erstbaLo = ba % 2 ** 32 >>> 0;
    this.erstbaHi = Math.floor(ba / 2 ** 32) >>> 0;
    this.erdpLo = dp % 2 ** 32 >>> 0;
    this.erdpHi = Math.floor(dp / 2 ** 32) >>> 0;
    this.dirty = true;
    this.pending = (s.pending ?? []).slice(0, C.MAX_PENDING_EVENTS).map((e) => e.slice(0, 4).map((x) => x >>> 0));
    if (s.configured && this.load()) {
      this.seg = Math.min(s.segment >>> 0, this.segments.length - 1);
      this.index = Math.min(s.index >>> 0, this.segments[this.seg]!.size - 1);
      this.cycle = s.cycle & 1;
      this.full = !!s.full;
    }
  }
}
