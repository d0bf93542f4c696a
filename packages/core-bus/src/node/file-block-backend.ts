import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { type BlockBackend } from '../block.js';

/** A disk image in a host file (Node only). */
export class FileBlockBackend implements BlockBackend {
  readonly size: number;
  private fd: number;

  constructor(
    readonly path: string,
    readonly readOnly = false,
  ) {
    this.fd = openSync(path, readOnly ? 'r' : 'r+');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, dst: Uint8Array): boolean {
    if (!this.inRange(offset, dst.length)) return false;
    try {
      let done = 0;
      while (done < dst.length) {
        const n = readSync(this.fd, dst, done, dst.length - done, offset + done);
        if (n <= 0) return false;
        done += n;
      }
      return true;
    } catch {
      return false;
    }
  }

  write(offset: number, src: Uint8Array): boolean {
    if (this.readOnly || !this.inRange(offset, src.length)) return false;
    try {
      let done = 0;
      while (done < src.length) done += writeSync(this.fd, src, done, src.length - done, offset + done);
      return true;
    } catch {
      return false;
    }
  }

  flush(): boolean {
    if (this.readOnly) return true;
    try {
      fsyncSync(this.fd);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private inRange(offset: number, length: number): boolean {
    return this.fd >= 0 && Number.isSafeInteger(offset) && offset >= 0 && offset + length <= this.size;
  }
}
