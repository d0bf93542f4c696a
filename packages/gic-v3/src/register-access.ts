import { hex, type Log } from '@vmapple/core-bus';
import { ID_REGISTERS, ID_REGISTERS_BASE, WORDS } from './constants.js';
import { Bitmap, type GicState } from './gic-state.js';

/**
 * Helpers shared by the distributor and redistributor register decoders:
 * the access-width rules of IHI 0069 §12.1.3 and the bitmap register family
 * (IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER, IPRIORITYR, ICFGR).
 *
 * Width rules: every register takes aligned 32-bit accesses; IPRIORITYR (and
 * the legacy ITARGETSR/SPENDSGIR/CPENDSGIR) also take byte accesses; the
 * 64-bit registers (GICD_IROUTER, GICR_TYPER, the LPI registers) take 64-bit
 * accesses and 32-bit accesses to either half. Anything else is a guest error:
 * reads return 0, writes are ignored.
 */

/** The offset of each set/clear register pair relative to the frame. */
export const BitmapRegister = {
  IGROUPR: 0x080,
  ISENABLER: 0x100,
  ICENABLER: 0x180,
  ISPENDR: 0x200,
  ICPENDR: 0x280,
  ISACTIVER: 0x300,
  ICACTIVER: 0x380,
} as const;

/** Reads the bitmap register family at `base` (0x080..0x3FF), word `w`. */
export function readBitmapRegister(s: GicState, cpu: number, base: number, w: number): number {
  switch (base) {
    case BitmapRegister.IGROUPR:
      return s.word(Bitmap.Group, cpu, w) >>> 0;
    case BitmapRegister.ISENABLER:
    case BitmapRegister.ICENABLER:
      return s.word(Bitmap.Enable, cpu, w) >>> 0;
    case BitmapRegister.ISPENDR:
    case BitmapRegister.ICPENDR:
      return s.pendingWord(cpu, w);
    default:
      return s.word(Bitmap.Active, cpu, w) >>> 0;
  }
}

/**
 * Writes the bitmap register family. Set registers set the bits written as 1,
 * clear registers clear them; IGROUPR is a plain read/write register. `valid`
 * masks the bits that name implemented interrupts. Returns whether the
 * interrupts' groups changed (1-of-N routing depends on them).
 */
export function writeBitmapRegister(s: GicState, cpu: number, base: number, w: number, value: number, valid: number): boolean {
  const v = value & valid;
  if (base === BitmapRegister.IGROUPR) {
    s.setWord(Bitmap.Group, cpu, w, (s.word(Bitmap.Group, cpu, w) & ~valid) | v);
    return true;
  }
  // Set registers are at even multiples of 0x80, clear registers at odd ones.
  // ICPENDR clears the latch only: a level-sensitive input that is still high stays pending.
  const kind = base < BitmapRegister.ISPENDR ? Bitmap.Enable : base < BitmapRegister.ISACTIVER ? Bitmap.Latch : Bitmap.Active;
  const old = s.word(kind, cpu, w);
  s.setWord(kind, cpu, w, (base & 0x80) === 0 ? old | v : old & ~v);
  return false;
}

/** Reads `size` (1 or 4) bytes of priority fields starting at INTID `first`. */
export function readPriorities(s: GicState, cpu: number, first: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v |= s.priorityOf(cpu, first + i) << (8 * i);
  return v >>> 0;
}

export function writePriorities(s: GicState, cpu: number, first: number, size: number, value: number): void {
  for (let i = 0; i < size; i++) s.setPriority(cpu, first + i, (value >>> (8 * i)) & 0xff);
}

/**
 * GICD_ICFGR<n>/GICR_ICFGR<n>: two bits per INTID, bit 2k+1 set for
 * edge-triggered (bit 2k is RES0). Register n covers INTIDs 16n..16n+15.
 */
export function readConfig(s: GicState, cpu: number, n: number): number {
  const w = n >>> 1;
  const edge = s.word(Bitmap.Edge, cpu, w) >>> ((n & 1) * 16);
  let v = 0;
  for (let k = 0; k < 16; k++) if ((edge >>> k) & 1) v |= 2 << (2 * k);
  return v >>> 0;
}

export function writeConfig(s: GicState, cpu: number, n: number, value: number): void {
  const w = n >>> 1;
  const shift = (n & 1) * 16;
  let edge = 0;
  for (let k = 0; k < 16; k++) if ((value >>> (2 * k + 1)) & 1) edge |= 1 << k;
  const old = s.word(Bitmap.Edge, cpu, w);
  s.setWord(Bitmap.Edge, cpu, w, (old & ~(0xffff << shift)) | (edge << shift));
}

/** Identification registers (PIDR0..7, CIDR0..3) at 0xFFD0..0xFFFC, or undefined. */
export function readIdRegister(offset: number): number | undefined {
  if (offset < ID_REGISTERS_BASE || offset > 0xfffc) return undefined;
  return ID_REGISTERS[(offset - ID_REGISTERS_BASE) >>> 2];
}

export function badWidth(log: Log, source: string, write: boolean, offset: number, size: number): void {
  log.guestError(source, `${size}-byte ${write ? 'write to' : 'read of'} ${hex(offset)}: access width not supported by this register`);
}

export function unknownOffset(log: Log, source: string, write: boolean, offset: number): void {
  log.guestError(source, `${write ? 'write to' : 'read of'} unimplemented register offset ${hex(offset)}`);
}

/** Bits of a bitmap word that name implemented interrupts (all of them in this model). */
export function validBits(w: number): number {
  return w < WORDS ? 0xffff_ffff : 0;
}
