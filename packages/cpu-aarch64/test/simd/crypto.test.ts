import { describe, expect, it } from 'vitest';
import { differential } from './run.js';
import { CRYPTO } from './templates.js';

const PER = Number(process.env.SIMD_ORACLE_CASES ?? 300);

describe('AES, SHA-1, SHA-256 and PMULL instructions against qemu-aarch64', () => {
  for (const [i, t] of CRYPTO.entries()) {
    it(t.name, () => {
      const { failures } = differential([t], PER, 0xc0de + i * 7919);
      expect(failures).toEqual([]);
    });
  }
});
