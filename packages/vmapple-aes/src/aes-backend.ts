import { AesKeySchedule, aesWords } from './aes-cipher.js';

export type AesBlockMode = 'ecb' | 'cbc';

/** One DATA command's worth of work for an `AesBackend`. */
export interface AesRequest {
  mode: AesBlockMode;
  encrypt: boolean;
  /** 16, 24 or 32 bytes. */
  key: Uint8Array;
  /** 16 bytes; used in CBC mode only and never modified. */
  iv: Uint8Array;
  /** Input; its length is a multiple of 16. */
  src: Uint8Array;
  /**
   * Output, as long as `src`. It is either the very same bytes as `src`
   * (in-place) or does not overlap it.
   */
  dst: Uint8Array;
}

/**
 * The cipher behind the AES engine. Synchronous: the device completes a
 * command inside the MMIO write that queues its last word. Return false if
 * the request cannot be served (the device treats it as a cipher failure).
 */
export interface AesBackend {
  crypt(request: AesRequest): boolean;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Blocks per chunk on the copying path (unaligned buffers or a big-endian host). */
const CHUNK_WORDS = 1024;

/** The default backend: the pure-TypeScript table-driven AES of this package. */
export class SoftAesBackend implements AesBackend {
  private readonly lastKey = new Uint8Array(32);
  private lastKeyLength = 0;
  private schedule: AesKeySchedule | null = null;
  private readonly chain = new Int32Array(4);
  private readonly scratch = new Int32Array(CHUNK_WORDS);

  crypt(req: AesRequest): boolean {
    const { key, src, dst } = req;
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) return false;
    if (src.length % 16 !== 0 || dst.length !== src.length || req.iv.length !== 16) return false;
    const ks = this.scheduleFor(key);
    const cbc = req.mode === 'cbc';
    const chain = this.chain;
    const iv = req.iv;
    for (let i = 0; i < 4; i++) chain[i] = iv[4 * i]! | (iv[4 * i + 1]! << 8) | (iv[4 * i + 2]! << 16) | (iv[4 * i + 3]! << 24);
    if (LITTLE_ENDIAN && src.byteOffset % 4 === 0 && dst.byteOffset % 4 === 0) {
      const words = src.length >>> 2;
      const s = new Int32Array(src.buffer, src.byteOffset, words);
      const d = new Int32Array(dst.buffer, dst.byteOffset, words);
      aesWords(ks, req.encrypt, cbc, chain, s, 0, d, 0, words >>> 2);
      return true;
    }
    // Copying path: pack bytes into aligned words chunk by chunk (endian-neutral).
    const w = this.scratch;
    for (let at = 0; at < src.length; at += CHUNK_WORDS * 4) {
      const n = Math.min(CHUNK_WORDS * 4, src.length - at);
      for (let i = 0; i < n; i += 4) {
        const b = at + i;
        w[i >>> 2] = src[b]! | (src[b + 1]! << 8) | (src[b + 2]! << 16) | (src[b + 3]! << 24);
      }
      aesWords(ks, req.encrypt, cbc, chain, w, 0, w, 0, n >>> 4);
      for (let i = 0; i < n; i += 4) {
        const v = w[i >>> 2]!;
        const b = at + i;
        dst[b] = v;
        dst[b + 1] = v >>> 8;
        dst[b + 2] = v >>> 16;
        dst[b + 3] = v >>> 24;
      }
    }
    return true;
  }

  /** Re-expands the key only when it changed since the last request. */
  private scheduleFor(key: Uint8Array): AesKeySchedule {
    let same = this.schedule !== null && key.length === this.lastKeyLength;
    for (let i = 0; same && i < key.length; i++) same = key[i] === this.lastKey[i];
    if (!same || this.schedule === null) {
      this.schedule = new AesKeySchedule(key);
      this.lastKey.set(key);
      this.lastKeyLength = key.length;
    }
    return this.schedule;
  }
}
