import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AesBlockMode, SoftAesBackend } from '../src/index.js';
import { FIPS197_C, hexBytes, SP800_38A, toHex } from './vectors.js';

function nodeCrypt(mode: AesBlockMode, encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const alg = `aes-${key.length * 8}-${mode}`;
  const c = encrypt ? createCipheriv(alg, key, mode === 'ecb' ? null : iv) : createDecipheriv(alg, key, mode === 'ecb' ? null : iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

function soft(mode: AesBlockMode, encrypt: boolean, key: Uint8Array, iv: Uint8Array, src: Uint8Array, dst = new Uint8Array(src.length)) {
  expect(new SoftAesBackend().crypt({ mode, encrypt, key, iv, src, dst })).toBe(true);
  return dst;
}

describe('the typed-in vectors agree with node:crypto', () => {
  it.each(SP800_38A)('$name', (v) => {
    expect(toHex(nodeCrypt(v.mode, v.encrypt, hexBytes(v.key), hexBytes(v.iv), hexBytes(v.input)))).toBe(toHex(hexBytes(v.output)));
  });
});

describe('SoftAesBackend', () => {
  it.each(FIPS197_C)('FIPS-197 appendix $name, both directions', (v) => {
    const zero = new Uint8Array(16);
    expect(toHex(soft('ecb', true, hexBytes(v.key), zero, hexBytes(v.pt)))).toBe(v.ct);
    expect(toHex(soft('ecb', false, hexBytes(v.key), zero, hexBytes(v.ct)))).toBe(v.pt);
  });

  it.each(SP800_38A)('SP 800-38A $name', (v) => {
    expect(toHex(soft(v.mode, v.encrypt, hexBytes(v.key), hexBytes(v.iv), hexBytes(v.input)))).toBe(toHex(hexBytes(v.output)));
  });

  it('matches node:crypto on random buffers, in place and out of place, aligned and not', () => {
    const backend = new SoftAesBackend();
    for (let trial = 0; trial < 120; trial++) {
      const keyLen = [16, 24, 32][trial % 3]!;
      const mode: AesBlockMode = trial % 2 ? 'cbc' : 'ecb';
      const encrypt = trial % 4 < 2;
      const key = new Uint8Array(randomBytes(keyLen));
      const iv = new Uint8Array(randomBytes(16));
      const blocks = 1 + ((trial * 37) % 700); // crosses the 4 KiB chunk of the copying path
      const data = new Uint8Array(randomBytes(blocks * 16));
      const expected = nodeCrypt(mode, encrypt, key, iv, data);
      const srcShift = trial % 5 === 0 ? 1 : trial % 5 === 1 ? 2 : 0;
      const dstShift = trial % 7 === 0 ? 3 : 0;
      const srcBuf = new Uint8Array(data.length + 8);
      srcBuf.set(data, srcShift);
      const src = srcBuf.subarray(srcShift, srcShift + data.length);
      const inPlace = trial % 3 === 0;
      const dst = inPlace ? src : new Uint8Array(data.length + 8).subarray(dstShift, dstShift + data.length);
      const ivCopy = iv.slice();
      expect(backend.crypt({ mode, encrypt, key, iv, src, dst })).toBe(true);
      expect(toHex(dst)).toBe(toHex(expected));
      expect(iv).toEqual(ivCopy);
    }
  });

  it('refuses bad key lengths and partial blocks', () => {
    const b = new SoftAesBackend();
    const iv = new Uint8Array(16);
    expect(b.crypt({ mode: 'ecb', encrypt: true, key: new Uint8Array(20), iv, src: new Uint8Array(16), dst: new Uint8Array(16) })).toBe(false);
    expect(b.crypt({ mode: 'ecb', encrypt: true, key: new Uint8Array(16), iv, src: new Uint8Array(15), dst: new Uint8Array(15) })).toBe(false);
  });
});
