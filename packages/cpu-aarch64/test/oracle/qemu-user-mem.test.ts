import { describe, it } from 'vitest';
import { checkClass, CLASS_TIMEOUT_MS } from './differential.js';

// Load/store classes and a mix of everything against qemu-aarch64 (see differential.ts).
describe('differential vs qemu-aarch64: loads and stores', () => {
  for (const name of ['ldst-immediate', 'ldst-register', 'ldst-pair', 'ldst-literal', 'ldst-exclusive', 'mixed']) {
    it(name, () => checkClass(name), CLASS_TIMEOUT_MS);
  }
});
