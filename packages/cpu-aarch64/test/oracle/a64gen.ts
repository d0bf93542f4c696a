import { Rng } from './rng.js';

/**
 * Random A64 instruction sequences, per instruction class, encoded bit by bit
 * (fields drawn at random, then constrained to what ARMv8.0 allocates and
 * defines: no UNPREDICTABLE register overlaps, no unallocated encodings).
 *
 * A sequence is a list of units; a unit is one tested instruction plus the
 * setup instructions it needs (a base register pointing into the scratch
 * block, an index register, a branch target address). Branches only target
 * unit boundaries, so they never skip a setup instruction.
 */

/** Where a PC-relative field points. */
export type Target =
  /** Start of unit n of the same sequence (n = unit count: the sequence end). */
  | { unit: number }
  /** Word n of the literal pool placed just after the sequence end (+4). */
  | { pool: number };

export type FixKind = 'imm26' | 'imm19' | 'imm14' | 'adr';

export interface Insn {
  word: number;
  fix?: { kind: FixKind; target: Target };
}

export interface Unit {
  insns: Insn[];
}

/** Register and memory layout facts the generator needs. */
export interface GenEnv {
  /** Scratch block size in bytes. */
  scratchSize: number;
  /** Literal pool size in 32-bit words. */
  poolWords: number;
}

/** Register x28 holds the scratch block base in classes that touch memory. */
export const SCRATCH_REG = 28;

export interface GenCtx {
  rng: Rng;
  env: GenEnv;
  /** Registers a generated instruction must not write (x28 in memory classes). */
  reserved: ReadonlySet<number>;
  /** Units generated so far (branches look forward from here). */
  unitIndex: number;
  /** Total number of units in this sequence. */
  unitCount: number;
  /** Exclusive monitor possibly open (a lone load-exclusive ran). */
  monitorOpen: boolean;
}

export function pack(...fields: Array<[number, number]>): number {
  let w = 0;
  let n = 0;
  for (const [value, width] of fields) {
    w = w * 2 ** width + (value & (2 ** width - 1));
    n += width;
  }
  if (n !== 32) throw new Error(`pack: ${n} bits`);
  return w >>> 0;
}

const plain = (word: number): Insn => ({ word });

// ---- register choice -----------------------------------------------------------

/** A destination register 0..30 not reserved; with `allow31`, sometimes 31 (ZR or SP). */
function dst(ctx: GenCtx, allow31 = true, avoid: readonly number[] = []): number {
  const { rng } = ctx;
  if (allow31 && rng.int(16) === 0) return 31;
  for (;;) {
    const r = rng.int(31);
    if (!ctx.reserved.has(r) && !avoid.includes(r)) return r;
  }
}

/** A source register 0..31 (31 = ZR or SP as the encoding says). */
function src(ctx: GenCtx): number {
  return ctx.rng.int(16) === 0 ? 31 : ctx.rng.int(31);
}

// ---- data processing: immediate -------------------------------------------------

/** Whether N:immr:imms is a valid logical-immediate bitmask (DecodeBitMasks with immediate=TRUE). */
export function validBitmask(sf: number, n: number, imms: number): boolean {
  if (sf === 0 && n === 1) return false;
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return false;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return false;
  const levels = (1 << len) - 1;
  return (imms & levels) !== levels;
}

function addSubImm(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const op = rng.bits(1);
  const s = rng.bits(1);
  const rd = dst(ctx);
  return { insns: [plain(pack([sf, 1], [op, 1], [s, 1], [0b100010, 6], [rng.bits(1), 1], [rng.bits(12), 12], [src(ctx), 5], [rd, 5]))] };
}

function logicalImm(ctx: GenCtx): Unit {
  const { rng } = ctx;
  for (;;) {
    const sf = rng.bits(1);
    const n = sf === 1 ? rng.bits(1) : 0;
    const imms = rng.bits(6);
    if (!validBitmask(sf, n, imms)) continue;
    const opc = rng.bits(2);
    return { insns: [plain(pack([sf, 1], [opc, 2], [0b100100, 6], [n, 1], [rng.bits(6), 6], [imms, 6], [src(ctx), 5], [dst(ctx), 5]))] };
  }
}

