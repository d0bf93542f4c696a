import { AddressSpace, IrqProbe, Log, type LogEntry, type SysregValue } from '@vmapple/core-bus';
import { GicV3, ICC_ENCODINGS, type IccRegisterName } from '../src/index.js';

/** Board addresses from vmapple-hardware.md §1.2. */
export const GICD_BASE = 0x1000_0000;
export const GICR_BASE = 0x1001_0000;
export const SGI_FRAME = 0x1_0000;

/**
 * A GIC on a bus, the way a board wires it: MMIO frames at the vmapple
 * addresses, a probe on every IRQ/FIQ output, and the CPU side of the
 * system-register interface. Tests go through these public paths only.
 */
export class Rig {
  readonly gic: GicV3;
  readonly bus = new AddressSpace();
  readonly errors: LogEntry[] = [];
  readonly irq: IrqProbe[] = [];
  readonly fiq: IrqProbe[] = [];
  private readonly out: SysregValue = { lo: 0, hi: 0 };

  constructor(readonly cpus: number) {
    const log = new Log((e) => {
      if (e.kind === 'guest-error') this.errors.push(e);
    });
    this.gic = new GicV3({ cpus, log });
    this.bus.mapMmio(GICD_BASE, this.gic.distributor);
    this.bus.mapMmio(GICR_BASE, this.gic.redistributors);
    for (let c = 0; c < cpus; c++) {
      this.irq.push(new IrqProbe());
      this.fiq.push(new IrqProbe());
      this.gic.irqOutput(c).connect(this.irq[c]!);
      this.gic.fiqOutput(c).connect(this.fiq[c]!);
    }
  }

  // Distributor and redistributor accesses (32-bit unless a size is given).
  d(offset: number, size = 4): number {
    return this.bus.read(GICD_BASE + offset, size);
  }
  dw(offset: number, value: number, size = 4): void {
    this.bus.write(GICD_BASE + offset, size, value);
  }
  /** RD_base register of processor `cpu`. */
  r(cpu: number, offset: number, size = 4): number {
    return this.bus.read(GICR_BASE + cpu * 0x2_0000 + offset, size);
  }
  rw(cpu: number, offset: number, value: number, size = 4): void {
    this.bus.write(GICR_BASE + cpu * 0x2_0000 + offset, size, value);
  }
  /** SGI_base register of processor `cpu`. */
  s(cpu: number, offset: number, size = 4): number {
    return this.r(cpu, SGI_FRAME + offset, size);
  }
  sw(cpu: number, offset: number, value: number, size = 4): void {
    this.rw(cpu, SGI_FRAME + offset, value, size);
  }

  /** MRS: the value, or undefined when the register is UNDEFINED. */
  mrs(cpu: number, name: IccRegisterName): number | undefined {
    this.out.lo = 0xdead;
    this.out.hi = 0xbeef;
    if (!this.gic.readSysreg(cpu, ICC_ENCODINGS[name], this.out)) return undefined;
    if (this.out.hi !== 0) throw new Error(`${name}: high word ${this.out.hi} should be 0`);
    return this.out.lo;
  }
  /** MSR with a 64-bit value; false when UNDEFINED. */
  msr(cpu: number, name: IccRegisterName, value: number | bigint): boolean {
    const v = BigInt(value);
    return this.gic.writeSysreg(cpu, ICC_ENCODINGS[name], Number(v & 0xffff_ffffn), Number(v >> 32n));
  }

  /** The usual Linux-style set-up: both groups on, everything Group 1, PMR open, CPU interfaces on. */
  linuxish(): this {
    this.dw(0x0000, 0x13); // GICD_CTLR: ARE | EnableGrp1 | EnableGrp0
    for (let w = 1; w < 9; w++) this.dw(0x80 + 4 * w, 0xffff_ffff);
    for (let c = 0; c < this.cpus; c++) {
      this.rw(c, 0x14, 0); // GICR_WAKER: wake up
      this.sw(c, 0x80, 0xffff_ffff); // GICR_IGROUPR0
      this.msr(c, 'ICC_PMR_EL1', 0xf0);
      this.msr(c, 'ICC_IGRPEN1_EL1', 1);
    }
    return this;
  }

  /** Enables INTID `id` (SPI in the distributor, SGI/PPI in `cpu`'s redistributor) at `priority`. */
  enable(id: number, priority: number, cpu = 0): void {
    if (id < 32) {
      this.sw(cpu, 0x400 + id, priority, 1);
      this.sw(cpu, 0x100, 1 << id);
    } else {
      this.dw(0x400 + id, priority, 1);
      this.dw(0x100 + 4 * (id >>> 5), 1 << (id & 31));
    }
  }

  /** GICD_IROUTER<id> as a 64-bit write. */
  route(id: number, value: bigint): void {
    this.bus.write64(GICD_BASE + 0x6000 + 8 * id, value);
  }

  /** ICC_SGI1R_EL1 fields. */
  static sgi1r(f: { intid: number; targets?: number; aff1?: number; aff2?: number; aff3?: number; irm?: boolean; rs?: number }): bigint {
    return (
      BigInt(f.targets ?? 0) |
      (BigInt(f.aff1 ?? 0) << 16n) |
      (BigInt(f.intid) << 24n) |
      (BigInt(f.aff2 ?? 0) << 32n) |
      ((f.irm ? 1n : 0n) << 40n) |
      (BigInt(f.rs ?? 0) << 44n) |
      (BigInt(f.aff3 ?? 0) << 48n)
    );
  }
}
