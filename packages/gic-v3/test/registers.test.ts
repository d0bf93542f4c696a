import { AddressSpace, BusStatus, ConfigError } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { GicV3, ICC_ENCODINGS } from '../src/index.js';
import { GICR_BASE, Rig } from './harness.js';
import { loadCapstone } from './oracle/capstone.js';

// Expected values come from IHI 0069's register descriptions, vmapple-hardware.md
// §1.3-1.5 (256 SPIs, single Security state, no LPIs, clusters of 16) and, for
// the CPU-interface reset values, Arm's Cortex-A TRM tables (BPR0 0x2, BPR1 0x3,
// ICC_CTLR_EL1 0x400 with 5 priority bits).

describe('reset values', () => {
  it('distributor identification and configuration', () => {
    const g = new Rig(2);
    expect(g.d(0x0000)).toBe(0x50); // GICD_CTLR: ARE (bit 4) and DS (bit 6) RAO, groups off, RWP 0
    const typer = g.d(0x0004);
    expect(typer & 0x1f).toBe(8); // ITLinesNumber for 256 SPIs
    expect(((typer & 0x1f) + 1) * 32 - 32).toBe(256); // Linux's "GICv3: 256 SPIs implemented"
    expect((typer >>> 10) & 1).toBe(0); // SecurityExtn: single Security state
    expect((typer >>> 16) & 3).toBe(0); // MBIS, LPIS: none
    expect(((typer >>> 19) & 0x1f) + 1).toBe(16); // 16 INTID bits ...
    expect((g.mrs(0, 'ICC_CTLR_EL1')! >>> 11) & 7).toBe(0); // ... as the CPU interface says (IDbits 0 = 16 bits)
    expect((g.d(0xffe8) >>> 4) & 0xf).toBe(3); // GICD_PIDR2.ArchRev = GICv3
    expect(g.d(0x000c)).toBe(0); // GICD_TYPER2: no extended ranges
    expect(g.d(0x0008) & 0xfff).toBe(g.r(0, 0x0004) & 0xfff); // IIDR implementer, distributor == redistributor
  });

  it('every SPI word: group 0, disabled, idle, level-triggered, priority 0, routed to Aff 0.0.0', () => {
    const g = new Rig(1);
    for (let w = 1; w < 9; w++) {
      for (const base of [0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380]) expect(g.d(base + 4 * w)).toBe(0);
    }
    for (let n = 2; n < 18; n++) expect(g.d(0xc00 + 4 * n)).toBe(0);
    for (let id = 32; id < 288; id += 4) expect(g.d(0x400 + id)).toBe(0);
    for (let id = 32; id < 288; id++) expect(g.bus.read64(0x1000_0000 + 0x6000 + 8 * id)).toBe(0n);
  });

  it('redistributors: TYPER per processor, WAKER asleep, SGI edge config', () => {
    const g = new Rig(20);
    for (let c = 0; c < 20; c++) {
      const typer = g.bus.read64(GICR_BASE + c * 0x2_0000 + 0x8);
      expect(Number((typer >> 8n) & 0xffffn)).toBe(c); // Processor_Number
      expect((typer & 0x10n) !== 0n).toBe(c === 19); // Last only on the last one
      expect(typer & 0x1n).toBe(0n); // PLPIS
      expect(Number(typer >> 32n)).toBe(((c >> 4) << 8) | c % 16); // Aff1 = n / 16, Aff0 = n % 16 (§1.5)
      expect((g.r(c, 0xffe8) >>> 4) & 0xf).toBe(3); // GICR_PIDR2.ArchRev
      expect(g.r(c, 0x0000)).toBe(0); // GICR_CTLR
      expect(g.r(c, 0x0014)).toBe(0x6); // GICR_WAKER: ProcessorSleep | ChildrenAsleep
      expect(g.s(c, 0xc00)).toBe(0xaaaa_aaaa); // GICR_ICFGR0: SGIs edge-triggered
      expect(g.s(c, 0xc04)).toBe(0); // GICR_ICFGR1: PPIs level
      for (const base of [0x080, 0x100, 0x200, 0x300]) expect(g.s(c, base)).toBe(0);
    }
  });

  it('CPU interface', () => {
    const g = new Rig(2);
    for (let c = 0; c < 2; c++) {
      expect(g.mrs(c, 'ICC_PMR_EL1')).toBe(0);
      expect(g.mrs(c, 'ICC_BPR0_EL1')).toBe(2);
      expect(g.mrs(c, 'ICC_BPR1_EL1')).toBe(3);
      expect(g.mrs(c, 'ICC_CTLR_EL1')).toBe(0x400);
      expect(g.mrs(c, 'ICC_SRE_EL1')).toBe(0x7);
      expect(g.mrs(c, 'ICC_IGRPEN0_EL1')).toBe(0);
      expect(g.mrs(c, 'ICC_IGRPEN1_EL1')).toBe(0);
      expect(g.mrs(c, 'ICC_AP0R0_EL1')).toBe(0);
      expect(g.mrs(c, 'ICC_AP1R0_EL1')).toBe(0);
      expect(g.mrs(c, 'ICC_RPR_EL1')).toBe(0xff);
      expect(g.mrs(c, 'ICC_IAR1_EL1')).toBe(1023);
      expect(g.mrs(c, 'ICC_HPPIR1_EL1')).toBe(1023);
      expect(g.irq[c]!.level).toBe(false);
    }
  });

  it('reset() returns every register to its power-on value', () => {
    const fresh = new Rig(2);
    const g = new Rig(2).linuxish();
    g.enable(40, 0x80);
    g.dw(0x200 + 4, 1 << 8);
    g.msr(0, 'ICC_IAR1_EL1', 0);
    g.mrs(0, 'ICC_IAR1_EL1');
    g.route(41, 0x0001n);
    g.msr(1, 'ICC_BPR1_EL1', 6);
    g.gic.reset();
    for (const off of [0x0000, 0x0084, 0x0104, 0x0204, 0x0304, 0x0428, 0x0c08]) expect(g.d(off)).toBe(fresh.d(off));
    expect(g.bus.read64(0x1000_6000 + 8 * 41)).toBe(0n);
    for (let c = 0; c < 2; c++) {
      expect(g.r(c, 0x14)).toBe(fresh.r(c, 0x14));
      for (const name of ['ICC_PMR_EL1', 'ICC_BPR1_EL1', 'ICC_AP1R0_EL1', 'ICC_RPR_EL1', 'ICC_IGRPEN1_EL1'] as const) {
        expect(g.mrs(c, name)).toBe(fresh.mrs(c, name));
      }
      expect(g.irq[c]!.level).toBe(false);
    }
  });
});