function moveWide(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const opc = rng.pick([0b00, 0b10, 0b11]);
  const hw = sf === 1 ? rng.bits(2) : rng.bits(1);
  const imm16 = rng.bool(0.3) ? rng.pick([0, 0xffff, 0x8000, 0x7fff, 1]) : rng.bits(16);
  return { insns: [plain(pack([sf, 1], [opc, 2], [0b100101, 6], [hw, 2], [imm16, 16], [dst(ctx), 5]))] };
}

function adrUnit(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const op = rng.bits(1);
  const imm = rng.bits(21);
  return { insns: [plain(pack([op, 1], [imm & 3, 2], [0b10000, 5], [imm >>> 2, 19], [dst(ctx, false), 5]))] };
}

// ---- bitfield, extract ---------------------------------------------------------

function bitfield(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const opc = rng.pick([0b00, 0b01, 0b10]);
  const width = sf === 1 ? 6 : 5;
  return { insns: [plain(pack([sf, 1], [opc, 2], [0b100110, 6], [sf, 1], [rng.bits(width), 6], [rng.bits(width), 6], [src(ctx), 5], [dst(ctx), 5]))] };
}

function extract(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const imms = rng.bits(sf === 1 ? 6 : 5);
  return { insns: [plain(pack([sf, 1], [0, 2], [0b100111, 6], [sf, 1], [0, 1], [src(ctx), 5], [imms, 6], [src(ctx), 5], [dst(ctx), 5]))] };
}

// ---- data processing: register ---------------------------------------------------

function logicalShifted(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const imm6 = rng.bits(sf === 1 ? 6 : 5);
  return {
    insns: [plain(pack([sf, 1], [rng.bits(2), 2], [0b01010, 5], [rng.bits(2), 2], [rng.bits(1), 1], [src(ctx), 5], [imm6, 6], [src(ctx), 5], [dst(ctx), 5]))],
  };
}

function addSubShifted(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const shift = rng.pick([0, 1, 2]);
  const imm6 = rng.bits(sf === 1 ? 6 : 5);
  return {
    insns: [plain(pack([sf, 1], [rng.bits(1), 1], [rng.bits(1), 1], [0b01011, 5], [shift, 2], [0, 1], [src(ctx), 5], [imm6, 6], [src(ctx), 5], [dst(ctx), 5]))],
  };
}

function addSubExtended(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const imm3 = rng.range(0, 4);
  return {
    insns: [plain(pack([sf, 1], [rng.bits(1), 1], [rng.bits(1), 1], [0b01011, 5], [0, 2], [1, 1], [src(ctx), 5], [rng.bits(3), 3], [imm3, 3], [src(ctx), 5], [dst(ctx), 5]))],
  };
}

function addSubCarry(ctx: GenCtx): Unit {
  const { rng } = ctx;
  return {
    insns: [plain(pack([rng.bits(1), 1], [rng.bits(1), 1], [rng.bits(1), 1], [0b11010000, 8], [src(ctx), 5], [0, 6], [src(ctx), 5], [dst(ctx), 5]))],
  };
}

function dp1Source(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  const opcode = sf === 1 ? rng.range(0, 5) : rng.pick([0, 1, 2, 4, 5]);
  return { insns: [plain(pack([sf, 1], [1, 1], [0, 1], [0b11010110, 8], [0, 5], [opcode, 6], [src(ctx), 5], [dst(ctx), 5]))] };
}

function shiftVariable(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const opcode = 0b001000 | rng.bits(2);
  return { insns: [plain(pack([rng.bits(1), 1], [0, 1], [0, 1], [0b11010110, 8], [src(ctx), 5], [opcode, 6], [src(ctx), 5], [dst(ctx), 5]))] };
}

