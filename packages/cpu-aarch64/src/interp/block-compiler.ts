import * as alu from './alu.js';
import { asr64, lsl64, lsr64, pair } from './bits.js';
import { type CodePage } from './code-page.js';
import { Ls, Op, Slot } from '../interpreter-cpu.js';
import { TLB_MASK } from './mmu.js';

/**
 * Tier 1 of the interpreter: a hot run of straight-line code in one decoded
 * page becomes one JavaScript function (`new Function`), with every operand a
 * literal, so the per-instruction dispatch of the `switch` loop disappears and
 * V8 optimises the block as a whole. A block ending in a branch back to its own
 * start becomes a real loop. Registers stay in the CPU's register file, so a
 * block can stop before any instruction and hand over to the interpreter.
 *
 * A block contains only instructions that cannot raise an exception: pure ALU
 * work, branches, and loads/stores on their RAM fast path. A load or store
 * whose translation is not in the TLB, or that touches a device or crosses a
 * page, leaves the block *before* the instruction ("side exit") and the
 * interpreter executes it with all its fault handling.
 *
 * Calling convention: `block(n, mmuBase)`, where `n` (>= block length) is the
 * instruction budget left. It stores the number of instructions executed in
 * `io[0]` and returns:
 *   0..1023      the next instruction index in the same page, a block entry
 *                (a branch target, or the fall-through after the block);
 *   BLOCK_JUMP   the next PC is in R[PC] (another page or the page's end);
 *   SIDE_EXIT+i  interpret instruction i of this page next (no block entry).
 */
export const BLOCK_JUMP = 1024;
export const SIDE_EXIT = 2048;
/** Longest block, in instructions. */
const MAX_BLOCK = 64;

export type BlockFn = (n: number, mmuBase: number) => number;

export interface CompiledBlock {
  readonly fn: BlockFn;
  /** Instructions in one pass through the block. */
  readonly len: number;
  /** True when the block branches back to its own start (it iterates inside the function). */
  readonly loops: boolean;
}

/** What generated code reads and calls: the CPU's register file, TLB and ALU helpers. */
export interface BlockEnv {
  R: BigUint64Array;
  R32: Int32Array;
  F: Int32Array;
  io: Int32Array;
  rLo: Int32Array;
  rHi: Int32Array;
  wLo: Int32Array;
  wHi: Int32Array;
  tOff: Int32Array;
  tView: DataView[];
  /** Slot.T0 = Rn + extend(Rm) << shift (the interpreter's register-offset addressing). */
  registerOffset(n: number, m: number, b: number): void;
}

/** Every ALU helper the generated code may call, by name (what the interpreter calls too). */
const HELPERS = { ...alu, madd64, lsl64, lsr64, asr64, pair };
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

/*
 * Generated code works on the Int32 view of the register file: BigInt
 * arithmetic allocates until V8 has optimised a function, and most blocks
 * run for a while (or for good) before that happens. Where pair arithmetic
 * would be long, a block calls a shared helper that V8 optimises once.
 */

/** A 64-bit constant as [low word as uint32, high word as int32]. */
function words(v: bigint): [number, number] {
  return [Number(v & 0xffff_ffffn), Number(BigInt.asIntN(32, v >> 32n))];
}

/** X[d] = X[n] + constant, on words (d may equal n). */
function addConst(d: number, n: number, v: bigint): string {
  const [clo, chi] = words(v);
  return `{ const s = (R32[${2 * n}] >>> 0) + ${clo}; R32[${2 * d + 1}] = (R32[${2 * n + 1}] + ${chi} + (s > 0xffffffff ? 1 : 0)) | 0; R32[${2 * d}] = s | 0; }`;
}

/** alo/ahi = X[n] + constant (an address). */
function addrConst(n: number, v: bigint): string {
  const [clo, chi] = words(v);
  return `{ const s = (R32[${2 * n}] >>> 0) + ${clo}; ahi = (R32[${2 * n + 1}] + ${chi} + (s > 0xffffffff ? 1 : 0)) | 0; alo = s | 0; }`;
}

