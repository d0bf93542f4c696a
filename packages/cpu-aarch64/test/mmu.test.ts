import { describe, expect, it } from 'vitest';
import { assemble, machine, RAM_BASE, type Machine } from './helpers.js';

/**
 * Stage-1 translation (4 KiB granule) against the Arm ARM's descriptor
 * formats and fault status codes. Tables are built by the host in guest RAM:
 * TTBR0 (T0SZ=16, four levels) identity-maps the RAM with one 4 KiB-page
 * table for its first 2 MiB (test pages 1..7) and 2 MiB blocks above;
 * TTBR1 (T1SZ=25, starts at level 1) maps a 1 GiB block at the top of the
 * address space onto the RAM.
 */
const L0 = RAM_BASE + 0x80_0000;
const L1 = L0 + 0x1000;
const L2 = L0 + 0x2000;
const L3 = L0 + 0x3000;
const L1_HIGH = L0 + 0x4000;
const AF = 1 << 10;
const SH = 3 << 8;
const PAGE = 3;
const TABLE = 3;
const BLOCK = 1;
const AP_RO = 2 << 6;
const AP_EL0_RW = 1 << 6;
const PXN_HI = 1 << (53 - 32);
export const HIGH_VA = 0xffff_ff80_0000_0000n;

function desc(ram: Machine['ram'], table: number, index: number, lo: number, hi = 0): void {
  ram.view.setUint32(table - RAM_BASE + index * 8, lo >>> 0, true);
  ram.view.setUint32(table - RAM_BASE + index * 8 + 4, hi >>> 0, true);
}

function buildTables(ram: Machine['ram']): void {
  desc(ram, L0, 0, L1 | TABLE);
  desc(ram, L1, 1, L2 | TABLE); // VA 0x4000_0000..0x7fff_ffff
  desc(ram, L2, 0, L3 | TABLE);
  for (let k = 1; k < 8; k++) desc(ram, L2, k, (RAM_BASE + k * 0x20_0000) | AF | SH | BLOCK);
  for (let p = 0; p < 512; p++) desc(ram, L3, p, (RAM_BASE + p * 0x1000) | AF | SH | PAGE);
  desc(ram, L3, 1, (RAM_BASE + 0x1000) | AF | SH | AP_RO | PAGE); // read-only
  desc(ram, L3, 2, 0); // invalid
  desc(ram, L3, 3, (RAM_BASE + 0x3000) | SH | PAGE); // access flag clear
  desc(ram, L3, 4, (RAM_BASE + 0x5000) | AF | SH | PAGE); // VA page 4 -> PA page 5
  desc(ram, L3, 7, (RAM_BASE + 0x7000) | AF | SH | PAGE, PXN_HI); // not executable at EL1
  desc(ram, L3, 8, (RAM_BASE + 0x8000) | AF | SH | AP_EL0_RW | PAGE); // EL0 read/write
  desc(ram, L1_HIGH, 0, RAM_BASE | AF | SH | BLOCK); // 1 GiB block
  ram.view.setUint32(0x5000, 0x5555_5555, true);
  ram.view.setUint32(0x6000, 0x6666_6666, true);
}

const VECTORS = `
.balign 2048
vectors:
.irp off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
  .balign 128
  mov x20, #\\off
  hvc #0xffff
.endr
`;

const TCR = (16n | (25n << 16n) | (2n << 30n) | (5n << 32n)).toString();

/** Turns the MMU on, runs `body`, exits. x28 = RAM base. */
function program(body: string): string {
  return `
  adr x0, vectors
  msr vbar_el1, x0
  mov x0, #0xff
  msr mair_el1, x0
  ldr x0, =${TCR}
  msr tcr_el1, x0
  ldr x0, =${L0}
  msr ttbr0_el1, x0
  ldr x0, =${L1_HIGH}
  msr ttbr1_el1, x0
  isb
  mrs x0, sctlr_el1
  orr x0, x0, #1
  msr sctlr_el1, x0
  isb
  ldr x28, =${RAM_BASE}
  ${body}
  hvc #0xffff
${VECTORS}`;
}

function run(body: string): Machine {
  const m = machine(assemble(program(body)));
  buildTables(m.ram);
  const r = m.cpu.run(100_000);
  if (r !== 'exit') throw new Error(`run ended with ${r} at 0x${m.cpu.getPc().toString(16)}`);
  return m;
}

const ESR_DABT_SAME = (0x25n << 26n) | (1n << 25n);

