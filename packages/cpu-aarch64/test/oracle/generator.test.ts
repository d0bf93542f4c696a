import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLASSES, generateSequence, pack, validBitmask } from './a64gen.js';
import { objdumpTexts } from './objdump.js';
import { Rng } from './rng.js';

/**
 * The random generator of the differential suite is itself checked against
 * GNU objdump: it must only emit allocated encodings (an unallocated word
 * would make qemu-aarch64 die with SIGILL and hide the rest of a batch).
 */
describe('oracle generator', () => {
  it('emits only encodings GNU objdump decodes, in every class', () => {
    const rng = new Rng(1);
    const env = { scratchSize: 512, poolWords: 8 };
    for (const cls of CLASSES) {
      const words: number[] = [];
      for (let i = 0; i < 200; i++) words.push(...generateSequence(rng, cls, env, 6).words);
      const texts = objdumpTexts(words);
      const bad = words.filter((_, i) => texts[i] === null).map((w) => w.toString(16));
      expect(bad, cls.name).toEqual([]);
    }
  });

  it('validBitmask agrees with objdump on logical immediates (AND Xd/Wd, Xn, #imm)', () => {
    const words: number[] = [];
    const expected: boolean[] = [];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 }), (sf, n, immr, imms) => {
        words.push(pack([sf, 1], [0, 2], [0b100100, 6], [n, 1], [immr, 6], [imms, 6], [1, 5], [2, 5]));
        expected.push(validBitmask(sf, n, imms));
      }),
      { numRuns: 2000, seed: 42 },
    );
    const texts = objdumpTexts(words);
    const disagree = words.filter((_, i) => (texts[i] !== null) !== expected[i]).map((w) => w.toString(16));
    expect(disagree).toEqual([]);
  });
});
