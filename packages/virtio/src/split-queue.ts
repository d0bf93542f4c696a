import { type GuestMemory } from '@vmapple/core-bus';
import {
  VIRTQ_AVAIL_F_NO_INTERRUPT,
  VIRTQ_DESC_F_INDIRECT,
  VIRTQ_DESC_F_NEXT,
  VIRTQ_DESC_F_WRITE,
  VIRTQ_DESC_SIZE,
  VIRTQ_MAX_SIZE,
} from './constants.js';
import { DescriptorChain } from './descriptor-chain.js';

/**
 * Longest indirect table accepted. The spec bounds a chain by the queue
 * size; like QEMU we allow indirect tables up to 1024 entries so that small
 * queues still take the large scatter lists drivers build.
 */
export const VIRTQ_MAX_INDIRECT = 1024;

/** A 64-bit guest address from two 32-bit halves; -1 when it is not exact as a number. */
export function joinAddress(lo: number, hi: number): number {
  return hi >= 0x20_0000 ? -1 : (hi >>> 0) * 2 ** 32 + (lo >>> 0);
}

/**
 * A split virtqueue (virtio 1.2 §2.7) as the device sees it: the registers
 * the transport programs, the device's ring indices, and the walk of
 * descriptor chains. Guest memory is passed to every call (rust-vmm's
 * style), so the queue itself holds no reference to a bus.
 *
 * Every guest-controlled loop is bounded (a direct chain by the queue size,
 * an indirect table by its length and `VIRTQ_MAX_INDIRECT`). A ring that
 * breaks the rules puts the queue in an error state (`error`): it then pops
 * nothing until reset, and the transport reports DEVICE_NEEDS_RESET.
 */
export class SplitQueue {
  /** Queue size the driver chose (power of two, at most `maxSize`). */
  size: number;
  ready = false;
  /** Descriptor table address. */
  descAddr = 0;
  /** Driver area (available ring) address. */
  driverAddr = 0;
  /** Device area (used ring) address. */
  deviceAddr = 0;
  /** VIRTIO_F_RING_EVENT_IDX negotiated (set at activation). */
  eventIdx = false;
  /** VIRTIO_F_RING_INDIRECT_DESC negotiated (set at activation; informational, see `walk`). */
  indirect = false;
  /** Next available-ring index the device will read. */
  nextAvail = 0;
  /** Next used-ring index the device will write. */
  nextUsed = 0;
  /** Why the queue stopped, or null while healthy. */
  error: string | null = null;
  private signalledUsed = 0;
  private signalledValid = false;
  private readonly desc = new Uint8Array(VIRTQ_DESC_SIZE);

  constructor(
    readonly index: number,
    /** Largest size the device offers (a power of two). */
    readonly maxSize: number,
  ) {
    if (!Number.isInteger(maxSize) || maxSize < 1 || maxSize > VIRTQ_MAX_SIZE || (maxSize & (maxSize - 1)) !== 0) {
      throw new RangeError(`virtqueue ${index}: maximum size must be a power of two from 1 to ${VIRTQ_MAX_SIZE}, got ${maxSize}`);
    }
    this.size = maxSize;
  }

  /** Back to reset state: size = maximum, not ready, addresses and indices 0. */
  reset(): void {
    this.size = this.maxSize;
    this.ready = false;
    this.descAddr = this.driverAddr = this.deviceAddr = 0;
    this.eventIdx = this.indirect = false;
    this.nextAvail = this.nextUsed = 0;
    this.signalledUsed = 0;
    this.signalledValid = false;
    this.error = null;
  }

