// Differential oracle for single FP/AdvSIMD instructions: a static aarch64 Linux program (built at
// test time with aarch64-linux-gnu-gcc) that, for each record, writes the instruction word into an
// executable page followed by RET, loads V0-V31, X0-X7, NZCV and FPCR from the record, runs it and
// writes back V0-V31, X0-X7, NZCV and FPSR. A SIGILL marks the record UNDEFINED. Run under
// qemu-aarch64 -cpu cortex-a53 (the tools check comes from the oracle suites).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../oracle/tools.js';

export const IN_REC = 16 + 64 + 512 + 64;
export const OUT_REC = 512 + 64 + 16 + 64;

export interface SimdCase {
  word: number;
  fpcr: number;
  nzcv: number;
  /** X0-X7. */
  x: BigUint64Array;
  /** V0-V31, 16 bytes each. */
  v: Uint8Array;
  /** A 64-byte memory block; X registers whose bit is set in `xrel` hold offsets into it. */
  mem: Uint8Array;
  xrel: number;
}

export interface SimdResult {
  undef: boolean;
  x: BigUint64Array;
  v: Uint8Array;
  fpsr: number;
  nzcv: number;
  mem: Uint8Array;
}

const SOURCE = String.raw`
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <setjmp.h>
#include <sys/mman.h>
struct rec { uint32_t word, fpcr, nzcv, xrel; uint64_t x[8]; uint8_t v[512]; uint8_t mem[64]; };
struct res { uint8_t v[512]; uint64_t x[8]; uint32_t fpsr, nzcv, undef, pad; uint8_t mem[64]; };
static uint8_t mem[64] __attribute__((aligned(64)));
static sigjmp_buf jb;
static void onill(int s) { (void)s; siglongjmp(jb, 1); }
/* state block: v[512] x[8] nzcv fpcr fpsr */
struct st { uint8_t v[512]; uint64_t x[8]; uint64_t nzcv, fpcr, fpsr, code; };
extern void runone(struct st *s);
__asm__(
  ".global runone\n runone:\n"
  " stp x29, x30, [sp, #-112]!\n stp x19, x20, [sp, #16]\n stp x21, x22, [sp, #32]\n"
  " stp d8, d9, [sp, #48]\n stp d10, d11, [sp, #64]\n stp d12, d13, [sp, #80]\n stp d14, d15, [sp, #96]\n"
  " mov x19, x0\n"
  " ldr x1, [x19, #584]\n msr fpcr, x1\n msr fpsr, xzr\n"
  " add x1, x19, #0\n"
  " ldp q0, q1, [x1, #0]\n ldp q2, q3, [x1, #32]\n ldp q4, q5, [x1, #64]\n ldp q6, q7, [x1, #96]\n"
  " ldp q8, q9, [x1, #128]\n ldp q10, q11, [x1, #160]\n ldp q12, q13, [x1, #192]\n ldp q14, q15, [x1, #224]\n"
  " ldp q16, q17, [x1, #256]\n ldp q18, q19, [x1, #288]\n ldp q20, q21, [x1, #320]\n ldp q22, q23, [x1, #352]\n"
  " ldp q24, q25, [x1, #384]\n ldp q26, q27, [x1, #416]\n ldp q28, q29, [x1, #448]\n ldp q30, q31, [x1, #480]\n"
  " ldr x20, [x19, #600]\n"
  " ldr x1, [x19, #576]\n msr nzcv, x1\n"
  " add x21, x19, #512\n ldp x0, x1, [x21]\n ldp x2, x3, [x21, #16]\n ldp x4, x5, [x21, #32]\n ldp x6, x7, [x21, #48]\n"
  " blr x20\n"
  " stp x0, x1, [x21]\n stp x2, x3, [x21, #16]\n stp x4, x5, [x21, #32]\n stp x6, x7, [x21, #48]\n"
  " mrs x1, nzcv\n str x1, [x19, #576]\n mrs x1, fpsr\n str x1, [x19, #592]\n"
  " add x1, x19, #0\n"
  " stp q0, q1, [x1, #0]\n stp q2, q3, [x1, #32]\n stp q4, q5, [x1, #64]\n stp q6, q7, [x1, #96]\n"
  " stp q8, q9, [x1, #128]\n stp q10, q11, [x1, #160]\n stp q12, q13, [x1, #192]\n stp q14, q15, [x1, #224]\n"
  " stp q16, q17, [x1, #256]\n stp q18, q19, [x1, #288]\n stp q20, q21, [x1, #320]\n stp q22, q23, [x1, #352]\n"
  " stp q24, q25, [x1, #384]\n stp q26, q27, [x1, #416]\n stp q28, q29, [x1, #448]\n stp q30, q31, [x1, #480]\n"
  " msr fpcr, xzr\n"
  " ldp x19, x20, [sp, #16]\n ldp x21, x22, [sp, #32]\n"
  " ldp d8, d9, [sp, #48]\n ldp d10, d11, [sp, #64]\n ldp d12, d13, [sp, #80]\n ldp d14, d15, [sp, #96]\n"
  " ldp x29, x30, [sp], #112\n ret\n");
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  FILE *fi = fopen(argv[1], "rb"), *fo = fopen(argv[2], "wb");
  if (!fi || !fo) return 3;
  uint32_t *code = mmap(0, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) return 5;
  signal(SIGILL, onill);
  struct rec r; static struct st s; struct res o; unsigned n = 0;
  while (fread(&r, sizeof r, 1, fi) == 1) {
    /* a fresh slot per record so no stale translation is reused */
    uint32_t *slot = code + 2 * (n++ % 8192);
    slot[0] = r.word; slot[1] = 0xd65f03c0;
    __builtin___clear_cache((char *)slot, (char *)(slot + 2));
    memcpy(s.v, r.v, 512); memcpy(s.x, r.x, 64); memcpy(mem, r.mem, 64);
    for (int i = 0; i < 8; i++) if (r.xrel & (1u << i)) s.x[i] += (uint64_t)mem;
    s.nzcv = r.nzcv; s.fpcr = r.fpcr; s.fpsr = 0; s.code = (uint64_t)slot;
    memset(&o, 0, sizeof o);
    if (sigsetjmp(jb, 1) == 0) {
      runone(&s);
      memcpy(o.v, s.v, 512); memcpy(o.x, s.x, 64); o.fpsr = (uint32_t)s.fpsr; o.nzcv = (uint32_t)s.nzcv;
      for (int i = 0; i < 8; i++) if (r.xrel & (1u << i)) o.x[i] -= (uint64_t)mem;
      memcpy(o.mem, mem, 64);
    } else {
      __asm__ volatile("msr fpcr, xzr");
      o.undef = 1;
    }
    fwrite(&o, sizeof o, 1, fo);
  }
  fclose(fo);
  return 0;
}
`;

