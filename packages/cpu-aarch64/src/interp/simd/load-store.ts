/**
 * AdvSIMD load/store single structure (LD1-LD4/ST1-ST4 to one lane, LD1R-LD4R replicate), with
 * and without post-index: 0 Q 001101 p L R Rm opcode S size Rn Rt.
 *
 * Guest memory comes from the optional `simdLoad`/`simdStore` members of the context (the CPU's
 * translated, fault-checked accesses); a CPU that does not provide them gets UNDEFINED, as before.
 */
import { V8, type SimdCtx } from './lanes.js';

/** Guest memory for single-structure loads and stores. */
export interface SimdMemory {
  /** Reads `bytes` (1, 2, 4, 8) at `va`, little-endian; null when the access faulted (the fault is pending). */
  simdLoad?(va: bigint, bytes: number): bigint | null;
  /** Writes; false when the access faulted (the fault is pending). */
  simdStore?(va: bigint, bytes: number, value: bigint): boolean;
}

const SCRATCH = new Uint8Array(4 * 16);

export function loadStoreSingle(c: SimdCtx & SimdMemory, w: number): boolean {
  if ((w & 0xbf000000) !== 0x0d000000 || !c.simdLoad || !c.simdStore) return false;
  const q = (w >>> 30) & 1;
  const post = (w >>> 23) & 1;
  const load = (w >>> 22) & 1;
  const r = (w >>> 21) & 1;
  const rm = (w >>> 16) & 31;
  const opcode = (w >>> 13) & 7;
  const s = (w >>> 12) & 1;
  const size = (w >>> 10) & 3;
  const rn = (w >>> 5) & 31;
  const rt = w & 31;
  if (!post && rm !== 0) return false;
  const selem = (((opcode & 1) << 1) | r) + 1;
  let scale = opcode >>> 1;
  let index: number;
  let replicate = false;
  switch (scale) {
    case 0:
      index = (q << 3) | (s << 2) | size;
      break;
    case 1:
      if (size & 1) return false;
      index = (q << 2) | (s << 1) | (size >>> 1);
      break;
    case 2:
      if (size & 2) return false;
      if (size & 1) {
        if (s) return false;
        index = q;
        scale = 3;
      } else index = (q << 1) | s;
      break;
    default:
      if (!load || s) return false;
      scale = size;
      replicate = true;
      index = 0;
  }
  const esize = 1 << scale;
  const base = rn === 31 ? c.R[32]! : c.R[rn]!;
  let offs = 0;
  if (load) {
    // Read every element first so a fault leaves the registers unchanged.
    for (let e = 0; e < selem; e++) {
      const v = c.simdLoad(BigInt.asUintN(64, base + BigInt(offs)), esize);
      if (v === null) return false;
      for (let b = 0; b < esize; b++) SCRATCH[e * 8 + b] = Number((v >> BigInt(8 * b)) & 0xffn);
      offs += esize;
    }
    for (let e = 0; e < selem; e++) {
      const t = (rt + e) % 32;
      if (replicate) {
        const n = (q ? 16 : 8) / esize;
        for (let i = 0; i < n; i++) for (let b = 0; b < esize; b++) V8[t * 16 + i * esize + b] = SCRATCH[e * 8 + b]!;
        if (!q) for (let b = 8; b < 16; b++) V8[t * 16 + b] = 0;
      } else {
        for (let b = 0; b < esize; b++) V8[t * 16 + index * esize + b] = SCRATCH[e * 8 + b]!;
      }
    }
  } else {
    for (let e = 0; e < selem; e++) {
      const t = (rt + e) % 32;
      let v = 0n;
      for (let b = esize - 1; b >= 0; b--) v = (v << 8n) | BigInt(V8[t * 16 + index * esize + b]!);
      if (!c.simdStore(BigInt.asUintN(64, base + BigInt(offs)), esize, v)) return false;
      offs += esize;
    }
  }
  if (post) {
    const inc = rm === 31 ? BigInt(offs) : c.R[rm]!;
    const nb = BigInt.asUintN(64, base + inc);
    if (rn === 31) c.R[32] = nb;
    else c.R[rn] = nb;
  }
  return true;
}