function divide(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const opcode = rng.pick([0b000010, 0b000011]);
  return { insns: [plain(pack([rng.bits(1), 1], [0, 1], [0, 1], [0b11010110, 8], [src(ctx), 5], [opcode, 6], [src(ctx), 5], [dst(ctx), 5]))] };
}

function crc32(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sz = rng.bits(2);
  const c = rng.bits(1);
  const sf = sz === 3 ? 1 : 0;
  const opcode = 0b010000 | (c << 2) | sz;
  return { insns: [plain(pack([sf, 1], [0, 1], [0, 1], [0b11010110, 8], [src(ctx), 5], [opcode, 6], [src(ctx), 5], [dst(ctx), 5]))] };
}

function multiply(ctx: GenCtx): Unit {
  const { rng } = ctx;
  // op31:o0 allowed in v8.0: 000x (MADD/MSUB), 001x (SMADDL/SMSUBL), 0100 (SMULH), 101x (UMADDL/UMSUBL), 1100 (UMULH)
  const kind = rng.pick([0b0000, 0b0001, 0b0010, 0b0011, 0b0100, 0b1010, 0b1011, 0b1100]);
  const op31 = kind >>> 1;
  const o0 = kind & 1;
  const sf = op31 === 0 ? rng.bits(1) : 1;
  const ra = op31 === 0b010 || op31 === 0b110 ? 31 : src(ctx);
  return { insns: [plain(pack([sf, 1], [0, 2], [0b11011, 5], [op31, 3], [src(ctx), 5], [o0, 1], [ra, 5], [src(ctx), 5], [dst(ctx), 5]))] };
}

// ---- conditional ------------------------------------------------------------------

function condSelect(ctx: GenCtx): Unit {
  const { rng } = ctx;
  return {
    insns: [plain(pack([rng.bits(1), 1], [rng.bits(1), 1], [0, 1], [0b11010100, 8], [src(ctx), 5], [rng.bits(4), 4], [rng.bits(1), 2], [src(ctx), 5], [dst(ctx), 5]))],
  };
}

function condCompare(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const imm = rng.bits(1);
  return {
    insns: [
      plain(pack([rng.bits(1), 1], [rng.bits(1), 1], [1, 1], [0b11010010, 8], [imm ? rng.bits(5) : src(ctx), 5], [rng.bits(4), 4], [imm, 1], [0, 1], [src(ctx), 5], [0, 1], [rng.bits(4), 4])),
    ],
  };
}

/** ADDS/SUBS (shifted register), to make the flags depend on the registers within a sequence. */
function flagSetter(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const sf = rng.bits(1);
  return {
    insns: [plain(pack([sf, 1], [rng.bits(1), 1], [1, 1], [0b01011, 5], [0, 2], [0, 1], [src(ctx), 5], [0, 6], [src(ctx), 5], [dst(ctx), 5]))],
  };
}

// ---- loads and stores -----------------------------------------------------------------

/** An access: its size and where in the scratch block it lands. */
function pickOffset(ctx: GenCtx, bytes: number, align: number): number {
  const { rng } = ctx;
  const max = ctx.env.scratchSize - bytes;
  if (rng.bool(0.75)) return Math.floor(rng.range(0, max) / align) * align;
  return rng.range(0, max);
}

/**
 * Instructions that set register `rb` (31 = SP) to scratch + delta, from x28.
 */
function setBase(rb: number, delta: number): Insn[] {
  const op = delta < 0 ? 1 : 0;
  const mag = Math.abs(delta);
  if (mag >= 1 << 24) throw new Error('setBase: delta too large');
  const addImm = (sh: number, imm12: number, rn: number): Insn => plain(pack([1, 1], [op, 1], [0, 1], [0b100010, 6], [sh, 1], [imm12, 12], [rn, 5], [rb, 5]));
  if (mag < 4096) return [addImm(0, mag, SCRATCH_REG)];
  const hi = mag >>> 12;
  const lo = mag & 0xfff;
  const out = [addImm(1, hi, SCRATCH_REG)];
  if (lo !== 0) out.push(addImm(0, lo, rb));
  return out;
}