/** X[d] = X[n] op X[m] for a bitwise op. */
function logicReg(d: number, n: number, m: number, o: string): string {
  return `{ const l = R32[${2 * n}] ${o} R32[${2 * m}]; R32[${2 * d + 1}] = R32[${2 * n + 1}] ${o} R32[${2 * m + 1}]; R32[${2 * d}] = l; }`;
}

/** X[d] = X[n] op constant for a bitwise op. */
function logicConst(d: number, n: number, v: bigint, o: string): string {
  const [clo, chi] = words(v);
  return `R32[${2 * d}] = R32[${2 * n}] ${o} ${clo | 0}; R32[${2 * d + 1}] = R32[${2 * n + 1}] ${o} ${chi};`;
}

/** Shared helpers for 64-bit work that is short in BigInt and long in words. */
function madd64(R: BigUint64Array, d: number, x: number, n: number, m: number): void {
  R[d] = R[x]! + R[n]! * R[m]!;
}

/** Condition code as a JS expression over F = [N, Z, C, V]. */
function condExpr(cond: number): string {
  let e: string;
  switch (cond >> 1) {
    case 0:
      e = 'F[1] === 1';
      break;
    case 1:
      e = 'F[2] === 1';
      break;
    case 2:
      e = 'F[0] === 1';
      break;
    case 3:
      e = 'F[3] === 1';
      break;
    case 4:
      e = '(F[2] === 1 && F[1] === 0)';
      break;
    case 5:
      e = 'F[0] === F[3]';
      break;
    case 6:
      e = '(F[0] === F[3] && F[1] === 0)';
      break;
    default:
      return 'true';
  }
  return (cond & 1) !== 0 ? `!(${e})` : e;
}