let cached: string | null = null;

/** Builds the oracle program once per source text (cached in $TMPDIR). */
export function buildSimdOracle(): string {
  requireTools('qemu-aarch64', 'aarch64-linux-gnu-gcc');
  if (cached) return cached;
  const hash = createHash('sha256').update(SOURCE).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'vmapple-simd-oracle');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, `oracle-${hash}`);
  if (!existsSync(exe)) {
    const cfile = join(dir, `oracle-${hash}-${process.pid}.c`);
    writeFileSync(cfile, SOURCE);
    const tmpExe = `${exe}.${process.pid}`;
    execFileSync('aarch64-linux-gnu-gcc', ['-O1', '-static', '-o', tmpExe, cfile], { stdio: 'pipe' });
    execFileSync('mv', ['-f', tmpExe, exe]);
    rmSync(cfile, { force: true });
  }
  cached = exe;
  return exe;
}

let seq = 0;

/** Runs the cases under qemu-aarch64 and returns the results in order. */
export function runSimdOracle(cases: readonly SimdCase[]): SimdResult[] {
  const exe = buildSimdOracle();
  const inBuf = Buffer.alloc(cases.length * IN_REC);
  cases.forEach((k, i) => {
    const o = i * IN_REC;
    inBuf.writeUInt32LE(k.word >>> 0, o);
    inBuf.writeUInt32LE(k.fpcr >>> 0, o + 4);
    inBuf.writeUInt32LE(k.nzcv >>> 0, o + 8);
    inBuf.writeUInt32LE(k.xrel >>> 0, o + 12);
    inBuf.set(k.mem, o + 592);
    for (let j = 0; j < 8; j++) inBuf.writeBigUInt64LE(k.x[j]!, o + 16 + 8 * j);
    inBuf.set(k.v, o + 80);
  });
  const base = join(tmpdir(), 'vmapple-simd-oracle', `run-${process.pid}-${seq++}`);
  writeFileSync(`${base}.in`, inBuf);
  const r = spawnSync('qemu-aarch64', ['-cpu', 'cortex-a53', exe, `${base}.in`, `${base}.out`], { stdio: 'pipe', timeout: 120_000 });
  rmSync(`${base}.in`, { force: true });
  if (r.status !== 0) throw new Error(`simd oracle failed (${r.status}): ${r.stderr?.toString()}`);
  const out = readFileSync(`${base}.out`);
  rmSync(`${base}.out`, { force: true });
  if (out.length !== cases.length * OUT_REC) throw new Error(`simd oracle wrote ${out.length} bytes for ${cases.length} cases`);
  const res: SimdResult[] = [];
  for (let i = 0; i < cases.length; i++) {
    const o = i * OUT_REC;
    const x = new BigUint64Array(8);
    for (let j = 0; j < 8; j++) x[j] = out.readBigUInt64LE(o + 512 + 8 * j);
    res.push({
      v: new Uint8Array(out.subarray(o, o + 512)),
      x,
      fpsr: out.readUInt32LE(o + 576),
      nzcv: out.readUInt32LE(o + 580),
      undef: out.readUInt32LE(o + 584) !== 0,
      mem: new Uint8Array(out.subarray(o + 592, o + 656)),
    });
  }
  return res;
}
