import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AesReg, type AppleAesOptions } from '../src/index.js';
import { BACKENDS, makeBoard as makeBaseBoard, RAM_BASE } from './harness.js';

/** Words biased towards real opcodes and towards addresses inside the test RAM. */
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0x0fff_ffff })).map(([op, rest]) => ((op << 28) | rest) >>> 0),
  fc.integer({ min: 0, max: 0x3f_fff0 }).map((off) => (RAM_BASE + off) >>> 0),
  fc.constantFrom(0x1110_0000, 0x1191_0000, 0x1181_0000, 0x2000_0000, 0x5000_0040, 0x5000_0000, 0x6000_0000, 0x0000_0001),
);

const access = fc.oneof(
  { weight: 6, arbitrary: word.map((v) => ({ off: AesReg.FIFO, v })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 0, max: 0xffff_ffff })).map(([o, v]) => ({ off: o * 4, v })) },
);

describe.each(BACKENDS)('$name backend', ({ create }) => {
  const makeBoard = (options: Partial<AppleAesOptions> = {}) => makeBaseBoard({ backend: create(), ...options });

  describe('register fuzzing', () => {
    it.each(['qemu', 'fixed'] as const)('random register writes never throw and the IRQ line follows STATUS & ENABLE (%s)', (quirks) => {
      fc.assert(
        fc.property(fc.array(access, { maxLength: 60 }), (ops) => {
          const b = makeBoard({ quirks });
          for (const { off, v } of ops) {
            b.setReg(off, v);
            expect(b.irq.level).toBe((b.reg(AesReg.IRQ_STATUS) & b.reg(AesReg.IRQ_ENABLE)) !== 0);
          }
          expect(b.reg(AesReg.STATUS)).toBe(0x3f80);
          expect(b.reg(AesReg.Q_STATUS)).toBe(2);
        }),
        { numRuns: 300 },
      );
    }, 30_000);

    it('fixed mode never wedges: after any word sequence, at most 9 FLAG words get a FLAG executed', () => {
      fc.assert(
        fc.property(fc.array(word, { maxLength: 40 }), fc.integer({ min: 0, max: 0xff }), (words, tag) => {
          const b = makeBoard({ quirks: 'fixed' });
          b.push(...words);
          // A FLAG_INFO value the words did not leave behind, so a match proves a new FLAG ran.
          const info = tag === b.reg(AesReg.FLAG_INFO) ? (tag + 1) & 0xff : tag;
          let ran = false;
          for (let i = 0; i < 9 && !ran; i++) {
            b.push((0x8000_0000 | info) >>> 0);
            ran = b.reg(AesReg.FLAG_INFO) === info;
          }
          expect(ran).toBe(true);
          // And the FIFO is empty now: the very next FLAG runs at once.
          b.push(0x8000_0000 | ((info + 1) & 0xff));
          expect(b.reg(AesReg.FLAG_INFO)).toBe((info + 1) & 0xff);
        }),
        { numRuns: 400 },
      );
    }, 30_000);

    it('QEMU mode wedges for good once an unsupported opcode reaches the head of the FIFO', () => {
      const badOp = fc.constantFrom(0x0, 0x3, 0x4, 0x7, 0x9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf);
      fc.assert(
        fc.property(badOp, fc.integer({ min: 0, max: 0x0fff_ffff }), fc.array(word, { maxLength: 20 }), (op, rest, words) => {
          const b = makeBoard();
          b.push(((op << 28) | rest) >>> 0, ...words, 0x8800_0055);
          expect(b.reg(AesReg.FLAG_INFO)).toBe(0);
          expect(b.reg(AesReg.IRQ_STATUS) & 0x04).toBe(0x04);
        }),
        { numRuns: 200 },
      );
    }, 30_000);
  });
});
