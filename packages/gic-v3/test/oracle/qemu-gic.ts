import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ICC_ENCODINGS, type IccRegisterName } from '../../src/index.js';
import { Rig } from '../harness.js';

/**
 * QEMU's GICv3 (qemu-system-aarch64 -M virt,gic-version=3,its=off: 256 SPIs,
 * single Security state, one CPU at EL1) as a differential oracle. A script of
 * GIC accesses becomes a bare-metal AArch64 program that performs them in
 * order and prints every value it reads on the PL011; the same script runs on
 * the model, and the two lists of reads must agree (under a per-read mask for
 * IMPLEMENTATION DEFINED bits).
 */
export type Step =
  | { op: 'dr'; off: number; size?: 1 | 4 | 8; mask?: bigint; note?: string }
  | { op: 'dw'; off: number; value: bigint; size?: 1 | 4 | 8 }
  | { op: 'rr'; off: number; size?: 4 | 8; mask?: bigint; note?: string } // RD_base / SGI_base (off >= 0x10000) of CPU 0
  | { op: 'rw'; off: number; value: bigint; size?: 1 | 4 | 8 }
  | { op: 'mrs'; name: IccRegisterName; mask?: bigint; note?: string }
  | { op: 'msr'; name: IccRegisterName; value: bigint }
  /** The virtual timer's PPI 27 (level): QEMU asserts it with CNTV_CTL/CVAL; the model with setPpi. */
  | { op: 'timer'; level: boolean }
  /** ICC_IAR<group>_EL1, printed; a real INTID is pushed on a stack of acknowledged interrupts. */
  | { op: 'ack'; group: 0 | 1 }
  /** Pops the most recent acknowledge (if any) and writes its INTID to ICC_EOIR<group>_EL1. */
  | { op: 'eoi' };

const VIRT_GICD = 0x0800_0000;
const VIRT_GICR = 0x080a_0000;
const VIRT_UART = 0x0900_0000;

/** Fails (never skips) when the oracle's tools are missing, with the install hint. */
export function requireQemu(): void {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (!ok('qemu-system-aarch64', ['--version']) || !ok('aarch64-linux-gnu-gcc', ['--version'])) {
    throw new Error(
      'the QEMU oracle needs qemu-system-aarch64 and aarch64-linux-gnu-gcc: run scripts/install-deps.sh ' +
        '(apt-get install qemu-system-arm gcc-aarch64-linux-gnu)',
    );
  }
}

function sysregName(name: IccRegisterName): string {
  const e = ICC_ENCODINGS[name];
  return `S${e >> 14}_${(e >> 11) & 7}_C${(e >> 7) & 15}_C${(e >> 3) & 15}_${e & 7}`;
}

const CTYPE = { 1: 'u8', 4: 'u32', 8: 'u64' } as const;

function cSource(steps: readonly Step[]): string {
  const body: string[] = [];
  for (const s of steps) {
    switch (s.op) {
      case 'dr':
      case 'rr': {
        const size = s.size ?? 4;
        const base = s.op === 'dr' ? VIRT_GICD : VIRT_GICR;
        body.push(`hex(*(volatile ${CTYPE[size]} *)0x${(base + s.off).toString(16)}UL);`);
        break;
      }
      case 'dw':
      case 'rw': {
        const size = s.size ?? 4;
        const base = s.op === 'dw' ? VIRT_GICD : VIRT_GICR;
        body.push(`*(volatile ${CTYPE[size]} *)0x${(base + s.off).toString(16)}UL = 0x${s.value.toString(16)}UL; dsb();`);
        break;
      }
      case 'mrs':
        body.push(`{ u64 v; __asm__ volatile("mrs %0, ${sysregName(s.name)}" : "=r"(v)); hex(v); }`);
        break;
      case 'msr':
        body.push(`{ u64 v = 0x${s.value.toString(16)}UL; __asm__ volatile("msr ${sysregName(s.name)}, %0\\n isb" :: "r"(v)); }`);
        break;
      case 'ack':
        body.push(
          `{ u64 v; __asm__ volatile("mrs %0, ${sysregName(s.group ? 'ICC_IAR1_EL1' : 'ICC_IAR0_EL1')}" : "=r"(v)); hex(v); if (v < 1020 && sp < 64) stack[sp++] = v | ${s.group}UL << 32; }`,
        );
        break;
      case 'eoi':
        body.push(
          `if (sp > 0) { u64 e = stack[--sp]; if (e >> 32) __asm__ volatile("msr ${sysregName('ICC_EOIR1_EL1')}, %0\\n isb" :: "r"(e & 0xffffff)); else __asm__ volatile("msr ${sysregName('ICC_EOIR0_EL1')}, %0\\n isb" :: "r"(e & 0xffffff)); }`,
        );
        break;
      case 'timer':
        body.push(
          s.level
            ? '__asm__ volatile("msr cntv_cval_el0, xzr\\n mov x0, #1\\n msr cntv_ctl_el0, x0\\n isb" ::: "x0");'
            : '__asm__ volatile("msr cntv_ctl_el0, xzr\\n isb");',
        );
        break;
    }
  }
  return `typedef unsigned long u64; typedef unsigned int u32; typedef unsigned char u8;
static inline void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static void out(char c) { *(volatile u32 *)0x${VIRT_UART.toString(16)}UL = (u32)c; }
static void hex(u64 v) { out('='); for (int i = 60; i >= 0; i -= 4) out("0123456789abcdef"[(v >> i) & 15]); out('\\n'); }
static u64 stack[64];
static int sp;
void main(void) {
${body.join('\n')}
}
`;
}

