import { beforeAll, describe, expect, it } from 'vitest';
import type { IccRegisterName } from '../src/index.js';
import { requireQemu, reads, runOnModel, runOnQemu, type Step } from './oracle/qemu-gic.js';

/**
 * Differential test against QEMU 7.2's GICv3 (TCG, virt board, one Cortex-A72
 * with 5 priority bits like this model), run as a bare-metal program. The script
 * touches only behaviour the architecture defines; IMPLEMENTATION DEFINED fields
 * (GICD_TYPER.No1N/A3V, ICC_CTLR_EL1.IDbits/A3V) and the virt board's own
 * configuration (SPI count, LPIs) are masked out of the comparison.
 */

const ALL = 0xffff_ffff_ffff_ffffn;
const big = (v: number | bigint): bigint => (typeof v === 'number' ? BigInt(v >>> 0) : v);
const S: Step[] = [];
const dr = (off: number, o: Partial<Extract<Step, { op: 'dr' }>> = {}) => S.push({ op: 'dr', off, ...o });
const dw = (off: number, value: number | bigint, size: 1 | 4 | 8 = 4) => S.push({ op: 'dw', off, value: big(value), size });
const rr = (off: number, o: Partial<Extract<Step, { op: 'rr' }>> = {}) => S.push({ op: 'rr', off, ...o });
const rw = (off: number, value: number | bigint, size: 1 | 4 = 4) => S.push({ op: 'rw', off, value: big(value), size });
const mrs = (name: IccRegisterName, mask = ALL) => S.push({ op: 'mrs', name, mask });
const msr = (name: IccRegisterName, value: number | bigint) => S.push({ op: 'msr', name, value: big(value) });
const SGI = 0x1_0000;
const pend = (id: number) => dw(0x200 + 4 * (id >>> 5), 1 << (id & 31));
const ack = () => mrs('ICC_IAR1_EL1');
const eoi = (id: number) => msr('ICC_EOIR1_EL1', id);
const state = () => {
  mrs('ICC_HPPIR1_EL1');
  mrs('ICC_RPR_EL1');
  mrs('ICC_AP1R0_EL1');
};

// Reset values.
dr(0x0, { note: 'GICD_CTLR' });
// virt differs from vmapple here: ITLinesNumber 7 (224 SPIs) and LPIS/PLPIS/CommonLPIAff/CES set even with
// its=off. Those fields are board configuration, not behaviour; registers.test.ts checks vmapple's values.
dr(0x4, { mask: 0xffff_ffffn & ~((1n << 25n) | (1n << 24n) | (1n << 17n) | 0x1fn), note: 'GICD_TYPER except No1N, A3V, LPIS, ITLinesNumber' });
dr(0xffe8, { mask: 0xf0n, note: 'PIDR2.ArchRev' });
rr(0x8, { size: 8, mask: ALL & ~(0x300_0001n), note: 'GICR_TYPER except PLPIS, CommonLPIAff' });
rr(0x0, { mask: ~0x2n & 0xffff_ffffn, note: 'GICR_CTLR except CES' });
rr(0x14, { note: 'GICR_WAKER' });
rr(SGI + 0xc00);
rr(SGI + 0xc04);
for (const n of ['ICC_PMR_EL1', 'ICC_BPR0_EL1', 'ICC_BPR1_EL1', 'ICC_RPR_EL1', 'ICC_IGRPEN0_EL1', 'ICC_IGRPEN1_EL1', 'ICC_AP0R0_EL1', 'ICC_AP1R0_EL1', 'ICC_SRE_EL1'] as const) mrs(n);
mrs('ICC_CTLR_EL1', 0x7ffn);

