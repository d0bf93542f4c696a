import { describe, expect, it } from 'vitest';
import { differential } from './run.js';

const PER = Number(process.env.SIMD_ORACLE_CASES ?? 300) * 6;

// Random words over the whole "Data processing -- scalar FP and Advanced SIMD" space: every word
// qemu-aarch64 (cortex-a53) rejects must be UNDEFINED for us, every word it executes must give
// the same registers, flags and FPSR. General-register fields are limited to X0-X7.
describe('random words over the FP/AdvSIMD encoding space against qemu-aarch64', () => {
  const spaces = [
    { name: 'op0 = x0x1, bits 28:25 = 0111', pattern: 'ooo 0111 ooooooooooooooo 00ggg 00ggg' },
    { name: 'op0 = x1x1, bits 28:25 = 1111', pattern: 'ooo 1111 ooooooooooooooo 00ggg 00ggg' },
    { name: 'AdvSIMD scalar (01x11110...)', pattern: '01o 1111 ooooooooooooooo nnnnn ddddd' },
  ];
  for (const [i, t] of spaces.entries()) {
    it(t.name, () => {
      const { failures } = differential([t], PER, 0x5ee9 + i * 7919);
      expect(failures).toEqual([]);
    });
  }
});