describe('configuration', () => {
  it.each([0, 33, 1.5, -1, Number.NaN, undefined])('rejects cpus = %s', (cpus) => {
    expect(() => new GicV3({ cpus: cpus as number })).toThrow(ConfigError);
  });
  it('accepts 1 and 32 processors; sizes the redistributor region to cpus x 128 KiB', () => {
    expect(new GicV3({ cpus: 1 }).redistributors.size).toBe(0x2_0000);
    expect(new GicV3({ cpus: 32 }).redistributors.size).toBe(0x40_0000);
    expect(new GicV3({ cpus: 4 }).distributor.size).toBe(0x1_0000);
  });
  it('bad input indices are board bugs and throw RangeError', () => {
    const gic = new GicV3({ cpus: 2 });
    expect(() => gic.setInput(256, true)).toThrow(RangeError);
    expect(() => gic.setPpi(0, 15, true)).toThrow(RangeError);
    expect(() => gic.setPpi(2, 27, true)).toThrow(RangeError);
    expect(() => gic.ppiInput(0, 32)).toThrow(RangeError);
    expect(() => gic.irqOutput(2)).toThrow(RangeError);
  });
});

describe('ICC_* encodings', () => {
  it('match the register names Capstone decodes from MRS/MSR words', async () => {
    const dis = await loadCapstone();
    const writeOnly = new Set(['ICC_EOIR0_EL1', 'ICC_EOIR1_EL1', 'ICC_DIR_EL1', 'ICC_SGI0R_EL1', 'ICC_SGI1R_EL1', 'ICC_ASGI1R_EL1']);
    for (const [name, enc] of Object.entries(ICC_ENCODINGS)) {
      const text = writeOnly.has(name) ? dis((0xd510_0000 | (enc << 5)) >>> 0) : dis((0xd530_0000 | (enc << 5)) >>> 0);
      expect(text, name).toBe(writeOnly.has(name) ? `msr ${name.toLowerCase()}, x0` : `mrs x0, ${name.toLowerCase()}`);
    }
  });

  it('accepts the signed 32-bit halves a CPU may pass (value | 0)', () => {
    const g = new Rig(2).linuxish();
    expect(g.gic.writeSysreg(0, ICC_ENCODINGS.ICC_AP1R0_EL1, 0x8000_0000 | 0, 0)).toBe(true);
    expect(g.mrs(0, 'ICC_AP1R0_EL1')).toBe(0x8000_0000);
    expect(g.mrs(0, 'ICC_RPR_EL1')).toBe(0xf8);
    g.gic.writeSysreg(0, ICC_ENCODINGS.ICC_AP1R0_EL1, 0, 0);
    g.gic.writeSysreg(0, ICC_ENCODINGS.ICC_PMR_EL1, -1, -1);
    expect(g.mrs(0, 'ICC_PMR_EL1')).toBe(0xf8);
    g.sw(1, 0x100, 0xffff);
    g.gic.writeSysreg(0, ICC_ENCODINGS.ICC_SGI1R_EL1, (0xf << 24) | 0xffff | 0, 0xffff_0100 | 0); // IRM set, RES0 high bits
    expect(g.s(1, 0x200)).toBe(1 << 15);
  });

  it('UNDEFINED (false) for other encodings, MRS of write-only and MSR of read-only registers', () => {
    const g = new Rig(1);
    expect(g.mrs(0, 'ICC_EOIR1_EL1')).toBeUndefined();
    expect(g.mrs(0, 'ICC_SGI1R_EL1')).toBeUndefined();
    expect(g.mrs(0, 'ICC_DIR_EL1')).toBeUndefined();
    expect(g.msr(0, 'ICC_IAR1_EL1', 0)).toBe(false);
    expect(g.msr(0, 'ICC_RPR_EL1', 0)).toBe(false);
    expect(g.msr(0, 'ICC_HPPIR1_EL1', 0)).toBe(false);
    const out = { lo: 0, hi: 0 };
    const ap1r1 = (3 << 14) | (12 << 7) | (9 << 3) | 1; // ICC_AP1R1_EL1: absent with 5 priority bits
    expect(g.gic.readSysreg(0, ap1r1, out)).toBe(false);
    expect(g.gic.readSysreg(0, (3 << 14) | (1 << 7), out)).toBe(false); // SCTLR_EL1 is the CPU's
    expect(g.gic.readSysreg(1, ICC_ENCODINGS.ICC_PMR_EL1, out)).toBe(false); // no such processor
  });
});

