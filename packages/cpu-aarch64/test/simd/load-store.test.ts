import { describe, expect, it } from 'vitest';
import { differential } from './run.js';
import { LOAD_STORE } from './templates.js';

const PER = Number(process.env.SIMD_ORACLE_CASES ?? 300);

describe('AdvSIMD load/store single structure against qemu-aarch64 (V registers, X base, memory)', () => {
  for (const [i, t] of LOAD_STORE.entries()) {
    it(t.name, () => {
      const { failures } = differential([t], PER, 0x10ad + i * 7919);
      expect(failures).toEqual([]);
    });
  }
});
