import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AddressSpace, RamRegion } from '@vmapple/core-bus';
import { bench, describe } from 'vitest';
import { AES_BASE, AesReg, AppleAes } from '../src/index.js';

// Engine throughput: AES-CBC over 1 MiB per DATA command, driven through the
// FIFO register and DMA, against node:crypto (OpenSSL, AES-NI) on the same buffers.
const MiB = 1 << 20;
const RAM = 0x4000_0000;
const SRC = RAM;
const DST = RAM + MiB;

const bus = new AddressSpace();
const ram = new RamRegion('ram', 2 * MiB);
bus.mapRam(RAM, ram);
const aes = new AppleAes({ memory: bus });
bus.mapMmio(AES_BASE, aes.region);
const key = new Uint8Array(randomBytes(32));
const iv = new Uint8Array(randomBytes(16));
ram.bytes.set(randomBytes(MiB), 0);
const plain = ram.bytes.subarray(0, MiB);

const le = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const fifo = (w: number) => bus.write(AES_BASE + AesReg.FIFO, 4, w);

function loadKey(encrypt: boolean, keyBytes: number): void {
  const lenCode = keyBytes === 16 ? 0 : keyBytes === 24 ? 1 : 2;
  fifo((0x1001_0000 | (lenCode << 22) | (encrypt ? 1 << 20 : 0)) >>> 0); // KEY slot 0, inline, CBC
  for (let i = 0; i < keyBytes; i += 4) fifo(le(key, i));
  fifo(0x2000_0000);
  for (let i = 0; i < 16; i += 4) fifo(le(iv, i));
}

function data(): void {
  fifo(0x5000_0000 | MiB); // 1 MiB, key slot 0 (the 24-bit length field holds 0x10_0000)
  fifo(0);
  fifo(SRC >>> 0);
  fifo(DST >>> 0);
}

for (const keyBytes of [16, 32]) {
  for (const encrypt of [true, false]) {
    const dir = encrypt ? 'encrypt' : 'decrypt';
    describe(`AES-${keyBytes * 8}-CBC ${dir}, 1 MiB per command`, () => {
      bench(
        'apple-aes (registers + DMA, pure TS)',
        () => data(),
        { setup: () => loadKey(encrypt, keyBytes), time: 1500, warmupTime: 300 },
      );
      bench(
        'node:crypto',
        () => {
          const alg = `aes-${keyBytes * 8}-cbc`;
          const c = encrypt ? createCipheriv(alg, key.subarray(0, keyBytes), iv) : createDecipheriv(alg, key.subarray(0, keyBytes), iv);
          c.setAutoPadding(false);
          ram.bytes.set(c.update(plain), MiB);
          c.final();
        },
        { time: 1500, warmupTime: 300 },
      );
    });
  }
}
