import { describe, expect, it } from 'vitest';
import { cpuState, EXIT, runQemuUser, runSnippet } from './helpers.js';

/** Runs the snippet in both qemu-aarch64 (oracle) and the interpreter and compares x0..x30 and NZCV. */
function agree(src: string, qemuCpu = 'cortex-a53'): void {
  const oracle = runQemuUser(src, qemuCpu);
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

describe('LSE atomics agree with qemu-aarch64 -cpu max', () => {
  const setup = `
      sub sp, sp, #64
      mov x9, sp
      ldr x0, =0x8000000000000005
      ldr x1, =0x7ffffffffffffff0
      stp x0, x1, [x9]
      stp x1, x0, [x9, #16]
      mov x2, #-3
      mov x3, #17
      cmp x3, #1                // known flags (qemu-user starts with Z set)
  `;
  const ops = ['ldadd', 'ldclr', 'ldeor', 'ldset', 'ldsmax', 'ldsmin', 'ldumax', 'ldumin', 'swp'];
  for (const [suffix, reg, off] of [
    ['', 'x', 0],
    ['', 'w', 4],
    ['h', 'w', 2],
    ['b', 'w', 1],
  ] as const) {
    it(`${ops.join('/')}${suffix} (${reg} registers)`, () => {
      const body = ops
        .map((op, k) => {
          const variant = ['', 'a', 'l', 'al'][k % 4]!;
          return `
          ${op}${variant}${suffix} ${reg}2, ${reg}${10 + k}, [x9]
          add x7, x9, #${off}
          ${op}${suffix} ${reg}3, ${reg}${20 + k}, [x7]
          ldr x4, [x9]
          eor x8, x8, x4, ror #${k + 1}`;
        })
        .join('\n');
      agree(`${setup}
${body}
 ldp x5, x6, [x9]
 add sp, sp, #64
 mov x9, #0
 mov x7, #0`, 'max');
    });
  }

  it('CAS/CASP (hit and miss) and the ST* aliases', () => {
    agree(
      `${setup}
      ldr x10, [x9]
      mov x11, #99
      cas x10, x11, [x9]          // hit: stores 99, x10 = old
      cas x10, x11, [x9]          // miss: x10 = 99 (current)
      mov w12, #5
      add x7, x9, #8
      casalb w12, w3, [x7]
      ldp x14, x15, [x9]
      mov x16, #1
      mov x17, #2
      casp x14, x15, x16, x17, [x9]   // hit
      casp x18, x19, x16, x17, [x9]   // miss: x18/x19 = current
      mov w20, #1
      add x7, x9, #16
      caspal w20, w21, w2, w3, [x7]
      stadd x3, [x9]
      add x7, x9, #8
      stsetl w3, [x7]
      ldp x22, x23, [x9]
      ldp x24, x25, [x9, #16]
      add sp, sp, #64
      mov x9, #0
      mov x7, #0`,
      'max',
    );
  });
});
