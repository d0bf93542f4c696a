import { sysregEncoding, type SysregValue } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID, InterpreterCpu } from '../src/index.js';
import { assemble, machine, runSnippet } from './helpers.js';

const VECTORS = `
.balign 2048
vectors:
.irp off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
  .balign 128
  mov x20, #\\off
  hvc #0xffff
.endr
`;

describe('exclusives', () => {
  it('LDXR/STXR succeed as a pair; STXR without a reservation (or after CLREX) fails', () => {
    const m = runSnippet(`
      sub x9, sp, #64
      mov x1, #5
      str x1, [x9]
      ldxr x2, [x9]
      add x2, x2, #1
      stxr w3, x2, [x9]       // 0: success
      ldr x4, [x9]
      stxr w5, x2, [x9]       // 1: no reservation
      ldaxr w6, [x9]
      clrex
      stlxr w7, w6, [x9]      // 1: cleared
      ldxp x10, x11, [x9]
      stxp w12, x11, x10, [x9] // 0
      hvc #0xffff`);
    expect(m.cpu.getX(3)).toBe(0n);
    expect(m.cpu.getX(4)).toBe(6n);
    expect(m.cpu.getX(5)).toBe(1n);
    expect(m.cpu.getX(7)).toBe(1n);
    expect(m.cpu.getX(12)).toBe(0n);
  });

  it('a misaligned exclusive is an alignment fault (DFSC 0b100001)', () => {
    const m = machine(
      assemble(`
      adr x0, vectors
      msr vbar_el1, x0
      sub x9, sp, #63
      ldxr x2, [x9]
      hvc #0xffff
${VECTORS}`),
    );
    expect(m.cpu.run(1000)).toBe('exit');
    expect(m.cpu.getX(20)).toBe(0x200n);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe((0x25n << 26n) | (1n << 25n) | 0x21n);
  });
});

describe('instruction cache maintenance', () => {
  it('IC IVAU and IC IALLU make rewritten code visible to the decoded-page cache', () => {
    const movX0_2 = 0xd2800040; // mov x0, #2 (checked with aarch64-linux-gnu-objdump)
    const movX0_3 = 0xd2800060; // mov x0, #3
    const m = runSnippet(`
      adr x9, f
      bl f
      mov x1, x0                // 1
      ldr w2, =${movX0_2}
      str w2, [x9]
      dc cvau, x9
      dsb ish
      ic ivau, x9
      dsb ish
      isb
      bl f
      mov x3, x0                // 2
      ldr w2, =${movX0_3}
      str w2, [x9]
      ic iallu
      dsb ish
      isb
      bl f
      mov x4, x0                // 3
      hvc #0xffff
f:
      mov x0, #1
      ret`);
    expect(m.cpu.getX(1)).toBe(1n);
    expect(m.cpu.getX(3)).toBe(2n);
    expect(m.cpu.getX(4)).toBe(3n);
  });

  it('DC ZVA zeroes the 64-byte block containing the address', () => {
    const m = runSnippet(`
      sub x9, sp, #256
      mov x1, #-1
      .irp off, 0, 8, 16, 24, 32, 40, 48, 56, 64
      str x1, [x9, #\\off]
      .endr
      add x2, x9, #24
      dc zva, x2
      ldr x3, [x9]
      ldr x4, [x9, #56]
      ldr x5, [x9, #64]
      mrs x6, dczid_el0
      hvc #0xffff`);
    expect(m.cpu.getX(3)).toBe(0n);
    expect(m.cpu.getX(4)).toBe(0n);
    expect(m.cpu.getX(5)).toBe(0xffff_ffff_ffff_ffffn);
    expect(m.cpu.getX(6)).toBe(4n);
  });
});

