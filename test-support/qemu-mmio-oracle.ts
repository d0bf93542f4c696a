// A differential oracle: replays a list of MMIO accesses inside QEMU's `virt`
// board (qemu-system-aarch64, whose PL011/PL031/PL061 sit at 0x0900_0000,
// 0x0901_0000, 0x0903_0000 with SPIs 1, 2, 7) and on a model bus, so the two
// lists of read values can be compared. The guest is a tiny bare-metal
// program that takes the access list from RAM (loaded with -device loader) and
// prints every read value through semihosting. Shared by the pl011, pl031 and
// pl061 tests (test-only code: never part of a published package).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressSpace, type IrqProbe, MmioRegion } from '@vmapple/core-bus';

export type Op = { op: 'r'; addr: number; size: 1 | 2 | 4 } | { op: 'w'; addr: number; size: 1 | 2 | 4; value: number };

export const VIRT = { uart: 0x0900_0000, rtc: 0x0901_0000, gpio: 0x0903_0000, gicd: 0x0800_0000 } as const;
/** GICD_ISPENDR1: pending bits of INTIDs 32..63; for a level interrupt, bit n follows SPI n's line. */
export const ISPENDR1 = VIRT.gicd + 0x204;
/** The epoch QEMU's RTC is started at (`-rtc base=...`), in seconds since 1970. */
export const QEMU_RTC_BASE = '2026-11-25T12:00:00';

const HINT = 'needs qemu-system-aarch64 and aarch64-linux-gnu-gcc (apt-get install qemu-system-arm gcc-aarch64-linux-gnu)';

const PAYLOAD_C = String.raw`
#include <stdint.h>
#define OPS ((const volatile uint32_t *)0x48000000UL)
static char out[1 << 20];
static unsigned outlen;
static long semihost(long op, const void *arg) {
  register long x0 __asm__("x0") = op;
  register const void *x1 __asm__("x1") = arg;
  __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
  return x0;
}
static void put(char c) { if (outlen < sizeof(out) - 1) out[outlen++] = c; }
static void hex(uint32_t v) { for (int i = 28; i >= 0; i -= 4) put("0123456789abcdef"[(v >> i) & 15]); put('\n'); }
void main(void) {
  const volatile uint32_t *p = OPS;
  for (unsigned n = 0; n < 1000000; n++, p += 3) {
    uint32_t op = p[0]; uintptr_t a = p[1]; uint32_t v = p[2];
    if (op == 0) break;
    switch (op) {
      case 0x01: hex(*(volatile uint8_t *)a); break;
      case 0x02: hex(*(volatile uint16_t *)a); break;
      case 0x04: hex(*(volatile uint32_t *)a); break;
      case 0x11: *(volatile uint8_t *)a = v; break;
      case 0x12: *(volatile uint16_t *)a = v; break;
      case 0x14: *(volatile uint32_t *)a = v; break;
    }
  }
  put('.'); put('\n');
  out[outlen] = 0;
  semihost(0x04, out);
  static const uint64_t block[2] = {0x20026, 0};
  semihost(0x18, block);
  for (;;) {}
}
`;

const START_S = `
.global _start
_start:
  ldr x0, =stack_top
  mov sp, x0
  bl main
1: b 1b
.bss
.balign 16
.space 65536
stack_top:
`;

const LINK_LD = 'ENTRY(_start)\nSECTIONS { . = 0x40200000; .text : { *(.text*) } .rodata : { *(.rodata*) } .data : { *(.data*) } .bss : { *(.bss*) *(COMMON) } }\n';

let workDir = '';
let elf = '';

