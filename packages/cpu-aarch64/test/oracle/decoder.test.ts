import { beforeAll, describe, expect, it } from 'vitest';
import { AddressSpace, RamRegion, VirtualClock } from '@vmapple/core-bus';
import type { Cpu } from '../../src/cpu.js';
import { CLASSES, generateSequence } from './a64gen.js';
import { loadCapstone, type Disassembler } from './disasm.js';
import { loadInterpreter } from './interp.js';
import { objdumpTexts } from './objdump.js';
import { Rng } from './rng.js';

/**
 * Decoder agreement, through execution: one instruction at a time at EL1
 * (fresh address each time, so no decoded-page cache is reused), and an
 * UNDEFINED instruction is a synchronous exception to VBAR_EL1 + 0x200 with
 * ESR_EL1.EC = 0.
 *  - Words that both Capstone and GNU objdump reject must be UNDEFINED.
 *  - Every word of our ARMv8.0 generators (all classes) must not be UNDEFINED.
 */
const PER_GROUP = Number(process.env['ORACLE_DECODER_WORDS'] ?? 3000);
const SEED = Number(process.env['ORACLE_SEED'] ?? 0xdec0de);

const CODE = 0x10_0000;
const VBAR = 0x800;
const DATA = 0x8_0000;
const RAM_SIZE = 8 << 20;
const ESR_SENTINEL = 0x3fn << 26n;

/** Top-level encoding groups (bits 28:25 = op0) and fully random words. */
const GROUPS: Array<{ name: string; fixed: (w: number) => number }> = [
  { name: 'reserved/SME (op0 000x)', fixed: (w) => (w & ~(0xf << 25)) | ((w & 1) << 25) },
  { name: 'SVE (op0 0010)', fixed: (w) => (w & ~(0xf << 25)) | (0b0010 << 25) },
  { name: 'data processing immediate (100x)', fixed: (w) => (w & ~(0xe << 25)) | (0b1000 << 25) },
  { name: 'branches, exceptions, system (101x)', fixed: (w) => (w & ~(0xe << 25)) | (0b1010 << 25) },
  { name: 'loads and stores (x1x0)', fixed: (w) => (w & ~(0x5 << 25)) | (0b0100 << 25) },
  { name: 'data processing register (x101)', fixed: (w) => (w & ~(0x7 << 25)) | (0b0101 << 25) },
  { name: 'SIMD and FP (x111)', fixed: (w) => (w & ~(0x7 << 25)) | (0b0111 << 25) },
  { name: 'any word', fixed: (w) => w },
];

class OneShot {
  readonly memory = new AddressSpace({ name: 'decoder' });
  readonly ram = new RamRegion('ram', RAM_SIZE);
  readonly cpu: Cpu;
  private next = CODE;
  constructor(makeCpu: (o: { memory: AddressSpace; clock: VirtualClock }) => Cpu) {
    this.memory.mapRam(0, this.ram);
    for (let off = VBAR; off < VBAR + 0x800; off += 4) this.ram.view.setUint32(off, 0x1400_0000, true); // b .
    this.cpu = makeCpu({ memory: this.memory, clock: new VirtualClock() });
  }
  /**
   * Executes each word once, each at a fresh address; all are written before
   * the first runs, so no decoded page can hold a stale word. True = UNDEFINED.
   */
  execAll(words: readonly number[]): boolean[] {
    const base = this.next;
    if (base + 4 * words.length > RAM_SIZE) throw new Error('decoder test: out of code space');
    // Next batch on a fresh page: a page decoded during this batch is never written again.
    this.next = Math.ceil((this.next + 4 * words.length) / 4096) * 4096;
    words.forEach((w, i) => this.ram.view.setUint32(base + 4 * i, w, true));
    const cpu = this.cpu;
    return words.map((_, i) => {
      cpu.reset({ pc: BigInt(base + 4 * i) });
      cpu.setSysreg('VBAR_EL1', BigInt(VBAR));
      cpu.setSysreg('CPACR_EL1', 3n << 20n); // FP/SIMD enabled: test decoding, not the access trap
      cpu.setSysreg('ESR_EL1', ESR_SENTINEL);
      // Every base register points into a data area: loads and stores stay away from the code.
      for (let r = 0; r < 31; r++) cpu.setX(r, BigInt(DATA));
      cpu.setSysreg('SP_EL1', BigInt(DATA));
      cpu.run(1);
      return Number(cpu.getPc()) === VBAR + 0x200 && cpu.getSysreg('ESR_EL1') >> 26n === 0n;
    });
  }
}