  /**
   * Checks the driver's layout before the queue is enabled (§2.7: power-of-two
   * size, 16/2/4-byte ring alignment). Returns a reason to refuse, or null.
   */
  checkLayout(): string | null {
    const s = this.size;
    if (s < 1 || s > this.maxSize || (s & (s - 1)) !== 0) return `size ${s} is not a power of two from 1 to ${this.maxSize}`;
    if (this.descAddr < 0 || this.driverAddr < 0 || this.deviceAddr < 0) return 'a ring address is beyond 2^53';
    if (this.descAddr % 16 !== 0) return `descriptor table at 0x${this.descAddr.toString(16)} is not 16-byte aligned`;
    if (this.driverAddr % 2 !== 0) return `driver area at 0x${this.driverAddr.toString(16)} is not 2-byte aligned`;
    if (this.deviceAddr % 4 !== 0) return `device area at 0x${this.deviceAddr.toString(16)} is not 4-byte aligned`;
    return null;
  }

  /** Puts the queue in the error state; it pops nothing until reset. */
  fail(reason: string): null {
    if (this.error === null) this.error = reason;
    return null;
  }

  /** Number of chains the driver has made available and the device has not popped (0 on error). */
  pending(mem: GuestMemory): number {
    if (!this.ready || this.error !== null) return 0;
    const idx = mem.read16(this.driverAddr + 2);
    if (idx === undefined) return 0;
    return (idx - this.nextAvail) & 0xffff;
  }

  /**
   * Pops the next available descriptor chain, or returns null when there is
   * none or the ring is broken (then `error` says why).
   */
  pop(mem: GuestMemory): DescriptorChain | null {
    if (!this.ready || this.error !== null) return null;
    const size = this.size;
    const availIdx = mem.read16(this.driverAddr + 2);
    if (availIdx === undefined) return this.fail(`available ring at 0x${this.driverAddr.toString(16)} is not in RAM`);
    const pending = (availIdx - this.nextAvail) & 0xffff;
    if (pending === 0) return null;
    if (pending > size) return this.fail(`available index ${availIdx} is ${pending} ahead of the device, more than the queue size ${size}`);
    const head = mem.read16(this.driverAddr + 4 + 2 * (this.nextAvail % size));
    if (head === undefined) return this.fail('available ring entry is not in RAM');
    this.nextAvail = (this.nextAvail + 1) & 0xffff;
    if (this.eventIdx && !mem.write16(this.deviceAddr + 4 + 8 * size, this.nextAvail)) {
      return this.fail('avail_event in the used ring is not in RAM');
    }
    if (head >= size) return this.fail(`head descriptor index ${head} is not below the queue size ${size}`);
    return this.walk(mem, head);
  }

  /** Walks the chain starting at `head` (§2.7.5, §2.7.5.3 indirect descriptors). */
  private walk(mem: GuestMemory, head: number): DescriptorChain | null {
    const chain = new DescriptorChain(head);
    let table = this.descAddr;
    let tableLen = this.size;
    let i = head;
    let steps = 0;
    let inIndirect = false;
    for (;;) {
      if (++steps > tableLen) {
        return this.fail(`descriptor chain from head ${head} is longer than its table of ${tableLen} entries (a loop?)`);
      }
      // One RAM lookup per descriptor: a zero-copy view when it lies in one region.
      let d = mem.ramSlice(table + VIRTQ_DESC_SIZE * i, VIRTQ_DESC_SIZE);
      if (!d) {
        if (!mem.readBytes(table + VIRTQ_DESC_SIZE * i, this.desc)) {
          return this.fail(`descriptor ${i} at 0x${(table + VIRTQ_DESC_SIZE * i).toString(16)} is not in RAM`);
        }
        d = this.desc;
      }
      const addr = joinAddress(le32(d, 0), le32(d, 4));
      const len = le32(d, 8);
      const flags = d[12]! | (d[13]! << 8);
      const next = d[14]! | (d[15]! << 8);
      if (flags & VIRTQ_DESC_F_INDIRECT) {
        if (inIndirect) return this.fail('an indirect table contains an indirect descriptor');
        // Like QEMU, an indirect table is taken even when RING_INDIRECT_DESC was not negotiated,
        // and a NEXT flag beside INDIRECT is ignored: the chain ends with the table.
        if (len === 0 || len % VIRTQ_DESC_SIZE !== 0) return this.fail(`indirect table length ${len} is not a non-zero multiple of 16`);
        if (len / VIRTQ_DESC_SIZE > VIRTQ_MAX_INDIRECT) return this.fail(`indirect table of ${len / VIRTQ_DESC_SIZE} entries is longer than ${VIRTQ_MAX_INDIRECT}`);
        if (addr < 0) return this.fail('indirect table address is beyond 2^53');
        table = addr;
        tableLen = len / VIRTQ_DESC_SIZE;
        i = 0;
        steps = 0;
        inIndirect = true;
        continue;
      }
      if (flags & VIRTQ_DESC_F_WRITE) {
        if (len > 0) {
          chain.writable.push({ addr, len });
          chain.writableLength += len;
        }
      } else if (len > 0) {
        if (chain.writableLength > 0) return this.fail('device-readable descriptor after a device-writable one');
        chain.readable.push({ addr, len });
        chain.readableLength += len;
      }
      if ((flags & VIRTQ_DESC_F_NEXT) === 0) return chain;
      if (next >= tableLen) return this.fail(`next descriptor index ${next} is outside a table of ${tableLen} entries`);
      i = next;
    }
  }

