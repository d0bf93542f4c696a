import { IrqLine, type Log } from '@vmapple/core-bus';
import {
  BPR0_MIN,
  BPR1_MIN,
  GICD_CTLR,
  IDLE_PRIORITY,
  INTID_LIMIT,
  INTID_SPECIAL,
  INTID_SPURIOUS,
  IROUTER_AFF_MASK,
  IROUTER_IRM,
  PRIORITY_BITS,
  PRIORITY_MASK,
  PRIVATE_COUNT,
  WORDS,
  ICC_CTLR,
} from './constants.js';

/** Which per-interrupt bitmap a register reaches. */
export const Bitmap = {
  Group: 0,
  Enable: 1,
  /** The pending latch: software-set or edge-latched pending (level inputs are added on read). */
  Latch: 2,
  Active: 3,
  /** Configuration: bit set when edge-triggered. */
  Edge: 4,
  /** The level of the input wire. */
  Level: 5,
} as const;
export type Bitmap = (typeof Bitmap)[keyof typeof Bitmap];
const BITMAPS = 6;

/** Word 0 of every bitmap: SGIs and PPIs 16..31. SGIs are always edge-triggered. */
const SGI_EDGE = 0x0000_ffff;
/** No pending interrupt (greater than every 8-bit priority). */
const NO_PRIORITY = 0x100;
/** Shift from a group priority to its bit in ICC_AP0R0/ICC_AP1R0. */
const AP_SHIFT = 8 - PRIORITY_BITS;

function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * The whole interrupt state of the GIC: distributor, one redistributor and one
 * CPU interface per processor, with the prioritisation that drives each
 * processor's IRQ and FIQ outputs. Group 1 interrupts are signalled as IRQ and
 * Group 0 as FIQ (single Security state, GICD_CTLR.DS == 1).
 *
 * Register decoding lives elsewhere (distributor.ts, redistributor.ts,
 * cpu-interface.ts); everything here works on INTIDs and bitmaps.
 */
export class GicState {
  readonly cpus: number;
  readonly log: Log;
  readonly irq: IrqLine[] = [];
  readonly fiq: IrqLine[] = [];

  /** GICD_CTLR.EnableGrp0 / EnableGrp1 (ARE and DS are fixed). */
  dCtlr = 0;
  /** SPI bitmaps (int32 so the hot loop stays in small integers), [kind * WORDS + word]; word 0 is unused (private interrupts are banked). */
  readonly shared = new Int32Array(BITMAPS * WORDS);
  /** Private bitmaps (word 0), [kind * cpus + cpu]. */
  readonly banked: Int32Array;
  /** SPI priorities by INTID (0..31 unused). */
  readonly priority = new Uint8Array(INTID_LIMIT);
  /** SGI/PPI priorities, [cpu * 32 + intid]. */
  readonly privatePriority: Uint8Array;
  /** GICD_IROUTER<n> low words by INTID (Aff2.Aff1.Aff0 and IRM). */
  readonly router = new Uint32Array(INTID_LIMIT);
  /** Processor each SPI is currently routed to, or -1. */
  readonly spiTarget = new Int8Array(INTID_LIMIT);
  /** SPI routing masks, [cpu * WORDS + word]: bit set when the SPI goes to that processor. */
  readonly targets: Int32Array;
  /** GICR_WAKER.ProcessorSleep per processor. */
  readonly sleep: Uint8Array;

  // CPU interface registers, per processor.
  readonly pmr: Uint8Array;
  readonly bpr0: Uint8Array;
  readonly bpr1: Uint8Array;
  /** ICC_CTLR_EL1 writable bits (CBPR, EOImode). */
  readonly iccCtlr: Uint8Array;
  readonly igrpen0: Uint8Array;
  readonly igrpen1: Uint8Array;
  readonly ap0: Int32Array;
  readonly ap1: Int32Array;

  /** Highest-priority pending interrupt per processor (INTID_SPURIOUS when none). */
  readonly hppiId: Uint16Array;
  /** Its priority, or NO_PRIORITY. */
  readonly hppiPriority: Uint16Array;