/** MOVZ/MOVN (+MOVK) making `rm` equal `value` (a small signed number), upper half optionally junk. */
function setIndex(ctx: GenCtx, rm: number, value: number, junkUpper: boolean): Insn[] {
  const { rng } = ctx;
  const out: Insn[] = [];
  if (value >= 0) out.push(plain(pack([1, 1], [0b10, 2], [0b100101, 6], [0, 2], [value, 16], [rm, 5])));
  else out.push(plain(pack([1, 1], [0b00, 2], [0b100101, 6], [0, 2], [-value - 1, 16], [rm, 5])));
  if (junkUpper) {
    // The 32-bit index forms (UXTW/SXTW) must ignore bits 63:32.
    out.push(plain(pack([1, 1], [0b11, 2], [0b100101, 6], [2 + rng.bits(1), 2], [rng.bits(16), 16], [rm, 5])));
  }
  return out;
}

/** A base register for an access with writeback or not; SP (31) sometimes. */
function pickBase(ctx: GenCtx, avoid: readonly number[]): number {
  if (ctx.rng.int(6) === 0) return 31;
  return dst(ctx, false, avoid);
}

interface MemForm {
  /** log2 of the access size */
  scale: number;
  isLoad: boolean;
  /** Load signed forms: opc 10 (to X) or 11 (to W). */
  opc: number;
}

/** Legal size:opc combinations for single-register loads/stores (prfm handled apart). */
function pickSingleForm(ctx: GenCtx): MemForm {
  const { rng } = ctx;
  for (;;) {
    const size = rng.bits(2);
    const opc = rng.bits(2);
    if (size === 2 && opc === 3) continue;
    if (size === 3 && opc >= 2) continue;
    return { scale: size, isLoad: opc !== 0, opc };
  }
}

function ldstImmediate(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const f = pickSingleForm(ctx);
  const bytes = 1 << f.scale;
  // 0 unsigned offset, 1 unscaled, 2 post-index, 3 unprivileged, 4 pre-index
  const mode = rng.int(5);
  const writeback = mode === 2 || mode === 4;
  const rt = f.isLoad ? dst(ctx, true) : src(ctx);
  for (;;) {
    const rb = pickBase(ctx, writeback ? [rt] : []);
    if (writeback && rb === rt) continue;
    const target = pickOffset(ctx, bytes, bytes);
    let word: number;
    let disp: number;
    if (mode === 0) {
      const imm12 = rng.bool(0.5) ? rng.bits(12) : rng.range(0, 64);
      disp = imm12 << f.scale;
      word = pack([f.scale, 2], [0b111, 3], [0, 1], [0b01, 2], [f.opc, 2], [imm12, 12], [rb, 5], [rt, 5]);
    } else {
      const imm9 = rng.range(-256, 255);
      const op = [0, 0b00, 0b01, 0b10, 0b11][mode]!;
      disp = mode === 2 ? 0 : imm9;
      word = pack([f.scale, 2], [0b111, 3], [0, 1], [0b00, 2], [f.opc, 2], [0, 1], [imm9, 9], [op, 2], [rb, 5], [rt, 5]);
    }
    const base = target - disp;
    if (rb === 31 && (base & 15) !== 0) continue;
    return { insns: [...setBase(rb, base), plain(word)] };
  }
}

