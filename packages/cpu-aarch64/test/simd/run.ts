// Runs generated cases through executeFpSimd/executeFpMove (routed as the interpreter's decoder
// routes them) and compares with qemu-aarch64.
import { executeFpMove, executeFpSimd, type FpSimdContext } from '../../src/interp/fp-simd.js';
import { Rng, randomCase } from './gen.js';
import { runSimdOracle, type SimdCase } from './oracle.js';

/** Where the test context places the 64-byte memory block (X registers flagged in xrel are offsets). */
const MEMBASE = 0x4000_0000n;

class Ctx implements FpSimdContext {
  readonly mem = new Uint8Array(64);
  simdLoad(va: bigint, bytes: number): bigint | null {
    const o = Number(va - MEMBASE);
    if (va < MEMBASE || o + bytes > 64) throw new Error(`load outside the block at ${va.toString(16)}`);
    let v = 0n;
    for (let b = bytes - 1; b >= 0; b--) v = (v << 8n) | BigInt(this.mem[o + b]!);
    return v;
  }
  simdStore(va: bigint, bytes: number, value: bigint): boolean {
    const o = Number(va - MEMBASE);
    if (va < MEMBASE || o + bytes > 64) throw new Error(`store outside the block at ${va.toString(16)}`);
    for (let b = 0; b < bytes; b++) this.mem[o + b] = Number((value >> BigInt(8 * b)) & 0xffn);
    return true;
  }
  readonly V64 = new BigUint64Array(64);
  readonly V32 = new Uint32Array(this.V64.buffer);
  readonly V8 = new Uint8Array(this.V64.buffer);
  readonly R = new BigUint64Array(33);
  readonly R32 = new Int32Array(this.R.buffer);
  fpcr = 0;
  fpsr = 0;
  flags = 0;
  nzcv(): number {
    return this.flags | 0;
  }
  setNzcv(v: number): void {
    this.flags = v >>> 0;
  }
}

/** Which engine the interpreter's decoder hands the word to (src/interp/decode.ts decodeSimdFp). */
function isMove(w: number): boolean {
  const isFmovGen = (w & 0x7f3ffc00) === 0x1e260000 || (w & 0x7f3ffc00) === 0x1e270000 || (w & 0xfffffc00) === 0x9eae0000 || (w & 0xfffffc00) === 0x9eaf0000;
  const ok = isFmovGen && ((w >>> 31 === 0 && ((w >>> 22) & 3) === 0) || (w >>> 31 === 1 && ((w >>> 22) & 3) === 1) || (w >>> 31 === 1 && ((w >>> 22) & 3) === 2));
  return ok || (w & 0x9ff80400) === 0x0f000400 || (w & 0x9fe08400) === 0x0e000400 || (w & 0x9f20fc00) === 0x0e201c00 || (w & 0xffbffc00) === 0x1e204000;
}

export interface Template {
  name: string;
  pattern: string;
  /** X registers (bit mask) that point into the memory block. */
  pointers?: number;
}

const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');

function disasmHint(w: number): string {
  return `.inst 0x${hex(w)}`;
}

function execOurs(c: Ctx, k: SimdCase): boolean {
  c.V8.set(k.v);
  c.R.fill(0n);
  for (let i = 0; i < 8; i++) c.R[i] = (k.xrel >>> i) & 1 ? MEMBASE + k.x[i]! : k.x[i]!;
  c.mem.set(k.mem);
  c.fpcr = k.fpcr;
  c.fpsr = 0;
  c.flags = k.nzcv;
  return isMove(k.word) ? executeFpMove(c, k.word) : executeFpSimd(c, k.word);
}

/** Runs `perTemplate` random cases of each template; returns mismatch descriptions. */
export function differential(templates: readonly Template[], perTemplate: number, seed: number): { failures: string[]; total: number; undefs: number } {
  const r = new Rng(seed);
  const cases: SimdCase[] = [];
  const names: string[] = [];
  for (const t of templates) {
    for (let i = 0; i < perTemplate; i++) {
      cases.push(randomCase(r, t.pattern, t.pointers ?? 0));
      names.push(t.name);
    }
  }
  const res = runSimdOracle(cases);
  const c = new Ctx();
  const failures: string[] = [];
  const perName = new Map<string, number>();
  let undefs = 0;
  for (let i = 0; i < cases.length; i++) {
    const k = cases[i]!;
    const e = res[i]!;
    let ok: boolean;
    let why = '';
    let threw = '';
    let ran: boolean;
    try {
      ran = execOurs(c, k);
    } catch (err) {
      ran = false;
      threw = String(err);
    }
    if (e.undef) {
      undefs++;
      ok = !ran && !threw;
      if (!ok) why = threw ? `threw ${threw}` : 'qemu: UNDEFINED, ours executed it';
    } else if (!ran) {
      ok = false;
      why = threw ? `threw ${threw}` : 'ours: UNDEFINED';
    } else {
      const diffs: string[] = [];
      for (let v = 0; v < 32; v++) {
        for (let b = 0; b < 16; b++) {
          if (c.V8[v * 16 + b] !== e.v[v * 16 + b]) {
            const g = Array.from(c.V8.subarray(v * 16, v * 16 + 16)).reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
            const x = Array.from(e.v.subarray(v * 16, v * 16 + 16)).reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
            const src = Array.from(k.v.subarray(v * 16, v * 16 + 16)).reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
            diffs.push(`v${v}: expected ${x} got ${g} (was ${src})`);
            break;
          }
        }
      }
      for (let j = 0; j < 8; j++) if ((k.xrel >>> j) & 1) c.R[j] = BigInt.asUintN(64, c.R[j]! - MEMBASE);
      for (let b = 0; b < 64; b++) {
        if (c.mem[b] !== e.mem[b]) {
          diffs.push(`memory byte ${b}: expected ${e.mem[b]!.toString(16)} got ${c.mem[b]!.toString(16)}`);
          break;
        }
      }
      for (let j = 0; j < 8; j++) if (c.R[j] !== e.x[j]) diffs.push(`x${j}: expected ${e.x[j]!.toString(16)} got ${c.R[j]!.toString(16)}`);
      if ((c.fpsr >>> 0) !== (e.fpsr >>> 0)) diffs.push(`fpsr: expected ${hex(e.fpsr)} got ${hex(c.fpsr)}`);
      if ((c.flags >>> 0) !== (e.nzcv >>> 0)) diffs.push(`nzcv: expected ${hex(e.nzcv)} got ${hex(c.flags)}`);
      ok = diffs.length === 0;
      why = diffs.join('; ');
    }
    if (!ok) {
      const n = (perName.get(names[i]!) ?? 0) + 1;
      perName.set(names[i]!, n);
      if (n <= 3) failures.push(`${names[i]} ${disasmHint(k.word)} fpcr=${hex(k.fpcr)}: ${why}`);
    }
  }
  for (const [name, n] of perName) failures.push(`${name}: ${n} mismatches`);
  return { failures, total: cases.length, undefs };
}