/**
 * Encodings both disassemblers reject although the architecture lets an
 * implementation execute them (CONSTRAINED UNPREDICTABLE: UNDEFINED, NOP or
 * "as if" the should-be bits were right). QEMU executes many of these.
 */
export function constrainedUnpredictable(w: number): boolean {
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  const rt2 = (w >>> 10) & 31;
  const rs = (w >>> 16) & 31;
  if ((w & 0x3f00_0000) === 0x0800_0000) {
    // Exclusives and load-acquire/store-release (o2 L o1 at bits 23..21, o0 at 15).
    const o2 = (w >>> 23) & 1;
    const load = (w >>> 22) & 1;
    const o1 = (w >>> 21) & 1;
    if (o2 === 1 && o1 === 1) return false; // CAS (v8.1): not ours to judge
    if (o1 === 0 && rt2 !== 31) return true; // Rt2 should be 11111
    if ((load === 1 || o2 === 1) && rs !== 31) return true; // Rs should be 11111
    if (o2 === 0 && load === 0 && (rs === rt || (rs === rn && rn !== 31) || (o1 === 1 && rs === rt2))) return true;
    if (o2 === 0 && load === 1 && o1 === 1 && rt === rt2) return true;
    return false;
  }
  if ((w & 0x3a00_0000) === 0x2800_0000) {
    // Load/store pair: writeback with the base among the data registers, or a load with Rt == Rt2.
    const type = (w >>> 23) & 7;
    const load = (w >>> 22) & 1;
    const simd = (w >>> 26) & 1;
    const writeback = type === 1 || type === 3;
    if (writeback && simd === 0 && rn !== 31 && (rt === rn || rt2 === rn)) return true;
    if (load === 1 && rt === rt2) return true;
    return false;
  }
  if ((w & 0x3b20_0000) === 0x3800_0000 && (w >>> 10) % 2 === 1) {
    // Load/store register, immediate pre/post-index: writeback into the data register.
    const simd = (w >>> 26) & 1;
    return simd === 0 && rn !== 31 && rt === rn;
  }
  return false;
}

const hex = (w: number): string => '0x' + w.toString(16).padStart(8, '0');

describe('decoder agreement (Capstone, GNU objdump) through execution', () => {
  let cs: Disassembler;
  let oneShot: OneShot;
  beforeAll(async () => {
    cs = await loadCapstone();
    oneShot = new OneShot(await loadInterpreter());
  });

  for (const [gi, group] of GROUPS.entries()) {
    it(`words both disassemblers reject are UNDEFINED: ${group.name}`, () => {
      const rng = new Rng(SEED + gi);
      const rejected: number[] = [];
      for (let i = 0; i < PER_GROUP; i++) {
        const w = group.fixed(rng.u32()) >>> 0;
        if (cs.text(w) === null) rejected.push(w);
      }
      const gnu = objdumpTexts(rejected);
      const both = rejected.filter((w, i) => gnu[i] === null && !constrainedUnpredictable(w));
      const undef = oneShot.execAll(both);
      const accepted = both.filter((_, i) => !undef[i]);
      expect(
        accepted.map((w) => `${hex(w)} is rejected by Capstone and objdump but the interpreter executes it`).slice(0, 20),
        `seed ${SEED + gi}, ${accepted.length} of ${both.length} rejected words executed`,
      ).toEqual([]);
    }, 60_000);
  }

  it('every ARMv8.0 encoding our generators produce decodes (never UNDEFINED)', () => {
    const rng = new Rng(SEED ^ 0x5a5a);
    const env = { scratchSize: 512, poolWords: 8 };
    const undefinedWords: string[] = [];
    let total = 0;
    for (const cls of CLASSES) {
      const words: number[] = [];
      for (let i = 0; i < 300; i++) words.push(...generateSequence(rng, cls, env, 4).words);
      const undef = oneShot.execAll(words);
      total += words.length;
      words.forEach((w, i) => {
        if (undef[i]) undefinedWords.push(`${cls.name}: ${hex(w)} ${cs.text(w) ?? '?'}`);
      });
    }
    const unique = [...new Set(undefinedWords)];
    expect(unique.slice(0, 30), `${unique.length} of ${total} valid words raised UNDEFINED`).toEqual([]);
  }, 60_000);
});
