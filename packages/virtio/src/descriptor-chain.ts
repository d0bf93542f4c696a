import { type GuestMemory } from '@vmapple/core-bus';

/** One guest buffer of a descriptor chain: `len` bytes at guest-physical `addr`. */
export interface Segment {
  /** Guest-physical address; -1 when the descriptor's address is beyond 2^53 (no access ever succeeds). */
  readonly addr: number;
  readonly len: number;
}

/**
 * A descriptor chain popped from a split virtqueue (virtio 1.2 §2.7.5),
 * already walked and validated: the device-readable buffers in order, then
 * the device-writable ones. Devices reach the bytes only through the copy
 * helpers (or the segment lists), which never touch memory outside the
 * buffers the driver gave.
 */
export class DescriptorChain {
  readonly readable: Segment[] = [];
  readonly writable: Segment[] = [];
  /** Total bytes of the device-readable buffers. */
  readableLength = 0;
  /** Total bytes of the device-writable buffers. */
  writableLength = 0;

  constructor(
    /** Index of the head descriptor: the id the device returns in the used ring. */
    readonly head: number,
  ) {}

  /**
   * Copies `dst.length` bytes of the device-readable buffers, starting
   * `offset` bytes into them, into `dst`. False (dst contents unspecified)
   * when the range runs past the readable buffers or a buffer is not RAM.
   */
  readFrom(mem: GuestMemory, offset: number, dst: Uint8Array): boolean {
    return copy(mem, this.readable, this.readableLength, offset, dst, false);
  }

  /**
   * Copies `src` into the device-writable buffers, starting `offset` bytes
   * into them. False when the range runs past the writable buffers or a
   * buffer is not RAM (earlier buffers may then hold part of `src`).
   */
  writeTo(mem: GuestMemory, offset: number, src: Uint8Array): boolean {
    return copy(mem, this.writable, this.writableLength, offset, src, true);
  }
}

function copy(mem: GuestMemory, segs: Segment[], total: number, offset: number, buf: Uint8Array, toGuest: boolean): boolean {
  if (offset < 0 || offset + buf.length > total) return false;
  let done = 0;
  let skip = offset;
  for (let i = 0; i < segs.length && done < buf.length; i++) {
    const seg = segs[i]!;
    if (skip >= seg.len) {
      skip -= seg.len;
      continue;
    }
    const n = Math.min(seg.len - skip, buf.length - done);
    const part = buf.subarray(done, done + n);
    const at = seg.addr + skip;
    const ok = seg.addr >= 0 && (toGuest ? mem.writeBytes(at, part) : mem.readBytes(at, part));
    if (!ok) return false;
    done += n;
    skip = 0;
  }
  return done === buf.length;
}