/** Statements for one pure (non-branch, non-memory) instruction, or null if not compilable. */
function emitAlu(p: CodePage, i: number, op: number): string | null {
  const a = p.a[i]!;
  const b = p.b[i]!;
  const imm = p.imm[i]!;
  const d = a & 255;
  const n = (a >>> 8) & 255;
  const m = (a >>> 16) & 255;
  switch (op) {
    case Op.NOP:
      return '';
    case Op.ADD_I64:
      return addConst(d, n, imm);
    case Op.ADD_I32:
      return `R32[${2 * d}] = R32[${2 * n}] + ${b}; R32[${2 * d + 1}] = 0;`;
    case Op.ADDS_I64:
    case Op.SUBS_I64: {
      // Immediate 0..0xfff000: 32-bit halves only.
      const body =
        op === Op.SUBS_I64
          ? `const dlo = (alo >>> 0) - ${b}; rlo = dlo | 0; rhi = (ahi - (dlo < 0 ? 1 : 0)) | 0;
             F[2] = ahi !== 0 || dlo >= 0 ? 1 : 0; F[3] = (ahi & (ahi ^ rhi)) >>> 31;`
          : `const slo = (alo >>> 0) + ${b}; rlo = slo | 0; const carry = slo > 0xffffffff ? 1 : 0;
             rhi = (ahi + carry) | 0; F[2] = carry === 1 && ahi === -1 ? 1 : 0; F[3] = (~ahi & rhi) >>> 31;`;
      return `{ const alo = R32[${2 * n}]; const ahi = R32[${2 * n + 1}]; let rlo, rhi; ${body}
        F[0] = rhi >>> 31; F[1] = (rlo | rhi) === 0 ? 1 : 0; R32[${2 * d}] = rlo; R32[${2 * d + 1}] = rhi; }`;
    }
    case Op.ADDS_I32:
    case Op.SUBS_I32: {
      const sub = op === Op.SUBS_I32;
      return `{ const x = R32[${2 * n}]; const r = (x ${sub ? '-' : '+'} ${b}) | 0; ${sub ? 'flagsSub32' : 'flagsAdd32'}(F, x, ${b}, r);
        R32[${2 * d}] = r; R32[${2 * d + 1}] = 0; }`;
    }
    case Op.AND_I64:
      return logicConst(d, n, imm, '&');
    case Op.ORR_I64:
      return logicConst(d, n, imm, '|');
    case Op.EOR_I64:
      return logicConst(d, n, imm, '^');
    case Op.ANDS_I64:
      return `${logicConst(d, n, imm, '&')} { const lo = R32[${2 * d}]; const hi = R32[${2 * d + 1}];
        F[0] = hi >>> 31; F[1] = (lo | hi) === 0 ? 1 : 0; F[2] = 0; F[3] = 0; }`;
    case Op.AND_I32:
    case Op.ORR_I32:
    case Op.EOR_I32:
    case Op.ANDS_I32: {
      const o = op === Op.ORR_I32 ? '|' : op === Op.EOR_I32 ? '^' : '&';
      const flags = op === Op.ANDS_I32 ? 'F[0] = r >>> 31; F[1] = r === 0 ? 1 : 0; F[2] = 0; F[3] = 0;' : '';
      return `{ const r = R32[${2 * n}] ${o} ${b}; ${flags} R32[${2 * d}] = r; R32[${2 * d + 1}] = 0; }`;
    }
    case Op.MOV_C64: {
      const [clo, chi] = words(imm);
      return `R32[${2 * a}] = ${clo | 0}; R32[${2 * a + 1}] = ${chi};`;
    }
    case Op.MOV_C32:
      return `R32[${2 * a}] = ${b}; R32[${2 * a + 1}] = 0;`;
    case Op.MOVK64:
    case Op.MOVK32: {
      const hw = b & 3;
      const k = 2 * a + (hw >>> 1);
      const sh = (hw & 1) * 16;
      const upper = op === Op.MOVK32 ? ` R32[${2 * a + 1}] = 0;` : '';
      return `R32[${k}] = (R32[${k}] & ${~(0xffff << sh)}) | ${(b >>> 2) << sh};${upper}`;
    }
    case Op.ADR:
      return addConst(a, Slot.PGB, imm);
    case Op.LSL_I64:
    case Op.LSR_I64:
    case Op.ASR_I64: {
      const f = op === Op.LSL_I64 ? 'lsl64' : op === Op.LSR_I64 ? 'lsr64' : 'asr64';
      return `R32[${2 * d}] = ${f}(R32[${2 * n}], R32[${2 * n + 1}], ${b}); R32[${2 * d + 1}] = pair.hi;`;
    }
    case Op.LSL_I32:
    case Op.LSR_I32:
    case Op.ASR_I32: {
      const o = op === Op.LSL_I32 ? '<<' : op === Op.LSR_I32 ? '>>>' : '>>';
      return `R32[${2 * d}] = R32[${2 * n}] ${o} ${b}; R32[${2 * d + 1}] = 0;`;
    }
    case Op.BITFIELD:
      return `bitfield(R32, ${a}, ${b}, P32, P2x32, ${i});`;
    case Op.EXTR:
      return `extract(R32, ${a}, ${b});`;
    case Op.MOV_R64:
      return `R32[${2 * d}] = R32[${2 * m}]; R32[${2 * d + 1}] = R32[${2 * m + 1}];`;
    case Op.MOV_R32:
      return `R32[${2 * d}] = R32[${2 * m}]; R32[${2 * d + 1}] = 0;`;
    case Op.ADD_R64:
      return `{ const s = (R32[${2 * n}] >>> 0) + (R32[${2 * m}] >>> 0);
        R32[${2 * d + 1}] = (R32[${2 * n + 1}] + R32[${2 * m + 1}] + (s > 0xffffffff ? 1 : 0)) | 0; R32[${2 * d}] = s | 0; }`;
    case Op.SUB_R64:
      return `{ const s = (R32[${2 * n}] >>> 0) - (R32[${2 * m}] >>> 0);
        R32[${2 * d + 1}] = (R32[${2 * n + 1}] - R32[${2 * m + 1}] - (s < 0 ? 1 : 0)) | 0; R32[${2 * d}] = s | 0; }`;
    case Op.AND_R64:
      return logicReg(d, n, m, '&');
    case Op.ORR_R64:
      return logicReg(d, n, m, '|');
    case Op.EOR_R64:
      return logicReg(d, n, m, '^');
    case Op.ADDS_R64:
    case Op.SUBS_R64: {
      const r =
        op === Op.SUBS_R64
          ? `const s = (xlo >>> 0) - (ylo >>> 0); const rlo = s | 0; const rhi = (xhi - yhi - (s < 0 ? 1 : 0)) | 0;
             flagsSub64(F, xlo, xhi, ylo, yhi, rhi, rlo);`
          : `const s = (xlo >>> 0) + (ylo >>> 0); const rlo = s | 0; const rhi = (xhi + yhi + (s > 0xffffffff ? 1 : 0)) | 0;
             flagsAdd64(F, xlo, xhi, yhi, rlo, rhi);`;
      return `{ const xlo = R32[${2 * n}]; const xhi = R32[${2 * n + 1}]; const ylo = R32[${2 * m}]; const yhi = R32[${2 * m + 1}];
        ${r} R32[${2 * d}] = rlo; R32[${2 * d + 1}] = rhi; }`;
    }
    case Op.ADD_R32:
    case Op.SUB_R32:
    case Op.ADDS_R32:
    case Op.SUBS_R32: {
      const sub = op === Op.SUB_R32 || op === Op.SUBS_R32;
      const flags = op === Op.ADDS_R32 ? 'flagsAdd32(F, x, y, r);' : op === Op.SUBS_R32 ? 'flagsSub32(F, x, y, r);' : '';
      return `{ const x = R32[${2 * n}]; const y = R32[${2 * m}]; const r = (x ${sub ? '-' : '+'} y) | 0; ${flags}
        R32[${2 * d}] = r; R32[${2 * d + 1}] = 0; }`;
    }
    case Op.ADDSUB_SHIFT:
      return `addSubShifted(R, R32, F, ${a}, ${b});`;
    case Op.ADDSUB_EXT:
      return `addSubExtended(R, R32, F, ${a}, ${b});`;
    case Op.LOGIC_SHIFT:
      return `logicShifted(R32, F, ${a}, ${b});`;
    case Op.ADC:
      return `addWithCarry(R32, F, ${a}, ${b});`;
    case Op.CCMP:
      return `condCompare(R32, F, ${a}, ${b});`;
    case Op.CSEL:
      return `condSelect(R32, F, ${a}, ${b});`;
    case Op.CSEL64:
      return `{ const k = ${condExpr(b >>> 4)} ? ${2 * n} : ${2 * m}; R32[${2 * d}] = R32[k]; R32[${2 * d + 1}] = R32[k + 1]; }`;
    case Op.DP1:
      return `dataProc1(R32, ${a}, ${b});`;
    case Op.DP2:
      return `dataProc2(R, R32, ${a}, ${b});`;
    case Op.MADD64:
      return `madd64(R, ${d}, ${a >>> 24}, ${n}, ${m});`;
    case Op.MADD32:
      return `R32[${2 * d}] = (R32[${2 * (a >>> 24)}] + Math.imul(R32[${2 * n}], R32[${2 * m}])) | 0; R32[${2 * d + 1}] = 0;`;
    case Op.DP3:
      return `dataProc3(R, R32, ${a}, ${b});`;
    default:
      return null;
  }
}

