import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AesBlockMode, type AesRequest, SoftAesBackend } from '../src/index.js';
import { NodeCryptoAesBackend } from '../src/node/index.js';
import { type Board, dataCmd, keyCmd, leWords, lenCodeFor, makeBoard, RAM_BASE, RAM_SIZE } from './harness.js';
import { FIPS197_C, hexBytes, SP800_38A, toHex } from './vectors.js';

/** The oracle: one-shot node:crypto on copied buffers, independent of the backend's slicing. */
function nodeCrypt(mode: AesBlockMode, encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const alg = `aes-${key.length * 8}-${mode}`;
  const c = encrypt ? createCipheriv(alg, key, mode === 'ecb' ? null : iv) : createDecipheriv(alg, key, mode === 'ecb' ? null : iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(Buffer.from(data)), c.final()]));
}

/** -1 if equal (without hex-dumping megabytes), else the first differing offset (-2: lengths differ). */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -2;
  return Buffer.compare(a, b) === 0 ? -1 : a.findIndex((x, i) => x !== b[i]);
}

const KEY_LENGTHS = [16, 24, 32] as const;
const MODES = ['ecb', 'cbc'] as const;

describe('NodeCryptoAesBackend (the AesBackend interface)', () => {
  it.each(FIPS197_C)('FIPS-197 appendix $name, both directions', (v) => {
    const b = new NodeCryptoAesBackend();
    const iv = new Uint8Array(16);
    const ct = new Uint8Array(16);
    expect(b.crypt({ mode: 'ecb', encrypt: true, key: hexBytes(v.key), iv, src: hexBytes(v.pt), dst: ct })).toBe(true);
    expect(toHex(ct)).toBe(v.ct);
    const pt = new Uint8Array(16);
    expect(b.crypt({ mode: 'ecb', encrypt: false, key: hexBytes(v.key), iv, src: hexBytes(v.ct), dst: pt })).toBe(true);
    expect(toHex(pt)).toBe(v.pt);
  });

  it.each(SP800_38A)('SP 800-38A $name', (v) => {
    const input = hexBytes(v.input);
    const dst = new Uint8Array(input.length);
    expect(new NodeCryptoAesBackend().crypt({ mode: v.mode, encrypt: v.encrypt, key: hexBytes(v.key), iv: hexBytes(v.iv), src: input, dst })).toBe(true);
    expect(toHex(dst)).toBe(toHex(hexBytes(v.output)));
  });

  it('agrees with SoftAesBackend and node:crypto: every key size, mode and direction, in place or not, aligned or not, across slices', () => {
    const node = new NodeCryptoAesBackend();
    const soft = new SoftAesBackend();
    let trial = 0;
    for (const keyLen of KEY_LENGTHS) {
      for (const mode of MODES) {
        for (const encrypt of [true, false]) {
          for (const inPlace of [false, true]) {
            trial++;
            const key = new Uint8Array(randomBytes(keyLen));
            const iv = new Uint8Array(randomBytes(16));
            // Sizes from one block to past two 256 KiB update() slices, never a whole number of slices.
            const blocks = [1, 7, 16_387, 32_771][trial % 4]!;
            const data = new Uint8Array(randomBytes(16 * blocks));
            const srcShift = trial % 3; // 0, 1 or 2 bytes off a word boundary
            const dstShift = (trial * 5) % 4;
            const place = (shift: number) => {
              const buf = new Uint8Array(data.length + 8);
              buf.set(data, shift);
              return buf.subarray(shift, shift + data.length);
            };
            const srcN = place(srcShift);
            const dstN = inPlace ? srcN : new Uint8Array(data.length + 8).subarray(dstShift, dstShift + data.length);
            const srcS = place(srcShift);
            const dstS = inPlace ? srcS : new Uint8Array(data.length + 8).subarray(dstShift, dstShift + data.length);
            const ivCopy = iv.slice();
            const req = (src: Uint8Array, dst: Uint8Array): AesRequest => ({ mode, encrypt, key, iv, src, dst });
            expect(node.crypt(req(srcN, dstN))).toBe(true);
            expect(soft.crypt(req(srcS, dstS))).toBe(true);
            const expected = nodeCrypt(mode, encrypt, key, iv, data);
            expect(firstDiff(dstN, expected)).toBe(-1);
            expect(firstDiff(dstS, expected)).toBe(-1);
            expect(iv).toEqual(ivCopy);
            if (!inPlace) expect(firstDiff(srcN, data)).toBe(-1);
          }
        }
      }
    }
  });

  it('refuses bad key lengths, partial blocks, mismatched lengths and bad IVs without throwing, leaving dst alone', () => {
    const b = new NodeCryptoAesBackend();
    const iv = new Uint8Array(16);
    const dst = new Uint8Array(32).fill(0xa5);
    const bad: AesRequest[] = [
      { mode: 'ecb', encrypt: true, key: new Uint8Array(20), iv, src: new Uint8Array(16), dst: dst.subarray(0, 16) },
      { mode: 'cbc', encrypt: false, key: new Uint8Array(0), iv, src: new Uint8Array(16), dst: dst.subarray(0, 16) },
      { mode: 'ecb', encrypt: true, key: new Uint8Array(16), iv, src: new Uint8Array(15), dst: dst.subarray(0, 15) },
      { mode: 'ecb', encrypt: true, key: new Uint8Array(16), iv, src: new Uint8Array(16), dst },
      { mode: 'cbc', encrypt: true, key: new Uint8Array(16), iv: new Uint8Array(8), src: new Uint8Array(16), dst: dst.subarray(0, 16) },
      { mode: 'ctr' as AesBlockMode, encrypt: true, key: new Uint8Array(16), iv, src: new Uint8Array(16), dst: dst.subarray(0, 16) },
    ];
    for (const r of bad) expect(b.crypt(r)).toBe(false);
    expect(dst.every((x) => x === 0xa5)).toBe(true);
    // An empty request is a valid no-op.
    expect(b.crypt({ mode: 'cbc', encrypt: true, key: new Uint8Array(16), iv, src: new Uint8Array(0), dst: new Uint8Array(0) })).toBe(true);
  });
});

