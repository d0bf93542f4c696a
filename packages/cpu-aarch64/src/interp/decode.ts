import { decodeBitMasks, sext, MASK64 } from './bits.js';
import { type CodePage } from './code-page.js';
import { Ls, Op, Slot } from '../interpreter-cpu.js';

/**
 * The A64 decoder: classifies instruction `i` of a code page once and packs
 * its operands into the page's arrays. Register fields are mapped to slots
 * here: 31 means XZR for reads (slot 31 is always zero), SP (slot 32) where
 * the encoding says so, and XZR destinations go to the TRASH slot.
 */

/** Destination that may be XZR. */
function wz(r: number): number {
  return r === 31 ? Slot.TRASH : r;
}
/** Register that may be Slot.SP. */
function sp(r: number): number {
  return r === 31 ? Slot.SP : r;
}
function pack(d: number, n: number, m: number, x: number): number {
  return d | (n << 8) | (m << 16) | (x << 24);
}
function u64(v: number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

export function decodeInto(p: CodePage, i: number): void {
  const w = p.w[i]!;
  p.a[i] = 0;
  p.b[i] = 0;
  p.imm[i] = 0n;
  p.imm2[i] = 0n;
  const op0 = (w >>> 25) & 15;
  let op: number;
  switch (op0) {
    case 8:
    case 9:
      op = decodeDpImm(p, i, w);
      break;
    case 10:
    case 11:
      op = decodeBranchSys(p, i, w);
      break;
    case 4:
    case 6:
    case 12:
    case 14:
      op = decodeLoadStore(p, i, w);
      break;
    case 5:
    case 13:
      op = decodeDpReg(p, i, w);
      break;
    case 7:
    case 15:
      op = decodeSimdFp(p, i, w);
      break;
    default:
      op = Op.UNDEF;
  }
  p.op[i] = op;
}

// ---- data processing, immediate -------------------------------------------

function decodeDpImm(p: CodePage, i: number, w: number): number {
  const sf = w >>> 31;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  switch ((w >>> 23) & 7) {
    case 0:
    case 1: {
      // ADR / ADRP
      const imm = sext((((w >>> 5) & 0x7ffff) << 2) | ((w >>> 29) & 3), 21);
      p.a[i] = wz(rd);
      if (sf) p.imm[i] = u64(imm * 4096);
      else p.imm[i] = u64(i * 4 + imm);
      return Op.ADR;
    }
    case 2: {
      const sub = (w >>> 30) & 1;
      const s = (w >>> 29) & 1;
      const imm = ((w >>> 10) & 0xfff) * ((w >>> 22) & 1 ? 4096 : 1);
      if (!s) {
        p.a[i] = pack(sp(rd), sp(rn), 0, 0);
        if (sf) {
          p.imm[i] = u64(sub ? -imm : imm);
          return Op.ADD_I64;
        }
        p.b[i] = sub ? -imm : imm;
        return Op.ADD_I32;
      }
      p.a[i] = pack(wz(rd), sp(rn), 0, 0);
      p.imm[i] = BigInt(imm);
      p.b[i] = imm;
      if (sf) return sub ? Op.SUBS_I64 : Op.ADDS_I64;
      return sub ? Op.SUBS_I32 : Op.ADDS_I32;
    }
    case 4: {
      const n = (w >>> 22) & 1;
      if (!sf && n) return Op.UNDEF;
      const masks = decodeBitMasks(n, (w >>> 10) & 0x3f, (w >>> 16) & 0x3f, true, sf ? 64 : 32);
      if (!masks) return Op.UNDEF;
      const opc = (w >>> 29) & 3;
      const dst = opc === 3 ? wz(rd) : sp(rd);
      p.a[i] = pack(dst, rn, 0, 0);
      if (sf) {
        p.imm[i] = masks[0];
        if (opc === 1 && rn === 31) {
          p.a[i] = dst;
          return Op.MOV_C64;
        }
        return [Op.AND_I64, Op.ORR_I64, Op.EOR_I64, Op.ANDS_I64][opc]!;
      }
      p.b[i] = Number(masks[0]) | 0;
      if (opc === 1 && rn === 31) {
        p.a[i] = dst;
        return Op.MOV_C32;
      }
      return [Op.AND_I32, Op.ORR_I32, Op.EOR_I32, Op.ANDS_I32][opc]!;
    }
    case 5: {
      const opc = (w >>> 29) & 3;
      const hw = (w >>> 21) & 3;
      const imm16 = (w >>> 5) & 0xffff;
      if (opc === 1 || (!sf && hw >= 2)) return Op.UNDEF;
      p.a[i] = wz(rd);
      if (opc === 3) {
        p.b[i] = hw | (imm16 << 2);
        return sf ? Op.MOVK64 : Op.MOVK32;
      }
      let v = BigInt(imm16) << BigInt(hw * 16);
      if (opc === 0) v = ~v & MASK64;
      if (sf) {
        p.imm[i] = v;
        return Op.MOV_C64;
      }
      p.b[i] = Number(v & 0xffff_ffffn) | 0;
      return Op.MOV_C32;
    }
    case 6: {
      const opc = (w >>> 29) & 3;
      const n = (w >>> 22) & 1;
      const immr = (w >>> 16) & 0x3f;
      const imms = (w >>> 10) & 0x3f;
      const size = sf ? 64 : 32;
      if (opc === 3 || n !== sf || (!sf && (immr >= 32 || imms >= 32))) return Op.UNDEF;
      p.a[i] = pack(wz(rd), rn, 0, 0);
      if (opc === 2 && imms !== size - 1 && imms + 1 === immr) {
        p.b[i] = size - 1 - imms;
        return sf ? Op.LSL_I64 : Op.LSL_I32;
      }
      if (opc === 2 && imms === size - 1) {
        p.b[i] = immr;
        return sf ? Op.LSR_I64 : Op.LSR_I32;
      }
      if (opc === 0 && imms === size - 1) {
        p.b[i] = immr;
        return sf ? Op.ASR_I64 : Op.ASR_I32;
      }
      const masks = decodeBitMasks(n, imms, immr, false, size);
      if (!masks) return Op.UNDEF;
      p.imm[i] = masks[0];
      p.imm2[i] = masks[1];
      p.b[i] = sf | (opc << 1) | (immr << 3) | (imms << 9);
      return Op.BITFIELD;
    }
    case 7: {
      const n = (w >>> 22) & 1;
      const imms = (w >>> 10) & 0x3f;
      if (((w >>> 29) & 3) !== 0 || (w >>> 21) & 1 || n !== sf || (!sf && imms >= 32)) return Op.UNDEF;
      p.a[i] = pack(wz(rd), rn, (w >>> 16) & 31, 0);
      p.b[i] = imms | (sf << 6);
      return Op.EXTR;
    }
    default:
      return Op.UNDEF;
  }
}

// ---- branches, exception generation, system ---------------------------------

/** Sets b = local target index (or -1) and imm = target offset from the page base. */
function branchTarget(p: CodePage, i: number, off: number): void {
  const t = i + off / 4;
  p.b[i] = t >= 0 && t < 1024 ? t : -1;
  p.imm[i] = u64(i * 4 + off);
}

function decodeBranchSys(p: CodePage, i: number, w: number): number {
  if (((w >>> 26) & 0x1f) === 0x05) {
    branchTarget(p, i, sext(w & 0x3ffffff, 26) * 4);
    return w >>> 31 ? Op.BL : Op.B;
  }
  if (((w >>> 25) & 0x3f) === 0x1a) {
    // CBZ / CBNZ
    branchTarget(p, i, sext((w >>> 5) & 0x7ffff, 19) * 4);
    p.a[i] = w & 31;
    const nz = (w >>> 24) & 1;
    if (w >>> 31) return nz ? Op.CBNZ64 : Op.CBZ64;
    return nz ? Op.CBNZ32 : Op.CBZ32;
  }
  if (((w >>> 25) & 0x3f) === 0x1b) {
    branchTarget(p, i, sext((w >>> 5) & 0x3fff, 14) * 4);
    const bit = ((w >>> 31) << 5) | ((w >>> 19) & 31);
    p.a[i] = (w & 31) | (bit << 8);
    return (w >>> 24) & 1 ? Op.TBNZ : Op.TBZ;
  }
  if ((w & 0xff000010) === 0x54000000) {
    branchTarget(p, i, sext((w >>> 5) & 0x7ffff, 19) * 4);
    p.a[i] = w & 15;
    return Op.BCOND;
  }
  if ((w >>> 24) === 0xd4) {
    const opc = (w >>> 21) & 7;
    const ll = w & 3;
    const imm16 = (w >>> 5) & 0xffff;
    if ((w >>> 2) & 7) return Op.UNDEF;
    let kind = -1;
    if (opc === 0 && ll !== 0) kind = ll; // 1 SVC, 2 HVC, 3 SMC
    else if (opc === 1 && ll === 0) kind = 4; // BRK
    else if (opc === 2 && ll === 0) kind = 5; // HLT
    if (kind < 0) return Op.UNDEF;
    p.b[i] = kind | (imm16 << 3);
    return Op.EXC;
  }
  if ((w >>> 22) === 0x354) return decodeSystem(p, i, w);
  if ((w >>> 25) === 0x6b) {
    const opc = (w >>> 21) & 15;
    const op2 = (w >>> 16) & 31;
    const op3 = (w >>> 10) & 0x3f;
    const rn = (w >>> 5) & 31;
    const op4 = w & 31;
    if (op2 !== 31 || op3 !== 0 || op4 !== 0) return Op.UNDEF;
    p.a[i] = rn << 8;
    if (opc === 0 || opc === 2) return Op.BR;
    if (opc === 1) return Op.BLR;
    if (opc === 4 && rn === 31) return Op.ERET;
    return Op.UNDEF;
  }
  return Op.UNDEF;
}

function decodeSystem(p: CodePage, i: number, w: number): number {
  const l = (w >>> 21) & 1;
  const op0 = (w >>> 19) & 3;
  const op1 = (w >>> 16) & 7;
  const crn = (w >>> 12) & 15;
  const crm = (w >>> 8) & 15;
  const op2 = (w >>> 5) & 7;
  const rt = w & 31;
  if (op0 === 0) {
    if (l) return Op.UNDEF;
    if (crn === 4 && rt === 31) {
      p.b[i] = op2 | (op1 << 3) | (crm << 6);
      return Op.MSR_IMM;
    }
    if (crn === 2 && rt === 31 && op1 === 3) {
      const hint = (crm << 3) | op2;
      if (hint === 0 || hint > 5) return Op.NOP;
      p.b[i] = hint;
      return Op.HINT;
    }
    if (crn === 3 && rt === 31 && op1 === 3) {
      if (op2 === 2) return Op.CLREX;
      if (op2 === 4 || op2 === 5 || op2 === 6) return Op.NOP; // DSB, DMB, ISB (code invalidation happens at IC)
      return Op.UNDEF;
    }
    return Op.UNDEF;
  }
  p.a[i] = rt;
  p.b[i] = (w >>> 5) & 0xffff;
  if (op0 === 1) return l ? Op.UNDEF : p.b[i] === 0x5ba1 ? Op.DC_ZVA : Op.SYS;
  if (l) {
    // The kernel reads `current` (SP_EL0) and the per-CPU offset (TPIDR_EL1) everywhere.
    const enc = p.b[i];
    if (enc === 0xc208) return Op.MRS_SP_EL0;
    if (enc === 0xc684) return Op.MRS_TPIDR_EL1;
  }
  return l ? Op.MRS : Op.MSR;
}

// ---- loads and stores ------------------------------------------------------

function decodeLoadStore(p: CodePage, i: number, w: number): number {
  const v = (w >>> 26) & 1;
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  const size = w >>> 30;
  // AdvSIMD load/store multiple structures (with or without post-index).
  if ((w & 0xbfbf0000) === 0x0c000000 || (w & 0xbfa00000) === 0x0c800000) {
    const opcode = (w >>> 12) & 15;
    if ([0, 2, 4, 6, 7, 8, 10].includes(opcode)) {
      p.a[i] = pack(rt, sp(rn), (w >>> 16) & 31, 0);
      p.b[i] = w;
      return Op.LS_MULTI;
    }
    return Op.UNDEF;
  }
  if (v && ((w >>> 24) & 0x3d) === 0x0d) {
    p.b[i] = w; // single-structure forms: the FP/SIMD engine decodes the word itself
    return Op.FPSIMD;
  }
  const op29 = (w >>> 27) & 7;
  if (op29 === 1 && !v && ((w >>> 24) & 7) === 0) {
    // Exclusives and load-acquire/store-release: size o2 L o1 Rs o0 Rt2.
    const o2 = (w >>> 23) & 1;
    const lbit = (w >>> 22) & 1;
    const o1 = (w >>> 21) & 1;
    const o0 = (w >>> 15) & 1;
    const rs = (w >>> 16) & 31;
    const rt2 = (w >>> 10) & 31;
    let kind: number;
    if (!o2 && !o1) kind = lbit ? 0 : 1; // LDXR/LDAXR, STXR/STLXR
    else if (!o2 && o1) {
      if (size < 2) {
        // CASP{A}{L}: even register pairs, Rt2 = 11111; bit 30 selects 64-bit elements.
        if (rt2 !== 31 || (rs & 1) || (rt & 1)) return Op.UNDEF;
        p.a[i] = pack(rt, sp(rn), rs, 0);
        p.b[i] = 11 | ((size === 1 ? 3 : 2) << 4);
        return Op.LS_ATOMIC;
      }
      kind = lbit ? 2 : 3; // LDXP, STXP
    } else if (o2 && !o1) {
      if (!o0) return Op.UNDEF; // LDLAR/STLLR (LORegions): not implemented
      kind = lbit ? 4 : 5; // LDAR, STLR
    } else {
      // CAS{A}{L}{B,H}: Rt2 must be 11111.
      if (rt2 !== 31) return Op.UNDEF;
      p.a[i] = pack(rt, sp(rn), rs, 0);
      p.b[i] = 10 | (size << 4);
      return Op.LS_ATOMIC;
    }
    const load = kind === 0 || kind === 2 || kind === 4;
    p.a[i] = pack(load ? wz(rt) : rt, sp(rn), wz(rs), load ? wz(rt2) : rt2);
    p.b[i] = kind | (size << 3) | (o0 << 5);
    return Op.LS_EXCL;
  }
  if (op29 === 3 && ((w >>> 24) & 3) === 0) {
    // LDR (literal)
    const opc = size;
    let kind: number;
    if (!v) kind = [Ls.LDRW, Ls.LDRX, Ls.LDRSW, Ls.PRFM][opc]!;
    else {
      if (opc === 3) return Op.UNDEF;
      kind = [Ls.LDR_S, Ls.LDR_D, Ls.LDR_Q][opc]!;
    }
    p.a[i] = v ? rt : wz(rt);
    p.b[i] = kind;
    p.imm[i] = u64(i * 4 + sext((w >>> 5) & 0x7ffff, 19) * 4);
    return Op.LS_LIT;
  }
  if (op29 === 5) {
    // Load/store pair.
    const mode = (w >>> 23) & 3;
    const lbit = (w >>> 22) & 1;
    const opc = size;
    let kind: number;
    let scale: number;
    if (!v) {
      if (opc === 0) {
        kind = lbit ? Ls.LDRW : Ls.STRW;
        scale = 2;
      } else if (opc === 1) {
        if (!lbit || mode === 0) return Op.UNDEF; // STGP (MTE)
        kind = Ls.LDRSW;
        scale = 2;
      } else if (opc === 2) {
        kind = lbit ? Ls.LDRX : Ls.STRX;
        scale = 3;
      } else return Op.UNDEF;
    } else {
      if (opc === 3) return Op.UNDEF;
      scale = 2 + opc;
      kind = (lbit ? Ls.LDR_S : Ls.STR_S) + opc;
    }
    const rt2 = (w >>> 10) & 31;
    p.a[i] = !v && lbit ? pack(wz(rt), sp(rn), wz(rt2), 0) : pack(rt, sp(rn), rt2, 0);
    p.b[i] = kind;
    p.imm[i] = u64(sext((w >>> 15) & 0x7f, 7) * (1 << scale));
    return [Op.LSP_OFF, Op.LSP_POST, Op.LSP_OFF, Op.LSP_PRE][mode]!;
  }
  if (op29 === 7) {
    if (((w >>> 24) & 1) === 0 && ((w >>> 21) & 1) === 1 && ((w >>> 10) & 3) === 0) {
      // LSE atomic memory operations: LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN, SWP
      // (bits 23:22 are the acquire/release flags).
      if (v) return Op.UNDEF;
      const o3 = (w >>> 15) & 1;
      const aop = (w >>> 12) & 7;
      if (o3 && aop !== 0) return Op.UNDEF; // LDAPR (RCpc) and reserved
      p.a[i] = pack(wz(rt), sp(rn), (w >>> 16) & 31, 0);
      p.b[i] = (o3 ? 8 : aop) | (size << 4);
      return Op.LS_ATOMIC;
    }
    const opc = (w >>> 22) & 3;
    let kind: number;
    let scale = size;
    if (!v) {
      if (opc === 0) kind = Ls.STRB + size;
      else if (opc === 1) kind = Ls.LDRB + size;
      else if (opc === 2) {
        if (size === 3) kind = Ls.PRFM;
        else kind = [Ls.LDRSB64, Ls.LDRSH64, Ls.LDRSW][size]!;
      } else {
        if (size >= 2) return Op.UNDEF;
        kind = size === 0 ? Ls.LDRSB32 : Ls.LDRSH32;
      }
    } else {
      if (opc >= 2) {
        if (size !== 0) return Op.UNDEF;
        kind = opc === 2 ? Ls.STR_Q : Ls.LDR_Q;
        scale = 4;
      } else kind = (opc === 1 ? Ls.LDR_B : Ls.STR_B) + size;
    }
    const isIntLoad = kind >= Ls.LDRB && kind <= Ls.LDRSH32;
    p.a[i] = pack(isIntLoad ? wz(rt) : rt, sp(rn), (w >>> 16) & 31, 0);
    p.b[i] = kind;
    if ((w >>> 24) & 1) {
      p.imm[i] = BigInt(((w >>> 10) & 0xfff) << scale);
      if (kind === Ls.LDRX) return Op.LDRX_I;
      if (kind === Ls.STRX) return Op.STRX_I;
      if (kind === Ls.LDRW) return Op.LDRW_I;
      if (kind === Ls.STRW) return Op.STRW_I;
      return Op.LS_IMM;
    }
    if ((w >>> 21) & 1) {
      const mode = (w >>> 10) & 3;
      if (mode !== 2) return Op.UNDEF;
      const option = (w >>> 13) & 7;
      if ((option & 2) === 0) return Op.UNDEF;
      const s = (w >>> 12) & 1 ? scale : 0;
      p.b[i] = kind | (option << 8) | (s << 12);
      return Op.LS_REG;
    }
    const imm9 = sext((w >>> 12) & 0x1ff, 9);
    p.imm[i] = u64(imm9);
    switch ((w >>> 10) & 3) {
      case 0:
        return Op.LS_IMM;
      case 1:
        return kind === Ls.PRFM ? Op.UNDEF : Op.LS_POST;
      case 2:
        return v || kind === Ls.PRFM ? Op.UNDEF : Op.LS_UNPRIV;
      default:
        return kind === Ls.PRFM ? Op.UNDEF : Op.LS_PRE;
    }
  }
  return Op.UNDEF;
}

// ---- data processing, register ---------------------------------------------

function decodeDpReg(p: CodePage, i: number, w: number): number {
  const sf = w >>> 31;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  const rm = (w >>> 16) & 31;
  const op1 = (w >>> 28) & 1;
  const op2 = (w >>> 21) & 15;
  if (!op1) {
    const imm6 = (w >>> 10) & 0x3f;
    const shift = (w >>> 22) & 3;
    if (!sf && imm6 >= 32 && (op2 & 9) !== 9) return Op.UNDEF;
    if ((op2 & 8) === 0) {
      // Logical (shifted register).
      const opc = (w >>> 29) & 3;
      const n = (w >>> 21) & 1;
      p.a[i] = pack(wz(rd), rn, rm, 0);
      if (imm6 === 0 && n === 0 && sf) {
        if (opc === 1 && rn === 31 && shift === 0) return Op.MOV_R64;
        if (opc === 0) return Op.AND_R64;
        if (opc === 1) return Op.ORR_R64;
        if (opc === 2) return Op.EOR_R64;
      }
      if (imm6 === 0 && n === 0 && !sf && opc === 1 && rn === 31) return Op.MOV_R32;
      p.b[i] = sf | (opc << 1) | (n << 3) | (shift << 4) | (imm6 << 6);
      return Op.LOGIC_SHIFT;
    }
    const sub = (w >>> 30) & 1;
    const s = (w >>> 29) & 1;
    if ((op2 & 1) === 0) {
      if (shift === 3) return Op.UNDEF;
      p.a[i] = pack(wz(rd), rn, rm, 0);
      if (imm6 === 0) {
        if (sf) return s ? (sub ? Op.SUBS_R64 : Op.ADDS_R64) : sub ? Op.SUB_R64 : Op.ADD_R64;
        return s ? (sub ? Op.SUBS_R32 : Op.ADDS_R32) : sub ? Op.SUB_R32 : Op.ADD_R32;
      }
      p.b[i] = sf | (sub << 1) | (s << 2) | (shift << 4) | (imm6 << 6);
      return Op.ADDSUB_SHIFT;
    }
    // Add/subtract (extended register).
    const imm3 = (w >>> 10) & 7;
    if (shift !== 0 || imm3 > 4) return Op.UNDEF;
    p.a[i] = pack(s ? wz(rd) : sp(rd), sp(rn), rm, 0);
    p.b[i] = sf | (sub << 1) | (s << 2) | (((w >>> 13) & 7) << 4) | (imm3 << 7);
    return Op.ADDSUB_EXT;
  }
  switch (op2) {
    case 0: {
      if (((w >>> 10) & 0x3f) !== 0) return Op.UNDEF;
      p.a[i] = pack(wz(rd), rn, rm, 0);
      p.b[i] = sf | (((w >>> 30) & 1) << 1) | (((w >>> 29) & 1) << 2);
      return Op.ADC;
    }
    case 2: {
      if (!((w >>> 29) & 1) || (w >>> 10) & 1 || (w >>> 4) & 1) return Op.UNDEF;
      p.a[i] = pack(0, rn, rm, 0);
      p.b[i] = sf | (((w >>> 30) & 1) << 1) | (((w >>> 11) & 1) << 2) | ((w & 15) << 4) | (((w >>> 12) & 15) << 8);
      return Op.CCMP;
    }
    case 4: {
      const o2 = (w >>> 10) & 3;
      if ((w >>> 29) & 1 || o2 > 1) return Op.UNDEF;
      p.a[i] = pack(wz(rd), rn, rm, 0);
      p.b[i] = sf | ((((w >>> 30) & 1) * 2 + o2) << 1) | (((w >>> 12) & 15) << 4);
      return sf && !((w >>> 30) & 1) && !o2 ? Op.CSEL64 : Op.CSEL;
    }
    case 6: {
      if ((w >>> 29) & 1) return Op.UNDEF;
      const opcode = (w >>> 10) & 0x3f;
      p.a[i] = pack(wz(rd), rn, rm, 0);
      if ((w >>> 30) & 1) {
        if (rm !== 0 || opcode > 5) return Op.UNDEF;
        if (opcode === 3 && !sf) return Op.UNDEF;
        p.b[i] = sf | (opcode << 1);
        return Op.DP1;
      }
      const ok =
        opcode === 2 ||
        opcode === 3 ||
        (opcode >= 8 && opcode <= 11) ||
        (opcode >= 16 && opcode <= 23 && ((opcode & 3) === 3 ? sf === 1 : sf === 0));
      if (!ok) return Op.UNDEF;
      p.b[i] = sf | (opcode << 1);
      return Op.DP2;
    }
    default: {
      if (op2 < 8) return Op.UNDEF;
      const op54 = (w >>> 29) & 3;
      const op31 = (w >>> 21) & 7;
      const o0 = (w >>> 15) & 1;
      const ra = (w >>> 10) & 31;
      if (op54 !== 0) return Op.UNDEF;
      p.a[i] = pack(wz(rd), rn, rm, ra);
      if (op31 === 0) {
        if (o0) {
          p.b[i] = sf | (1 << 1);
          return Op.DP3;
        }
        return sf ? Op.MADD64 : Op.MADD32;
      }
      if (!sf) return Op.UNDEF;
      if (op31 === 1 || op31 === 5 || ((op31 === 2 || op31 === 6) && !o0 && ra === 31)) {
        p.b[i] = sf | (o0 << 1) | (op31 << 2);
        return Op.DP3;
      }
      return Op.UNDEF;
    }
  }
}

// ---- SIMD and floating point -----------------------------------------------

function decodeSimdFp(p: CodePage, i: number, w: number): number {
  // The few moves the integer core needs; everything else belongs to the FP/SIMD engine.
  const isFmovGen = (w & 0x7f3ffc00) === 0x1e260000 || (w & 0x7f3ffc00) === 0x1e270000 || ((w & 0xfffffc00) >>> 0) === 0x9eae0000 || ((w & 0xfffffc00) >>> 0) === 0x9eaf0000;
  const fmovGenOk =
    isFmovGen &&
    (((w >>> 31) === 0 && ((w >>> 22) & 3) === 0) || ((w >>> 31) === 1 && ((w >>> 22) & 3) === 1) || (w >>> 31 === 1 && ((w >>> 22) & 3) === 2));
  if (fmovGenOk || (w & 0x9ff80400) === 0x0f000400 || (w & 0x9fe08400) === 0x0e000400 || (w & 0x9f20fc00) === 0x0e201c00 || (w & 0xffbffc00) === 0x1e204000) {
    p.b[i] = w;
    return Op.FP_MOVE;
  }
  p.b[i] = w;
  return Op.FPSIMD;
}
