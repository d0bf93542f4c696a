import { type AddressSpace, BusStatus, type RamRegion } from '@vmapple/core-bus';
import { type CodePage } from './code-page.js';

/** Entries per translation regime in the direct-mapped soft TLB. */
export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
/** MMU indexes: one TLB set per privilege view. */
export const MMU_EL0 = 0;
export const MMU_EL1 = 1;

/** Access kinds for the walker. */
export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_EXEC = 2;

/**
 * What `walk` returns on success. Not 0: an address size fault at level 0
 * has the fault status code 0.
 */
export const WALK_OK = -1;

/** Fault status codes (DFSC/IFSC), the low two bits carry the level. */
export const FSC_ADDR_SIZE = 0x00;
export const FSC_TRANSLATION = 0x04;
export const FSC_ACCESS_FLAG = 0x08;
export const FSC_PERMISSION = 0x0c;
export const FSC_EXTERNAL = 0x10;
export const FSC_EXTERNAL_WALK = 0x14;
export const FSC_ALIGNMENT = 0x21;

const TWO32 = 4294967296;

/**
 * Stage-1 translation for the EL1&0 regime (4 KiB granule, 48-bit VA and PA)
 * and the soft TLB that caches it. Tags are VA page numbers split in two
 * int32 words (lo = va[31:12], hi = va[63:32]); -1 in `rLo/wLo/xLo` marks an
 * empty slot (va[31:12] is never -1).
 */
export class Mmu {
  readonly rLo = new Int32Array(2 * TLB_SIZE).fill(-1);
  readonly rHi = new Int32Array(2 * TLB_SIZE);
  readonly wLo = new Int32Array(2 * TLB_SIZE).fill(-1);
  readonly wHi = new Int32Array(2 * TLB_SIZE);
  readonly xLo = new Int32Array(2 * TLB_SIZE).fill(-1);
  readonly xHi = new Int32Array(2 * TLB_SIZE);
  /** Offset of the page in its RAM region's buffer, or -1 for MMIO / unmapped. */
  readonly off = new Int32Array(2 * TLB_SIZE);
  /** Physical page base address. */
  readonly pa = new Float64Array(2 * TLB_SIZE);
  readonly view: DataView[] = [];
  readonly bytes: Uint8Array[] = [];
  /** The RAM buffer as 64-bit words (aligned 8-byte accesses). */
  readonly u64: BigUint64Array[] = [];
  private readonly u64Views = new WeakMap<ArrayBuffer, BigUint64Array>();
  readonly code: (CodePage | null)[] = [];
  /** 1 where the slot's translation came from a non-global (nG) descriptor. */
  readonly ng = new Uint8Array(2 * TLB_SIZE);
  /**
   * VA[47:21] / VA[47:30] of every 2 MiB / 1 GiB block whose pages sit in the
   * TLB: a TLBI by VA inside one must drop the whole block, which the per-page
   * slots cannot express, so it falls back to a full flush.
   */
  private readonly blocks2M = new Set<number>();
  private readonly blocks1G = new Set<number>();

  // ---- translation regime (copied from system registers on every write) ----
  enabled = false;
  wxn = false;
  t0sz = 16;
  t1sz = 16;
  epd0 = false;
  epd1 = false;
  tbi0 = false;
  tbi1 = false;
  ttbr0 = 0;
  ttbr1 = 0;
  /** MAIR_EL1 as two halves (attribute lookups for PAR_EL1). */
  mairLo = 0;
  mairHi = 0;

  // ---- walk results ----
  /** Physical page address of the last successful walk. */
  outPa = 0;
  /** Permission bits of the last walk: 1 = EL1 read, 2 = EL1 write, 4 = EL1 exec, 8/16/32 = EL0 r/w/x. */
  outPerm = 0;
  outAttr = 0;
  outSh = 0;
  outLevel = 0;
  /** nG bit of the last successful walk's leaf descriptor. */
  outNg = 0;
  /** Set when the fault happened on a table read (S1PTW is for stage 2 only; kept for PAR). */
  outWalkFault = false;

  private readonly dummyView = new DataView(new ArrayBuffer(8));
  private readonly dummyBytes = new Uint8Array(8);
  private readonly dummyU64 = new BigUint64Array(1);

  constructor(private readonly memory: AddressSpace) {
    for (let i = 0; i < 2 * TLB_SIZE; i++) {
      this.view.push(this.dummyView);
      this.bytes.push(this.dummyBytes);
      this.u64.push(this.dummyU64);
      this.code.push(null);
    }
  }

  flush(): void {
    this.rLo.fill(-1);
    this.wLo.fill(-1);
    this.xLo.fill(-1);
    this.code.fill(null);
    this.ng.fill(0);
    this.blocks2M.clear();
    this.blocks1G.clear();
  }

