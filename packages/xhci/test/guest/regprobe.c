// Bare-metal aarch64 probe for QEMU's virt board (ECAM at 0x3f000000 with highmem=off, PL011 at
// 0x09000000) with `-device qemu-xhci,addr=1 -device usb-kbd -device usb-tablet` (GICv3 without ITS: no MSI).
// It maps the controller's BAR 0, then runs a fixed script of register reads and writes,
// printing "C offset value" for config dwords and "R offset value" for every BAR read.
// qemu-oracle.test.ts replays the same script on our controller and compares the lines.
#include <stdint.h>
#define UART ((volatile uint32_t *)0x09000000)
#define ECAM 0x3f000000UL
#define BAR 0x10000000UL

__asm__(".section .text.start\n.global _start\n_start:\n ldr x0, =0x40200000\n mov sp, x0\n bl main\n"
        " ldr x0, =0x84000008\n hvc #0\n1: b 1b\n"); // PSCI SYSTEM_OFF

static void out(char c) { *UART = (uint32_t)c; }
static void hex(uint32_t v, int digits) {
  for (int i = 4 * (digits - 1); i >= 0; i -= 4) out("0123456789abcdef"[(v >> i) & 15]);
}
static volatile uint32_t *cfg(unsigned off) { return (volatile uint32_t *)(ECAM + (1u << 15) + off); }
static uint32_t r(unsigned off) {
  uint32_t v = *(volatile uint32_t *)(BAR + off);
  out('R'); out(' '); hex(off, 4); out(' '); hex(v, 8); out('\n');
  return v;
}
static void w(unsigned off, uint32_t v) { *(volatile uint32_t *)(BAR + off) = v; }

#include "script.h"

int main(void) {
  for (unsigned off = 0; off < 0x40; off += 4) {
    out('C'); out(' '); hex(off, 4); out(' '); hex(*cfg(off), 8); out('\n');
  }
  out('C'); out(' '); hex(0x60, 4); out(' '); hex(*cfg(0x60), 8); out('\n');
  *cfg(0x10) = BAR;
  *cfg(0x14) = 0;
  *cfg(0x04) = 0x6; // memory decoding, bus master
  script();
  out('E'); out('N'); out('D'); out('\n');
  return 0;
}
