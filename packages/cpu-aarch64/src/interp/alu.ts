import { asr64, bswap32, cls32, lsl64, lsr64, pair, rbit32, rev16w, ror32, ror64 } from './bits.js';
import { crc32Update } from './crc32.js';
import { Slot } from '../interpreter-cpu.js';

/**
 * Integer data-processing helpers for the less frequent forms. Registers are
 * slots of the BigUint64Array `R` with the Int32Array alias `R32`
 * (R32[2s] = low word, R32[2s + 1] = high word); flags live in `F` as
 * N, Z, C, V (0 or 1).
 */

export function condHolds(F: Int32Array, cond: number): boolean {
  let r: boolean;
  switch (cond >> 1) {
    case 0:
      r = F[1] === 1;
      break;
    case 1:
      r = F[2] === 1;
      break;
    case 2:
      r = F[0] === 1;
      break;
    case 3:
      r = F[3] === 1;
      break;
    case 4:
      r = F[2] === 1 && F[1] === 0;
      break;
    case 5:
      r = F[0] === F[3];
      break;
    case 6:
      r = F[0] === F[3] && F[1] === 0;
      break;
    default:
      return true;
  }
  return (cond & 1) !== 0 ? !r : r;
}

/** Flags for a 64-bit add: a + b = r (pairs). */
export function flagsAdd64(F: Int32Array, alo: number, ahi: number, bhi: number, rlo: number, rhi: number): void {
  F[0] = rhi >>> 31;
  F[1] = (rlo | rhi) === 0 ? 1 : 0;
  F[2] = rhi >>> 0 < ahi >>> 0 || (rhi === ahi && rlo >>> 0 < alo >>> 0) ? 1 : 0;
  F[3] = (~(ahi ^ bhi) & (ahi ^ rhi)) >>> 31;
}

/** Flags for a 64-bit subtract: a - b = r. */
export function flagsSub64(F: Int32Array, alo: number, ahi: number, blo: number, bhi: number, rhi: number, rlo: number): void {
  F[0] = rhi >>> 31;
  F[1] = (rlo | rhi) === 0 ? 1 : 0;
  F[2] = ahi >>> 0 > bhi >>> 0 || (ahi === bhi && alo >>> 0 >= blo >>> 0) ? 1 : 0;
  F[3] = ((ahi ^ bhi) & (ahi ^ rhi)) >>> 31;
}

export function flagsAdd32(F: Int32Array, a: number, b: number, r: number): void {
  F[0] = r >>> 31;
  F[1] = r === 0 ? 1 : 0;
  F[2] = r >>> 0 < a >>> 0 ? 1 : 0;
  F[3] = (~(a ^ b) & (a ^ r)) >>> 31;
}

export function flagsSub32(F: Int32Array, a: number, b: number, r: number): void {
  F[0] = r >>> 31;
  F[1] = r === 0 ? 1 : 0;
  F[2] = a >>> 0 >= b >>> 0 ? 1 : 0;
  F[3] = ((a ^ b) & (a ^ r)) >>> 31;
}

/** Shifted operand of register m into slot Slot.T1 (types LSL, LSR, ASR, ROR). */
function shiftedOperand(R32: Int32Array, m: number, sf: number, type: number, amount: number): void {
  const lo = R32[2 * m]!;
  const hi = R32[2 * m + 1]!;
  if (sf) {
    let r: number;
    if (type === 0) r = lsl64(lo, hi, amount);
    else if (type === 1) r = lsr64(lo, hi, amount);
    else if (type === 2) r = asr64(lo, hi, amount);
    else r = ror64(lo, hi, amount);
    R32[2 * Slot.T1] = r;
    R32[2 * Slot.T1 + 1] = pair.hi;
  } else {
    let r: number;
    if (type === 0) r = lo << amount;
    else if (type === 1) r = amount === 0 ? lo : lo >>> amount;
    else if (type === 2) r = lo >> amount;
    else r = ror32(lo, amount);
    R32[2 * Slot.T1] = r;
    R32[2 * Slot.T1 + 1] = 0;
  }
}

