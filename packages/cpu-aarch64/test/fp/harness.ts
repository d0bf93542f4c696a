import { FpState } from '../../src/fp/index.js';
import { Rng, bitsOfF32, bitsOfF64, f32OfBits, f64OfBits, genD, genFpcr, genS } from './gen.js';
import { buildOracle, runOracle, type Case } from './oracle.js';

export type Words = [number, number, number, number];
export type Pair = [number, number];

export interface TestOp {
  name: string;
  asm: string;
  /** Operands [a, b, c] (optionally [a, b, c, d, e, f] in x1..x6) as 64-bit pairs. */
  gen: (r: Rng) => Pair[];
  /** Our result (v3 words) for the case; st.fpcr is set and st.fpsr cleared before the call. */
  impl: (st: FpState, a: Pair, b: Pair, c: Pair, d: Pair, e: Pair, f: Pair) => Words;
  /** FPCR generator (default: random mode, FZ, DN, AHP). */
  fpcr?: (r: Rng) => number;
}

/** Cases per operation: FP_ORACLE_CASES overrides the default. */
export function casesPerOp(dflt: number): number {
  const env = process.env.FP_ORACLE_CASES;
  const n = env ? Number(env) : dflt;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : dflt;
}

const hex = (x: number, w = 8) => (x >>> 0).toString(16).padStart(w, '0');
const h64 = (p: [number, number]) => hex(p[1]) + hex(p[0]);

/** Runs every op against qemu and returns failure descriptions (empty when all bits agree). */
export function runSuite(ops: readonly TestOp[], perOp: number, seed: number): { failures: string[]; total: number } {
  const exe = buildOracle(ops);
  // FP_ORACLE_SEED varies the operands of an extended run; CI uses the fixed seeds.
  const r = new Rng((seed ^ Number(process.env.FP_ORACLE_SEED ?? 0)) >>> 0);
  const cases: Case[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    for (let n = 0; n < perOp; n++) {
      const [a, b, c, d, e, f] = op.gen(r);
      cases.push({ op: i, fpcr: (op.fpcr ?? genFpcr)(r), a, b, c, d, e, f });
    }
  }
  const res = runOracle(exe, cases);
  const st = new FpState();
  const failures: string[] = [];
  const perOpFail = new Map<string, number>();
  for (let i = 0; i < cases.length; i++) {
    const k = cases[i];
    const op = ops[k.op];
    st.fpcr = k.fpcr;
    st.fpsr = 0;
    st.rhi = 0;
    const got = op.impl(st, k.a, k.b, k.c, k.d ?? Z, k.e ?? Z, k.f ?? Z);
    const exp = res[i];
    const ok =
      (got[0] >>> 0) === exp.r[0] &&
      (got[1] >>> 0) === exp.r[1] &&
      (got[2] >>> 0) === exp.r[2] &&
      (got[3] >>> 0) === exp.r[3] &&
      st.fpsr >>> 0 === exp.fpsr >>> 0;
    if (!ok) {
      const cnt = (perOpFail.get(op.name) ?? 0) + 1;
      perOpFail.set(op.name, cnt);
      if (cnt <= 4 && failures.length < 60) {
        failures.push(
          `${op.name} fpcr=${hex(k.fpcr)} a=${h64(k.a)} b=${h64(k.b)} c=${h64(k.c)} ` +
            `expected=${exp.r.map((x) => hex(x)).reverse().join(':')} fpsr=${hex(exp.fpsr)} ` +
            `actual=${got.map((x) => hex(x)).reverse().join(':')} fpsr=${hex(st.fpsr)}`,
        );
      }
    }
  }
  for (const [name, cnt] of perOpFail) failures.push(`${name}: ${cnt} mismatches`);
  if (process.env.FP_ORACLE_VERBOSE) console.log(`fp oracle: ${ops.length} ops, ${cases.length} cases, ${failures.length} failure lines`);
  return { failures, total: cases.length };
}

// Operand helpers -------------------------------------------------------------------------------

export const Z: [number, number] = [0, 0];
export const w32 = (x: number): [number, number] => [x >>> 0, 0];

/** A second single related to the first (near-equal or negated: cancellation), or independent. */
export function relS(r: Rng, a: number): number {
  switch (r.int(4)) {
    case 0:
      return (((a ^ (r.bool() ? 0x80000000 : 0)) >>> 0) + r.int(17) - 8) >>> 0;
    case 1:
      return (((a ^ 0x80000000) >>> 0) + ((r.int(5) - 2) << 23) + r.int(3) - 1) >>> 0;
    default:
      return genS(r);
  }
}
export function relD(r: Rng, a: [number, number]): [number, number] {
  switch (r.int(4)) {
    case 0: {
      const lo = a[0] + r.int(17) - 8;
      const hi = (a[1] ^ (r.bool() ? 0x80000000 : 0)) >>> 0;
      return lo < 0 || lo >= 4294967296 ? [lo >>> 0, hi] : [lo, hi];
    }
    case 1:
      return [(a[0] + r.int(3)) >>> 0, (((a[1] ^ 0x80000000) >>> 0) + ((r.int(5) - 2) << 20)) >>> 0];
    default:
      return genD(r);
  }
}
/** An addend near -(a*b) for fused multiply-add cancellation. */
export function fmaAddendS(r: Rng, a: number, b: number): number {
  if (r.int(3) !== 0) return genS(r);
  const p = Math.fround(f32OfBits(a) * f32OfBits(b));
  if (!Number.isFinite(p)) return genS(r);
  return ((bitsOfF32(-p) + r.int(5) - 2) >>> 0) >>> 0;
}
export function fmaAddendD(r: Rng, a: [number, number], b: [number, number]): [number, number] {
  if (r.int(3) !== 0) return genD(r);
  const p = f64OfBits(a[0], a[1]) * f64OfBits(b[0], b[1]);
  if (!Number.isFinite(p)) return genD(r);
  const [lo, hi] = bitsOfF64(-p);
  return [(lo + r.int(5) - 2) >>> 0, hi];
}