// Linux's gic_dist_init / gic_cpu_init / gic_cpu_sys_reg_init.
dw(0x0, 0);
for (let w = 1; w < 9; w++) dw(0x80 + 4 * w, 0xffff_ffff);
for (let n = 2; n < 18; n++) dw(0xc00 + 4 * n, 0);
for (let id = 32; id < 288; id += 4) dw(0x400 + id, 0xa0a0_a0a0);
for (let w = 1; w < 9; w++) {
  dw(0x380 + 4 * w, 0xffff_ffff);
  dw(0x180 + 4 * w, 0xffff_ffff);
}
dw(0x0, 0x13);
dr(0x0);
for (let id = 32; id < 288; id++) dw(0x6000 + 8 * id, 0n, 8);
rw(0x14, 0);
rr(0x14);
rw(SGI + 0x80, 0xffff_ffff);
rw(SGI + 0x380, 0xffff_ffff);
rw(SGI + 0x180, 0xffff_ffff);
for (let i = 0; i < 32; i += 4) rw(SGI + 0x400 + i, 0xa0a0_a0a0);
rw(SGI + 0x100, 0xffff);
msr('ICC_PMR_EL1', 0x08);
mrs('ICC_PMR_EL1');
msr('ICC_PMR_EL1', 0xf0);
msr('ICC_BPR1_EL1', 0);
mrs('ICC_BPR1_EL1');
msr('ICC_CTLR_EL1', 0);
msr('ICC_AP0R0_EL1', 0);
msr('ICC_AP1R0_EL1', 0);
msr('ICC_IGRPEN1_EL1', 1);

// Set/clear families on SPI words (all SPIs are disabled except where noted).
for (const w of [1, 4, 8]) {
  dw(0x180 + 4 * w, 0xffff_ffff);
  dw(0x100 + 4 * w, 0x0f0f_0f0f);
  dw(0x180 + 4 * w, 0x00ff_00ff);
  dr(0x100 + 4 * w);
  dr(0x180 + 4 * w);
  dw(0x180 + 4 * w, 0xffff_ffff);
  dw(0x200 + 4 * w, 0x1234_5678);
  dw(0x280 + 4 * w, 0x0000_ffff);
  dr(0x200 + 4 * w);
  dr(0x280 + 4 * w);
  dw(0x280 + 4 * w, 0xffff_ffff);
  dw(0x300 + 4 * w, 0x8000_0001);
  dr(0x300 + 4 * w);
  dw(0x380 + 4 * w, 0xffff_ffff);
  dr(0x380 + 4 * w);
}
dw(0x84, 0x1234_5678);
dr(0x84);
dw(0x84, 0xffff_ffff);
dw(0xc08, 0xffff_ffff);
dr(0xc08);
dw(0xc08, 0x0000_000a);
dr(0xc08);
dw(0xc08, 0);
[0x10, 0x28, 0x30, 0x48].forEach((p, i) => dw(0x400 + 100 + i, p, 1));
dr(0x400 + 100);
dr(0x400 + 101, { size: 1 });
dw(0x6000 + 8 * 60, 0x0000_0000_8000_0102n, 8);
dr(0x6000 + 8 * 60, { size: 8 });
dr(0x6000 + 8 * 60);
dw(0x6000 + 8 * 60, 0x0000_0203);
dr(0x6000 + 8 * 60, { size: 8 });
dw(0x6000 + 8 * 60, 0n, 8);
rw(SGI + 0x200, 0x0000_0300);
rr(SGI + 0x200);
rw(SGI + 0x280, 0xffff_ffff);
rr(SGI + 0x200);
rw(SGI + 0x400 + 5, 0x38, 1);
rr(SGI + 0x404);
rw(SGI + 0x400 + 5, 0xa0, 1);