describe('the device with the node:crypto backend against the pure-TS backend (registers + DMA)', () => {
  /** One KEY (inline) + IV + DATA through the FIFO register; returns the destination bytes read back by DMA. */
  function run(
    b: Board,
    v: { mode: AesBlockMode; encrypt: boolean; key: Uint8Array; iv: Uint8Array; input: Uint8Array },
    src: number,
    dst: number,
  ): Uint8Array {
    expect(b.bus.writeBytes(src, v.input)).toBe(true);
    b.push(keyCmd({ lenCode: lenCodeFor(v.key.length), encrypt: v.encrypt, mode: v.mode === 'cbc' ? 1 : 0 }), ...leWords(v.key));
    b.push(0x2000_0000, ...leWords(v.iv));
    b.push(...dataCmd(v.input.length, src, dst));
    const out = new Uint8Array(v.input.length);
    expect(b.bus.readBytes(dst, out)).toBe(true);
    return out;
  }

  it('every key size, mode and direction; in place, disjoint, overlapping and unaligned guest buffers', () => {
    const node = makeBoard({ backend: new NodeCryptoAesBackend(), quirks: 'fixed' });
    const soft = makeBoard({ backend: new SoftAesBackend(), quirks: 'fixed' });
    // [src offset, dst offset] in RAM: disjoint aligned, in place, unaligned (zero-copy: the backend
    // sees unaligned views), overlapping both ways (the device bounces), and in place unaligned.
    const placements = [
      [0x1000, 0x20_0000],
      [0x1000, 0x1000],
      [0x1003, 0x20_0005],
      [0x1000, 0x1030],
      [0x1030, 0x1000],
      [0x1001, 0x1001],
    ] as const;
    let trial = 0;
    for (const keyLen of KEY_LENGTHS) {
      for (const mode of MODES) {
        for (const encrypt of [true, false]) {
          for (const [s, d] of placements) {
            trial++;
            const v = {
              mode,
              encrypt,
              key: new Uint8Array(randomBytes(keyLen)),
              iv: new Uint8Array(randomBytes(16)),
              input: new Uint8Array(randomBytes(16 * (1 + ((trial * 1013) % 9000)))),
            };
            const expected = nodeCrypt(mode, encrypt, v.key, v.iv, v.input);
            expect(firstDiff(run(node, v, RAM_BASE + s, RAM_BASE + d), expected)).toBe(-1);
            expect(firstDiff(run(soft, v, RAM_BASE + s, RAM_BASE + d), expected)).toBe(-1);
          }
        }
      }
    }
    expect(node.guestErrors()).toBe(0);
    expect(soft.guestErrors()).toBe(0);
  });

  it('a 1 MiB CBC DATA in place in RAM, as the benchmark runs it', () => {
    const b = makeBoard({ backend: new NodeCryptoAesBackend() });
    const v = { mode: 'cbc' as const, encrypt: false, key: new Uint8Array(randomBytes(32)), iv: new Uint8Array(randomBytes(16)), input: new Uint8Array(randomBytes(1 << 20)) };
    const expected = nodeCrypt('cbc', false, v.key, v.iv, v.input);
    const addr = RAM_BASE + RAM_SIZE - (1 << 20);
    expect(firstDiff(run(b, v, addr, addr), expected)).toBe(-1);
  });

  it('a DATA the backend refuses (no key loaded) is a guest error and leaves memory untouched', () => {
    const b = makeBoard({ backend: new NodeCryptoAesBackend(), quirks: 'fixed' });
    const data = new Uint8Array(randomBytes(64));
    b.bus.writeBytes(RAM_BASE + 0x1000, data);
    b.push(...dataCmd(64, RAM_BASE + 0x1000, RAM_BASE + 0x1000));
    expect(b.guestErrors()).toBe(1);
    const out = new Uint8Array(64);
    b.bus.readBytes(RAM_BASE + 0x1000, out);
    expect(toHex(out)).toBe(toHex(data));
  });
});