describe('access widths (IHI 0069 §12.1.3)', () => {
  it('IPRIORITYR takes byte and word accesses in both frames', () => {
    const g = new Rig(1);
    [0x10, 0x20, 0x30, 0x40].forEach((p, i) => g.dw(0x400 + 40 + i, p, 1));
    expect(g.d(0x400 + 40)).toBe(0x40302010);
    g.dw(0x400 + 44, 0x08182838);
    expect([0, 1, 2, 3].map((i) => g.d(0x400 + 44 + i, 1))).toEqual([0x38, 0x28, 0x18, 0x08]);
    g.sw(0, 0x400 + 27, 0xa0, 1);
    expect(g.s(0, 0x418)).toBe((0xa0 << 24) >>> 0);
    expect(g.errors).toEqual([]);
  });

  it('priority fields keep only the implemented bits that ICC_CTLR_EL1.PRIbits reports', () => {
    const g = new Rig(1);
    const bits = ((g.mrs(0, 'ICC_CTLR_EL1')! >>> 8) & 7) + 1;
    const mask = (0xff << (8 - bits)) & 0xff;
    g.dw(0x400 + 32, 0xffff_ffff);
    expect(g.d(0x400 + 32)).toBe((mask * 0x0101_0101) >>> 0);
    g.sw(0, 0x400, 0x7f, 1);
    expect(g.s(0, 0x400, 1)).toBe(0x7f & mask);
    g.msr(0, 'ICC_PMR_EL1', 0xff);
    expect(g.mrs(0, 'ICC_PMR_EL1')).toBe(mask);
  });

  it('other registers refuse byte, halfword and doubleword accesses (guest error, RAZ/WI)', () => {
    const g = new Rig(1);
    g.dw(0x104, 0xff, 1);
    expect(g.d(0x104)).toBe(0);
    g.dw(0x104, 0xffff, 2);
    expect(g.d(0x104)).toBe(0);
    g.bus.write64(0x1000_0000 + 0x100, 0xffff_ffff_ffff_ffffn);
    expect(g.d(0x104)).toBe(0);
    g.dw(0x104, 1 << 3);
    expect(g.d(0x104, 1)).toBe(0);
    expect(g.d(0x400 + 32, 2)).toBe(0); // halfword to IPRIORITYR
    g.sw(0, 0x100, 0xff, 1);
    expect(g.s(0, 0x100)).toBe(0);
    expect(g.errors.length).toBe(6);
    expect(g.d(0x104)).toBe(1 << 3);
  });

  it('GICD_IROUTER: 64-bit accesses and 32-bit accesses to each half', () => {
    const g = new Rig(20);
    g.route(100, 0x0000_00ff_8000_0102n); // Aff3 0xff is RES0 (A3V == 0)
    expect(g.bus.read64(0x1000_6000 + 8 * 100)).toBe(0x8000_0102n);
    expect(g.d(0x6000 + 8 * 100)).toBe(0x8000_0102);
    expect(g.d(0x6000 + 8 * 100 + 4)).toBe(0);
    g.dw(0x6000 + 8 * 101, 0x0103);
    expect(g.bus.read64(0x1000_6000 + 8 * 101)).toBe(0x0103n);
    g.dw(0x6000 + 8 * 101, 0x0102, 2);
    expect(g.errors.length).toBe(1);
    // IROUTER<0..31> are reserved, beyond INTID 287 unimplemented: RAZ/WI
    g.route(31, 5n);
    g.route(288, 5n);
    expect(g.bus.read64(0x1000_6000 + 8 * 31)).toBe(0n);
    expect(g.bus.read64(0x1000_6000 + 8 * 288)).toBe(0n);
  });

  it('GICR_TYPER reads as one 64-bit value or two 32-bit halves', () => {
    const g = new Rig(18);
    const whole = g.bus.read64(GICR_BASE + 17 * 0x2_0000 + 8);
    expect(BigInt(g.r(17, 8)) | (BigInt(g.r(17, 12)) << 32n)).toBe(whole);
    expect(whole >> 32n).toBe(0x0101n);
  });

  it('unaligned accesses never reach the device', () => {
    const gic = new GicV3({ cpus: 1 });
    const bus = new AddressSpace({ unmapped: 'fault' });
    bus.mapMmio(0x1000_0000, gic.distributor);
    bus.write(0x1000_0000 + 0x102, 4, 0xffff_ffff);
    expect(bus.status).toBe(BusStatus.Invalid);
    expect(bus.read(0x1000_0000 + 0x100, 4)).toBe(0);
    expect(bus.read(0x1000_0000 + 0x104, 4)).toBe(0);
  });
});