describe('stage-1 translation', () => {
  it('translates through four levels, a remapped page and a TTBR1 1 GiB block', () => {
    const m = run(`
      add x9, x28, #0x4000
      ldr w1, [x9]                // VA page 4 -> PA page 5
      ldr x2, =${HIGH_VA + 0x5000n}
      ldr w3, [x2]                // TTBR1 block -> PA page 5
      mov x4, #0x77
      str x4, [x2, #8]
      add x9, x28, #0x5000
      ldr x5, [x9, #8]`);
    expect(m.cpu.getX(20)).toBe(0n); // no exception taken
    expect(m.cpu.getX(1)).toBe(0x5555_5555n);
    expect(m.cpu.getX(3)).toBe(0x5555_5555n);
    expect(m.cpu.getX(5)).toBe(0x77n);
  });

  it('a store to a read-only page is a level-3 permission fault with WnR and FAR', () => {
    const m = run(`
      mov x20, #1
      ldr w1, [x28, #0x1000]      // reading is fine
      mov x20, #2
      str w1, [x28, #0x1010]`);
    expect(m.cpu.getX(20)).toBe(0x200n);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe(ESR_DABT_SAME | (1n << 6n) | 0x0fn);
    expect(m.cpu.getSysreg('FAR_EL1')).toBe(BigInt(RAM_BASE + 0x1010));
  });

  it('LDTR/STTR at EL1 use EL0 permissions: fine on an EL0 page, a permission fault on an EL1-only page', () => {
    const m = run(`
      add x9, x28, #0x8000        // EL0 read/write page
      mov x1, #0x5a
      sttr x1, [x9, #16]
      sttr x1, [x9, #24]          // second store: the EL0 view of the TLB now holds the page
      ldtr x2, [x9, #16]
      ldtrb w3, [x9, #24]
      mov x20, #1
      add x9, x28, #0x6000        // EL1-only page (readable at EL1 with LDR)
      ldr w4, [x9]
      ldtr w5, [x9]`);
    expect(m.cpu.getX(2)).toBe(0x5an);
    expect(m.cpu.getX(3)).toBe(0x5an);
    expect(m.cpu.getX(4)).toBe(0x6666_6666n);
    expect(m.cpu.getX(20)).toBe(0x200n); // the LDTR faulted (current EL, SPx vector)
    expect(m.cpu.getSysreg('ESR_EL1')).toBe(ESR_DABT_SAME | 0x0fn);
    expect(m.cpu.getSysreg('FAR_EL1')).toBe(BigInt(RAM_BASE + 0x6000));
  });

  it('an invalid descriptor is a level-3 translation fault; AF = 0 an access-flag fault', () => {
    const t = run(`ldr w1, [x28, #0x2abc]`);
    expect(t.cpu.getSysreg('ESR_EL1')).toBe(ESR_DABT_SAME | 0x07n);
    expect(t.cpu.getSysreg('FAR_EL1')).toBe(BigInt(RAM_BASE + 0x2abc));
    const a = run(`add x9, x28, #0x3000
      ldrb w1, [x9, #1]`);
    expect(a.cpu.getSysreg('ESR_EL1')).toBe(ESR_DABT_SAME | 0x0bn);
  });

  it('addresses outside both halves are level-0 translation faults', () => {
    const m = run(`
      ldr x2, =0x0001000000000000
      ldr x1, [x2]`);
    expect(m.cpu.getSysreg('ESR_EL1')).toBe(ESR_DABT_SAME | 0x04n);
    expect(m.cpu.getSysreg('FAR_EL1')).toBe(0x0001_0000_0000_0000n);
  });

  it('TLBI makes a rewritten descriptor visible', () => {
    const newDesc = (RAM_BASE + 0x6000) | AF | SH | PAGE;
    const m = run(`
      add x9, x28, #0x4000
      ldr w1, [x9]                // cached translation: PA page 5
      ldr x2, =${L3 + 4 * 8}
      ldr x3, =${newDesc}
      str x3, [x2]
      dsb ishst
      tlbi vmalle1
      dsb ish
      isb
      ldr w4, [x9]                // now PA page 6`);
    expect(m.cpu.getX(1)).toBe(0x5555_5555n);
    expect(m.cpu.getX(4)).toBe(0x6666_6666n);
  });

  it('AT S1E1R reports the PA or the fault in PAR_EL1', () => {
    const m = run(`
      add x1, x28, #0x4000
      add x1, x1, #0x123
      at s1e1r, x1
      isb
      mrs x2, par_el1
      add x1, x28, #0x2000
      at s1e1r, x1
      isb
      mrs x3, par_el1
      add x1, x28, #0x1000
      at s1e1w, x1
      isb
      mrs x4, par_el1`);
    // Success: F=0, PA[47:12] = page 5, SH=3 (bits 8:7), attribute 0xFF in bits 63:56, bit 11 RES1.
    expect(m.cpu.getX(2)).toBe((0xffn << 56n) | BigInt(RAM_BASE + 0x5000) | (3n << 7n) | (1n << 11n));
    // Failure: F=1, FST = 0x07 (translation, level 3) in bits 6:1.
    expect(m.cpu.getX(3) & 0x7fn).toBe((0x07n << 1n) | 1n);
    expect(m.cpu.getX(4) & 0x7fn).toBe((0x0fn << 1n) | 1n);
  });

  it('instruction fetch faults: translation (EC 0x21) and PXN (permission)', () => {
    const t = run(`
      add x1, x28, #0x2000
      br x1`);
    expect(t.cpu.getSysreg('ESR_EL1')).toBe((0x21n << 26n) | (1n << 25n) | 0x07n);
    expect(t.cpu.getSysreg('FAR_EL1')).toBe(BigInt(RAM_BASE + 0x2000));
    expect(t.cpu.getSysreg('ELR_EL1')).toBe(BigInt(RAM_BASE + 0x2000));
    const p = run(`
      add x1, x28, #0x7000
      br x1`);
    expect(p.cpu.getSysreg('ESR_EL1')).toBe((0x21n << 26n) | (1n << 25n) | 0x0fn);
  });

  it('EL0 can reach an EL0-accessible page but not an EL1-only one (EC 0x24)', () => {
    const m = run(`
      add x9, x28, #0x8000
      add x10, x28, #0x9000
      adr x0, el0
      msr elr_el1, x0
      msr spsr_el1, xzr
      eret
el0:
      ldr w1, [x9]
      mov x21, #1
      ldr w2, [x10]`);
    expect(m.cpu.getX(21)).toBe(1n);
    expect(m.cpu.getX(20)).toBe(0x400n);
    // Data abort from a lower EL, level-3 permission fault. (The code page is
    // EL1-only too, but AP does not control execution: UXN is clear, so EL0 runs it.)
    expect(m.cpu.getSysreg('ESR_EL1')).toBe((0x24n << 26n) | (1n << 25n) | 0x0fn);
    expect(m.cpu.getSysreg('FAR_EL1')).toBe(BigInt(RAM_BASE + 0x9000));
  });
});