function prefetch(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const rb = dst(ctx, false);
  const kind = rng.int(3);
  const prfop = rng.bits(5);
  if (kind === 0) {
    const imm12 = rng.bits(12);
    return { insns: [...setBase(rb, 0), plain(pack([3, 2], [0b111, 3], [0, 1], [0b01, 2], [0b10, 2], [imm12, 12], [rb, 5], [prfop, 5]))] };
  }
  if (kind === 1) {
    return { insns: [...setBase(rb, 0), plain(pack([3, 2], [0b111, 3], [0, 1], [0b00, 2], [0b10, 2], [0, 1], [rng.bits(9), 9], [0, 2], [rb, 5], [prfop, 5]))] };
  }
  return { insns: [plain(pack([0b11, 2], [0b011, 3], [0, 1], [0b00, 2], [rng.bits(19), 19], [prfop, 5]))] };
}

function ldstRegister(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const f = pickSingleForm(ctx);
  const bytes = 1 << f.scale;
  const option = rng.pick([0b010, 0b011, 0b110, 0b111]); // UXTW, LSL, SXTW, SXTX
  const s = rng.bits(1);
  const amount = s ? f.scale : 0;
  const rt = f.isLoad ? dst(ctx, true) : src(ctx);
  for (;;) {
    const rb = pickBase(ctx, []);
    const useZr = rng.int(10) === 0;
    const rm = useZr ? 31 : dst(ctx, false, [rb]);
    const target = pickOffset(ctx, bytes, bytes);
    const signed = option !== 0b010;
    const index = useZr ? 0 : signed ? rng.range(-40, 40) : rng.range(0, 40);
    const base = target - index * 2 ** amount;
    if (rb === 31 && (base & 15) !== 0) continue;
    const junk = option === 0b010 || option === 0b110;
    const setup = [...setBase(rb, base), ...(useZr ? [] : setIndex(ctx, rm, index, junk))];
    const word = pack([f.scale, 2], [0b111, 3], [0, 1], [0b00, 2], [f.opc, 2], [1, 1], [rm, 5], [option, 3], [s, 1], [0b10, 2], [rb, 5], [rt, 5]);
    return { insns: [...setup, plain(word)] };
  }
}

function ldstPair(ctx: GenCtx): Unit {
  const { rng } = ctx;
  // opc 00: 32-bit, 01: LDPSW (load only, not for no-allocate), 10: 64-bit
  const type = rng.pick([0b000, 0b001, 0b010, 0b011]); // STNP/LDNP, post, offset, pre
  let opc: number;
  let isLoad: boolean;
  for (;;) {
    opc = rng.pick([0, 1, 2]);
    isLoad = rng.bool();
    if (opc === 1 && (!isLoad || type === 0)) continue;
    break;
  }
  const scale = opc === 2 ? 3 : 2;
  const bytes = 2 << scale;
  const writeback = type === 0b001 || type === 0b011;
  const rt = isLoad ? dst(ctx, true) : src(ctx);
  const rt2 = isLoad ? dst(ctx, true, [rt]) : src(ctx);
  if (isLoad && rt === rt2) return ldstPair(ctx);
  for (;;) {
    const rb = pickBase(ctx, writeback ? [rt, rt2] : []);
    if (writeback && (rb === rt || rb === rt2)) continue;
    const imm7 = rng.bool(0.6) ? rng.range(-8, 8) : rng.range(-64, 63);
    const disp = type === 0b001 ? 0 : imm7 * (1 << scale);
    const target = pickOffset(ctx, bytes, 1 << scale);
    const base = target - disp;
    if (rb === 31 && (base & 15) !== 0) continue;
    const word = pack([opc, 2], [0b101, 3], [0, 1], [type, 3], [isLoad ? 1 : 0, 1], [imm7, 7], [rt2, 5], [rb, 5], [rt, 5]);
    return { insns: [...setBase(rb, base), plain(word)] };
  }
}

function ldstLiteral(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const opc = rng.pick([0, 1, 2, 3]);
  const rt = opc === 3 ? rng.bits(5) : dst(ctx, true);
  const bytes = opc === 1 ? 8 : 4;
  const pool = rng.range(0, ctx.env.poolWords - bytes / 4);
  return { insns: [{ word: pack([opc, 2], [0b011, 3], [0, 1], [0b00, 2], [0, 19], [rt, 5]), fix: { kind: 'imm19', target: { pool } } }] };
}

