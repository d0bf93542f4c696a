import type { MmioHandler } from '@vmapple/core-bus';
import { GICR, GICR_SGI, GICR_SGI_BASE, GICR_STRIDE, GICR_TYPER_LAST, GICR_WAKER, IIDR_VALUE, PRIVATE_COUNT } from './constants.js';
import type { GicState } from './gic-state.js';
import {
  badWidth,
  readBitmapRegister,
  readConfig,
  readIdRegister,
  readPriorities,
  unknownOffset,
  writeBitmapRegister,
  writeConfig,
  writePriorities,
} from './register-access.js';

const SOURCE = 'gicv3.redist';
/** SGIs are always edge-triggered: GICR_ICFGR0 reads as 0b10 for every field. */
const ICFGR0_VALUE = 0xaaaa_aaaa;

/** GICR_TYPER's high word: Affinity_Value (Aff3.Aff2.Aff1.Aff0) of processor `cpu` (clusters of 16). */
export function affinityOf(cpu: number): number {
  return ((cpu >>> 4) << 8) | (cpu & 15);
}

/**
 * The redistributors: one 128 KiB RD_base + SGI_base pair per processor,
 * processor n at n × 0x20000, in one region. No LPIs (GICR_TYPER.PLPIS == 0),
 * so the LPI registers are RAZ/WI; the last redistributor sets GICR_TYPER.Last.
 */
export class Redistributors implements MmioHandler {
  constructor(private readonly s: GicState) {}

  read(offset: number, size: number): number {
    const cpu = Math.floor(offset / GICR_STRIDE);
    const off = offset % GICR_STRIDE;
    if (off >= GICR_SGI_BASE) return this.readSgi(cpu, off - GICR_SGI_BASE, size, offset);
    if (this.isWide(off)) {
      if (size !== 4) return this.bad(false, offset, size);
      if (off === GICR.TYPER) return this.typerLow(cpu);
      if (off === GICR.TYPER + 4) return affinityOf(cpu);
      return 0;
    }
    if (size !== 4) return this.bad(false, offset, size);
    switch (off) {
      case GICR.CTLR:
      case GICR.STATUSR:
        return 0;
      case GICR.IIDR:
        return IIDR_VALUE;
      case GICR.WAKER:
        // ChildrenAsleep follows ProcessorSleep at once: nothing is in flight.
        return this.s.sleep[cpu] ? GICR_WAKER.ProcessorSleep | GICR_WAKER.ChildrenAsleep : 0;
    }
    const id = readIdRegister(off);
    if (id !== undefined) return id;
    unknownOffset(this.s.log, SOURCE, false, offset);
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    const s = this.s;
    const cpu = Math.floor(offset / GICR_STRIDE);
    const off = offset % GICR_STRIDE;
    if (off >= GICR_SGI_BASE) return this.writeSgi(cpu, off - GICR_SGI_BASE, size, value, offset);
    if (this.isWide(off)) {
      if (size !== 4) this.bad(true, offset, size);
      return;
    }
    if (size !== 4) return void this.bad(true, offset, size);
    switch (off) {
      case GICR.CTLR:
      case GICR.STATUSR:
        return;
      case GICR.WAKER: {
        const sleep = value & GICR_WAKER.ProcessorSleep ? 1 : 0;
        if (sleep !== s.sleep[cpu]) {
          s.sleep[cpu] = sleep;
          s.rerouteOneOfN();
          s.recompute(cpu);
        }
        return;
      }
      case GICR.IIDR:
        s.log.guestError(SOURCE, `cpu ${cpu}: write to read-only GICR_IIDR`);
        return;
    }
    if (readIdRegister(off) !== undefined) {
      s.log.guestError(SOURCE, `cpu ${cpu}: write to identification register at offset ${off}`);
      return;
    }
    unknownOffset(s.log, SOURCE, true, offset);
  }

  read64(offset: number): bigint {
    const cpu = Math.floor(offset / GICR_STRIDE);
    const off = offset % GICR_STRIDE;
    if (off < GICR_SGI_BASE && this.isWide(off)) {
      if (off === GICR.TYPER) return (BigInt(affinityOf(cpu)) << 32n) | BigInt(this.typerLow(cpu));
      return 0n;
    }
    this.bad(false, offset, 8);
    return 0n;
  }

