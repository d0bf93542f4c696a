import { describe, expect, it } from 'vitest';
import { buildOracle } from './oracle.js';

describe('FP oracle tooling', () => {
  it('fails (does not skip) with an install hint when the cross compiler or qemu is missing', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent-fp-oracle-path';
    try {
      expect(() => buildOracle([{ asm: 'fadd s3, s0, s1' }])).toThrow(/apt-get install -y qemu-user gcc-aarch64-linux-gnu/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
