/** A growable big-endian byte buffer, the writer's scratch space. */
export class ByteBuffer {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value >>> 0, false);
    this.length += 4;
  }

  u64(value: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, value, false);
    this.length += 8;
  }

  append(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  pad(alignment: number): void {
    const extra = (alignment - (this.length % alignment)) % alignment;
    this.reserve(extra);
    this.bytes.fill(0, this.length, this.length + extra);
    this.length += extra;
  }

  contents(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
