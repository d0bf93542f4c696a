import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressSpace, RamRegion, VirtualClock, type SystemRegisterHandler } from '@vmapple/core-bus';
import { InterpreterCpu } from '../src/index.js';
import type { CallHandler } from '../src/index.js';

/** Where assembled snippets are cached (keyed by source hash). */
const CACHE = join(tmpdir(), 'vmapple-cpu-aarch64-test');
mkdirSync(CACHE, { recursive: true });

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 16 * 1024 * 1024;
/** Code loaded here; a snippet ends with `hvc #0xffff` (the test exit). */
export const CODE_BASE = RAM_BASE + 0x10_0000;
export const EXIT = 'hvc #0xffff';

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

/** Assembles `src` with GNU as and links it at `base`; returns the flat binary. */
export function assemble(src: string, base = CODE_BASE): Uint8Array {
  const key = hash(`${base}\n${src}`);
  const bin = join(CACHE, `${key}.bin`);
  if (!existsSync(bin)) {
    const s = join(CACHE, `${key}.s`);
    const o = join(CACHE, `${key}.o`);
    const elf = join(CACHE, `${key}.elf`);
    writeFileSync(s, `.text\n.globl _start\n_start:\n${src}\n`);
    execFileSync('aarch64-linux-gnu-as', ['-march=armv8-a+crc+lse', '-o', o, s]);
    execFileSync('aarch64-linux-gnu-ld', ['-Ttext=' + base.toString(16), '-e', '_start', '-o', elf, o]);
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
  }
  return new Uint8Array(readFileSync(bin));
}

export interface Machine {
  cpu: InterpreterCpu;
  mem: AddressSpace;
  ram: RamRegion;
  clock: VirtualClock;
  /** HVC immediates seen (other than the exit call). */
  calls: number[];
}

export interface MachineOptions {
  sysregs?: SystemRegisterHandler;
  hvc?: CallHandler;
  nsPerInstruction?: number;
  unmapped?: 'ignore' | 'fault';
  counterFrequencyHz?: number;
}

/** A CPU over 16 MiB of RAM at 0x4000_0000 with `code` at CODE_BASE; SP at the top of RAM. */
export function machine(code: Uint8Array, options: MachineOptions = {}): Machine {
  const mem = new AddressSpace({ unmapped: options.unmapped ?? 'ignore' });
  const ram = new RamRegion('ram', RAM_SIZE);
  mem.mapRam(RAM_BASE, ram);
  ram.load(CODE_BASE - RAM_BASE, code);
  const clock = new VirtualClock({ mode: 'deterministic' });
  const calls: number[] = [];
  const cpu: InterpreterCpu = new InterpreterCpu({
    memory: mem,
    clock,
    sysregs: options.sysregs,
    nsPerInstruction: options.nsPerInstruction,
    counterFrequencyHz: options.counterFrequencyHz,
    hvc: (c, imm) => {
      if (imm === 0xffff) {
        c.requestExit();
        return true;
      }
      calls.push(imm);
      return options.hvc ? options.hvc(c, imm) : true;
    },
  });
  cpu.reset({ pc: BigInt(CODE_BASE) });
  cpu.setSp(BigInt(RAM_BASE + RAM_SIZE));
  return { cpu, mem, ram, clock, calls };
}

/** Assembles and runs `src` until the exit HVC (or the budget); returns the machine. */
export function runSnippet(src: string, options: MachineOptions & { budget?: number } = {}): Machine {
  const m = machine(assemble(src), options);
  const r = m.cpu.run(options.budget ?? 1_000_000);
  if (r !== 'exit') throw new Error(`snippet did not reach the exit call (run returned '${r}', pc=0x${m.cpu.getPc().toString(16)})`);
  return m;
}

/** Registers x0..x30 and NZCV as printed by a static Linux program under qemu-aarch64. */
export interface QemuState {
  x: bigint[];
  nzcv: bigint;
}

/**
 * Runs `src` as a static Linux user program under qemu-aarch64 (the oracle):
 * the snippet runs, then x0..x30 and NZCV are dumped to stdout.
 */
export function runQemuUser(src: string, cpu = 'cortex-a53'): QemuState {
  const program = `
${src}
  // dump: x0..x30 then NZCV, 32 doublewords, through the stack
  sub sp, sp, #256
  stp x0, x1, [sp, #0]
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x19, [sp, #144]
  stp x20, x21, [sp, #160]
  stp x22, x23, [sp, #176]
  stp x24, x25, [sp, #192]
  stp x26, x27, [sp, #208]
  stp x28, x29, [sp, #224]
  mrs x0, nzcv
  stp x30, x0, [sp, #240]
  mov x0, #1
  mov x1, sp
  mov x2, #256
  mov x8, #64
  svc #0
  mov x0, #0
  mov x8, #93
  svc #0
`;
  const key = hash('qemu\n' + program);
  const elf = join(CACHE, `${key}.user`);
  if (!existsSync(elf)) {
    const s = join(CACHE, `${key}.us`);
    const o = join(CACHE, `${key}.uo`);
    writeFileSync(s, `.text\n.globl _start\n_start:\n${program}\n`);
    execFileSync('aarch64-linux-gnu-as', ['-march=armv8-a+crc+lse', '-o', o, s]);
    execFileSync('aarch64-linux-gnu-ld', ['-static', '-o', elf, o]);
  }
  const out = execFileSync('qemu-aarch64', ['-cpu', cpu, elf]);
  if (out.length !== 256) throw new Error(`qemu-aarch64 printed ${out.length} bytes, not 256`);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const x: bigint[] = [];
  for (let i = 0; i < 31; i++) x.push(view.getBigUint64(8 * i, true));
  return { x, nzcv: view.getBigUint64(248, true) };
}

/** Registers of our CPU in the same shape. */
export function cpuState(cpu: InterpreterCpu): QemuState {
  const x: bigint[] = [];
  for (let i = 0; i < 31; i++) x.push(cpu.getX(i));
  return { x, nzcv: cpu.getSysreg('NZCV') };
}

export function hex(v: bigint): string {
  return '0x' + v.toString(16);
}