  /** Drops the cached code-page references (IC invalidation) but keeps data translations. */
  flushCode(): void {
    this.xLo.fill(-1);
    this.code.fill(null);
  }

  /** Drops the code entries that point at one decoded page (IC IVAU on it). */
  flushCodePage(page: CodePage): void {
    const code = this.code;
    for (let s = 0; s < code.length; s++) {
      if (code[s] === page) {
        code[s] = null;
        this.xLo[s] = -1;
      }
    }
  }

  /**
   * TLBI by VA (any ASID): drops the page's slot in both privilege views. The
   * slot is cleared whatever its tag, which also covers tagged (TBI) aliases.
   * A VA inside a cached block mapping flushes everything.
   */
  flushVa(lo: number, hi: number): void {
    const k2 = (hi & 0xffff) * 2048 + (lo >>> 21);
    const k1 = (hi & 0xffff) * 4 + (lo >>> 30);
    if (this.blocks2M.has(k2) || this.blocks1G.has(k1)) {
      this.flush();
      return;
    }
    const s = (lo >>> 12) & TLB_MASK;
    for (const i of [s, s | TLB_SIZE]) {
      this.rLo[i] = -1;
      this.wLo[i] = -1;
      this.xLo[i] = -1;
      this.code[i] = null;
    }
  }

  /**
   * A new ASID or TTBR: entries from non-global descriptors belong to the old
   * address space; global ones stay valid (software TLBIs those itself).
   */
  flushNonGlobal(): void {
    const ng = this.ng;
    for (let s = 0; s < ng.length; s++) {
      if (ng[s] !== 0) {
        ng[s] = 0;
        this.rLo[s] = -1;
        this.wLo[s] = -1;
        this.xLo[s] = -1;
        this.code[s] = null;
      }
    }
  }

  /**
   * Walks the tables for the address (lo, hi). `data` applies TBI. Returns
   * WALK_OK or a fault status code, with `outPa`/`outPerm`/... filled on success.
   */
  walk(lo: number, hi: number, data: boolean): number {
    this.outWalkFault = false;
    if (!this.enabled) {
      // Flat mapping; PA is limited to 48 bits.
      if ((hi & 0xffff0000) !== 0) {
        this.outLevel = 0;
        return FSC_ADDR_SIZE;
      }
      this.outPa = (hi >>> 0) * TWO32 + ((lo & ~0xfff) >>> 0);
      this.outPerm = 63;
      this.outNg = 0;
      this.outLevel = 3;
      this.outAttr = 0;
      this.outSh = 0;
      return WALK_OK;
    }
    let top = hi;
    const upper = (hi >>> 23) & 1 ? true : false; // bit 55 selects the half when TBI applies
    if (data ? (upper ? this.tbi1 : this.tbi0) : false) {
      // Top byte ignored: replace bits 63:56 with copies of bit 55.
      top = upper ? hi | 0xff000000 : hi & 0x00ffffff;
    }
    const useTtbr1 = top < 0;
    const tsz = useTtbr1 ? this.t1sz : this.t0sz;
    const iaBits = 64 - tsz;
    if (iaBits > 48 || iaBits < 25) {
      // TxSZ outside what this core supports: fault rather than guess.
      this.outLevel = 0;
      return FSC_TRANSLATION;
    }
    // Bits [63:iaBits] must all equal the half selector.
    const want = useTtbr1 ? -1 : 0;
    const outside = iaBits >= 32 ? top >> (iaBits - 32) !== want : top !== want || lo >> iaBits !== want;
    if (outside || (useTtbr1 ? this.epd1 : this.epd0)) {
      this.outLevel = 0;
      return FSC_TRANSLATION;
    }
    // VA bits below iaBits as a number (exact: at most 48 bits).
    const va = (top & 0xffff) * TWO32 + (lo >>> 0);
    let level = 4 - Math.ceil((iaBits - 12) / 9);
    let table = useTtbr1 ? this.ttbr1 : this.ttbr0;
    let apTable = 0;
    let pxnTable = 0;
    let uxnTable = 0;
    const mem = this.memory;
    for (; level <= 3; level++) {
      const shift = 12 + 9 * (3 - level);
      const bitsHere = Math.min(9, iaBits - shift);
      const index = Math.floor(va / 2 ** shift) % 2 ** bitsHere;
      const dpa = table + index * 8;
      const dlo = mem.read(dpa, 4);
      const dhi = mem.read(dpa + 4, 4);
      if (mem.status !== BusStatus.Ok) {
        this.outLevel = level;
        this.outWalkFault = true;
        return FSC_EXTERNAL_WALK | level;
      }
      if ((dlo & 1) === 0) {
        this.outLevel = level;
        return FSC_TRANSLATION | level;
      }
      const isTable = (dlo & 2) !== 0;
      if (level < 3 && isTable) {
        if ((dhi & 0xf0000) !== 0) {
          this.outLevel = level;
          return FSC_ADDR_SIZE | level;
        }
        table = (dhi & 0xffff) * TWO32 + ((dlo & ~0xfff) >>> 0);
        apTable |= (dhi >>> 29) & 3;
        uxnTable |= (dhi >>> 28) & 1;
        pxnTable |= (dhi >>> 27) & 1;
        continue;
      }
      if ((level === 3 && !isTable) || level === 0) {
        this.outLevel = level;
        return FSC_TRANSLATION | level;
      }
      // Leaf descriptors: bits 51 (DBM) and 50 (GP) are attributes; only OA bits 49:48 must be 0.
      if ((dhi & 0x30000) !== 0) {
        this.outLevel = level;
        return FSC_ADDR_SIZE | level;
      }
      // Block or page: the output address keeps the VA bits below `shift`.
      const oaBase = (dhi & 0xffff) * TWO32 + ((dlo & ~0xfff) >>> 0);
      const blockMask = 2 ** shift;
      const oa = oaBase - (oaBase % blockMask) + (va % blockMask);
      this.outPa = oa - (oa % 4096);
      this.outLevel = level;
      this.outAttr = (dlo >>> 2) & 7;
      this.outSh = (dlo >>> 8) & 3;
      this.outNg = (dlo >>> 11) & 1;
      if ((dlo & 0x400) === 0) return FSC_ACCESS_FLAG | level;
      const ap = (dlo >>> 6) & 3;
      const el1r = true;
      let el1w = (ap & 2) === 0;
      let el0r = (ap & 1) !== 0;
      let el0w = ap === 1;
      if (apTable & 2) {
        el1w = false;
        el0w = false;
      }
      if (apTable & 1) {
        el0r = false;
        el0w = false;
      }
      let uxn = ((dhi >>> 22) & 1) | uxnTable;
      let pxn = ((dhi >>> 21) & 1) | pxnTable;
      if (el0w) pxn = 1;
      if (this.wxn) {
        if (el1w || el0w) pxn = 1;
        if (el0w || el1w) uxn = 1;
      }
      this.outPerm =
        (el1r ? 1 : 0) | (el1w ? 2 : 0) | (pxn ? 0 : 4) | (el0r ? 8 : 0) | (el0w ? 16 : 0) | (uxn ? 0 : 32);
      return WALK_OK;
    }
    this.outLevel = 3;
    return FSC_TRANSLATION | 3;
  }