  constructor(cpus: number, log: Log) {
    this.cpus = cpus;
    this.log = log;
    this.banked = new Int32Array(BITMAPS * cpus);
    this.privatePriority = new Uint8Array(cpus * PRIVATE_COUNT);
    this.targets = new Int32Array(cpus * WORDS);
    this.sleep = new Uint8Array(cpus);
    this.pmr = new Uint8Array(cpus);
    this.bpr0 = new Uint8Array(cpus);
    this.bpr1 = new Uint8Array(cpus);
    this.iccCtlr = new Uint8Array(cpus);
    this.igrpen0 = new Uint8Array(cpus);
    this.igrpen1 = new Uint8Array(cpus);
    this.ap0 = new Int32Array(cpus);
    this.ap1 = new Int32Array(cpus);
    this.hppiId = new Uint16Array(cpus);
    this.hppiPriority = new Uint16Array(cpus);
    for (let c = 0; c < cpus; c++) {
      this.irq.push(new IrqLine());
      this.fiq.push(new IrqLine());
    }
  }

  /** Power-on state. Input wire levels are not GIC state and are kept. */
  reset(): void {
    this.dCtlr = 0;
    const levels = this.shared.slice(Bitmap.Level * WORDS, (Bitmap.Level + 1) * WORDS);
    const privateLevels = this.banked.slice(Bitmap.Level * this.cpus, (Bitmap.Level + 1) * this.cpus);
    this.shared.fill(0);
    this.banked.fill(0);
    this.shared.set(levels, Bitmap.Level * WORDS);
    this.banked.set(privateLevels, Bitmap.Level * this.cpus);
    for (let c = 0; c < this.cpus; c++) this.banked[Bitmap.Edge * this.cpus + c] = SGI_EDGE;
    this.priority.fill(0);
    this.privatePriority.fill(0);
    this.router.fill(0);
    this.sleep.fill(1);
    this.pmr.fill(0);
    this.bpr0.fill(BPR0_MIN);
    this.bpr1.fill(BPR1_MIN);
    this.iccCtlr.fill(0);
    this.igrpen0.fill(0);
    this.igrpen1.fill(0);
    this.ap0.fill(0);
    this.ap1.fill(0);
    this.rebuildRouting();
    this.updateAll();
  }

  // ---- bitmaps ------------------------------------------------------------

  /** Word `w` of bitmap `kind` as processor `cpu` sees it (word 0 is banked). */
  word(kind: Bitmap, cpu: number, w: number): number {
    return w === 0 ? this.banked[kind * this.cpus + cpu] : this.shared[kind * WORDS + w];
  }

  setWord(kind: Bitmap, cpu: number, w: number, value: number): void {
    if (w === 0) this.banked[kind * this.cpus + cpu] = value;
    else this.shared[kind * WORDS + w] = value;
  }

  /** Pending state of word `w`: the latch, plus level-sensitive inputs that are high. */
  pendingWord(cpu: number, w: number): number {
    return (this.word(Bitmap.Latch, cpu, w) | (this.word(Bitmap.Level, cpu, w) & ~this.word(Bitmap.Edge, cpu, w))) >>> 0;
  }

  /** 0 or 1: the group of `intid` as processor `cpu` sees it. */
  groupOf(cpu: number, intid: number): number {
    return (this.word(Bitmap.Group, cpu, intid >>> 5) >>> (intid & 31)) & 1;
  }

  priorityOf(cpu: number, intid: number): number {
    return intid < PRIVATE_COUNT ? this.privatePriority[cpu * PRIVATE_COUNT + intid] : this.priority[intid];
  }

  setPriority(cpu: number, intid: number, value: number): void {
    const v = value & PRIORITY_MASK;
    if (intid < PRIVATE_COUNT) this.privatePriority[cpu * PRIVATE_COUNT + intid] = v;
    else this.priority[intid] = v;
  }

  // ---- routing ------------------------------------------------------------

  /** The processor an SPI's GICD_IROUTER value selects now, or -1. */
  private routeOf(intid: number): number {
    const r = this.router[intid];
    if (r & IROUTER_IRM) {
      // 1-of-N: the lowest-numbered processor that is awake and takes the interrupt's group.
      const g1 = this.groupOf(0, intid) === 1;
      for (let c = 0; c < this.cpus; c++) {
        if (!this.sleep[c] && (g1 ? this.igrpen1[c] : this.igrpen0[c])) return c;
      }
      return -1;
    }
    const aff0 = r & 0xff;
    const aff1 = (r >>> 8) & 0xff;
    const aff2 = (r >>> 16) & 0xff;
    if (aff2 !== 0 || aff0 >= 16) return -1;
    const cpu = aff1 * 16 + aff0;
    return cpu < this.cpus ? cpu : -1;
  }

