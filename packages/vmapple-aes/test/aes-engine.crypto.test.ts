import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppleAesOptions } from '../src/index.js';
import { BACKENDS, type Board, dataCmd, keyCmd, leWords, lenCodeFor, makeBoard as makeBaseBoard, RAM_BASE } from './harness.js';
import { FIPS197_C, hexBytes, SP800_38A, toHex } from './vectors.js';

function nodeCrypt(mode: 'ecb' | 'cbc', encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const alg = `aes-${key.length * 8}-${mode}`;
  const c = encrypt ? createCipheriv(alg, key, mode === 'ecb' ? null : iv) : createDecipheriv(alg, key, mode === 'ecb' ? null : iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

const SRC = RAM_BASE + 0x1000;
const DST = RAM_BASE + 0x20_0000;

/** Drives one KEY (inline) + IV + DATA sequence through the FIFO register and returns the DMA result. */
function runThroughDevice(
  board: Board,
  v: { mode: 'ecb' | 'cbc'; encrypt: boolean; key: Uint8Array; iv: Uint8Array; input: Uint8Array },
  src = SRC,
  dst = DST,
): Uint8Array {
  board.bus.writeBytes(src, v.input);
  board.push(keyCmd({ lenCode: lenCodeFor(v.key.length), encrypt: v.encrypt, mode: v.mode === 'cbc' ? 1 : 0 }), ...leWords(v.key));
  board.push(0x2000_0000, ...leWords(v.iv));
  board.push(...dataCmd(v.input.length, src, dst));
  const out = new Uint8Array(v.input.length);
  expect(board.bus.readBytes(dst, out)).toBe(true);
  return out;
}

describe.each(BACKENDS)('$name backend', ({ create }) => {
  const makeBoard = (options: Partial<AppleAesOptions> = {}) => makeBaseBoard({ backend: create(), ...options });

  describe('AES through registers and DMA', () => {
    it.each(FIPS197_C)('FIPS-197 appendix $name', (v) => {
      const board = makeBoard();
      const zero = new Uint8Array(16);
      const ct = runThroughDevice(board, { mode: 'ecb', encrypt: true, key: hexBytes(v.key), iv: zero, input: hexBytes(v.pt) });
      expect(toHex(ct)).toBe(v.ct);
      const pt = runThroughDevice(board, { mode: 'ecb', encrypt: false, key: hexBytes(v.key), iv: zero, input: hexBytes(v.ct) });
      expect(toHex(pt)).toBe(v.pt);
      // §2.5 KEY step 4: QEMU logs a guest error for every word of an incomplete inline key.
      expect(board.guestErrors()).toBe(2 * (hexBytes(v.key).length / 4));
    });

    it.each(FIPS197_C)('FIPS-197 appendix $name in fixed mode (no log noise)', (v) => {
      const board = makeBoard({ quirks: 'fixed' });
      const ct = runThroughDevice(board, { mode: 'ecb', encrypt: true, key: hexBytes(v.key), iv: new Uint8Array(16), input: hexBytes(v.pt) });
      expect(toHex(ct)).toBe(v.ct);
      expect(board.guestErrors()).toBe(0);
    });

    it.each(SP800_38A)('SP 800-38A $name', (v) => {
      const board = makeBoard();
      const out = runThroughDevice(board, { mode: v.mode, encrypt: v.encrypt, key: hexBytes(v.key), iv: hexBytes(v.iv), input: hexBytes(v.input) });
      expect(toHex(out)).toBe(toHex(hexBytes(v.output)));
    });

    it('matches node:crypto on random buffers for every key size, mode and direction', () => {
      const board = makeBoard();
      let trial = 0;
      for (const keyLen of [16, 24, 32]) {
        for (const mode of ['ecb', 'cbc'] as const) {
          for (const encrypt of [true, false]) {
            const key = new Uint8Array(randomBytes(keyLen));
            const iv = new Uint8Array(randomBytes(16));
            const input = new Uint8Array(randomBytes(16 * (1 + ((trial++ * 977) % 4096))));
            expect(toHex(runThroughDevice(board, { mode, encrypt, key, iv, input }))).toBe(toHex(nodeCrypt(mode, encrypt, key, iv, input)));
          }
        }
      }
    });

    it('works in place, with overlapping ranges, and across two RAM regions (bounce path)', () => {
      const board = makeBoard();
      const key = new Uint8Array(randomBytes(32));
      const iv = new Uint8Array(randomBytes(16));
      const input = new Uint8Array(randomBytes(0x2000));
      const expected = nodeCrypt('cbc', false, key, iv, input);
      expect(toHex(runThroughDevice(board, { mode: 'cbc', encrypt: false, key, iv, input }, SRC, SRC))).toBe(toHex(expected));
      // Overlapping but not identical: the result is as if read fully, then written.
      expect(toHex(runThroughDevice(board, { mode: 'cbc', encrypt: false, key, iv, input }, SRC, SRC + 0x30))).toBe(toHex(expected));
      expect(toHex(runThroughDevice(board, { mode: 'cbc', encrypt: false, key, iv, input }, SRC + 0x30, SRC))).toBe(toHex(expected));
      // Unaligned guest addresses.
      expect(toHex(runThroughDevice(board, { mode: 'cbc', encrypt: false, key, iv, input }, SRC + 3, DST + 5))).toBe(toHex(expected));
    });

    it('a bounced DATA larger than the kept bounce buffer (1 MiB + 16, overlapping)', () => {
      const board = makeBoard();
      const key = new Uint8Array(randomBytes(24));
      const iv = new Uint8Array(randomBytes(16));
      const input = new Uint8Array(randomBytes((1 << 20) + 16));
      const expected = nodeCrypt('cbc', true, key, iv, input);
      const out = runThroughDevice(board, { mode: 'cbc', encrypt: true, key, iv, input }, RAM_BASE + 0x10_0000, RAM_BASE + 0x10_0010);
      expect(Buffer.compare(out, expected)).toBe(0);
    });

    it('aliased RAM: the same host bytes at two guest addresses, overlapping by 16 bytes', async () => {
      const { AddressSpace, RamRegion } = await import('@vmapple/core-bus');
      const { AppleAes } = await import('../src/index.js');
      const bus = new AddressSpace();
      const ram = new RamRegion('ram', 0x4000);
      bus.mapRam(0x1000_0000, ram);
      bus.mapRam(0x2000_0000, ram); // alias
      const aes = new AppleAes({ memory: bus, backend: create() });
      const key = new Uint8Array(randomBytes(16));
      const iv = new Uint8Array(randomBytes(16));
      const input = new Uint8Array(randomBytes(0x100));
      bus.writeBytes(0x1000_0000, input);
      const w = (x: number) => aes.region.write(0x200, 4, x);
      [keyCmd({ mode: 1 }), ...leWords(key), 0x2000_0000, ...leWords(iv), ...dataCmd(0x100, 0x1000_0000, 0x2000_0010)].forEach(w);
      const out = new Uint8Array(0x100);
      bus.readBytes(0x1000_0010, out);
      expect(toHex(out)).toBe(toHex(nodeCrypt('cbc', false, key, iv, input)));
    });

    it('DMA spanning two adjacent RAM regions', async () => {
      const { AddressSpace, RamRegion } = await import('@vmapple/core-bus');
      const { AppleAes } = await import('../src/index.js');
      const bus = new AddressSpace();
      bus.mapRam(0x1000_0000, new RamRegion('a', 0x1000));
      bus.mapRam(0x1000_1000, new RamRegion('b', 0x1000));
      const aes = new AppleAes({ memory: bus, backend: create() });
      const key = new Uint8Array(randomBytes(16));
      const input = new Uint8Array(randomBytes(0x200));
      bus.writeBytes(0x1000_0f00, input);
      const w = (x: number) => aes.region.write(0x200, 4, x);
      [keyCmd({ encrypt: true }), ...leWords(key), ...dataCmd(0x200, 0x1000_0f00, 0x1000_0f80)].forEach(w);
      const out = new Uint8Array(0x200);
      bus.readBytes(0x1000_0f80, out);
      expect(toHex(out)).toBe(toHex(nodeCrypt('ecb', true, key, new Uint8Array(16), input)));
    });

    it('restarts CBC from the stored IV on every DATA command (the IV slot is not updated)', () => {
      const board = makeBoard();
      const key = new Uint8Array(randomBytes(16));
      const iv = new Uint8Array(randomBytes(16));
      const input = new Uint8Array(randomBytes(64));
      board.bus.writeBytes(SRC, input);
      board.push(keyCmd({ encrypt: true, mode: 1 }), ...leWords(key), 0x2000_0000, ...leWords(iv));
      board.push(...dataCmd(32, SRC, DST), ...dataCmd(32, SRC + 32, DST + 32));
      const out = new Uint8Array(64);
      board.bus.readBytes(DST, out);
      const expected = new Uint8Array(64);
      expected.set(nodeCrypt('cbc', true, key, iv, input.subarray(0, 32)), 0);
      expected.set(nodeCrypt('cbc', true, key, iv, input.subarray(32)), 32);
      expect(toHex(out)).toBe(toHex(expected));
    });
  });
});
