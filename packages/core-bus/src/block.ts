/**
 * A disk image as block devices (virtio-blk, the vmapple backdoor) see it.
 * Synchronous on purpose: an emulator services a request inside one MMIO
 * write, and both Node (fs.*Sync) and browsers (an ArrayBuffer, or OPFS
 * sync access handles in a worker) can implement it. A device never
 * acknowledges a write before `write` returned true.
 */
export interface BlockBackend {
  /** Size in bytes. */
  readonly size: number;
  readonly readOnly: boolean;
  /** Reads `dst.length` bytes at byte `offset`. False on I/O error or out of range. */
  read(offset: number, dst: Uint8Array): boolean;
  /** Writes `src` at byte `offset`. False on I/O error, out of range or read-only. */
  write(offset: number, src: Uint8Array): boolean;
  /** Makes every completed write durable. False on I/O error. */
  flush(): boolean;
}

/** A disk image held in memory (tests, browsers, scratch disks). */
export class MemoryBlockBackend implements BlockBackend {
  readonly bytes: Uint8Array;
  flushes = 0;

  constructor(
    sizeOrBytes: number | Uint8Array,
    readonly readOnly = false,
  ) {
    this.bytes = typeof sizeOrBytes === 'number' ? new Uint8Array(sizeOrBytes) : sizeOrBytes;
  }

  get size(): number {
    return this.bytes.length;
  }

  read(offset: number, dst: Uint8Array): boolean {
    if (!inRange(offset, dst.length, this.size)) return false;
    dst.set(this.bytes.subarray(offset, offset + dst.length));
    return true;
  }

  write(offset: number, src: Uint8Array): boolean {
    if (this.readOnly || !inRange(offset, src.length, this.size)) return false;
    this.bytes.set(src, offset);
    return true;
  }

  flush(): boolean {
    this.flushes++;
    return true;
  }
}

function inRange(offset: number, length: number, size: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0 && offset + length <= size;
}
