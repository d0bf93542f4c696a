import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { IccRegisterName } from '../src/index.js';
import { GICD_BASE, GICR_BASE, Rig } from './harness.js';

/**
 * Replays a real Linux boot on this model and compares it with QEMU.
 *
 * The fixtures were recorded from Debian's 6.1.0-56-arm64 kernel booting on
 * `qemu-system-aarch64 -M virt,gic-version=3,its=off -cpu cortex-a72 -smp N
 * -trace 'gicv3_*'` and converted by oracle/qemu-trace.ts: every GIC register
 * access the irq-gic-v3 driver made (init on every CPU, affinity and type
 * changes, acknowledge/EOI pairs, IPIs), every change of the virtual-timer PPI
 * inputs, and every IRQ/FIQ output level QEMU computed.
 * - linux-boot-2cpu: no initramfs, up to the "no root" panic (~1200 IRQs, ~280 IPIs).
 * - linux-boot-4cpu: a busybox initramfs whose /init prints to the console,
 *   reads /proc/interrupts and powers off (~2500 IRQs, ~600 IPIs). The replay performs the same accesses and input changes in the same
 * order; every value read and every output level must match QEMU's.
 *
 * Masked, because the virt board is configured differently from vmapple: the
 * SPI count and the LPI fields (GICD_TYPER.ITLinesNumber/LPIS, GICR_TYPER.PLPIS/
 * CommonLPIAff, GICR_CTLR.CES/EnableLPIs, GICR_PROPBASER/PENDBASER, which Linux
 * programs because virt advertises LPIs) and IMPLEMENTATION DEFINED fields
 * (GICD_TYPER.No1N/A3V, ICC_CTLR_EL1.IDbits/A3V).
 */

const ALL = 0xffff_ffff_ffff_ffffn;

function distMask(off: number): bigint | undefined {
  if (off === 0x4) return 0xffff_ffffn & ~(0x1fn | (1n << 17n) | (1n << 24n) | (1n << 25n));
  return ALL;
}
function redistMask(off: number): bigint | undefined {
  if (off === 0x8) return ALL & ~(1n | (3n << 24n));
  if (off === 0x0) return 0xffff_ffffn & ~3n;
  if (off >= 0x70 && off < 0x80) return undefined; // PROPBASER, PENDBASER
  return ALL;
}
function sysregMask(name: string): bigint {
  return name === 'CTLR' ? 0xffff_ffffn & ~(0x8000n | 0x3800n) : ALL;
}