/** Integer access kinds (STRB..LDRSH32) have a RAM fast path in blocks; PRFM, FP/SIMD kinds do not. */
function fastKind(kind: number): boolean {
  return kind >= Ls.STRB && kind <= Ls.LDRSH32;
}
const KIND_SIZE = [1, 2, 4, 8, 1, 2, 4, 8, 1, 2, 4, 1, 2];

/**
 * The RAM fast path of one access at the address in Slot.T0: `exit` is the
 * statement that leaves the block when the TLB has no usable entry.
 */
function emitAccess(kind: number, t: number, exit: string): string {
  const size = KIND_SIZE[kind]!;
  const store = kind <= Ls.STRX;
  const tags = store ? 'wLo[s] === lo >>> 12 && wHi[s] === hi' : 'rLo[s] === lo >>> 12 && rHi[s] === hi';
  let body: string;
  const t2 = 2 * t;
  switch (kind) {
    case Ls.STRB:
      body = `tView[s].setUint8(o, R32[${t2}]);`;
      break;
    case Ls.STRH:
      body = `tView[s].setUint16(o, R32[${t2}], true);`;
      break;
    case Ls.STRW:
      body = `tView[s].setInt32(o, R32[${t2}], true);`;
      break;
    case Ls.STRX:
      body = `{ const dv = tView[s]; dv.setInt32(o, R32[${t2}], true); dv.setInt32(o + 4, R32[${t2 + 1}], true); }`;
      break;
    case Ls.LDRB:
      body = `R32[${t2}] = tView[s].getUint8(o); R32[${t2 + 1}] = 0;`;
      break;
    case Ls.LDRH:
      body = `R32[${t2}] = tView[s].getUint16(o, true); R32[${t2 + 1}] = 0;`;
      break;
    case Ls.LDRW:
      body = `R32[${t2}] = tView[s].getInt32(o, true); R32[${t2 + 1}] = 0;`;
      break;
    case Ls.LDRX:
      body = `{ const dv = tView[s]; R32[${t2}] = dv.getInt32(o, true); R32[${t2 + 1}] = dv.getInt32(o + 4, true); }`;
      break;
    case Ls.LDRSB64:
      body = `{ const v = tView[s].getInt8(o); R32[${t2}] = v; R32[${t2 + 1}] = v >> 31; }`;
      break;
    case Ls.LDRSH64:
      body = `{ const v = tView[s].getInt16(o, true); R32[${t2}] = v; R32[${t2 + 1}] = v >> 31; }`;
      break;
    case Ls.LDRSW:
      body = `{ const v = tView[s].getInt32(o, true); R32[${t2}] = v; R32[${t2 + 1}] = v >> 31; }`;
      break;
    case Ls.LDRSB32:
      body = `R32[${t2}] = tView[s].getInt8(o); R32[${t2 + 1}] = 0;`;
      break;
    default: // LDRSH32
      body = `R32[${t2}] = tView[s].getInt16(o, true); R32[${t2 + 1}] = 0;`;
  }
  return `{ const lo = alo; const hi = ahi; const s = ((lo >>> 12) & ${TLB_MASK}) | mb;
    const po = lo & 0xfff; const off = tOff[s];
    if (!(${tags} && po <= ${4096 - size} && off >= 0)) { ${exit} }
    const o = off + po; ${body} }`;
}

