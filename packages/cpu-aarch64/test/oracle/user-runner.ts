import { AddressSpace, RamRegion, VirtualClock } from '@vmapple/core-bus';
import type { Cpu } from '../../src/cpu.js';
import { listing, type Disassembler } from './disasm.js';
import { hex64, mapElf, type CpuFactory } from './interp.js';
import { SCRATCH_SIZE as SCRATCH_BYTES, type Batch, type BatchCase, type FinalState } from './user-program.js';

/**
 * Runs the sequences of a batch in the interpreter: the program image is
 * mapped at its link addresses, the CPU is put at EL0 (as under qemu-user)
 * with an identity map of Normal memory, given the initial registers, NZCV
 * and scratch block, and stepped until the PC reaches the sequence end.
 * No Linux is involved: only the sequence runs.
 */

/** EL1-only page with the page table, the vectors (branch-to-self) and an ERET. */
const SYS_BASE = 0x8000_0000;
const L1_TABLE = SYS_BASE;
const VECTORS = SYS_BASE + 0x1000;
const ERET_STUB = SYS_BASE + 0x2000;

/** SVC immediate marking the end of a sequence. */
const END_MARK = 0x5e9;

const SCTLR =
  0x30d0_0800n | // RES1 bits of ARMv8.0
  (1n << 0n) | // M
  (1n << 2n) | // C
  (1n << 12n) | // I
  (1n << 14n) | // DZE
  (1n << 15n) | // UCT
  (1n << 16n) | // nTWI
  (1n << 18n) | // nTWE
  (1n << 26n); // UCI
// T0SZ=25 (39-bit VA, walk starts at level 1), WB cacheable inner shareable, 4K, EPD1, IPS 40-bit.
const TCR = 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (1n << 23n) | (2n << 32n);

export type CaseOutcome = { ok: true; state: FinalState } | { ok: false; error: string };

export class UserSequenceRunner {
  readonly memory = new AddressSpace({ name: 'oracle' });
  readonly cpu: Cpu;
  private readonly ram: RamRegion;
  private readonly ramBase: number;

  constructor(
    private readonly batch: Batch,
    makeCpu: CpuFactory,
    /** Step even cases one instruction at a time (false: every case runs in one call). */
    private readonly stepEvenCases = true,
  ) {
    const { ram, base } = mapElf(this.memory, batch.elf);
    this.ram = ram;
    this.ramBase = base;
    if (base + ram.size > 0x4000_0000) throw new Error('program image must sit below 1 GiB');
    const sys = new RamRegion('oracle-sys', 0x4000);
    const v = sys.view;
    // Level-1 table: 1 GiB blocks. [0, 1G): Normal WB, EL0+EL1 RW, AF. [2G, 3G): EL1 only.
    const block = (pa: number, ap: number): bigint => BigInt(pa) | 1n | (0n << 2n) | (BigInt(ap) << 6n) | (3n << 8n) | (1n << 10n);
    v.setBigUint64(0, block(0, 0b01), true);
    v.setBigUint64(2 * 8, block(SYS_BASE, 0b00), true);
    // Vectors: every entry is HVC #0 (the hook ends `run`), then branch-to-self.
    for (let off = 0x1000; off < 0x1800; off += 4) v.setUint32(off, (off & 0x7f) === 0 ? 0xd400_0002 : 0x1400_0000, true);
    v.setUint32(0x2000, 0xd69f_03e0, true); // eret
    this.memory.mapRam(SYS_BASE, sys);
    // The word after each sequence becomes SVC #END_MARK in our copy (qemu's program is untouched;
    // that word is a branch to the epilogue there), so a whole sequence can run in one `run` call.
    for (const c of batch.cases) ram.view.setUint32(c.end - base, (0xd400_0001 | (END_MARK << 5)) >>> 0, true);
    this.cpu = makeCpu({
      memory: this.memory,
      clock: new VirtualClock(),
      hvc: (cpu) => {
        cpu.requestExit();
        return true;
      },
    });
  }