function addSubCore(R: BigUint64Array, R32: Int32Array, F: Int32Array, d: number, n: number, sf: number, sub: number, setFlags: number): void {
  const alo = R32[2 * n]!;
  const ahi = R32[2 * n + 1]!;
  const blo = R32[2 * Slot.T1]!;
  const bhi = R32[2 * Slot.T1 + 1]!;
  if (sf) {
    if (sub) R[Slot.T2] = R[n]! - R[Slot.T1]!;
    else R[Slot.T2] = R[n]! + R[Slot.T1]!;
    const rlo = R32[2 * Slot.T2]!;
    const rhi = R32[2 * Slot.T2 + 1]!;
    if (setFlags) {
      if (sub) flagsSub64(F, alo, ahi, blo, bhi, rhi, rlo);
      else flagsAdd64(F, alo, ahi, bhi, rlo, rhi);
    }
    R[d] = R[Slot.T2]!;
  } else {
    const r = sub ? (alo - blo) | 0 : (alo + blo) | 0;
    if (setFlags) {
      if (sub) flagsSub32(F, alo, blo, r);
      else flagsAdd32(F, alo, blo, r);
    }
    R32[2 * d] = r;
    R32[2 * d + 1] = 0;
  }
}

/** ADD/SUB(S) shifted register. b = sf | sub << 1 | S << 2 | shift << 4 | imm6 << 6. */
export function addSubShifted(R: BigUint64Array, R32: Int32Array, F: Int32Array, a: number, b: number): void {
  const sf = b & 1;
  shiftedOperand(R32, (a >>> 16) & 255, sf, (b >>> 4) & 3, b >>> 6);
  addSubCore(R, R32, F, a & 255, (a >>> 8) & 255, sf, (b >>> 1) & 1, (b >>> 2) & 1);
}

/** ADD/SUB(S) extended register. b = sf | sub << 1 | S << 2 | option << 4 | imm3 << 7. */
export function addSubExtended(R: BigUint64Array, R32: Int32Array, F: Int32Array, a: number, b: number): void {
  const m = (a >>> 16) & 255;
  const option = (b >>> 4) & 7;
  const amount = b >>> 7;
  let lo = R32[2 * m]!;
  let hi = R32[2 * m + 1]!;
  switch (option) {
    case 0:
      lo &= 0xff;
      hi = 0;
      break;
    case 1:
      lo &= 0xffff;
      hi = 0;
      break;
    case 2:
      hi = 0;
      break;
    case 3:
      break;
    case 4:
      lo = (lo << 24) >> 24;
      hi = lo >> 31;
      break;
    case 5:
      lo = (lo << 16) >> 16;
      hi = lo >> 31;
      break;
    case 6:
      hi = lo >> 31;
      break;
    default:
      break;
  }
  R32[2 * Slot.T1] = lsl64(lo, hi, amount);
  R32[2 * Slot.T1 + 1] = pair.hi;
  addSubCore(R, R32, F, a & 255, (a >>> 8) & 255, b & 1, (b >>> 1) & 1, (b >>> 2) & 1);
}

/** Logical shifted register. b = sf | opc << 1 | N << 3 | shift << 4 | imm6 << 6. */
export function logicShifted(R32: Int32Array, F: Int32Array, a: number, b: number): void {
  const sf = b & 1;
  const opc = (b >>> 1) & 3;
  shiftedOperand(R32, (a >>> 16) & 255, sf, (b >>> 4) & 3, b >>> 6);
  let mlo = R32[2 * Slot.T1]!;
  let mhi = R32[2 * Slot.T1 + 1]!;
  if ((b >>> 3) & 1) {
    mlo = ~mlo;
    mhi = sf ? ~mhi : 0;
  }
  const n = (a >>> 8) & 255;
  const nlo = R32[2 * n]!;
  const nhi = sf ? R32[2 * n + 1]! : 0;
  let rlo: number;
  let rhi: number;
  if (opc === 0 || opc === 3) {
    rlo = nlo & mlo;
    rhi = nhi & mhi;
  } else if (opc === 1) {
    rlo = nlo | mlo;
    rhi = nhi | mhi;
  } else {
    rlo = nlo ^ mlo;
    rhi = nhi ^ mhi;
  }
  if (opc === 3) {
    F[0] = (sf ? rhi : rlo) >>> 31;
    F[1] = (rlo | rhi) === 0 ? 1 : 0;
    F[2] = 0;
    F[3] = 0;
  }
  const d = a & 255;
  R32[2 * d] = rlo;
  R32[2 * d + 1] = rhi;
}