describe('set/clear register semantics', () => {
  // [set offset, clear offset] in each frame: writing 1 acts, writing 0 does nothing.
  const pairs = [
    ['ENABLER', 0x100, 0x180],
    ['PENDR', 0x200, 0x280],
    ['ACTIVER', 0x300, 0x380],
  ] as const;

  it.each(pairs)('GICD_IS%s and its clear twin on SPI words', (_name, set, clear) => {
    const g = new Rig(1);
    g.dw(0x0c00 + 4 * 4, 0xaaaa_aaaa); // INTIDs 64..79 edge: pending is only the latch
    g.dw(0x0c00 + 4 * 5, 0xaaaa_aaaa);
    g.dw(set + 8, 0x8000_0001);
    g.dw(set + 8, 0x0000_0100);
    g.dw(set + 8, 0);
    expect(g.d(set + 8)).toBe(0x8000_0101);
    expect(g.d(clear + 8)).toBe(0x8000_0101); // both views read the state
    g.dw(clear + 8, 0x0000_0001);
    g.dw(clear + 8, 0);
    expect(g.d(set + 8)).toBe(0x8000_0100);
    expect(g.d(set + 4)).toBe(0); // other words untouched
  });

  it.each(pairs)('GICR_IS%s0 and its clear twin are banked per processor', (_name, set, clear) => {
    const g = new Rig(2);
    g.sw(1, set, 0x0800_0003);
    expect(g.s(1, set)).toBe(0x0800_0003);
    expect(g.s(0, set)).toBe(0);
    g.sw(1, clear, 0x0000_0002);
    expect(g.s(1, clear)).toBe(0x0800_0001);
  });

  it('with affinity routing, the distributor words for INTIDs 0-31 are RAZ/WI', () => {
    const g = new Rig(1);
    for (const off of [0x080, 0x100, 0x200, 0x300, 0x400, 0xc00, 0xc04]) {
      g.dw(off, 0xffff_ffff);
      expect(g.d(off)).toBe(0);
    }
    expect(g.s(0, 0x100)).toBe(0);
  });

  it('INTIDs beyond ITLinesNumber are RAZ/WI', () => {
    const g = new Rig(1);
    g.dw(0x100 + 4 * 9, 0xffff_ffff);
    expect(g.d(0x100 + 4 * 9)).toBe(0);
    g.dw(0x400 + 288, 0xffff_ffff);
    expect(g.d(0x400 + 288)).toBe(0);
  });

  it('IGROUPR is read/write; GICD_ICFGR config bits are the odd bits; GICR_ICFGR0 is read-only', () => {
    const g = new Rig(1);
    g.dw(0x084, 0x1234_5678);
    expect(g.d(0x084)).toBe(0x1234_5678);
    g.sw(0, 0x080, 0xffff_0000);
    expect(g.s(0, 0x080)).toBe(0xffff_0000);
    g.dw(0xc08, 0xffff_ffff);
    expect(g.d(0xc08)).toBe(0xaaaa_aaaa);
    g.sw(0, 0xc00, 0);
    expect(g.s(0, 0xc00)).toBe(0xaaaa_aaaa);
    g.sw(0, 0xc04, 0x0080_0000); // PPI 27 edge
    expect(g.s(0, 0xc04)).toBe(0x0080_0000);
  });

  it('GICD_CTLR: only the group enables are writable', () => {
    const g = new Rig(1);
    g.dw(0, 0xffff_ffff);
    expect(g.d(0)).toBe(0x53);
    g.dw(0, 0);
    expect(g.d(0)).toBe(0x50);
  });

  it('GICR_WAKER handshake: ChildrenAsleep follows ProcessorSleep', () => {
    const g = new Rig(2);
    g.rw(1, 0x14, g.r(1, 0x14) & ~0x2);
    expect(g.r(1, 0x14)).toBe(0);
    expect(g.r(0, 0x14)).toBe(0x6);
    g.rw(1, 0x14, 0x2);
    expect(g.r(1, 0x14)).toBe(0x6);
  });

  it('reserved offsets are RAZ/WI with a guest error, never an exception', () => {
    const g = new Rig(1);
    expect(g.d(0x0020)).toBe(0);
    g.dw(0x0020, 1);
    expect(g.r(0, 0x0200)).toBe(0);
    expect(g.errors.length).toBe(3);
  });
});
