import { describe, expect, it } from 'vitest';
import { differential } from './run.js';
import { FP } from './templates.js';

const PER = Number(process.env.SIMD_ORACLE_CASES ?? 300);

describe('FP scalar and vector groups against qemu-aarch64', () => {
  for (const [i, t] of FP.entries()) {
    it(t.name, () => {
      const { failures } = differential([t], PER, 0xf10a7 + i * 7919);
      expect(failures).toEqual([]);
    });
  }
});