  /**
   * Runs one case. Odd cases run in a single `run` call (the interpreter's
   * normal fast path) up to the SVC marker at the end; even cases are stepped
   * with `run(1)` (instruction-boundary path).
   */
  run(c: BatchCase): CaseOutcome {
    const cpu = this.cpu;
    const { init } = c;
    cpu.reset({ pc: BigInt(ERET_STUB) });
    cpu.setSysreg('MAIR_EL1', 0xffn);
    cpu.setSysreg('TCR_EL1', TCR);
    cpu.setSysreg('TTBR0_EL1', BigInt(L1_TABLE));
    cpu.setSysreg('VBAR_EL1', BigInt(VECTORS));
    cpu.setSysreg('SCTLR_EL1', SCTLR);
    // EL0t, DAIF masked, NZCV from the initial state.
    cpu.setSysreg('SPSR_EL1', BigInt(init.nzcv >>> 0) | 0x3c0n);
    cpu.setSysreg('ELR_EL1', BigInt(c.start));
    cpu.setSysreg('SP_EL0', init.sp);
    for (let i = 0; i < 31; i++) cpu.setX(i, init.x[i]!);
    this.ram.bytes.set(init.scratch, this.batch.scratchAddr - this.ramBase);
    const end = BigInt(c.end);
    const limit = c.seq.words.length + 2;
    if (c.index % 2 === 1 || !this.stepEvenCases) return this.runWhole(c);
    let steps = 0;
    for (;;) {
      const pc = cpu.getPc();
      if (pc === end && steps > 0) break;
      if (pc >= BigInt(VECTORS) && pc < BigInt(VECTORS + 0x800 + 8)) {
        return {
          ok: false,
          error:
            `exception taken: vector +0x${(Number(pc) - VECTORS).toString(16)}, ESR_EL1 ${hex64(cpu.getSysreg('ESR_EL1'))} ` +
            `(EC 0x${Number((cpu.getSysreg('ESR_EL1') >> 26n) & 0x3fn).toString(16)}), ELR_EL1 ${hex64(cpu.getSysreg('ELR_EL1'))}, ` +
            `FAR_EL1 ${hex64(cpu.getSysreg('FAR_EL1'))}`,
        };
      }
      if (steps > limit) return { ok: false, error: `PC ${hex64(pc)} did not reach the sequence end ${hex64(end)} in ${limit} steps` };
      const exit = cpu.run(1);
      steps++;
      // A faulting instruction retires nothing, so run(1) may go on into the vector (HVC there
      // ends the run): the exception check at the top of the loop reports it.
      const inVector = cpu.getPc() >= BigInt(VECTORS) && cpu.getPc() < BigInt(VECTORS + 0x800);
      if (exit !== 'budget' && !inVector) return { ok: false, error: `run(1) returned '${exit}' at PC ${hex64(pc)}` };
    }
    return { ok: true, state: this.state((cpu.getPstate() & 0xf000_0000) >>> 0) };
  }

  private runWhole(c: BatchCase): CaseOutcome {
    const cpu = this.cpu;
    // ERET + the sequence + the SVC marker + HVC in the vector.
    const exit = cpu.run(c.seq.words.length + 8);
    const esr = cpu.getSysreg('ESR_EL1');
    const elr = cpu.getSysreg('ELR_EL1');
    if (exit !== 'exit' || esr >> 26n !== 0x15n || (esr & 0xffffn) !== BigInt(END_MARK) || elr !== BigInt(c.end + 4)) {
      return {
        ok: false,
        error:
          `single run: exit '${exit}', PC ${hex64(cpu.getPc())}, ESR_EL1 ${hex64(esr)} (EC 0x${Number((esr >> 26n) & 0x3fn).toString(16)}), ` +
          `ELR_EL1 ${hex64(elr)}, FAR_EL1 ${hex64(cpu.getSysreg('FAR_EL1'))}; expected the SVC marker at ${hex64(c.end)}`,
      };
    }
    // NZCV as saved on entry to EL1 by the marker SVC.
    return { ok: true, state: this.state(Number(cpu.getSysreg('SPSR_EL1') & 0xf000_0000n) >>> 0) };
  }

  private state(nzcv: number): FinalState {
    const cpu = this.cpu;
    const x: bigint[] = [];
    for (let i = 0; i < 31; i++) x.push(cpu.getX(i));
    const off = this.batch.scratchAddr - this.ramBase;
    return { x, sp: cpu.getSysreg('SP_EL0'), nzcv, scratch: this.ram.bytes.slice(off, off + SCRATCH_BYTES) };
  }
}

/** Differences between the reference and the interpreter, one line each (empty when equal). */
export function diffStates(ref: FinalState, got: FinalState): string[] {
  const out: string[] = [];
  for (let i = 0; i < 31; i++) {
    if (ref.x[i] !== got.x[i]) out.push(`x${i}: qemu ${hex64(ref.x[i]!)} interpreter ${hex64(got.x[i]!)}`);
  }
  if (ref.sp !== got.sp) out.push(`sp: qemu ${hex64(ref.sp)} interpreter ${hex64(got.sp)}`);
  if (ref.nzcv !== got.nzcv) out.push(`nzcv: qemu ${flags(ref.nzcv)} interpreter ${flags(got.nzcv)}`);
  let shown = 0;
  for (let i = 0; i < ref.scratch.length; i++) {
    if (ref.scratch[i] !== got.scratch[i]) {
      if (shown++ < 16) out.push(`scratch+0x${i.toString(16)}: qemu 0x${hx(ref.scratch[i]!)} interpreter 0x${hx(got.scratch[i]!)}`);
    }
  }
  if (shown > 16) out.push(`... ${shown - 16} more scratch bytes differ`);
  return out;
}

function hx(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function flags(nzcv: number): string {
  return ['N', 'Z', 'C', 'V'].map((f, i) => ((nzcv >>> (31 - i)) & 1 ? f : f.toLowerCase())).join('');
}

/** The report of one failing case: seed, disassembly, initial state, differences. */
export function describeCase(batch: Batch, c: BatchCase, d: Disassembler, problem: string[]): string {
  const init = c.init;
  const regs = init.x.map((v, i) => `x${i}=${hex64(v)}`);
  const lines = [
    `class ${batch.cls.name}, seed ${batch.seed}, sequence #${c.index} at ${hex64(c.start)} (scratch at ${hex64(batch.scratchAddr)})`,
    listing(d, c.seq.words, c.start),
    `initial: nzcv ${flags(init.nzcv)} sp=${hex64(init.sp)}`,
  ];
  for (let i = 0; i < regs.length; i += 4) lines.push('  ' + regs.slice(i, i + 4).join(' '));
  lines.push(...problem.map((p) => '  ! ' + p));
  return lines.join('\n');
}