/** ADC/SBC(S). b = sf | sub << 1 | S << 2. */
export function addWithCarry(R32: Int32Array, F: Int32Array, a: number, b: number): void {
  const sf = b & 1;
  const sub = (b >>> 1) & 1;
  const n = (a >>> 8) & 255;
  const m = (a >>> 16) & 255;
  const c = F[2]!;
  const alo = R32[2 * n]!;
  const ahi = sf ? R32[2 * n + 1]! : 0;
  let blo = R32[2 * m]!;
  let bhi = sf ? R32[2 * m + 1]! : 0;
  if (sub) {
    blo = ~blo;
    bhi = sf ? ~bhi : 0;
  }
  const slo = (alo >>> 0) + (blo >>> 0) + c;
  const rlo = slo | 0;
  const carryLo = slo > 0xffffffff ? 1 : 0;
  let rhi = 0;
  let carry: number;
  let overflow: number;
  if (sf) {
    const shi = (ahi >>> 0) + (bhi >>> 0) + carryLo;
    rhi = shi | 0;
    carry = shi > 0xffffffff ? 1 : 0;
    overflow = (~(ahi ^ bhi) & (ahi ^ rhi)) >>> 31;
  } else {
    carry = carryLo;
    overflow = (~(alo ^ blo) & (alo ^ rlo)) >>> 31;
  }
  if ((b >>> 2) & 1) {
    F[0] = (sf ? rhi : rlo) >>> 31;
    F[1] = (rlo | rhi) === 0 ? 1 : 0;
    F[2] = carry;
    F[3] = overflow;
  }
  const d = a & 255;
  R32[2 * d] = rlo;
  R32[2 * d + 1] = rhi;
}

/** CCMP/CCMN. b = sf | cmp(op) << 1 | imm << 2 | nzcv << 4 | cond << 8. */
export function condCompare(R32: Int32Array, F: Int32Array, a: number, b: number): void {
  if (!condHolds(F, b >>> 8)) {
    const nzcv = (b >>> 4) & 15;
    F[0] = (nzcv >>> 3) & 1;
    F[1] = (nzcv >>> 2) & 1;
    F[2] = (nzcv >>> 1) & 1;
    F[3] = nzcv & 1;
    return;
  }
  const sf = b & 1;
  const sub = (b >>> 1) & 1;
  const n = (a >>> 8) & 255;
  const mField = (a >>> 16) & 255;
  const alo = R32[2 * n]!;
  const ahi = R32[2 * n + 1]!;
  let blo: number;
  let bhi: number;
  if ((b >>> 2) & 1) {
    blo = mField;
    bhi = 0;
  } else {
    blo = R32[2 * mField]!;
    bhi = R32[2 * mField + 1]!;
  }
  if (sf) {
    if (sub) {
      const lo = (alo >>> 0) - (blo >>> 0);
      const rlo = lo | 0;
      const rhi = (ahi - bhi - (lo < 0 ? 1 : 0)) | 0;
      flagsSub64(F, alo, ahi, blo, bhi, rhi, rlo);
    } else {
      const lo = (alo >>> 0) + (blo >>> 0);
      const rlo = lo | 0;
      const rhi = (ahi + bhi + (lo > 0xffffffff ? 1 : 0)) | 0;
      flagsAdd64(F, alo, ahi, bhi, rlo, rhi);
    }
  } else if (sub) flagsSub32(F, alo, blo, (alo - blo) | 0);
  else flagsAdd32(F, alo, blo, (alo + blo) | 0);
}

/** CSEL/CSINC/CSINV/CSNEG. b = sf | kind << 1 | cond << 4. */
export function condSelect(R32: Int32Array, F: Int32Array, a: number, b: number): void {
  const sf = b & 1;
  const kind = (b >>> 1) & 3;
  const d = a & 255;
  let lo: number;
  let hi: number;
  if (condHolds(F, b >>> 4)) {
    const n = (a >>> 8) & 255;
    lo = R32[2 * n]!;
    hi = R32[2 * n + 1]!;
  } else {
    const m = (a >>> 16) & 255;
    lo = R32[2 * m]!;
    hi = R32[2 * m + 1]!;
    if (kind === 1) {
      lo = (lo + 1) | 0;
      if (lo === 0) hi = (hi + 1) | 0;
    } else if (kind === 2) {
      lo = ~lo;
      hi = ~hi;
    } else if (kind === 3) {
      lo = ~lo;
      hi = ~hi;
      lo = (lo + 1) | 0;
      if (lo === 0) hi = (hi + 1) | 0;
    }
  }
  R32[2 * d] = lo;
  R32[2 * d + 1] = sf ? hi : 0;
}

