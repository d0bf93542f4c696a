import { describe, expect, it } from 'vitest';
import { GICD_BASE, GICR_BASE, Rig } from './harness.js';

/**
 * The accesses Linux's irq-gic-v3 driver makes, in its order (gic_init_bases,
 * gic_dist_init, gic_dist_config, gic_cpu_init, gic_cpu_config,
 * gic_cpu_sys_reg_init, then irq_set_type/unmask, gic_handle_irq and
 * gic_ipi_send_mask). Every check the driver makes must pass, every loop it
 * polls must finish at once, and nothing may log a guest error.
 */

const GIC_PIDR2_ARCH_MASK = 0xf0;
const GICD_CTLR_RWP = 1 << 31;
const GICR_CTLR_RWP = 1 << 3;
const GICR_WAKER_ProcessorSleep = 1 << 1;
const GICR_WAKER_ChildrenAsleep = 1 << 2;
const GICR_TYPER_LAST = 1n << 4n;
const DEFAULT_PMR_VALUE = 0xf0;
const GICD_INT_DEF_PRI_X4 = 0xa0a0_a0a0;

class LinuxDriver {
  rdists: { base: number; typer: bigint }[] = [];
  lineNr = 0;
  polls = 0;

  constructor(readonly g: Rig) {}

  private readl(addr: number): number {
    return this.g.bus.read(addr, 4);
  }
  private writel(addr: number, v: number): void {
    this.g.bus.write(addr, 4, v >>> 0);
  }

  /** Bounded like the driver's own loops (it gives up after a timeout). */
  private waitClear(addr: number, mask: number): void {
    for (let i = 0; i < 1000; i++) {
      this.polls++;
      if ((this.readl(addr) & mask) === 0) return;
    }
    throw new Error(`bit ${mask} at ${addr.toString(16)} never cleared`);
  }

  initBases(): void {
    const g = this.g;
    const arch = this.readl(GICD_BASE + 0xffe8) & GIC_PIDR2_ARCH_MASK;
    expect(arch === 0x30 || arch === 0x40).toBe(true);
    const typer = this.readl(GICD_BASE + 0x4);
    this.readl(GICD_BASE + 0xc); // GICD_TYPER2
    this.lineNr = Math.min(((typer & 0x1f) + 1) * 32, 1020);
    // gic_iterate_rdists: PIDR2 check, 64-bit GICR_TYPER, until Last (the driver does not bound this loop itself).
    let ptr = GICR_BASE;
    for (let i = 0; i < 64; i++) {
      const reg = this.readl(ptr + 0xffe8) & GIC_PIDR2_ARCH_MASK;
      if (reg !== 0x30 && reg !== 0x40) break;
      const rtyper = g.bus.read64(ptr + 0x8);
      this.rdists.push({ base: ptr, typer: rtyper });
      if (rtyper & GICR_TYPER_LAST) break;
      ptr += 0x2_0000;
    }
  }

  distInit(bootCpu: number): void {
    const g = this.g;
    const base = GICD_BASE;
    this.writel(base + 0x0, 0);
    this.waitClear(base + 0x0, GICD_CTLR_RWP);
    for (let i = 32; i < this.lineNr; i += 32) this.writel(base + 0x80 + i / 8, 0xffff_ffff);
    // gic_dist_config
    for (let i = 32; i < this.lineNr; i += 16) this.writel(base + 0xc00 + i / 4, 0);
    for (let i = 32; i < this.lineNr; i += 4) this.writel(base + 0x400 + i, GICD_INT_DEF_PRI_X4);
    for (let i = 32; i < this.lineNr; i += 32) {
      this.writel(base + 0x380 + i / 8, 0xffff_ffff);
      this.writel(base + 0x180 + i / 8, 0xffff_ffff);
    }
    this.waitClear(base + 0x0, GICD_CTLR_RWP);
    this.writel(base + 0x0, (1 << 4) | (1 << 1) | (1 << 0)); // ARE_NS | ENABLE_G1A | ENABLE_G1
    this.waitClear(base + 0x0, GICD_CTLR_RWP);
    const aff = BigInt(((bootCpu >> 4) << 8) | bootCpu % 16);
    for (let i = 32; i < this.lineNr; i++) g.bus.write64(base + 0x6000 + i * 8, aff);
  }

