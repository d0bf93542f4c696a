import type { MmioHandler } from '@vmapple/core-bus';
import { GICD, GICD_CTLR, GICD_TYPER, IIDR_VALUE, INTID_LIMIT, PRIVATE_COUNT, WORDS } from './constants.js';
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

const SOURCE = 'gicv3.dist';
const IROUTER_END = 0x8000;

/** GICD_TYPER: 256 SPIs, 16 INTID bits, 1-of-N supported, no LPIs, no Security extension, A3V 0. */
export const GICD_TYPER_VALUE = (GICD_TYPER.IDbits << GICD_TYPER.IDbitsShift) | GICD_TYPER.ITLinesNumber;

/**
 * The distributor frame (GICD_*, 64 KiB): SPI state and routing, global
 * enables. Affinity routing is always on (GICD_CTLR.ARE is RAO/WI), so the
 * banked SGI/PPI words of the distributor registers are RAZ/WI and the legacy
 * GICD_ITARGETSR/SGIR/SPENDSGIR/CPENDSGIR are RAZ/WI too.
 */
export class Distributor implements MmioHandler {
  constructor(private readonly s: GicState) {}

  read(offset: number, size: number): number {
    if (offset >= GICD.IROUTER && offset < IROUTER_END) {
      if (size !== 4) return this.bad(false, offset, size);
      const id = (offset - GICD.IROUTER) >>> 3;
      // The high word holds Aff3, RES0 here (GICD_TYPER.A3V == 0).
      return id >= PRIVATE_COUNT && id < INTID_LIMIT && (offset & 4) === 0 ? this.s.router[id] : 0;
    }
    if (offset >= GICD.IPRIORITYR && offset < GICD.ITARGETSR) {
      if (size !== 1 && size !== 4) return this.bad(false, offset, size);
      const first = offset - GICD.IPRIORITYR;
      return first >= PRIVATE_COUNT && first < INTID_LIMIT ? readPriorities(this.s, 0, first, size) : 0;
    }
    if ((offset >= GICD.ITARGETSR && offset < GICD.ICFGR) || (offset >= GICD.CPENDSGIR && offset < GICD.SPENDSGIR + 0x10)) {
      // Byte-accessible legacy registers, RAZ/WI with affinity routing.
      return size === 1 || size === 4 ? 0 : this.bad(false, offset, size);
    }
    if (size !== 4) return this.bad(false, offset, size);
    if (offset >= GICD.IGROUPR && offset < GICD.IPRIORITYR) {
      const w = (offset & 0x7f) >>> 2;
      return w === 0 || w >= WORDS ? 0 : readBitmapRegister(this.s, 0, offset & ~0x7f, w);
    }
    if (offset >= GICD.ICFGR && offset < GICD.IGRPMODR) {
      const n = (offset - GICD.ICFGR) >>> 2;
      return n < 2 || n >= WORDS * 2 ? 0 : readConfig(this.s, 0, n);
    }
    switch (offset) {
      case GICD.CTLR:
        return (this.s.dCtlr | GICD_CTLR.ARE | GICD_CTLR.DS) >>> 0;
      case GICD.TYPER:
        return GICD_TYPER_VALUE;
      case GICD.IIDR:
        return IIDR_VALUE;
      case GICD.TYPER2:
      case GICD.STATUSR:
      case GICD.SGIR:
        return 0;
    }
    // GICD_IGRPMODR and GICD_NSACR are RAZ/WI with a single Security state.
    if (offset >= GICD.IGRPMODR && offset < GICD.SGIR) return 0;
    const id = readIdRegister(offset);
    if (id !== undefined) return id;
    unknownOffset(this.s.log, SOURCE, false, offset);
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    const s = this.s;
    if (offset >= GICD.IROUTER && offset < IROUTER_END) {
      if (size !== 4) return void this.bad(true, offset, size);
      const id = (offset - GICD.IROUTER) >>> 3;
      if (id >= PRIVATE_COUNT && id < INTID_LIMIT && (offset & 4) === 0) s.writeRouter(id, value);
      return;
    }
    if (offset >= GICD.IPRIORITYR && offset < GICD.ITARGETSR) {
      if (size !== 1 && size !== 4) return void this.bad(true, offset, size);
      const first = offset - GICD.IPRIORITYR;
      if (first >= PRIVATE_COUNT && first < INTID_LIMIT) {
        writePriorities(s, 0, first, size, value);
        s.updateAll();
      }
      return;
    }
    if ((offset >= GICD.ITARGETSR && offset < GICD.ICFGR) || (offset >= GICD.CPENDSGIR && offset < GICD.SPENDSGIR + 0x10)) {
      if (size !== 1 && size !== 4) this.bad(true, offset, size);
      return;
    }
    if (size !== 4) return void this.bad(true, offset, size);
    if (offset >= GICD.IGROUPR && offset < GICD.IPRIORITYR) {
      const w = (offset & 0x7f) >>> 2;
      if (w === 0 || w >= WORDS) return;
      if (writeBitmapRegister(s, 0, offset & ~0x7f, w, value, 0xffff_ffff)) s.rerouteOneOfN();
      s.updateAll();
      return;
    }
    if (offset >= GICD.ICFGR && offset < GICD.IGRPMODR) {
      const n = (offset - GICD.ICFGR) >>> 2;
      if (n < 2 || n >= WORDS * 2) return;
      writeConfig(s, 0, n, value);
      s.updateAll();
      return;
    }
    switch (offset) {
      case GICD.CTLR:
        // EnableGrp0/EnableGrp1 are the writable bits; ARE and DS are RAO/WI, RWP is RAZ.
        s.dCtlr = value & (GICD_CTLR.EnableGrp0 | GICD_CTLR.EnableGrp1);
        s.updateAll();
        return;
      case GICD.TYPER:
      case GICD.IIDR:
      case GICD.TYPER2:
        s.log.guestError(SOURCE, `write to read-only register at offset ${offset}`);
        return;
      case GICD.STATUSR:
      case GICD.SGIR:
        return;
    }
    if (offset >= GICD.IGRPMODR && offset < GICD.SGIR) return;
    if (readIdRegister(offset) !== undefined) {
      s.log.guestError(SOURCE, `write to identification register at offset ${offset}`);
      return;
    }
    unknownOffset(s.log, SOURCE, true, offset);
  }

  read64(offset: number): bigint {
    if (offset >= GICD.IROUTER && offset < IROUTER_END) {
      const id = (offset - GICD.IROUTER) >>> 3;
      return id >= PRIVATE_COUNT && id < INTID_LIMIT ? BigInt(this.s.router[id]) : 0n;
    }
    this.bad(false, offset, 8);
    return 0n;
  }

  write64(offset: number, value: bigint): void {
    if (offset >= GICD.IROUTER && offset < IROUTER_END) {
      const id = (offset - GICD.IROUTER) >>> 3;
      if (id >= PRIVATE_COUNT && id < INTID_LIMIT) this.s.writeRouter(id, Number(value & 0xffff_ffffn));
      return;
    }
    this.bad(true, offset, 8);
  }

  private bad(write: boolean, offset: number, size: number): number {
    badWidth(this.s.log, SOURCE, write, offset, size);
    return 0;
  }
}
