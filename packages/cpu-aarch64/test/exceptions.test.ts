import { describe, expect, it } from 'vitest';
import { assemble, CODE_BASE, machine, runSnippet } from './helpers.js';

/**
 * Exception entry and return, checked against the Arm ARM's tables
 * (ESR_ELx EC values, vector offsets, preferred return addresses, SPSR layout).
 * Every vector entry records its offset in x20 and stops the test.
 */
const VECTORS = `
.balign 2048
vectors:
.irp off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
  .balign 128
  mov x20, #\\off
  hvc #0xffff
.endr
`;

function withVectors(body: string): string {
  return `
  adr x0, vectors
  msr vbar_el1, x0
  ${body}
  hvc #0xffff
${VECTORS}`;
}

const EC_SHIFT = 26n;
const IL = 1n << 25n;

describe('synchronous exceptions at EL1', () => {
  it('SVC: EC 0x15 with imm16, ELR = next instruction, vector +0x200 (current EL, SP_ELx)', () => {
    const m = runSnippet(withVectors(`
      msr daifclr, #0
      mov x1, #1
      svc #0x1234
      mov x1, #2`));
    expect(m.cpu.getX(20)).toBe(0x200n);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe((0x15n << EC_SHIFT) | IL | 0x1234n);
    // ELR = address of the instruction after SVC: CODE_BASE + 4 * 5 (adr, msr, msr, mov, svc).
    expect(m.cpu.getSysreg('ELR_EL1')).toBe(BigInt(CODE_BASE + 20));
    expect(m.cpu.getX(1)).toBe(1n);
    // SPSR: EL1h (M = 0b0101) with D, A, I, F masked from reset.
    expect(m.cpu.getSysreg('SPSR_EL1')).toBe(0x3c5n);
    // On entry PSTATE is EL1h with DAIF masked.
    expect(m.cpu.getPstate() & 0x3cf).toBe(0x3c5);
  });

  it('UDF: EC 0x00, ELR = the faulting instruction', () => {
    const m = runSnippet(withVectors(`
      nop
      udf #7`));
    expect(m.cpu.getX(20)).toBe(0x200n);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe(IL);
    expect(m.cpu.getSysreg('ELR_EL1')).toBe(BigInt(CODE_BASE + 12));
  });

  it('BRK: EC 0x3C with the immediate, ELR = the BRK itself', () => {
    const m = runSnippet(withVectors(`brk #0x800`));
    expect(m.cpu.getSysreg('ESR_EL1')).toBe((0x3cn << EC_SHIFT) | IL | 0x800n);
    expect(m.cpu.getSysreg('ELR_EL1')).toBe(BigInt(CODE_BASE + 8));
  });

  it('uses the SP_EL0 vectors (+0x000) when SPSel is 0', () => {
    const m = runSnippet(withVectors(`
      msr spsel, #0
      svc #1`));
    expect(m.cpu.getX(20)).toBe(0x000n);
    expect(m.cpu.getSysreg('SPSR_EL1') & 0xfn).toBe(0x4n);
  });

  it('HLT and unallocated system registers are UNDEFINED', () => {
    const m = runSnippet(withVectors(`mrs x0, s3_4_c15_c2_0`));
    expect(m.cpu.getSysreg('ESR_EL1') >> EC_SHIFT).toBe(0n);
    const h = runSnippet(withVectors(`hlt #0`));
    expect(h.cpu.getSysreg('ESR_EL1') >> EC_SHIFT).toBe(0n);
  });

  it('PC alignment fault (EC 0x22) on a branch to a misaligned address, FAR = target', () => {
    const m = runSnippet(withVectors(`
      adr x2, target
      add x2, x2, #2
      br x2
target:
      nop`));
    expect(m.cpu.getSysreg('ESR_EL1') >> EC_SHIFT).toBe(0x22n);
    expect(m.cpu.getSysreg('FAR_EL1')).toBe(BigInt(CODE_BASE + 20 + 2));
  });
});

