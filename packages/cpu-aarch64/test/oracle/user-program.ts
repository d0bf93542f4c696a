import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generateSequence, type InsnClass, type Sequence } from './a64gen.js';
import { parseElf, type ElfImage } from './elf.js';
import { interestingU64, Rng } from './rng.js';
import { requireTools, run, tempDir } from './tools.js';

/**
 * A batch of random sequences turned into one static Linux user program: for
 * each sequence it loads registers, NZCV and the scratch block, runs the
 * sequence, and writes x0..x30, SP, NZCV and the scratch block to stdout.
 * Run under qemu-aarch64, it gives the reference results.
 */

export const SCRATCH_SIZE = 512;
export const POOL_WORDS = 8;
/** Input record: x0..x30, SP, NZCV, pad, then the scratch block. */
export const IN_HEADER = 272;
export const IN_RECORD = IN_HEADER + SCRATCH_SIZE;
/** Output record: x0..x30, SP, NZCV, then the scratch block. */
export const OUT_HEADER = 264;
export const OUT_RECORD = OUT_HEADER + SCRATCH_SIZE;

export interface InitialState {
  /** x0..x30 */
  x: bigint[];
  sp: bigint;
  /** NZCV in bits 31:28. */
  nzcv: number;
  scratch: Uint8Array;
}

export interface FinalState {
  x: bigint[];
  sp: bigint;
  nzcv: number;
  scratch: Uint8Array;
}

export interface BatchCase {
  index: number;
  seq: Sequence;
  init: InitialState;
  /** Address of the first instruction and of the end (one past the last). */
  start: number;
  end: number;
}

export interface Batch {
  cls: InsnClass;
  seed: number;
  cases: BatchCase[];
  elf: ElfImage;
  elfBytes: Uint8Array;
  scratchAddr: number;
}

export function randomInitialState(rng: Rng): InitialState {
  const x: bigint[] = [];
  for (let i = 0; i < 31; i++) x.push(interestingU64(rng));
  const scratch = new Uint8Array(SCRATCH_SIZE);
  const pattern = rng.int(4);
  for (let i = 0; i < SCRATCH_SIZE; i++) scratch[i] = pattern === 0 ? i & 0xff : rng.bits(8);
  return { x, sp: rng.bool(0.5) ? interestingU64(rng) : BigInt(rng.u32() & ~15), nzcv: rng.bits(4) << 28, scratch };
}

function asmSource(cls: InsnClass, seqs: Sequence[], recordsPath: string): string {
  const out: string[] = [];
  const w = (s: string): void => {
    out.push(s);
  };
  w('  .arch armv8-a+crc');
  w('  .text');
  w('  .global _start');
  w('_start:');
  seqs.forEach((seq, i) => {
    const rec = `records+${i * IN_RECORD}`;
    w(`seq_${i}_pro:`);
    w(`  adrp x0, ${rec}`);
    w(`  add x0, x0, :lo12:${rec}`);
    w('  bl copy_scratch');
    w(`  adrp x30, ${rec}`);
    w(`  add x30, x30, :lo12:${rec}`);
    w('  ldr x0, [x30, #248]');
    w('  mov sp, x0');
    w('  ldr x0, [x30, #256]');
    w('  msr nzcv, x0');
    for (let r = 0; r < 30; r += 2) w(`  ldp x${r}, x${r + 1}, [x30, #${r * 8}]`);
    if (cls.memory) {
      w('  adrp x28, scratch');
      w('  add x28, x28, :lo12:scratch');
    }
    w('  ldr x30, [x30, #240]');
    w(`seq_${i}_start:`);
    for (let k = 0; k < seq.words.length; k += 8) {
      w(`  .inst ${seq.words.slice(k, k + 8).map((x) => '0x' + x.toString(16)).join(', ')}`);
    }
    w(`seq_${i}_end:`);
    w(`  b seq_${i}_epi`);
    w(`  .inst ${seq.pool.map((x) => '0x' + x.toString(16)).join(', ')}`);
    w(`seq_${i}_epi:`);
    w('  msr tpidr_el0, x30');
    w('  adrp x30, outbuf');
    w('  add x30, x30, :lo12:outbuf');
    for (let r = 0; r < 30; r += 2) w(`  stp x${r}, x${r + 1}, [x30, #${r * 8}]`);
    w('  mrs x0, tpidr_el0');
    w('  str x0, [x30, #240]');
    w('  mov x0, sp');
    w('  str x0, [x30, #248]');
    w('  mrs x0, nzcv');
    w('  str x0, [x30, #256]');
    w('  bl dump');
  });
  w('  mov x0, #0');
  w('  mov x8, #93');
  w('  svc #0');
  w('copy_scratch:');
  w(`  add x0, x0, #${IN_HEADER}`);
  w('  adrp x1, scratch');
  w('  add x1, x1, :lo12:scratch');
  w(`  mov x2, #${SCRATCH_SIZE}`);
  w('1: ldp x3, x4, [x0], #16');
  w('  stp x3, x4, [x1], #16');
  w('  subs x2, x2, #16');
  w('  b.ne 1b');
  w('  ret');
  w('dump:');
  w('  adrp x0, scratch');
  w('  add x0, x0, :lo12:scratch');
  w('  adrp x1, outbuf');
  w(`  add x1, x1, :lo12:outbuf+${OUT_HEADER}`);
  w(`  mov x2, #${SCRATCH_SIZE}`);
  w('1: ldp x3, x4, [x0], #16');
  w('  stp x3, x4, [x1], #16');
  w('  subs x2, x2, #16');
  w('  b.ne 1b');
  w('  mov x0, #1');
  w('  adrp x1, outbuf');
  w('  add x1, x1, :lo12:outbuf');
  w(`  mov x2, #${OUT_RECORD}`);
  w('  mov x8, #64');
  w('  svc #0');
  w('  ret');
  w('  .data');
  w('  .balign 16');
  w('records:');
  w(`  .incbin "${recordsPath}"`);
  w('  .bss');
  // The scratch block straddles a page boundary, so accesses cross pages.
  w('  .balign 4096');
  w(`  .skip ${4096 - SCRATCH_SIZE / 2}`);
  w('scratch:');
  w(`  .skip ${SCRATCH_SIZE}`);
  w('  .balign 16');
  w('outbuf:');
  w(`  .skip ${OUT_RECORD}`);
  return out.join('\n') + '\n';
}