describe('system registers', () => {
  it('ID registers report a plain ARMv8.0 Cortex-A53 and unallocated ID space reads as zero', () => {
    const m = runSnippet(`
      mrs x0, midr_el1
      mrs x1, id_aa64pfr0_el1
      mrs x2, id_aa64isar0_el1
      mrs x3, id_aa64mmfr0_el1
      mrs x4, s3_0_c0_c7_3      // ID_AA64MMFR3_EL1 (not in ARMv8.0): RAZ
      mrs x5, mpidr_el1
      mrs x6, currentel
      mrs x7, id_aa64mmfr1_el1
      hvc #0xffff`);
    expect(m.cpu.getX(0)).toBe(0x410fd034n);
    expect(m.cpu.getX(1)).toBe(ID.ID_AA64PFR0_EL1);
    expect(m.cpu.getX(2)).toBe(0x211120n); // AES+PMULL, SHA1, SHA2, CRC32, LSE atomics (Arm ARM ID_AA64ISAR0_EL1 fields)
    expect(m.cpu.getX(3)).toBe(0x0f000025n);
    expect(m.cpu.getX(4)).toBe(0n);
    expect(m.cpu.getX(5)).toBe(0x80000000n);
    expect(m.cpu.getX(6)).toBe(4n); // EL1
    expect(m.cpu.getX(7)).toBe(0n);
  });

  it('MRS of SP_EL0 and TPIDR_EL1 (inline at EL1) read the banked SP and the register, whatever SPSel', () => {
    const m = runSnippet(`
      mov x9, sp                 // SP_EL1 (SPSel = 1)
      movz x1, #0x1234
      msr sp_el0, x1
      movz x2, #0xbeef, lsl #16
      msr tpidr_el1, x2
      mrs x3, sp_el0             // SPSel = 1: the banked SP_EL0
      mrs x4, tpidr_el1
      mrs xzr, tpidr_el1         // to XZR: discarded
      msr spsel, #0
      mov x5, sp                 // now SP is SP_EL0
      mrs x6, sp_el0             // SPSel = 0: the current SP
      msr spsel, #1
      mov x7, sp
      hvc #0xffff`);
    expect(m.cpu.getX(3)).toBe(0x1234n);
    expect(m.cpu.getX(4)).toBe(0xbeef_0000n);
    expect(m.cpu.getX(5)).toBe(0x1234n);
    expect(m.cpu.getX(6)).toBe(0x1234n);
    expect(m.cpu.getX(7)).toBe(m.cpu.getX(9));
    expect(m.cpu.getX(31)).toBe(0n);
  });

  it('MPIDR affinity: Aff0 = index % 16, Aff1 = index / 16', () => {
    const m = machine(assemble('hvc #0xffff'));
    const cpu = new InterpreterCpu({ memory: m.mem, clock: m.clock, index: 35 });
    expect(cpu.getSysreg('MPIDR_EL1')).toBe(0x80000203n);
  });

  it('registers the CPU does not own go to the board handler; refused ones are UNDEFINED', () => {
    const pmr = sysregEncoding(3, 0, 4, 6, 0);
    const seen: string[] = [];
    let stored = 0;
    const handler = {
      readSysreg(cpu: number, enc: number, out: SysregValue): boolean {
        seen.push(`r${cpu}:${enc}`);
        if (enc !== pmr) return false;
        out.lo = stored;
        out.hi = 0;
        return true;
      },
      writeSysreg(cpu: number, enc: number, lo: number): boolean {
        seen.push(`w${cpu}:${enc}`);
        if (enc !== pmr) return false;
        stored = lo;
        return true;
      },
    };
    const m = runSnippet(
      `
      adr x0, vectors
      msr vbar_el1, x0
      mov x1, #0xf0
      msr icc_pmr_el1, x1
      mrs x2, icc_pmr_el1
      mrs x3, icc_iar1_el1
      hvc #0xffff
${VECTORS}`,
      { sysregs: handler },
    );
    expect(m.cpu.getX(2)).toBe(0xf0n);
    expect(seen).toEqual([`w0:${pmr}`, `r0:${pmr}`, `r0:${sysregEncoding(3, 0, 12, 12, 0)}`]);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe(1n << 25n);
  });

  it('property: general registers, SP, PC and storage system registers read back what was written', () => {
    const m = machine(assemble('hvc #0xffff'));
    const cpu = m.cpu;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), (n, v) => {
        cpu.setX(n, v);
        expect(cpu.getX(n)).toBe(v);
        cpu.setSysreg('TPIDR_EL0', v);
        expect(cpu.getSysreg('TPIDR_EL0')).toBe(v);
        cpu.setSysreg('ELR_EL1', v);
        expect(cpu.getSysreg('ELR_EL1')).toBe(v);
        cpu.setSp(v);
        expect(cpu.getSp()).toBe(v);
        cpu.setPc(v);
        expect(cpu.getPc()).toBe(v);
      }),
    );
    cpu.setX(31, 5n);
    expect(cpu.getX(31)).toBe(0n);
  });

  it('property: NZCV written with MSR reads back in MRS and in the PSTATE view', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), (flags) => {
        const m = runSnippet(`
          ldr x0, =${(flags << 28) >>> 0}
          msr nzcv, x0
          mrs x1, nzcv
          hvc #0xffff`);
        expect(m.cpu.getX(1)).toBe(BigInt(flags << 28) & 0xffff_ffffn);
        expect(m.cpu.getPstate() >>> 28).toBe(flags);
      }),
      { numRuns: 16 },
    );
  });

  it('reset: EL1h, DAIF masked, MMU off, PC and x0..x3 from the boot state', () => {
    const m = machine(assemble('hvc #0xffff'));
    m.cpu.setSysreg('SCTLR_EL1', m.cpu.getSysreg('SCTLR_EL1') | 1n);
    m.cpu.reset({ pc: 0x4010_0000n, x: [1n, 2n, 3n, 4n] });
    expect(m.cpu.getPstate()).toBe(0x3c5);
    expect(m.cpu.getSysreg('SCTLR_EL1') & 1n).toBe(0n);
    expect([0, 1, 2, 3, 4].map((i) => m.cpu.getX(i))).toEqual([1n, 2n, 3n, 4n, 0n]);
    expect(m.cpu.poweredOn).toBe(true);
    m.cpu.powerOff();
    expect(m.cpu.run(10)).toBe('off');
  });

  it('bad options throw ConfigError at construction', () => {
    const m = machine(assemble('hvc #0xffff'));
    expect(() => new InterpreterCpu({ memory: m.mem, clock: m.clock, nsPerInstruction: 0 })).toThrow(/nsPerInstruction/);
    expect(() => new InterpreterCpu({ memory: m.mem, clock: m.clock, index: -1 })).toThrow(/index/);
  });
});
