// Instruction and register generators for the AdvSIMD/FP differential suite.
import { Rng } from '../fp/gen.js';
import type { SimdCase } from './oracle.js';

export { Rng };

/**
 * An encoding pattern, most significant bit first: '0'/'1' fixed, 'g' a bit of a general-register
 * field limited to X0-X7 (write it as "00ggg"), any other letter a random bit.
 */
export function encode(pattern: string, r: Rng): number {
  const p = pattern.replace(/[ _]/g, '');
  if (p.length !== 32) throw new Error(`pattern ${pattern} has ${p.length} bits`);
  let w = 0;
  for (const ch of p) {
    const bit = ch === '0' ? 0 : ch === '1' ? 1 : r.u32() & 1;
    w = ((w << 1) | bit) >>> 0;
  }
  return w >>> 0;
}

const SPECIAL32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x00000001, 0x807fffff, 0x4f000000, 0xcf000000];

/** A 32-bit word biased to lane boundaries and FP specials. */
function word(r: Rng): number {
  switch (r.int(6)) {
    case 0:
      return r.pick(SPECIAL32) >>> 0;
    case 1:
      return (r.u32() & 0x01010101) * r.int(256) >>> 0; // repeated small bytes
    case 2: {
      // bytes drawn from 0, 0xff, 0x80, 0x7f, small
      let v = 0;
      for (let i = 0; i < 4; i++) v = (v << 8) | r.pick([0, 0xff, 0x80, 0x7f, 1, r.int(256)]);
      return v >>> 0;
    }
    case 3: {
      // a float near 1 (exponent 120..134)
      return (((r.u32() & 0x80000000) | ((120 + r.int(15)) << 23) | (r.u32() & 0x7fffff)) >>> 0);
    }
    default:
      return r.u32();
  }
}

/** A double's halves biased to specials and ordinary values. */
function dword(r: Rng, out: Uint32Array, o: number): void {
  switch (r.int(5)) {
    case 0: {
      const hi = r.pick([0, 0x80000000, 0x7ff00000, 0xfff00000, 0x7ff80000, 0x7ff00001, 0x3ff00000, 0xbff00000, 0x43e00000, 0xc3e00000, 0x41e00000, 0x000fffff]);
      out[o] = r.bool() ? 0 : r.u32();
      out[o + 1] = hi >>> 0;
      return;
    }
    case 1:
      out[o] = r.u32();
      out[o + 1] = ((r.u32() & 0x80000000) | ((1016 + r.int(20)) << 20) | (r.u32() & 0xfffff)) >>> 0;
      return;
    default:
      out[o] = word(r);
      out[o + 1] = word(r);
  }
}

/** FPCR: rounding mode, FZ and DN random (AHP too), half the time 0. */
export function fpcr(r: Rng): number {
  if (r.bool()) return 0;
  return ((r.int(4) << 22) | (r.bool() ? 1 << 24 : 0) | (r.bool() ? 1 << 25 : 0) | (r.int(4) === 0 ? 1 << 26 : 0)) >>> 0;
}

/**
 * A random case. `pointers` (a bit mask over X0-X7) makes those registers offsets 0..16 into the
 * 64-byte memory block.
 */
export function randomCase(r: Rng, pattern: string, pointers = 0): SimdCase {
  const v = new Uint8Array(512);
  const w32 = new Uint32Array(v.buffer);
  for (let i = 0; i < 32; i++) {
    const dbl = r.bool();
    for (let k = 0; k < 4; k += 2) {
      if (dbl) dword(r, w32, i * 4 + k);
      else {
        w32[i * 4 + k] = word(r);
        w32[i * 4 + k + 1] = word(r);
      }
    }
  }
  const x = new BigUint64Array(8);
  for (let i = 0; i < 8; i++) {
    const lo = word(r);
    const hi = r.int(4) === 0 ? (r.bool() ? 0xffffffff : 0) : word(r);
    x[i] = (BigInt(hi) << 32n) | BigInt(lo);
  }
  for (let i = 0; i < 8; i++) if ((pointers >>> i) & 1) x[i] = BigInt(r.int(17));
  const mem = new Uint8Array(64);
  for (let i = 0; i < 64; i++) mem[i] = r.u32() & 0xff;
  return { word: encode(pattern, r), fpcr: fpcr(r), nzcv: (r.int(16) << 28) >>> 0, x, v, mem, xrel: pointers };
}