describe('EL0 and exception return', () => {
  const toEl0 = (el0Body: string): string =>
    withVectors(`
      adr x0, el0_code
      msr elr_el1, x0
      mov x0, #0            // SPSR: EL0t, interrupts unmasked
      msr spsr_el1, x0
      mov x1, #0x5000
      msr sp_el0, x1
      eret
el0_code:
      ${el0Body}`);

  it('ERET drops to EL0; SVC from EL0 uses the lower-EL vector (+0x400) with SPSR.M = EL0t', () => {
    const m = runSnippet(toEl0(`
      mrs x3, nzcv
      mov x4, sp
      svc #42`));
    expect(m.cpu.getX(20)).toBe(0x400n);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe((0x15n << EC_SHIFT) | IL | 42n);
    expect(m.cpu.getSysreg('SPSR_EL1') & 0x3cfn).toBe(0n);
    expect(m.cpu.getX(4)).toBe(0x5000n);
    expect(m.cpu.getSysreg('SP_EL0')).toBe(0x5000n);
  });

  it('EL0 access to an EL1 register (and HVC) is UNDEFINED, taken to EL1 at +0x400', () => {
    const m = runSnippet(toEl0(`mrs x0, sctlr_el1`));
    expect(m.cpu.getX(20)).toBe(0x400n);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe(IL);
    const h = runSnippet(toEl0(`hvc #1`));
    expect(h.cpu.getSysreg('ESR_EL1')).toBe(IL);
    expect(h.calls).toEqual([]);
  });

  it('EL0 reads of CTR_EL0 trap with EC 0x18 when SCTLR_EL1.UCT is 0, and work when it is 1', () => {
    const m = runSnippet(toEl0(`mrs x5, ctr_el0`));
    // ISS: Op0=3, Op2=1, Op1=3, CRn=0, Rt=5, CRm=0, Direction=1 (read).
    const iss = (3n << 20n) | (1n << 17n) | (3n << 14n) | (5n << 5n) | 1n;
    expect(m.cpu.getSysreg('ESR_EL1')).toBe((0x18n << EC_SHIFT) | IL | iss);
    const ok = runSnippet(`
      mrs x0, sctlr_el1
      orr x0, x0, #(1 << 15)
      msr sctlr_el1, x0
      ${toEl0('mrs x5, ctr_el0\n svc #0')}`);
    expect(ok.cpu.getX(5)).toBe(0x9444c004n);
  });

  it('an illegal exception return (to EL2) sets PSTATE.IL and the next instruction takes EC 0x0E', () => {
    const m = runSnippet(withVectors(`
      adr x0, next
      msr elr_el1, x0
      mov x0, #0x9          // EL2h: not implemented
      msr spsr_el1, x0
      eret
next:
      nop`));
    expect(m.cpu.getSysreg('ESR_EL1') >> EC_SHIFT).toBe(0x0en);
  });
});

describe('HVC and SMC reach the board hooks', () => {
  it('passes imm16 and lets the handler change x0', () => {
    const m = runSnippet(`
      mov x0, #0x84000000
      hvc #3
      mov x1, x0
      hvc #0xffff`, {
      hvc: (cpu, imm) => {
        cpu.setX(0, BigInt(imm) + 100n);
        return true;
      },
    });
    expect(m.calls).toEqual([3]);
    expect(m.cpu.getX(1)).toBe(103n);
  });

  it('SMC without a handler is UNDEFINED', () => {
    const m = runSnippet(withVectors(`smc #0`));
    expect(m.cpu.getSysreg('ESR_EL1')).toBe(IL);
  });
});

describe('FP/SIMD access trap (CPACR_EL1.FPEN)', () => {
  it('traps FP instructions and FP loads with EC 0x07 when FPEN is 0', () => {
    const m = runSnippet(withVectors(`fmov d0, x1`));
    expect(m.cpu.getSysreg('ESR_EL1')).toBe((0x07n << EC_SHIFT) | IL);
    const l = runSnippet(withVectors(`ldr q0, [sp, #-16]`));
    expect(l.cpu.getSysreg('ESR_EL1')).toBe((0x07n << EC_SHIFT) | IL);
  });

  it('executes the moves once FPEN = 0b11', () => {
    const m = runSnippet(`
      mov x0, #(3 << 20)
      msr cpacr_el1, x0
      isb
      ldr x1, =0x0123456789abcdef
      fmov d0, x1
      ins v0.d[1], x1
      mov v1.16b, v0.16b
      umov x2, v1.d[1]
      movi v2.2d, #0xff00ff00ff00ff00
      fmov x3, d2
      dup v3.4s, w1
      mov x4, v3.d[1]
      str q0, [sp, #-16]!
      ldp x5, x6, [sp], #16
      hvc #0xffff`);
    expect(m.cpu.getX(2)).toBe(0x0123456789abcdefn);
    expect(m.cpu.getX(3)).toBe(0xff00ff00ff00ff00n);
    expect(m.cpu.getX(4)).toBe(0x89abcdef89abcdefn);
    expect(m.cpu.getX(5)).toBe(0x0123456789abcdefn);
    expect(m.cpu.getX(6)).toBe(0x0123456789abcdefn);
    expect(m.cpu.getV(1)).toBe((0x0123456789abcdefn << 64n) | 0x0123456789abcdefn);
  });
});

describe('a guest cannot hang the host', () => {
  it('an exception whose vector cannot be fetched still consumes the budget', () => {
    // VBAR_EL1 = 0 and nothing is mapped there: every vector fetch aborts again.
    const m = machine(assemble('udf #0'));
    expect(m.cpu.run(10_000)).toBe('budget');
    expect(m.cpu.getSysreg('ESR_EL1') >> 26n).toBe(0x21n); // instruction abort, same EL
    expect(m.cpu.getSysreg('ESR_EL1') & 0x3fn).toBe(0x10n); // synchronous external abort
  });
});
