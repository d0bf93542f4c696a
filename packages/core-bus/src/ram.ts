/**
 * Guest RAM backed by one ArrayBuffer. The buffer is public on purpose: the
 * CPU's soft TLB and device DMA read and write it directly (zero copy).
 * A fresh ArrayBuffer is zero-filled lazily by the host, so untouched guest
 * RAM costs no host memory on Linux and macOS.
 */
export class RamRegion {
  readonly bytes: Uint8Array;
  readonly view: DataView;

  constructor(
    readonly name: string,
    sizeOrBuffer: number | ArrayBuffer,
  ) {
    if (typeof sizeOrBuffer === 'number') {
      if (!Number.isSafeInteger(sizeOrBuffer) || sizeOrBuffer <= 0) {
        throw new RangeError(`RAM region '${name}': size must be a positive integer, got ${sizeOrBuffer}`);
      }
      this.bytes = new Uint8Array(sizeOrBuffer);
    } else {
      this.bytes = new Uint8Array(sizeOrBuffer);
    }
    this.view = new DataView(this.bytes.buffer);
  }

  get size(): number {
    return this.bytes.length;
  }

  get buffer(): ArrayBuffer {
    return this.bytes.buffer as ArrayBuffer;
  }

  /** Copies `data` in at `offset` (loaders). Throws when it does not fit. */
  load(offset: number, data: Uint8Array): void {
    if (offset < 0 || offset + data.length > this.size) {
      throw new RangeError(
        `RAM region '${this.name}': ${data.length} bytes at offset ${offset} do not fit in ${this.size} bytes`,
      );
    }
    this.bytes.set(data, offset);
  }

  /** Zeroes the whole region. */
  clear(): void {
    this.bytes.fill(0);
  }
}