/** A pair of X registers (LDP/STP Xt1, Xt2) on its aligned RAM fast path; address in Slot.T0. */
function emitPairX(load: boolean, t1: number, t2: number, exit: string): string {
  const tags = load ? 'rLo[s] === lo >>> 12 && rHi[s] === hi' : 'wLo[s] === lo >>> 12 && wHi[s] === hi';
  const body = load
    ? `const dv = tView[s]; const l1 = dv.getInt32(o, true); const h1 = dv.getInt32(o + 4, true);
       R32[${2 * t2}] = dv.getInt32(o + 8, true); R32[${2 * t2 + 1}] = dv.getInt32(o + 12, true); R32[${2 * t1}] = l1; R32[${2 * t1 + 1}] = h1;`
    : `const dv = tView[s]; dv.setInt32(o, R32[${2 * t1}], true); dv.setInt32(o + 4, R32[${2 * t1 + 1}], true);
       dv.setInt32(o + 8, R32[${2 * t2}], true); dv.setInt32(o + 12, R32[${2 * t2 + 1}], true);`;
  return `{ const lo = alo; const hi = ahi; const s = ((lo >>> 12) & ${TLB_MASK}) | mb;
    const po = lo & 0xfff; const off = tOff[s];
    if (!((po & 7) === 0 && po <= 4080 && off >= 0 && ${tags})) { ${exit} }
    const o = off + po; ${body} }`;
}