  write64(offset: number, _value: bigint): void {
    const off = offset % GICR_STRIDE;
    if (off < GICR_SGI_BASE && this.isWide(off)) {
      if (off === GICR.TYPER) this.s.log.guestError(SOURCE, 'write to read-only GICR_TYPER');
      return;
    }
    this.bad(true, offset, 8);
  }

  /** GICR_TYPER[31:0]: Processor_Number and Last; no PLPIS/VLPIS/DirectLPI, PPInum 0 (16 PPIs). */
  private typerLow(cpu: number): number {
    return (cpu << 8) | (cpu === this.s.cpus - 1 ? GICR_TYPER_LAST : 0);
  }

  /** The 64-bit registers of the RD_base frame (TYPER and the LPI registers, RAZ/WI here). */
  private isWide(off: number): boolean {
    return (
      (off >= GICR.TYPER && off < GICR.STATUSR) ||
      (off >= GICR.SETLPIR && off < GICR.SETLPIR + 0x10) ||
      (off >= GICR.PROPBASER && off < GICR.PROPBASER + 0x10) ||
      off === GICR.INVLPIR ||
      off === GICR.INVLPIR + 4 ||
      off === GICR.INVALLR ||
      off === GICR.INVALLR + 4
    );
  }

  private readSgi(cpu: number, off: number, size: number, offset: number): number {
    if (off >= GICR_SGI.IPRIORITYR && off < GICR_SGI.IPRIORITYR + PRIVATE_COUNT) {
      if (size !== 1 && size !== 4) return this.bad(false, offset, size);
      return readPriorities(this.s, cpu, off - GICR_SGI.IPRIORITYR, size);
    }
    if (size !== 4) return this.bad(false, offset, size);
    if (off >= GICR_SGI.IGROUPR0 && off < GICR_SGI.IPRIORITYR && (off & 0x7f) === 0) {
      return readBitmapRegister(this.s, cpu, off, 0);
    }
    switch (off) {
      case GICR_SGI.ICFGR0:
        return ICFGR0_VALUE;
      case GICR_SGI.ICFGR1:
        return readConfig(this.s, cpu, 1);
      case GICR_SGI.IGRPMODR0:
      case GICR_SGI.NSACR:
        return 0;
    }
    if (this.isExtendedPpi(off)) return 0;
    unknownOffset(this.s.log, SOURCE, false, offset);
    return 0;
  }

  private writeSgi(cpu: number, off: number, size: number, value: number, offset: number): void {
    const s = this.s;
    if (off >= GICR_SGI.IPRIORITYR && off < GICR_SGI.IPRIORITYR + PRIVATE_COUNT) {
      if (size !== 1 && size !== 4) return void this.bad(true, offset, size);
      writePriorities(s, cpu, off - GICR_SGI.IPRIORITYR, size, value);
      s.recompute(cpu);
      return;
    }
    if (size !== 4) return void this.bad(true, offset, size);
    if (off >= GICR_SGI.IGROUPR0 && off < GICR_SGI.IPRIORITYR && (off & 0x7f) === 0) {
      writeBitmapRegister(s, cpu, off, 0, value, 0xffff_ffff);
      s.recompute(cpu);
      return;
    }
    switch (off) {
      case GICR_SGI.ICFGR0:
      case GICR_SGI.IGRPMODR0:
      case GICR_SGI.NSACR:
        return;
      case GICR_SGI.ICFGR1:
        writeConfig(s, cpu, 1, value);
        s.recompute(cpu);
        return;
    }
    if (this.isExtendedPpi(off)) return;
    unknownOffset(s.log, SOURCE, true, offset);
  }

  /** GICv3.1 extended PPI registers: RES0 here (GICR_TYPER.PPInum == 0). */
  private isExtendedPpi(off: number): boolean {
    return (off > GICR_SGI.IGROUPR0 && off < GICR_SGI.IPRIORITYR) || (off >= 0x420 && off < 0x480) || (off > 0xc04 && off < 0xc20);
  }

  private bad(write: boolean, offset: number, size: number): number {
    badWidth(this.s.log, SOURCE, write, offset, size);
    return 0;
  }
}
