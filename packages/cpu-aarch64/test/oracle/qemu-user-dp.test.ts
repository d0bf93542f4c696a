import { describe, it } from 'vitest';
import { checkClass, CLASS_TIMEOUT_MS } from './differential.js';

// Data-processing classes against qemu-aarch64 (see differential.ts).
describe('differential vs qemu-aarch64: data processing', () => {
  for (const name of ['dp-immediate', 'dp-register', 'bitfield', 'conditional', 'mul-div', 'crc32', 'system', 'branch']) {
    it(name, () => checkClass(name), CLASS_TIMEOUT_MS);
  }
});