/** Statements for a load/store, or null if it has no block form. */
function emitMemory(p: CodePage, i: number, op: number, exit: string): string | null {
  const a = p.a[i]!;
  const b = p.b[i]!;
  const imm = p.imm[i]!;
  const t = a & 255;
  const n = (a >>> 8) & 255;
  switch (op) {
    case Op.LDRX_I:
      return addrConst(n, imm) + emitAccess(Ls.LDRX, t, exit);
    case Op.STRX_I:
      return addrConst(n, imm) + emitAccess(Ls.STRX, t, exit);
    case Op.LDRW_I:
      return addrConst(n, imm) + emitAccess(Ls.LDRW, t, exit);
    case Op.STRW_I:
      return addrConst(n, imm) + emitAccess(Ls.STRW, t, exit);
    case Op.LS_IMM:
      if (b === Ls.PRFM) return '';
      if (!fastKind(b)) return null;
      return addrConst(n, imm) + emitAccess(b, t, exit);
    case Op.LS_PRE:
    case Op.LS_POST:
    case Op.LS_REG: {
      const kind = b & 31;
      if (!fastKind(kind)) return null;
      const addr =
        op === Op.LS_PRE
          ? addrConst(n, imm)
          : op === Op.LS_POST
            ? `alo = R32[${2 * n}]; ahi = R32[${2 * n + 1}];`
            : `env.registerOffset(${n}, ${(a >>> 16) & 255}, ${b}); alo = R32[${2 * Slot.T0}]; ahi = R32[${2 * Slot.T0 + 1}];`;
      const wb = op === Op.LS_PRE ? `R32[${2 * n}] = alo; R32[${2 * n + 1}] = ahi;` : op === Op.LS_POST ? addConst(n, n, imm) : '';
      return addr + emitAccess(kind, t, exit) + wb;
    }
    case Op.LSP_OFF:
    case Op.LSP_PRE:
    case Op.LSP_POST: {
      if (b !== Ls.LDRX && b !== Ls.STRX) return null;
      const addr = op === Op.LSP_POST ? `alo = R32[${2 * n}]; ahi = R32[${2 * n + 1}];` : addrConst(n, imm);
      const wb = op === Op.LSP_PRE ? `R32[${2 * n}] = alo; R32[${2 * n + 1}] = ahi;` : op === Op.LSP_POST ? addConst(n, n, imm) : '';
      return addr + emitPairX(b === Ls.LDRX, t, (a >>> 16) & 255, exit) + wb;
    }
    default:
      return null;
  }
}

function isBranch(op: number): boolean {
  return op >= Op.B && op <= Op.BLR;
}

/** The condition of a conditional branch as a JS expression. */
function branchCond(p: CodePage, i: number, op: number): string {
  const a = p.a[i]!;
  switch (op) {
    case Op.BCOND:
      return condExpr(a);
    case Op.CBZ64:
      return `(R32[${2 * a}] | R32[${2 * a + 1}]) === 0`;
    case Op.CBNZ64:
      return `(R32[${2 * a}] | R32[${2 * a + 1}]) !== 0`;
    case Op.CBZ32:
      return `R32[${2 * a}] === 0`;
    case Op.CBNZ32:
      return `R32[${2 * a}] !== 0`;
    case Op.TBZ:
    case Op.TBNZ: {
      const bit = a >>> 8;
      const word = `R32[${2 * (a & 255) + (bit >>> 5)}]`;
      return `((${word} >>> ${bit & 31}) & 1) === ${op === Op.TBZ ? 0 : 1}`;
    }
    default:
      return 'true';
  }
}