  /** gic_cpu_init + gic_cpu_sys_reg_init on processor `cpu` (MPIDR Aff1 = cpu / 16, Aff0 = cpu % 16). */
  cpuInit(cpu: number): void {
    const g = this.g;
    const mpidrAff = ((cpu >> 4) << 8) | cpu % 16;
    const rd = this.rdists.find((r) => Number(r.typer >> 32n) === mpidrAff);
    expect(rd, `redistributor for CPU ${cpu}`).toBeDefined();
    const rbase = rd!.base;
    // gic_enable_redist(true)
    let waker = this.readl(rbase + 0x14);
    waker &= ~GICR_WAKER_ProcessorSleep;
    this.writel(rbase + 0x14, waker);
    this.waitClear(rbase + 0x14, GICR_WAKER_ChildrenAsleep);
    const sgi = rbase + 0x1_0000;
    const ppiNr = Math.min(...this.rdists.map((r) => 16 * (Number((r.typer >> 27n) & 0x1fn) + 1)));
    for (let i = 0; i < ppiNr + 16; i += 32) this.writel(sgi + 0x80 + i / 8, 0xffff_ffff);
    // gic_cpu_config
    this.writel(sgi + 0x380, 0xffff_ffff);
    this.writel(sgi + 0x180, 0xffff_ffff);
    for (let i = 0; i < 32; i += 4) this.writel(sgi + 0x400 + i, GICD_INT_DEF_PRI_X4);
    this.writel(sgi + 0x100, 0x0000_ffff);
    this.waitClear(rbase + 0x0, GICR_CTLR_RWP);
    // gic_cpu_sys_reg_init
    let sre = g.mrs(cpu, 'ICC_SRE_EL1')!;
    if (!(sre & 1)) {
      g.msr(cpu, 'ICC_SRE_EL1', sre | 1);
      sre = g.mrs(cpu, 'ICC_SRE_EL1')!;
    }
    expect(sre & 1).toBe(1);
    const pribits = ((g.mrs(cpu, 'ICC_CTLR_EL1')! >> 8) & 7) + 1;
    const oldPmr = g.mrs(cpu, 'ICC_PMR_EL1')!;
    g.msr(cpu, 'ICC_PMR_EL1', 1 << (8 - pribits));
    const group0 = g.mrs(cpu, 'ICC_PMR_EL1')! !== 0;
    g.msr(cpu, 'ICC_PMR_EL1', oldPmr);
    expect(group0).toBe(true); // single Security state: Group 0 is ours
    g.msr(cpu, 'ICC_PMR_EL1', DEFAULT_PMR_VALUE);
    g.msr(cpu, 'ICC_BPR1_EL1', 0);
    g.msr(cpu, 'ICC_CTLR_EL1', 0); // EOImode_drop_dir: no EL2, so no split EOI/deactivate
    expect(pribits).toBeGreaterThanOrEqual(4);
    expect(pribits).toBeLessThanOrEqual(5); // only AP*R0 exists, as the driver then assumes
    g.msr(cpu, 'ICC_AP0R0_EL1', 0);
    g.msr(cpu, 'ICC_AP1R0_EL1', 0);
    g.msr(cpu, 'ICC_IGRPEN1_EL1', 1);
    expect((g.mrs(cpu, 'ICC_CTLR_EL1')! >> 18) & 1).toBe(0); // no RSS: Aff0 < 16 everywhere, which holds
  }

  /** irq_set_type(level-high) + unmask (+ irq_set_affinity for SPIs). */
  request(intid: number, edge: boolean, cpu: number): void {
    const g = this.g;
    const isPrivate = intid < 32;
    const rbase = this.rdists[cpu]!.base + 0x1_0000;
    const base = isPrivate ? rbase : GICD_BASE;
    const cfgAddr = base + 0xc00 + (intid >>> 4) * 4;
    const shift = 2 * (intid & 15) + 1;
    let cfg = this.readl(cfgAddr);
    cfg = edge ? cfg | (1 << shift) : cfg & ~(1 << shift);
    this.writel(cfgAddr, cfg);
    if (!isPrivate) g.bus.write64(GICD_BASE + 0x6000 + intid * 8, BigInt(((cpu >> 4) << 8) | cpu % 16));
    this.writel(base + 0x100 + (intid >>> 5) * 4, 1 << (intid & 31));
    this.waitClear(isPrivate ? this.rdists[cpu]!.base : GICD_BASE, isPrivate ? GICR_CTLR_RWP : GICD_CTLR_RWP);
  }