/** Filler between a load-exclusive and its store: data processing not touching `keep`. */
function filler(ctx: GenCtx, keep: readonly number[]): Insn[] {
  const out: Insn[] = [];
  const n = ctx.rng.int(3);
  const inner: GenCtx = { ...ctx, reserved: new Set([...ctx.reserved, ...keep]) };
  for (let i = 0; i < n; i++) {
    const u = ctx.rng.pick([addSubShifted, logicalShifted, condSelect, moveWide])(inner);
    // Rd=31 of these forms is ZR, never SP, so it cannot move a base off.
    out.push(...u.insns);
  }
  return out;
}

function exclusive(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const kind = rng.int(6);
  if (kind === 0 || kind === 1) {
    // load-acquire / store-release (LDAR/STLR), aligned
    const size = rng.bits(2);
    const isLoad = kind === 0;
    const rt = isLoad ? dst(ctx, true) : src(ctx);
    const rb = pickBase(ctx, []);
    let target = pickOffset(ctx, 1 << size, 1 << size);
    target &= ~((1 << size) - 1);
    if (rb === 31) target &= ~15;
    const word = pack([size, 2], [0b001000, 6], [1, 1], [isLoad ? 1 : 0, 1], [0, 1], [31, 5], [1, 1], [31, 5], [rb, 5], [rt, 5]);
    return { insns: [...setBase(rb, target), plain(word)] };
  }
  if (kind === 2) return { insns: [plain(0xd503305f | (rng.bits(4) << 8))] }; // CLREX #imm
  const pair = kind === 5;
  const size = pair ? 2 + rng.bits(1) : rng.bits(2);
  const bytes = (pair ? 2 : 1) << size;
  const rb = pickBase(ctx, []);
  let target = pickOffset(ctx, bytes, bytes);
  target &= ~(bytes - 1);
  if (rb === 31) target &= ~15;
  const acquire = rng.bits(1);
  const release = rng.bits(1);
  const rt = dst(ctx, true, [rb]);
  const rt2 = pair ? dst(ctx, true, [rb, rt]) : 31;
  if (rt === rb || rt2 === rb || (pair && rt === rt2)) return exclusive(ctx);
  const o1 = pair ? 1 : 0;
  const load = pack([size, 2], [0b001000, 6], [0, 1], [1, 1], [o1, 1], [31, 5], [acquire, 1], [rt2, 5], [rb, 5], [rt, 5]);
  const st = src(ctx);
  const st2 = pair ? src(ctx) : 31;
  const rs = dst(ctx, true, [rb, st, st2]);
  if (rs !== 31 && (rs === st || rs === st2 || rs === rb)) return exclusive(ctx);
  const store = pack([size, 2], [0b001000, 6], [0, 1], [0, 1], [o1, 1], [rs, 5], [release, 1], [st2, 5], [rb, 5], [st, 5]);
  const insns: Insn[] = [...setBase(rb, target)];
  const lone = ctx.monitorOpen ? 0 : rng.int(5);
  if (lone === 1) {
    // A store-exclusive with the monitor clear: fails (status 1), memory untouched.
    insns.push(plain(store));
  } else if (lone === 2) {
    // A lone load-exclusive leaves the monitor open: no store-exclusive after it in this sequence.
    insns.push(plain(load));
    ctx.monitorOpen = true;
  } else {
    if (ctx.monitorOpen) insns.unshift(plain(0xd503305f));
    insns.push(plain(load), ...filler(ctx, [rb, rs, st, st2]), plain(store));
    ctx.monitorOpen = false;
  }
  return { insns };
}

// ---- branches ---------------------------------------------------------------------

function forwardUnit(ctx: GenCtx): Target {
  return { unit: ctx.rng.range(ctx.unitIndex + 1, ctx.unitCount) };
}