function encodeRecords(states: InitialState[]): Uint8Array {
  const bytes = new Uint8Array(states.length * IN_RECORD);
  const v = new DataView(bytes.buffer);
  states.forEach((s, i) => {
    const at = i * IN_RECORD;
    s.x.forEach((x, r) => v.setBigUint64(at + r * 8, x, true));
    v.setBigUint64(at + 248, s.sp, true);
    v.setBigUint64(at + 256, BigInt(s.nzcv >>> 0), true);
    bytes.set(s.scratch, at + IN_HEADER);
  });
  return bytes;
}

/** Generates `count` sequences of class `cls` from `seed`, and builds the program. */
export function buildBatch(cls: InsnClass, seed: number, count: number, dir: string): Batch {
  requireTools('aarch64-linux-gnu-gcc');
  const rng = new Rng(seed);
  const env = { scratchSize: SCRATCH_SIZE, poolWords: POOL_WORDS };
  const seqs: Sequence[] = [];
  const inits: InitialState[] = [];
  for (let i = 0; i < count; i++) {
    seqs.push(generateSequence(rng, cls, env, rng.range(1, 8)));
    inits.push(randomInitialState(rng));
  }
  const recordsPath = join(dir, 'records.bin');
  writeFileSync(recordsPath, encodeRecords(inits));
  const asmPath = join(dir, 'prog.s');
  writeFileSync(asmPath, asmSource(cls, seqs, recordsPath));
  const elfPath = join(dir, 'prog');
  run('aarch64-linux-gnu-gcc', ['-static', '-nostdlib', '-no-pie', '-o', elfPath, asmPath]);
  const elfBytes = new Uint8Array(readFileSync(elfPath));
  const elf = parseElf(elfBytes);
  const scratchAddr = elf.symbols.get('scratch')!;
  const cases = seqs.map((seq, i) => {
    const start = elf.symbols.get(`seq_${i}_start`)!;
    const init = inits[i]!;
    if (cls.memory) init.x[28] = BigInt(scratchAddr);
    return { index: i, seq, init, start, end: start + 4 * seq.words.length };
  });
  return { cls, seed, cases, elf, elfBytes, scratchAddr };
}

export interface QemuResult {
  finals: FinalState[];
  /** Set when the program died before the last sequence (index = finals.length). */
  crash?: string;
}

/** Runs the batch program under qemu-aarch64 and decodes its records. */
export function runUnderQemu(batch: Batch, dir: string): QemuResult {
  requireTools('qemu-aarch64');
  const r = spawnSync('qemu-aarch64', ['-cpu', 'cortex-a53', join(dir, 'prog')], { maxBuffer: 1 << 30, timeout: 120_000 });
  if (r.error) throw r.error;
  const out = new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const finals: FinalState[] = [];
  for (let at = 0; at + OUT_RECORD <= out.length; at += OUT_RECORD) {
    const x: bigint[] = [];
    for (let i = 0; i < 31; i++) x.push(v.getBigUint64(at + i * 8, true));
    finals.push({
      x,
      sp: v.getBigUint64(at + 248, true),
      nzcv: Number(v.getBigUint64(at + 256, true)) >>> 0,
      scratch: out.slice(at + OUT_HEADER, at + OUT_RECORD),
    });
  }
  const result: QemuResult = { finals };
  if (r.status !== 0 || finals.length !== batch.cases.length) {
    result.crash = `qemu-aarch64 exited with status ${r.status} signal ${r.signal} after ${finals.length} of ${batch.cases.length} sequences: ${r.stderr.toString()}`;
  }
  return result;
}

export { tempDir };