  /** gic_handle_irq with handle_fasteoi_irq: ack, run the handler, EOI; returns the INTIDs taken. */
  handle(cpu: number, handler: (intid: number) => void): number[] {
    const taken: number[] = [];
    for (let i = 0; i < 64 && this.g.irq[cpu]!.level; i++) {
      const irqnr = this.g.mrs(cpu, 'ICC_IAR1_EL1')!;
      if (irqnr === 1023) break;
      taken.push(irqnr);
      handler(irqnr);
      this.g.msr(cpu, 'ICC_EOIR1_EL1', irqnr);
    }
    return taken;
  }

  /** gic_ipi_send_mask for one cluster. */
  sendIpi(from: number, sgi: number, cpus: number[]): void {
    const cluster = cpus[0]! >> 4;
    let tlist = 0;
    for (const c of cpus) tlist |= 1 << c % 16;
    this.g.msr(from, 'ICC_SGI1R_EL1', Rig.sgi1r({ intid: sgi, targets: tlist, aff1: cluster }));
  }
}

describe('Linux irq-gic-v3 init sequence', () => {
  it.each([1, 2, 17])('boots with %i processor(s): every check passes, no guest errors', (cpus) => {
    const g = new Rig(cpus);
    const drv = new LinuxDriver(g);
    drv.initBases();
    expect(drv.lineNr - 32).toBe(256);
    expect(drv.rdists.length).toBe(cpus);
    expect(drv.rdists.map((r) => Number((r.typer >> 8n) & 0xffffn))).toEqual([...Array(cpus).keys()]);
    drv.distInit(0);
    for (let c = 0; c < cpus; c++) drv.cpuInit(c);
    expect(g.errors).toEqual([]);
    expect(g.d(0x0)).toBe(0x53);
    for (let c = 0; c < cpus; c++) {
      expect(g.r(c, 0x14)).toBe(0);
      expect(g.mrs(c, 'ICC_PMR_EL1')).toBe(0xf0);
      expect(g.mrs(c, 'ICC_BPR1_EL1')).toBe(3);
      expect(g.irq[c]!.level).toBe(false);
      expect(g.fiq[c]!.level).toBe(false);
    }
    // Every poll loop finished on its first read.
    expect(drv.polls).toBe(3 + cpus * 2);
  });

  it('after init: timer ticks, a UART interrupt and IPIs are delivered and completed', () => {
    const g = new Rig(2);
    const drv = new LinuxDriver(g);
    drv.initBases();
    drv.distInit(0);
    drv.cpuInit(0);
    drv.cpuInit(1);
    drv.request(27, false, 0); // arch timer PPI, level (DT: IRQ_TYPE_LEVEL_*)
    drv.request(27, false, 1);
    drv.request(33, false, 0); // PL011 on SPI 1, level

    // Timer tick on CPU 1: the handler reprograms the timer, which drops the line.
    g.gic.setPpi(1, 27, true);
    expect(g.irq[1]!.level).toBe(true);
    expect(drv.handle(1, () => g.gic.setPpi(1, 27, false))).toEqual([27]);
    expect(g.irq[1]!.level).toBe(false);

    // UART: the handler drains the FIFO only on the second call (level re-assertion).
    g.gic.setInput(1, true);
    let calls = 0;
    expect(drv.handle(0, () => ++calls === 2 && g.gic.setInput(1, false))).toEqual([33, 33]);

    // IPIs: CPU 0 -> CPU 1 (reschedule, SGI 0), then CPU 1 -> CPU 0 (call function, SGI 1).
    drv.sendIpi(0, 0, [1]);
    expect(g.irq[0]!.level).toBe(false);
    expect(drv.handle(1, () => undefined)).toEqual([0]);
    drv.sendIpi(1, 1, [0]);
    expect(drv.handle(0, () => undefined)).toEqual([1]);

    // A timer tick arriving while the UART handler runs waits for the EOI (same priority 0xa0).
    g.gic.setInput(1, true);
    const order = drv.handle(0, (id) => {
      if (id === 33) {
        g.gic.setPpi(0, 27, true);
        expect(g.irq[0]!.level).toBe(false);
        g.gic.setInput(1, false);
      } else {
        g.gic.setPpi(0, 27, false);
      }
    });
    expect(order).toEqual([33, 27]);
    expect(g.errors).toEqual([]);
    for (let c = 0; c < 2; c++) {
      expect(g.mrs(c, 'ICC_RPR_EL1')).toBe(0xff);
      expect(g.s(c, 0x300)).toBe(0);
    }
    expect(g.d(0x304)).toBe(0);
  });
});