function branch(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const kind = rng.int(8);
  const target = forwardUnit(ctx);
  switch (kind) {
    case 0: // B / BL
      return { insns: [{ word: pack([rng.bits(1), 1], [0b00101, 5], [0, 26]), fix: { kind: 'imm26', target } }] };
    case 1:
    case 2: // B.cond
      return { insns: [{ word: pack([0b01010100, 8], [0, 19], [0, 1], [rng.bits(4), 4]), fix: { kind: 'imm19', target } }] };
    case 3: // CBZ/CBNZ
      return { insns: [{ word: pack([rng.bits(1), 1], [0b011010, 6], [rng.bits(1), 1], [0, 19], [src(ctx), 5]), fix: { kind: 'imm19', target } }] };
    case 4: {
      // TBZ/TBNZ
      const b = rng.bits(6);
      return { insns: [{ word: pack([b >>> 5, 1], [0b011011, 6], [rng.bits(1), 1], [b & 31, 5], [0, 14], [src(ctx), 5]), fix: { kind: 'imm14', target } }] };
    }
    default: {
      // BR / BLR / RET to an address made by ADR
      const rn = dst(ctx, false);
      const opc = rng.pick([0b0000, 0b0001, 0b0010]);
      const adr: Insn = { word: pack([0, 1], [0, 2], [0b10000, 5], [0, 19], [rn, 5]), fix: { kind: 'adr', target } };
      return { insns: [adr, plain(pack([0b1101011, 7], [opc, 4], [0b11111, 5], [0, 6], [rn, 5], [0, 5]))] };
    }
  }
}

// ---- system instructions usable at EL0 ------------------------------------------------

function nzcvMove(ctx: GenCtx): Unit {
  const kind = ctx.rng.int(3);
  const msr = plain(0xd51b_4200 | src(ctx));
  const mrs = plain(0xd53b_4200 | dst(ctx));
  return { insns: kind === 0 ? [msr] : kind === 1 ? [mrs] : [msr, mrs] };
}

/** TPIDR_EL0 write then read (its value before the sequence is not part of the state). */
function tpidrPair(ctx: GenCtx): Unit {
  return { insns: [plain(0xd51b_d040 | src(ctx)), plain(0xd53b_d040 | dst(ctx))] };
}

function barrier(ctx: GenCtx): Unit {
  const { rng } = ctx;
  const base = rng.pick([0xd503_30bf, 0xd503_309f, 0xd503_30df]); // DMB, DSB, ISB
  return { insns: [plain((base | (rng.bits(4) << 8)) >>> 0)] };
}

/** HINT space: NOP, YIELD, and hints of later extensions that are NOPs on ARMv8.0 (not WFE/WFI/SEV/SEVL). */
function hint(ctx: GenCtx): Unit {
  const { rng } = ctx;
  let imm: number;
  do imm = rng.bool(0.5) ? rng.pick([0, 1, 7, 16, 20, 24, 25, 27, 29, 31, 32, 34, 36, 38]) : rng.bits(7);
  while (imm >= 2 && imm <= 5);
  return { insns: [plain((0xd503_201f | (imm << 5)) >>> 0)] };
}

// ---- classes ------------------------------------------------------------------------

export type UnitGen = (ctx: GenCtx) => Unit;

export interface InsnClass {
  name: string;
  /** Whether x28 must hold the scratch base (memory classes). */
  memory: boolean;
  /** Whether the sequence starts with CLREX (exclusive monitor in a known state). */
  clrex: boolean;
  gens: UnitGen[];
}

const dpImm: UnitGen[] = [addSubImm, logicalImm, moveWide, adrUnit];
const dpReg: UnitGen[] = [logicalShifted, addSubShifted, addSubExtended, addSubCarry, dp1Source, shiftVariable];
const cond: UnitGen[] = [condSelect, condCompare, flagSetter];

