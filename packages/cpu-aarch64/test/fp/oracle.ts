// Differential oracle: a static aarch64 Linux program, generated from the op table, run under
// qemu-aarch64 (-cpu cortex-a53). It reads records (op, FPCR, a, b, c) and writes for each the
// 128-bit result register (v3) and FPSR.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OracleOp {
  /** Instruction sequence: inputs in d0/d1/d2 (and x1/x2/x3), result left in v3 (x results: fmov d3, x0). */
  asm: string;
}

export interface Case {
  op: number;
  fpcr: number;
  /** Operands as 64-bit pairs [lo, hi]. */
  a: [number, number];
  b: [number, number];
  c: [number, number];
  /** Extra operands (x4, x5, x6) for 128-bit forms; zero when absent. */
  d?: [number, number];
  e?: [number, number];
  f?: [number, number];
}

export interface Result {
  /** v3 as four 32-bit words, low first. */
  r: [number, number, number, number];
  fpsr: number;
}

const CC = 'aarch64-linux-gnu-gcc';
const QEMU = 'qemu-aarch64';
const HINT =
  'the FP oracle needs qemu-aarch64 and aarch64-linux-gnu-gcc: apt-get install -y qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross';

function which(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`]);
  return r.status === 0;
}

function cSource(ops: readonly OracleOp[]): string {
  const cases = ops
    .map(
      (o, i) => `  case ${i}:
    __asm__ volatile(
      "msr fpcr, %[fpcr]\\n\\tmsr fpsr, xzr\\n\\t"
      "mov x1, %[a]\\n\\tmov x2, %[b]\\n\\tmov x3, %[c]\\n\\tmov x4, %[d]\\n\\tmov x5, %[e]\\n\\tmov x6, %[f]\\n\\t"
      "fmov d0, x1\\n\\tfmov d1, x2\\n\\tfmov d2, x3\\n\\tmovi v3.16b, #0\\n\\tmov x0, xzr\\n\\t"
      ${JSON.stringify(o.asm.replace(/;/g, '\n\t') + '\n\t')}
      "mrs %[s], fpsr\\n\\tfmov %[r0], d3\\n\\tmov %[r1], v3.d[1]\\n\\tmsr fpcr, xzr\\n\\t"
      : [r0] "=&r"(r0), [r1] "=&r"(r1), [s] "=&r"(s)
      : [fpcr] "r"(fpcr), [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d), [e] "r"(e), [f] "r"(f)
      : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "v0", "v1", "v2", "v3", "v4", "cc", "memory");
    break;`,
    )
    .join('\n');
  return `#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
struct in { uint32_t op, fpcr; uint64_t a, b, c, d, e, f; };
struct out { uint64_t r0, r1; uint32_t fpsr, pad; };
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  FILE *fi = fopen(argv[1], "rb"), *fo = fopen(argv[2], "wb");
  if (!fi || !fo) return 3;
  struct in x;
  while (fread(&x, sizeof x, 1, fi) == 1) {
    uint64_t r0 = 0, r1 = 0, s = 0, fpcr = x.fpcr, a = x.a, b = x.b, c = x.c, d = x.d, e = x.e, f = x.f;
    switch (x.op) {
${cases}
    default: return 4;
    }
    struct out y = { r0, r1, (uint32_t)s, 0 };
    fwrite(&y, sizeof y, 1, fo);
  }
  fclose(fo);
  return 0;
}
`;
}

/** Builds (once per op table) the oracle program; throws with an install hint if tools are missing. */
export function buildOracle(ops: readonly OracleOp[]): string {
  if (!which(CC) || !which(QEMU)) throw new Error(HINT);
  const src = cSource(ops);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'vmapple-fp-oracle');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, `oracle-${hash}`);
  if (!existsSync(exe)) {
    const cfile = join(dir, `oracle-${hash}-${process.pid}.c`);
    writeFileSync(cfile, src);
    const tmpExe = `${exe}.${process.pid}`;
    execFileSync(CC, ['-O1', '-static', '-march=armv8-a+crypto', '-o', tmpExe, cfile], { stdio: 'pipe' });
    execFileSync('mv', ['-f', tmpExe, exe]);
    rmSync(cfile, { force: true });
  }
  return exe;
}

let seq = 0;
/** Runs the cases under qemu-aarch64 and returns the results in order. */
export function runOracle(exe: string, cases: readonly Case[]): Result[] {
  const REC = 56;
  const inBuf = Buffer.alloc(cases.length * REC);
  cases.forEach((k, i) => {
    const o = i * REC;
    inBuf.writeUInt32LE(k.op, o);
    inBuf.writeUInt32LE(k.fpcr >>> 0, o + 4);
    inBuf.writeUInt32LE(k.a[0] >>> 0, o + 8);
    inBuf.writeUInt32LE(k.a[1] >>> 0, o + 12);
    inBuf.writeUInt32LE(k.b[0] >>> 0, o + 16);
    inBuf.writeUInt32LE(k.b[1] >>> 0, o + 20);
    inBuf.writeUInt32LE(k.c[0] >>> 0, o + 24);
    inBuf.writeUInt32LE(k.c[1] >>> 0, o + 28);
    const extra = [k.d ?? [0, 0], k.e ?? [0, 0], k.f ?? [0, 0]];
    extra.forEach((p, j) => {
      inBuf.writeUInt32LE(p[0] >>> 0, o + 32 + 8 * j);
      inBuf.writeUInt32LE(p[1] >>> 0, o + 36 + 8 * j);
    });
  });
  const base = join(tmpdir(), 'vmapple-fp-oracle', `run-${process.pid}-${seq++}`);
  writeFileSync(`${base}.in`, inBuf);
  const r = spawnSync(QEMU, ['-cpu', 'cortex-a53', exe, `${base}.in`, `${base}.out`], { stdio: 'pipe' });
  if (r.status !== 0) {
    rmSync(`${base}.in`, { force: true });
    throw new Error(`oracle failed (${r.status}): ${r.stderr.toString()}`);
  }
  const out = readFileSync(`${base}.out`);
  rmSync(`${base}.in`, { force: true });
  rmSync(`${base}.out`, { force: true });
  if (out.length !== cases.length * 24) throw new Error(`oracle wrote ${out.length} bytes for ${cases.length} cases`);
  const res: Result[] = [];
  for (let i = 0; i < cases.length; i++) {
    const o = i * 24;
    res.push({
      r: [out.readUInt32LE(o), out.readUInt32LE(o + 4), out.readUInt32LE(o + 8), out.readUInt32LE(o + 12)],
      fpsr: out.readUInt32LE(o + 16),
    });
  }
  return res;
}