  /** Fills the data entries of TLB slot `s` (already including the MMU-index offset) from the last walk. */
  fill(s: number, lo: number, hi: number, el0: boolean): void {
    const perm = el0 ? this.outPerm >> 3 : this.outPerm;
    const tag = lo >>> 12;
    const pa = this.outPa;
    this.pa[s] = pa;
    const ram = this.memory.ramAt(pa);
    if (ram !== undefined && ram.limit >= 4096) {
      this.off[s] = ram.offset;
      this.view[s] = ram.ram.view;
      this.bytes[s] = ram.ram.bytes;
      this.u64[s] = this.words(ram.ram.bytes);
    } else {
      this.off[s] = -1;
    }
    this.rLo[s] = perm & 1 ? tag : -1;
    this.rHi[s] = hi;
    this.wLo[s] = perm & 2 ? tag : -1;
    this.wHi[s] = hi;
    this.noteFill(s, lo, hi);
  }

  /** Fills the code entry of slot `s` with the decoded page of the last walk's physical page. */
  fillCode(s: number, lo: number, hi: number, page: CodePage | null): void {
    this.code[s] = page;
    this.xLo[s] = page ? lo >>> 12 : -1;
    this.xHi[s] = hi;
    this.noteFill(s, lo, hi);
  }

  private noteFill(s: number, lo: number, hi: number): void {
    if (this.outNg !== 0) this.ng[s] = 1;
    if (this.outLevel === 2) this.blocks2M.add((hi & 0xffff) * 2048 + (lo >>> 21));
    else if (this.outLevel === 1) this.blocks1G.add((hi & 0xffff) * 4 + (lo >>> 30));
  }

  private words(bytes: Uint8Array): BigUint64Array {
    const buf = bytes.buffer as ArrayBuffer;
    let w = this.u64Views.get(buf);
    if (!w) {
      w = new BigUint64Array(buf, 0, Math.floor(buf.byteLength / 8));
      this.u64Views.set(buf, w);
    }
    return w;
  }

  /** The RAM region behind a physical address (for code pages). */
  ramAt(pa: number): { ram: RamRegion; offset: number; limit: number } | undefined {
    return this.memory.ramAt(pa);
  }
}