/** RBIT, REV16, REV32/REV, REV, CLZ, CLS. b = sf | opcode << 1. */
export function dataProc1(R32: Int32Array, a: number, b: number): void {
  const sf = b & 1;
  const opcode = b >>> 1;
  const d = a & 255;
  const n = (a >>> 8) & 255;
  const lo = R32[2 * n]!;
  const hi = R32[2 * n + 1]!;
  let rlo: number;
  let rhi = 0;
  switch (opcode) {
    case 0:
      if (sf) {
        rlo = rbit32(hi);
        rhi = rbit32(lo);
      } else rlo = rbit32(lo);
      break;
    case 1:
      rlo = rev16w(lo);
      if (sf) rhi = rev16w(hi);
      break;
    case 2:
      rlo = bswap32(lo);
      if (sf) rhi = bswap32(hi);
      break;
    case 3:
      rlo = bswap32(hi);
      rhi = bswap32(lo);
      break;
    case 4:
      rlo = sf ? (hi === 0 ? 32 + Math.clz32(lo) : Math.clz32(hi)) : Math.clz32(lo);
      break;
    default:
      if (!sf) rlo = cls32(lo);
      else {
        const c = cls32(hi);
        rlo = c < 31 ? c : 31 + Math.clz32(lo ^ (hi >> 31));
      }
      break;
  }
  R32[2 * d] = rlo;
  R32[2 * d + 1] = rhi;
}

/** UDIV, SDIV, LSLV, LSRV, ASRV, RORV, CRC32*. b = sf | opcode << 1. */
export function dataProc2(R: BigUint64Array, R32: Int32Array, a: number, b: number): void {
  const sf = b & 1;
  const opcode = b >>> 1;
  const d = a & 255;
  const n = (a >>> 8) & 255;
  const m = (a >>> 16) & 255;
  const lo = R32[2 * n]!;
  const hi = R32[2 * n + 1]!;
  let rlo: number;
  let rhi = 0;
  if (opcode === 2 || opcode === 3) {
    if (sf) {
      if (R[m] === 0n) R[d] = 0n;
      else if (opcode === 2) R[d] = R[n]! / R[m]!;
      else R[d] = BigInt.asIntN(64, R[n]!) / BigInt.asIntN(64, R[m]!);
      return;
    }
    const dv = R32[2 * m]!;
    if (dv === 0) rlo = 0;
    else if (opcode === 2) rlo = Math.floor((lo >>> 0) / (dv >>> 0)) | 0;
    else rlo = Math.trunc(lo / dv) | 0;
  } else if (opcode >= 8 && opcode <= 11) {
    const amount = R32[2 * m]! & (sf ? 63 : 31);
    if (sf) {
      if (opcode === 8) rlo = lsl64(lo, hi, amount);
      else if (opcode === 9) rlo = lsr64(lo, hi, amount);
      else if (opcode === 10) rlo = asr64(lo, hi, amount);
      else rlo = ror64(lo, hi, amount);
      rhi = pair.hi;
    } else if (opcode === 8) rlo = lo << amount;
    else if (opcode === 9) rlo = lo >>> amount;
    else if (opcode === 10) rlo = lo >> amount;
    else rlo = ror32(lo, amount);
  } else {
    // CRC32{B,H,W,X} (16..19) and CRC32C{B,H,W,X} (20..23): accumulator Wn, data Rm.
    const size = 1 << (opcode & 3);
    const castagnoli = opcode >= 20;
    rlo = crc32Update(lo, R32[2 * m]!, R32[2 * m + 1]!, size, castagnoli);
  }
  R32[2 * d] = rlo;
  R32[2 * d + 1] = rhi;
}

/**
 * MSUB (both sizes), SMADDL/SMSUBL, UMADDL/UMSUBL, SMULH, UMULH.
 * b = sf | o0 << 1 | op31 << 2.
 */
export function dataProc3(R: BigUint64Array, R32: Int32Array, a: number, b: number): void {
  const sf = b & 1;
  const o0 = (b >>> 1) & 1;
  const op31 = b >>> 2;
  const d = a & 255;
  const n = (a >>> 8) & 255;
  const m = (a >>> 16) & 255;
  const x = a >>> 24;
  switch (op31) {
    case 0:
      if (sf) R[d] = R[x]! - R[n]! * R[m]!;
      else {
        R32[2 * d] = (R32[2 * x]! - Math.imul(R32[2 * n]!, R32[2 * m]!)) | 0;
        R32[2 * d + 1] = 0;
      }
      return;
    case 1: {
      const p = BigInt(R32[2 * n]!) * BigInt(R32[2 * m]!);
      R[d] = o0 ? R[x]! - p : R[x]! + p;
      return;
    }
    case 5: {
      const p = BigInt(R32[2 * n]! >>> 0) * BigInt(R32[2 * m]! >>> 0);
      R[d] = o0 ? R[x]! - p : R[x]! + p;
      return;
    }
    case 2:
      R[d] = (BigInt.asIntN(64, R[n]!) * BigInt.asIntN(64, R[m]!)) >> 64n;
      return;
    default:
      R[d] = (R[n]! * R[m]!) >> 64n;
      return;
  }
}