/** Leaves the block for the instruction at `next` (0..1024) after `count` instructions. */
function goTo(next: number, count: string): string {
  if (next >= 1024) return `io[0] = ${count}; ${addConst(Slot.PC, Slot.PGB, BigInt(4 * next))} return ${BLOCK_JUMP};`;
  return `io[0] = ${count}; return ${next};`;
}

/**
 * Compiles the block starting at instruction `start` of `page`, or returns
 * null when its first instruction has no block form. A block runs on through
 * conditional branches (leaving when one is taken), so it is a superblock;
 * it ends at an unconditional branch, at an instruction without a block form,
 * at the page's end or at MAX_BLOCK instructions. A conditional or
 * unconditional branch back to `start` loops inside the function.
 */
export function compileBlock(page: CodePage, start: number, env: BlockEnv, decode: (p: CodePage, i: number) => void): CompiledBlock | null {
  const parts: string[] = [];
  let i = start;
  let terminator = '';
  let loops = false;
  for (; i < 1024 && i - start < MAX_BLOCK; i++) {
    if (page.op[i] === 0) decode(page, i);
    const op = page.op[i]!;
    const j = i - start;
    const alu = emitAlu(page, i, op);
    if (alu !== null) {
      parts.push(alu);
      continue;
    }
    const mem = emitMemory(page, i, op, `io[0] = done + ${j}; return ${SIDE_EXIT + i};`);
    if (mem !== null) {
      parts.push(mem);
      continue;
    }
    if (!isBranch(op)) break;
    const count = `done + ${j + 1}`;
    const a = page.a[i]!;
    const target = page.b[i]!;
    const link = op === Op.BL || op === Op.BLR ? `${addConst(30, Slot.PGB, BigInt(4 * (i + 1)))} ` : '';
    let taken: string;
    if (op === Op.BR || op === Op.BLR) {
      // The target register is read before BLR writes X30.
      const r = (a >>> 8) & 255;
      taken = `R32[${2 * Slot.PC}] = R32[${2 * r}]; R32[${2 * Slot.PC + 1}] = R32[${2 * r + 1}]; ${link}io[0] = ${count}; return ${BLOCK_JUMP};`;
    } else if (target === start && op !== Op.BL) {
      // Back to the block's own start: iterate here while the budget allows a whole pass.
      loops = true;
      taken = `done += ${j + 1}; if (n - done >= @LEN@) continue; io[0] = done; return ${start};`;
    } else if (target >= 0) {
      taken = `${link}io[0] = ${count}; return ${target};`;
    } else {
      taken = `${link}${addConst(Slot.PC, Slot.PGB, page.imm[i]!)} io[0] = ${count}; return ${BLOCK_JUMP};`;
    }
    if (op === Op.B || op === Op.BL || op === Op.BR || op === Op.BLR) {
      terminator = taken;
      i++;
      break;
    }
    parts.push(`if (${branchCond(page, i, op)}) { ${taken} }`);
  }
  const len = i - start;
  if (len === 0) return null;
  if (terminator === '') {
    // Falls through to an instruction without a block form, or past the length cap or page end.
    terminator = i >= 1024 ? goTo(1024, `done + ${len}`) : `io[0] = done + ${len}; return ${SIDE_EXIT + i};`;
  }
  const code = `${parts.join('\n')}\n${terminator}`.replaceAll('@LEN@', String(len));
  const body = loops ? `for (;;) {\n${code}\n}` : code;
  const source = `"use strict";
const { R, R32, F, io, rLo, rHi, wLo, wHi, tOff, tView } = env;
return function block(n, mb) {
  let done = 0;
  let alo = 0;
  let ahi = 0;
  ${body}
};`;
  const factory = new Function('env', 'P32', 'P2x32', ...HELPER_NAMES, source) as (...args: unknown[]) => BlockFn;
  const fn = factory(env, page.imm32, page.imm2x32, ...HELPER_VALUES);
  return { fn, len, loops };
}