  /** Re-evaluates one SPI's target, updating both processors if it moved. */
  updateRoute(intid: number): void {
    const old = this.spiTarget[intid];
    const now = this.routeOf(intid);
    if (old === now) return;
    const w = intid >>> 5;
    const bit = 1 << (intid & 31);
    if (old >= 0) this.targets[old * WORDS + w] &= ~bit;
    if (now >= 0) this.targets[now * WORDS + w] |= bit;
    this.spiTarget[intid] = now;
    if (old >= 0) this.recompute(old);
    if (now >= 0) this.recompute(now);
  }

  /** Re-evaluates 1-of-N SPIs after something that decides participation changed. */
  rerouteOneOfN(): void {
    for (let id = PRIVATE_COUNT; id < INTID_LIMIT; id++) {
      if (this.router[id] & IROUTER_IRM) this.updateRoute(id);
    }
  }

  /** Recomputes every SPI target from scratch (reset, restore). */
  rebuildRouting(): void {
    this.targets.fill(0);
    this.spiTarget.fill(-1);
    for (let id = PRIVATE_COUNT; id < INTID_LIMIT; id++) {
      const t = this.routeOf(id);
      this.spiTarget[id] = t;
      if (t >= 0) this.targets[t * WORDS + (id >>> 5)] |= 1 << (id & 31);
    }
  }

  writeRouter(intid: number, value: number): void {
    this.router[intid] = (value & (IROUTER_AFF_MASK | IROUTER_IRM)) >>> 0;
    this.updateRoute(intid);
  }

  // ---- priorities ---------------------------------------------------------

  /** Mask selecting the group priority of a `group` interrupt on `cpu` (ICC_BPR0/1, CBPR). */
  groupPriorityMask(cpu: number, group: number): number {
    if (group === 0 || this.iccCtlr[cpu] & ICC_CTLR.CBPR) return (0xff << (this.bpr0[cpu] + 1)) & 0xff;
    return (0xff << this.bpr1[cpu]) & 0xff;
  }

  /** ICC_RPR_EL1: the group priority of the highest active priority, or 0xFF when idle. */
  runningPriority(cpu: number): number {
    const a = this.ap0[cpu] | this.ap1[cpu];
    return a === 0 ? IDLE_PRIORITY : lowestBit(a) << AP_SHIFT;
  }

  /** Whether an interrupt of `priority` and `group` may be signalled to `cpu` now. */
  canSignal(cpu: number, priority: number, group: number): boolean {
    return priority < this.pmr[cpu] && (priority & this.groupPriorityMask(cpu, group)) < this.runningPriority(cpu);
  }

  // ---- prioritisation and outputs ------------------------------------------