export const CLASSES: readonly InsnClass[] = [
  { name: 'dp-immediate', memory: false, clrex: false, gens: dpImm },
  { name: 'dp-register', memory: false, clrex: false, gens: dpReg },
  { name: 'bitfield', memory: false, clrex: false, gens: [bitfield, extract] },
  { name: 'conditional', memory: false, clrex: false, gens: cond },
  { name: 'mul-div', memory: false, clrex: false, gens: [multiply, divide, multiply] },
  { name: 'crc32', memory: false, clrex: false, gens: [crc32, crc32, moveWide] },
  { name: 'ldst-immediate', memory: true, clrex: false, gens: [ldstImmediate, ldstImmediate, ldstImmediate, prefetch] },
  { name: 'ldst-register', memory: true, clrex: false, gens: [ldstRegister] },
  { name: 'ldst-pair', memory: true, clrex: false, gens: [ldstPair] },
  { name: 'ldst-literal', memory: true, clrex: false, gens: [ldstLiteral, ldstLiteral, addSubShifted] },
  { name: 'ldst-exclusive', memory: true, clrex: true, gens: [exclusive] },
  { name: 'system', memory: false, clrex: false, gens: [nzcvMove, nzcvMove, tpidrPair, barrier, hint, flagSetter, condSelect] },
  { name: 'branch', memory: false, clrex: false, gens: [branch, branch, addSubShifted, condCompare, addSubImm] },
  {
    name: 'mixed',
    memory: true,
    clrex: true,
    gens: [...dpImm, ...dpReg, ...cond, bitfield, extract, multiply, divide, crc32, ldstImmediate, ldstRegister, ldstPair, ldstLiteral, exclusive, branch, branch, nzcvMove, tpidrPair, barrier, hint],
  },
];

export interface Sequence {
  units: Unit[];
  /** Words of the sequence with fix-ups resolved (relative layout only). */
  words: number[];
  pool: number[];
}

/** Generates one sequence of `unitCount` units from `cls` and lays it out. */
export function generateSequence(rng: Rng, cls: InsnClass, env: GenEnv, unitCount: number): Sequence {
  const reserved = new Set<number>(cls.memory ? [SCRATCH_REG] : []);
  const ctx: GenCtx = { rng, env, reserved, unitIndex: 0, unitCount, monitorOpen: false };
  const units: Unit[] = [];
  if (cls.clrex) units.push({ insns: [plain(0xd503305f | (15 << 8))] });
  const first = units.length;
  ctx.unitCount = unitCount + first;
  for (let i = 0; i < unitCount; i++) {
    ctx.unitIndex = first + i;
    units.push(rng.pick(cls.gens)(ctx));
  }
  const pool: number[] = [];
  for (let i = 0; i < env.poolWords; i++) pool.push(rng.u32());
  return { units, words: layout(units), pool };
}

/** Resolves PC-relative fields. The pool starts one word after the sequence end. */
function layout(units: Unit[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const u of units) {
    starts.push(at);
    at += u.insns.length;
  }
  starts.push(at);
  const end = at;
  const words: number[] = [];
  for (const u of units) {
    for (const insn of u.insns) {
      const here = words.length;
      let w = insn.word;
      if (insn.fix) {
        const t = insn.fix.target;
        const to = 'unit' in t ? starts[t.unit]! : end + 1 + t.pool;
        const off = to - here;
        switch (insn.fix.kind) {
          case 'imm26':
            w = (w & ~0x03ff_ffff) | (off & 0x03ff_ffff);
            break;
          case 'imm19':
            w = (w & ~(0x7ffff << 5)) | ((off & 0x7ffff) << 5);
            break;
          case 'imm14':
            w = (w & ~(0x3fff << 5)) | ((off & 0x3fff) << 5);
            break;
          case 'adr': {
            const bytes = off * 4;
            w = (w & ~((3 << 29) | (0x7ffff << 5))) | ((bytes & 3) << 29) | (((bytes >> 2) & 0x7ffff) << 5);
            break;
          }
        }
      }
      words.push(w >>> 0);
    }
  }
  return words;
}