function run(cmd: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}; this test ${HINT}`);
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function payload(): string {
  if (elf) return elf;
  workDir = mkdtempSync(join(tmpdir(), 'amba-oracle-'));
  writeFileSync(join(workDir, 'payload.c'), PAYLOAD_C);
  writeFileSync(join(workDir, 'start.S'), START_S);
  writeFileSync(join(workDir, 'link.ld'), LINK_LD);
  const out = join(workDir, 'payload.elf');
  run('aarch64-linux-gnu-gcc', [
    ...['-O1', '-ffreestanding', '-nostdlib', '-nostartfiles', '-static', '-no-pie', '-fno-pie', '-mgeneral-regs-only'],
    ...['-Wl,--no-warn-rwx-segments', '-T', join(workDir, 'link.ld'), join(workDir, 'start.S'), join(workDir, 'payload.c'), '-o', out],
  ]);
  elf = out;
  return elf;
}

/** Removes the build folder (call from afterAll). */
export function cleanupQemu(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = '';
  elf = '';
}

/** Runs `ops` in QEMU's virt board; returns the value of every read, in order. */
export function runOnQemu(ops: readonly Op[]): number[] {
  return runOnQemuWithSerial(ops).values;
}

/** As `runOnQemu`, and also returns what the guest sent through the PL011 (UART0). */
export function runOnQemuWithSerial(ops: readonly Op[]): { values: number[]; serial: Uint8Array } {
  const image = payload();
  const words = new Uint32Array(ops.length * 3 + 3);
  ops.forEach((o, i) => {
    words[3 * i] = (o.op === 'w' ? 0x10 : 0) | o.size;
    words[3 * i + 1] = o.addr;
    words[3 * i + 2] = o.op === 'w' ? o.value : 0;
  });
  const tag = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const blob = join(workDir, `ops-${tag}.bin`);
  const serialFile = join(workDir, `serial-${tag}.bin`);
  writeFileSync(blob, new Uint8Array(words.buffer));
  const { stdout, stderr } = run('qemu-system-aarch64', [
    ...['-M', 'virt,gic-version=3', '-cpu', 'cortex-a53', '-m', '256M', '-nographic', '-serial', `file:${serialFile}`, '-monitor', 'none'],
    ...['-net', 'none', '-semihosting-config', 'enable=on,target=native', '-icount', 'shift=0'],
    ...['-rtc', `base=${QEMU_RTC_BASE},clock=vm`, '-device', `loader,file=${blob},addr=0x48000000,force-raw=on`, '-kernel', image],
  ]);
  const lines = (stdout + stderr).split(/\r?\n/);
  if (!lines.includes('.')) throw new Error(`the QEMU payload did not finish: ${stdout}${stderr}`);
  const values = lines.filter((l) => /^[0-9a-f]{8}$/.test(l)).map((l) => parseInt(l, 16));
  const reads = ops.filter((o) => o.op === 'r').length;
  if (values.length !== reads) throw new Error(`expected ${reads} values from QEMU, got ${values.length}`);
  return { values, serial: new Uint8Array(readFileSync(serialFile)) };
}

/** Runs `ops` on a model bus; returns the value of every read, in order. */
export function runOnBus(bus: AddressSpace, ops: readonly Op[]): number[] {
  const values: number[] = [];
  for (const o of ops) {
    if (o.op === 'r') values.push(bus.read(o.addr, o.size));
    else bus.write(o.addr, o.size, o.value);
  }
  return values;
}

/** A stand-in for the GIC distributor on the model bus: ISPENDR1 bit n shows SPI n's line. */
export function pendingRegister(lines: Record<number, IrqProbe>): MmioRegion {
  return new MmioRegion({
    name: 'gicd-ispendr',
    size: 0x1000,
    handler: {
      read: (offset) => {
        if (offset !== 0x204) return 0;
        let bits = 0;
        for (const [spi, probe] of Object.entries(lines)) if (probe.level) bits |= 1 << Number(spi);
        return bits >>> 0;
      },
      write: () => {},
    },
  });
}

export const r = (addr: number, size: 1 | 2 | 4 = 4): Op => ({ op: 'r', addr, size });
export const w = (addr: number, value: number, size: 1 | 2 | 4 = 4): Op => ({ op: 'w', addr, size, value });