  /** Finds `cpu`'s highest-priority pending interrupt and drives its IRQ/FIQ outputs. */
  recompute(cpu: number): void {
    let bestPriority = NO_PRIORITY;
    let bestId = INTID_SPURIOUS;
    const g0 = (this.dCtlr & GICD_CTLR.EnableGrp0) !== 0 && this.igrpen0[cpu] !== 0;
    const g1 = (this.dCtlr & GICD_CTLR.EnableGrp1) !== 0 && this.igrpen1[cpu] !== 0;
    if (!this.sleep[cpu] && (g0 || g1)) {
      const n = this.cpus;
      const b = this.banked;
      const s = this.shared;
      const groupMask0 = g1 ? -1 : 0;
      const groupMask1 = g0 ? -1 : 0;
      // Word 0: this processor's SGIs and PPIs.
      const group = b[Bitmap.Group * n + cpu];
      let candidates =
        (b[Bitmap.Latch * n + cpu] | (b[Bitmap.Level * n + cpu] & ~b[Bitmap.Edge * n + cpu])) &
        b[Bitmap.Enable * n + cpu] &
        ~b[Bitmap.Active * n + cpu] &
        ((group & groupMask0) | (~group & groupMask1));
      if (candidates !== 0) {
        const prio = this.privatePriority;
        const base = cpu * PRIVATE_COUNT;
        do {
          const low = candidates & -candidates;
          const bit = 31 - Math.clz32(low);
          const p = prio[base + bit];
          if (p < bestPriority) {
            bestPriority = p;
            bestId = bit;
          }
          candidates ^= low;
        } while (candidates !== 0);
      }
      // Words 1..: SPIs routed here.
      const targets = this.targets;
      const tbase = cpu * WORDS;
      const prio = this.priority;
      for (let w = 1; w < WORDS; w++) {
        const t = targets[tbase + w];
        if (t === 0) continue;
        const grp = s[Bitmap.Group * WORDS + w];
        let c =
          (s[Bitmap.Latch * WORDS + w] | (s[Bitmap.Level * WORDS + w] & ~s[Bitmap.Edge * WORDS + w])) &
          s[Bitmap.Enable * WORDS + w] &
          ~s[Bitmap.Active * WORDS + w] &
          t &
          ((grp & groupMask0) | (~grp & groupMask1));
        while (c !== 0) {
          const low = c & -c;
          const id = (w << 5) | (31 - Math.clz32(low));
          const p = prio[id];
          if (p < bestPriority) {
            bestPriority = p;
            bestId = id;
          }
          c ^= low;
        }
      }
    }
    this.hppiId[cpu] = bestId;
    this.hppiPriority[cpu] = bestPriority;
    let irq = false;
    let fiq = false;
    if (bestPriority !== NO_PRIORITY) {
      const group = this.groupOf(cpu, bestId);
      if (this.canSignal(cpu, bestPriority, group)) {
        if (group === 1) irq = true;
        else fiq = true;
      }
    }
    this.irq[cpu].setLevel(irq);
    this.fiq[cpu].setLevel(fiq);
  }

  updateAll(): void {
    for (let c = 0; c < this.cpus; c++) this.recompute(c);
  }

  /** Updates whoever can see `intid` after its state changed. */
  updateIntid(cpu: number, intid: number): void {
    if (intid < PRIVATE_COUNT) {
      this.recompute(cpu);
    } else {
      const t = this.spiTarget[intid];
      if (t >= 0) this.recompute(t);
    }
  }

  // ---- inputs --------------------------------------------------------------

  /** Drives input wire `intid` (an SPI, or a PPI of `cpu`). Rising edges latch edge-triggered inputs. */
  setInputLevel(cpu: number, intid: number, level: boolean): void {
    const w = intid >>> 5;
    const bit = 1 << (intid & 31);
    const levels = this.word(Bitmap.Level, cpu, w);
    if (((levels & bit) !== 0) === level) return;
    const before = this.pendingWord(cpu, w) & bit;
    if (level) {
      this.setWord(Bitmap.Level, cpu, w, levels | bit);
      if (this.word(Bitmap.Edge, cpu, w) & bit) this.setWord(Bitmap.Latch, cpu, w, this.word(Bitmap.Latch, cpu, w) | bit);
    } else {
      this.setWord(Bitmap.Level, cpu, w, levels & ~bit);
    }
    if ((this.pendingWord(cpu, w) & bit) !== before) this.updateIntid(cpu, intid);
  }

  // ---- CPU interface operations -----------------------------------------------

  /** ICC_IAR0/1_EL1: acknowledges the highest-priority pending interrupt of `group`, if it may be signalled. */
  acknowledge(cpu: number, group: number): number {
    const id = this.hppiId[cpu];
    const p = this.hppiPriority[cpu];
    if (p === NO_PRIORITY || this.groupOf(cpu, id) !== group || !this.canSignal(cpu, p, group)) return INTID_SPURIOUS;
    const w = id >>> 5;
    const bit = 1 << (id & 31);
    this.setWord(Bitmap.Active, cpu, w, this.word(Bitmap.Active, cpu, w) | bit);
    this.setWord(Bitmap.Latch, cpu, w, this.word(Bitmap.Latch, cpu, w) & ~bit);
    const apBit = 1 << ((p & this.groupPriorityMask(cpu, group)) >>> AP_SHIFT);
    if (group === 0) this.ap0[cpu] |= apBit;
    else this.ap1[cpu] |= apBit;
    this.recompute(cpu);
    return id;
  }

