import { describe, expect, it } from 'vitest';
import { differential } from './run.js';
import { INTEGER } from './templates.js';

const PER = Number(process.env.SIMD_ORACLE_CASES ?? 300);

describe('AdvSIMD integer groups against qemu-aarch64', () => {
  for (const [i, t] of INTEGER.entries()) {
    it(t.name, () => {
      const { failures } = differential([t], PER, 0x5eed + i * 7919);
      expect(failures).toEqual([]);
    });
  }
});