/** BFM/SBFM/UBFM (general form). b = sf | opc << 1 | immr << 3 | imms << 9. */
export function bitfield(R32: Int32Array, a: number, b: number, wm: Int32Array, tm: Int32Array, i: number): void {
  // On 32-bit word pairs: the BigInt form allocated on every SXTW/UBFX/BFI.
  const sf = b & 1;
  const opc = (b >>> 1) & 3;
  const immr = (b >>> 3) & 63;
  const imms = (b >>> 9) & 63;
  const d = 2 * (a & 255);
  const n = 2 * ((a >>> 8) & 255);
  const slo = R32[n]!;
  const shi = sf ? R32[n + 1]! : 0;
  // ROR(src, immr) within the register size.
  let rlo = slo;
  let rhi = shi;
  if (!sf) {
    if (immr !== 0) rlo = (slo >>> immr) | (slo << (32 - immr));
  } else if (immr !== 0) {
    const r = immr & 31;
    const xlo = immr >= 32 ? shi : slo;
    const xhi = immr >= 32 ? slo : shi;
    rlo = r === 0 ? xlo : (xlo >>> r) | (xhi << (32 - r));
    rhi = r === 0 ? xhi : (xhi >>> r) | (xlo << (32 - r));
  }
  const wlo = wm[2 * i]!;
  const whi = wm[2 * i + 1]!;
  const tlo = tm[2 * i]!;
  const thi = tm[2 * i + 1]!;
  let lo: number;
  let hi: number;
  if (opc === 1) {
    // BFM: insert into the destination's bits.
    const dlo = R32[d]!;
    const dhi = sf ? R32[d + 1]! : 0;
    const blo = (dlo & ~wlo) | (rlo & wlo);
    const bhi = (dhi & ~whi) | (rhi & whi);
    lo = (dlo & ~tlo) | (blo & tlo);
    hi = (dhi & ~thi) | (bhi & thi);
  } else {
    lo = rlo & wlo & tlo;
    hi = rhi & whi & thi;
    if (opc === 0) {
      // SBFM: bits above the field copy the field's top bit (bit imms of the source).
      const top = ((imms >= 32 ? shi >>> (imms - 32) : slo >>> imms) & 1) !== 0 ? -1 : 0;
      lo |= top & ~tlo;
      hi |= top & ~thi;
    }
  }
  R32[d] = lo;
  R32[d + 1] = sf ? hi : 0;
}

/** EXTR. b = lsb | sf << 6. */
export function extract(R32: Int32Array, a: number, b: number): void {
  const sf = (b >>> 6) & 1;
  const lsb = b & 63;
  const d = a & 255;
  const n = (a >>> 8) & 255;
  const m = (a >>> 16) & 255;
  if (sf) {
    // (Rn:Rm) >> lsb, low 64 bits.
    const mlo = R32[2 * m]!;
    const mhi = R32[2 * m + 1]!;
    const nlo = R32[2 * n]!;
    const nhi = R32[2 * n + 1]!;
    let rlo: number;
    let rhi: number;
    if (lsb === 0) {
      rlo = mlo;
      rhi = mhi;
    } else if (lsb < 32) {
      rlo = (mlo >>> lsb) | (mhi << (32 - lsb));
      rhi = (mhi >>> lsb) | (nlo << (32 - lsb));
    } else if (lsb === 32) {
      rlo = mhi;
      rhi = nlo;
    } else {
      const s = lsb - 32;
      rlo = (mhi >>> s) | (nlo << (32 - s));
      rhi = (nlo >>> s) | (nhi << (32 - s));
    }
    R32[2 * d] = rlo;
    R32[2 * d + 1] = rhi;
  } else {
    const mlo = R32[2 * m]!;
    const nlo = R32[2 * n]!;
    R32[2 * d] = lsb === 0 ? mlo : (mlo >>> lsb) | (nlo << (32 - lsb));
    R32[2 * d + 1] = 0;
  }
}