  /** ICC_HPPIR0/1_EL1: the highest-priority pending interrupt if it is of `group` (priority masks not applied). */
  highestPending(cpu: number, group: number): number {
    const id = this.hppiId[cpu];
    if (this.hppiPriority[cpu] === NO_PRIORITY || this.groupOf(cpu, id) !== group) return INTID_SPURIOUS;
    return id;
  }

  /** ICC_EOIR0/1_EL1: priority drop, and deactivation when EOImode is 0. */
  endOfInterrupt(cpu: number, group: number, intid: number): void {
    if (intid >= INTID_SPECIAL && intid <= INTID_SPURIOUS) return;
    const a0 = this.ap0[cpu];
    const a = a0 | this.ap1[cpu];
    if (a === 0) {
      this.log.guestError('gicv3.cpuif', `cpu ${cpu}: EOI of INTID ${intid} with no active priority`);
      return;
    }
    const low = a & -a;
    const apGroup = a0 & low ? 0 : 1;
    if (apGroup !== group) {
      this.log.guestError('gicv3.cpuif', `cpu ${cpu}: EOIR${group} write while the running priority belongs to group ${apGroup}`);
      return;
    }
    if (group === 0) this.ap0[cpu] = a0 & ~low;
    else this.ap1[cpu] &= ~low;
    if (!(this.iccCtlr[cpu] & ICC_CTLR.EOImode)) this.deactivate(cpu, intid, group);
    this.recompute(cpu);
  }

  /** Clears the active state of `intid` (ICC_DIR_EL1, or EOI in EOImode 0). `group` -1 accepts either group. */
  deactivate(cpu: number, intid: number, group: number): void {
    if (intid >= INTID_SPECIAL && intid <= INTID_SPURIOUS) return;
    if (intid >= INTID_LIMIT) {
      this.log.guestError('gicv3.cpuif', `cpu ${cpu}: deactivation of unimplemented INTID ${intid}`);
      return;
    }
    if (group >= 0 && this.groupOf(cpu, intid) !== group) {
      this.log.guestError('gicv3.cpuif', `cpu ${cpu}: EOIR${group} names INTID ${intid} of the other group`);
      return;
    }
    const w = intid >>> 5;
    const bit = 1 << (intid & 31);
    const act = this.word(Bitmap.Active, cpu, w);
    if (!(act & bit)) {
      this.log.guestError('gicv3.cpuif', `cpu ${cpu}: deactivation of INTID ${intid}, which is not active`);
      return;
    }
    this.setWord(Bitmap.Active, cpu, w, act & ~bit);
    this.updateIntid(cpu, intid);
  }

  /**
   * ICC_SGI0R/SGI1R_EL1: makes SGI `intid` pending on the targets, where it is
   * configured as `group`. Affinity routing: Aff3.Aff2.Aff1 select a cluster of
   * 16 processors, the target list selects Aff0; IRM sends to all but `cpu`.
   */
  sendSgi(cpu: number, group: number, lo: number, hi: number): void {
    const intid = (lo >>> 24) & 0xf;
    if ((hi >>> 8) & 1) {
      for (let c = 0; c < this.cpus; c++) if (c !== cpu) this.pendSgi(c, intid, group);
      return;
    }
    const aff1 = (lo >>> 16) & 0xff;
    const aff2 = hi & 0xff;
    const rs = (hi >>> 12) & 0xf;
    const aff3 = (hi >>> 16) & 0xff;
    // ICC_CTLR_EL1.RSS is 0: only target lists for Aff0 0..15 (RS == 0) exist.
    if (aff2 !== 0 || aff3 !== 0 || rs !== 0) return;
    let list = lo & 0xffff;
    while (list !== 0) {
      const low = list & -list;
      const c = aff1 * 16 + lowestBit(low);
      if (c < this.cpus) this.pendSgi(c, intid, group);
      list ^= low;
    }
  }

  private pendSgi(cpu: number, intid: number, group: number): void {
    if (this.groupOf(cpu, intid) !== group) return;
    const i = Bitmap.Latch * this.cpus + cpu;
    this.banked[i] |= 1 << intid;
    this.recompute(cpu);
  }
}