const START = `.global _start
_start:
  ldr x0, =stack_top
  mov sp, x0
  bl main
  ldr x0, =0x84000008
  hvc #0
1: wfi
  b 1b
`;

const LINK = `ENTRY(_start)
SECTIONS {
  . = 0x40080000;
  .text : { *(.text*) }
  .rodata : { *(.rodata*) }
  .data : { *(.data*) }
  .bss : { *(.bss*) *(COMMON) }
  . = ALIGN(16); . += 0x4000; stack_top = .;
}
`;

/** Runs the script on QEMU; returns the values read, in order. */
export function runOnQemu(steps: readonly Step[]): bigint[] {
  const dir = mkdtempSync(join(tmpdir(), 'gic-qemu-'));
  try {
    writeFileSync(join(dir, 'prog.c'), cSource(steps));
    writeFileSync(join(dir, 'start.S'), START);
    writeFileSync(join(dir, 'link.ld'), LINK);
    execFileSync('aarch64-linux-gnu-gcc', [
      '-O1', '-ffreestanding', '-nostdlib', '-nostartfiles', '-static', '-no-pie', '-fno-pie', '-mgeneral-regs-only',
      '-T', join(dir, 'link.ld'), '-o', join(dir, 'prog.elf'), join(dir, 'start.S'), join(dir, 'prog.c'),
    ]);
    const r = spawnSync(
      'qemu-system-aarch64',
      ['-M', 'virt,gic-version=3,its=off', '-cpu', 'cortex-a72', '-smp', '1', '-m', '128M', '-nographic', '-nic', 'none',
        '-monitor', 'none', '-serial', 'stdio', '-no-reboot', '-kernel', join(dir, 'prog.elf')],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const values = r.stdout
      .split('\n')
      .filter((l) => /^=[0-9a-f]{16}$/.test(l.trim()))
      .map((l) => BigInt('0x' + l.trim().slice(1)));
    const expected = steps.filter(isRead).length;
    if (values.length !== expected) throw new Error(`QEMU printed ${values.length} of ${expected} values; stderr: ${r.stderr}`);
    return values;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the script on the model (one CPU); returns the values read, in order. */
export function runOnModel(steps: readonly Step[]): bigint[] {
  const g = new Rig(1);
  const values: bigint[] = [];
  const stack: { id: number; group: number }[] = [];
  const read = (base: number, off: number, size: number) => (size === 8 ? g.bus.read64(base + off) : BigInt(g.bus.read(base + off, size)));
  const write = (base: number, off: number, size: number, v: bigint) =>
    size === 8 ? g.bus.write64(base + off, v) : g.bus.write(base + off, size, Number(v & 0xffff_ffffn));
  for (const s of steps) {
    switch (s.op) {
      case 'dr':
        values.push(read(0x1000_0000, s.off, s.size ?? 4));
        break;
      case 'rr':
        values.push(read(0x1001_0000, s.off, s.size ?? 4));
        break;
      case 'dw':
        write(0x1000_0000, s.off, s.size ?? 4, s.value);
        break;
      case 'rw':
        write(0x1001_0000, s.off, s.size ?? 4, s.value);
        break;
      case 'mrs':
        values.push(BigInt(g.mrs(0, s.name) ?? -1));
        break;
      case 'msr':
        g.msr(0, s.name, s.value);
        break;
      case 'timer':
        g.gic.setPpi(0, 27, s.level);
        break;
      case 'ack': {
        const v = g.mrs(0, s.group ? 'ICC_IAR1_EL1' : 'ICC_IAR0_EL1')!;
        values.push(BigInt(v));
        if (v < 1020 && stack.length < 64) stack.push({ id: v, group: s.group });
        break;
      }
      case 'eoi': {
        const e = stack.pop();
        if (e) g.msr(0, e.group ? 'ICC_EOIR1_EL1' : 'ICC_EOIR0_EL1', e.id);
        break;
      }
    }
  }
  return values;
}

/** The reads of a script with their masks and labels, for reporting differences. */
function isRead(s: Step): boolean {
  return s.op === 'dr' || s.op === 'rr' || s.op === 'mrs' || s.op === 'ack';
}

export interface ReadStep {
  step: Step;
  mask: bigint;
  label: string;
}

export function reads(steps: readonly Step[]): ReadStep[] {
  return steps.flatMap((s, i): ReadStep[] => {
    if (s.op === 'ack') return [{ step: s, mask: 0xffff_ffff_ffff_ffffn, label: `#${i} ICC_IAR${s.group}_EL1` }];
    if (s.op !== 'dr' && s.op !== 'rr' && s.op !== 'mrs') return [];
    const label = `#${i} ${s.op} ${s.op === 'mrs' ? s.name : '0x' + s.off.toString(16)}${s.note ? ` (${s.note})` : ''}`;
    return [{ step: s, mask: s.mask ?? 0xffff_ffff_ffff_ffffn, label }];
  });
}

/** Differences between the reads of two runs of `steps`, as readable lines. */
export function compare(steps: readonly Step[], q: bigint[], m: bigint[]): string[] {
  return reads(steps).flatMap(({ mask, label }, i) =>
    ((q[i]! ^ m[i]!) & mask) === 0n ? [] : [`${label}: qemu 0x${(q[i]! & mask).toString(16)}, model 0x${(m[i]! & mask).toString(16)}`],
  );
}