function replay(cpus: number, events: string[]): { mismatches: string[]; counts: Record<string, number> } {
  const g = new Rig(cpus);
  const mismatches: string[] = [];
  const counts: Record<string, number> = { reads: 0, outputs: 0, acks: 0, sgis: 0, inputs: 0 };
  const expectEq = (i: number, what: string, got: bigint, want: bigint, mask: bigint) => {
    counts.reads!++;
    if (((got ^ want) & mask) !== 0n) mismatches.push(`event ${i} ${what}: model 0x${(got & mask).toString(16)}, qemu 0x${(want & mask).toString(16)}`);
  };
  // QEMU prints an MMIO access or an IAR read after the updates it caused, every
  // other event before them: an output line belongs after the next event if that
  // is one of the former, else after the previous one. Only the last level per CPU counts.
  let pendingOut = new Map<number, [boolean, boolean]>();
  const checkOut = (i: number) => {
    for (const [cpu, [fiq, irq]] of pendingOut) {
      counts.outputs!++;
      if (g.irq[cpu]!.level !== irq || g.fiq[cpu]!.level !== fiq) {
        mismatches.push(`event ${i} outputs of CPU ${cpu}: model FIQ ${+g.fiq[cpu]!.level} IRQ ${+g.irq[cpu]!.level}, qemu FIQ ${+fiq} IRQ ${+irq}`);
      }
    }
    pendingOut = new Map();
  };
  events.forEach((line, i) => {
    const f = line.split(' ');
    const op = f[0]!;
    if (op === 'OUT') {
      pendingOut.set(Number(f[1]), [f[2] === '1', f[3] === '1']);
      return;
    }
    const after = op === 'DR' || op === 'DW' || op === 'RR' || op === 'RW' || op === 'DB' || (op === 'SR' && f[2]!.startsWith('IAR'));
    if (!after) checkOut(i);
    const hex = (s: string) => Number.parseInt(s, 16);
    switch (op) {
      case 'DR':
      case 'RR': {
        const cpu = op === 'RR' ? Number(f.splice(1, 1)[0]) : 0;
        const off = hex(f[1]!);
        const size = Number(f[2]);
        const addr = (op === 'DR' ? GICD_BASE : GICR_BASE + cpu * 0x2_0000) + off;
        const got = size === 8 ? g.bus.read64(addr) : BigInt(g.bus.read(addr, size));
        const mask = op === 'DR' ? distMask(off) : redistMask(off);
        if (mask !== undefined) expectEq(i, `${op} ${cpu} 0x${off.toString(16)}`, got, BigInt('0x' + f[3]), mask);
        break;
      }
      case 'DB':
        expectEq(i, `DB 0x${f[1]}`, BigInt(g.d(hex(f[1]!), Number(f[2]))), 0n, ALL);
        break;
      case 'DW':
      case 'RW': {
        const cpu = op === 'RW' ? Number(f.splice(1, 1)[0]) : 0;
        const addr = (op === 'DW' ? GICD_BASE : GICR_BASE + cpu * 0x2_0000) + hex(f[1]!);
        const size = Number(f[2]);
        if (size === 8) g.bus.write64(addr, BigInt('0x' + f[3]));
        else g.bus.write(addr, size, hex(f[3]!));
        break;
      }
      case 'PPI':
        counts.inputs!++;
        g.gic.setPpi(Number(f[1]), Number(f[2]), f[3] === '1');
        break;
      case 'SPI':
        counts.inputs!++;
        g.gic.setInput(Number(f[1]), f[2] === '1');
        break;
      case 'SGI':
        counts.sgis!++;
        g.msr(Number(f[1]), 'ICC_SGI1R_EL1', (BigInt(f[2]!) << 24n) | (BigInt(f[3]!) << 40n) | BigInt('0x' + f[4]));
        break;
      case 'SR': {
        const name = `ICC_${f[2]}_EL1` as IccRegisterName;
        if (f[2]!.startsWith('IAR')) counts.acks!++;
        const got = g.mrs(Number(f[1]), name);
        expectEq(i, `MRS ${name} on CPU ${f[1]}`, BigInt(got ?? -1), BigInt('0x' + f[3]), sysregMask(f[2]!));
        break;
      }
      case 'SW':
        g.msr(Number(f[1]), `ICC_${f[2]}_EL1` as IccRegisterName, BigInt('0x' + f[3]));
        break;
      default:
        throw new Error(`unknown event '${line}'`);
    }
    if (after) checkOut(i);
  });
  checkOut(events.length);
  if (g.errors.length) mismatches.push(...g.errors.map((e) => `guest error: ${e.message}`));
  return { mismatches, counts };
}

describe('recorded Linux 6.1 boots on QEMU GICv3, replayed', () => {
  it.each([
    // [fixture, CPUs, minimum acknowledges, SGIs, input changes, output checks]
    ['linux-boot-2cpu.trace.gz', 2, 1000, 200, 1000, 4000],
    ['linux-boot-4cpu.trace.gz', 4, 2000, 500, 3000, 9000],
  ] as const)('%s: the same value for every read, the same IRQ/FIQ levels after every update', (file, cpus, acks, sgis, inputs, outputs) => {
    const text = gunzipSync(readFileSync(new URL(`./fixtures/${file}`, import.meta.url))).toString('utf8');
    const events = text.split('\n').filter((l) => l.length > 0);
    const { mismatches, counts } = replay(cpus, events);
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The recordings are real workloads, not toys: hold them to that.
    expect(counts.acks).toBeGreaterThan(acks);
    expect(counts.sgis).toBeGreaterThan(sgis);
    expect(counts.inputs).toBeGreaterThan(inputs);
    expect(counts.outputs).toBeGreaterThan(outputs);
  });
});
