import { describe, expect, it } from 'vitest';
import { cpuState, EXIT, runQemuUser, runSnippet } from './helpers.js';

/** Runs the snippet in both qemu-aarch64 (oracle) and the interpreter and compares x0..x30 and NZCV. */
function agree(src: string): void {
  const oracle = runQemuUser(src);
  const m = runSnippet(`${src}\n${EXIT}`);
  const ours = cpuState(m.cpu);
  for (let i = 0; i < 31; i++) {
    expect({ reg: `x${i}`, v: ours.x[i]!.toString(16) }).toEqual({ reg: `x${i}`, v: oracle.x[i]!.toString(16) });
  }
  expect(ours.nzcv.toString(16)).toBe(oracle.nzcv.toString(16));
}

describe('integer data processing agrees with qemu-aarch64', () => {
  it('moves, add/sub immediate and flags', () => {
    agree(`
      movz x0, #0x1234, lsl #16
      movk x0, #0xabcd
      movn x1, #0
      mov w2, #-5
      add x3, x0, #0xfff
      sub x4, x0, #1, lsl #12
      adds x5, x1, #1
      subs w6, w2, #10
      cmp x0, x0
      mov x7, #0
      cset x8, eq
      adds w9, w1, #1
    `);
  });
});