// Acknowledge, priority order, preemption, running priority.
const prio: Record<number, number> = { 40: 0x80, 41: 0x40, 42: 0xc0, 43: 0x80, 44: 0x48, 45: 0x38, 46: 0x50 };
for (const [id, p] of Object.entries(prio)) dw(0x400 + Number(id), p, 1);
dw(0x104, 0x7f << 8);
pend(40);
state();
ack();
state();
dr(0x204);
dr(0x304);
pend(42);
state();
ack(); // 1023: 0xc0 cannot preempt 0x80
pend(41);
ack(); // 41 preempts
state();
eoi(41);
state();
ack(); // 1023
eoi(40);
ack(); // 42
state();
eoi(42);
// Ties.
pend(43);
pend(40);
ack();
eoi(40);
ack();
eoi(43);
// BPR1 = 5: group priority [7:5].
msr('ICC_BPR1_EL1', 5);
mrs('ICC_BPR1_EL1');
pend(46);
ack();
state();
pend(44);
ack(); // same group priority: 1023
pend(45);
ack(); // 45
state();
eoi(45);
ack(); // 1023
eoi(46);
ack(); // 44
eoi(44);
msr('ICC_BPR1_EL1', 0);
// PMR.
msr('ICC_PMR_EL1', 0x40);
pend(40);
ack();
mrs('ICC_HPPIR1_EL1');
msr('ICC_PMR_EL1', 0xf0);
ack();
eoi(40);
// EOImode 1.
msr('ICC_CTLR_EL1', 2);
mrs('ICC_CTLR_EL1', 0x3n);
pend(40);
ack();
eoi(40);
state();
dr(0x304);
msr('ICC_DIR_EL1', 40);
dr(0x304);
msr('ICC_CTLR_EL1', 0);
// Level PPI (virtual timer): pending+active, re-assertion after EOI.
rw(SGI + 0x100, 1 << 27);
S.push({ op: 'timer', level: true });
rr(SGI + 0x200);
state();
ack();
rr(SGI + 0x200);
rr(SGI + 0x300);
eoi(27);
ack();
S.push({ op: 'timer', level: false });
eoi(27);
rr(SGI + 0x200);
ack();
// The same input configured edge-triggered: one interrupt per rising edge.
rw(SGI + 0xc04, 1 << 23);
rr(SGI + 0xc04);
S.push({ op: 'timer', level: true });
rr(SGI + 0x200);
ack();
rr(SGI + 0x200);
eoi(27);
ack(); // 1023: the input is still high but no new edge
S.push({ op: 'timer', level: false });
S.push({ op: 'timer', level: true });
S.push({ op: 'timer', level: false });
rr(SGI + 0x200);
ack();
eoi(27);
rw(SGI + 0xc04, 0);
// SGIs to self; IRM with no other CPU.
msr('ICC_SGI1R_EL1', (3n << 24n) | 1n);
rr(SGI + 0x200);
ack();
eoi(3);
msr('ICC_SGI1R_EL1', (1n << 40n) | (4n << 24n));
rr(SGI + 0x200);
msr('ICC_SGI1R_EL1', (5n << 24n) | 2n); // no CPU with Aff0 1
rr(SGI + 0x200);
// Group 0.
dw(0x84, 0xffff_ffff & ~(1 << 8));
msr('ICC_IGRPEN0_EL1', 1);
pend(40);
mrs('ICC_HPPIR0_EL1');
mrs('ICC_HPPIR1_EL1');
ack();
mrs('ICC_IAR0_EL1');
mrs('ICC_AP0R0_EL1');
mrs('ICC_RPR_EL1');
msr('ICC_EOIR0_EL1', 40);
mrs('ICC_RPR_EL1');
dr(0x304);
dw(0x84, 0xffff_ffff);
// Software pending on a level SPI, active set by register.
pend(40);
dw(0x284, 1 << 8);
dr(0x204);
dw(0x304, 1 << 8);
pend(40);
ack(); // active and pending: not taken
dw(0x384, 1 << 8);
ack();
eoi(40);
mrs('ICC_RPR_EL1');

describe('differential test against QEMU 7.2 GICv3', () => {
  beforeAll(requireQemu);
  it(
    `agrees on all ${reads(S).length} reads of a ${S.length}-step script`,
    () => {
      const q = runOnQemu(S);
      const m = runOnModel(S);
      const diffs = reads(S).flatMap(({ mask, label }, i) =>
        ((q[i]! ^ m[i]!) & mask) === 0n ? [] : [`${label}: qemu 0x${(q[i]! & mask).toString(16)}, model 0x${(m[i]! & mask).toString(16)}`],
      );
      expect(diffs).toEqual([]);
    },
    120_000,
  );
});