  /**
   * Returns a chain to the driver: writes the used element (`head`, bytes
   * written `len`) and then publishes the new used index. False (and the
   * queue in the error state) when the used ring is not in RAM.
   */
  pushUsed(mem: GuestMemory, head: number, len: number): boolean {
    if (!this.ready || this.error !== null) return false;
    const slot = this.deviceAddr + 4 + 8 * (this.nextUsed % this.size);
    if (!mem.write32(slot, head) || !mem.write32(slot + 4, len)) {
      this.fail(`used ring element at 0x${slot.toString(16)} is not in RAM`);
      return false;
    }
    this.nextUsed = (this.nextUsed + 1) & 0xffff;
    if (!mem.write16(this.deviceAddr + 2, this.nextUsed)) {
      this.fail('used ring index is not in RAM');
      return false;
    }
    return true;
  }

  /**
   * Whether the driver wants a used-buffer notification for the entries
   * pushed since the last call: the used_event rule with EVENT_IDX
   * (§2.7.10), else the NO_INTERRUPT flag (§2.7.7).
   */
  needsNotification(mem: GuestMemory): boolean {
    if (this.eventIdx) {
      const old = this.signalledUsed;
      const valid = this.signalledValid;
      const now = this.nextUsed;
      this.signalledUsed = now;
      this.signalledValid = true;
      const usedEvent = mem.read16(this.driverAddr + 4 + 2 * this.size);
      if (!valid || usedEvent === undefined) return true;
      return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
    }
    const flags = mem.read16(this.driverAddr);
    return flags === undefined || (flags & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }

  /** Plain state for snapshots. */
  save(): QueueState {
    return {
      size: this.size,
      ready: this.ready,
      desc: this.descAddr,
      driver: this.driverAddr,
      device: this.deviceAddr,
      eventIdx: this.eventIdx,
      indirect: this.indirect,
      nextAvail: this.nextAvail,
      nextUsed: this.nextUsed,
      signalledUsed: this.signalledUsed,
      signalledValid: this.signalledValid,
      error: this.error,
    };
  }

  restore(s: QueueState): void {
    this.size = s.size;
    this.ready = s.ready;
    this.descAddr = s.desc;
    this.driverAddr = s.driver;
    this.deviceAddr = s.device;
    this.eventIdx = s.eventIdx;
    this.indirect = s.indirect;
    this.nextAvail = s.nextAvail & 0xffff;
    this.nextUsed = s.nextUsed & 0xffff;
    this.signalledUsed = s.signalledUsed & 0xffff;
    this.signalledValid = s.signalledValid;
    this.error = s.error;
  }
}

function le32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export interface QueueState {
  size: number;
  ready: boolean;
  desc: number;
  driver: number;
  device: number;
  eventIdx: boolean;
  indirect: boolean;
  nextAvail: number;
  nextUsed: number;
  signalledUsed: number;
  signalledValid: boolean;
  error: string | null;
}
