// Bare-metal aarch64 probe for QEMU's virt board (ECAM at 0x3f000000 with highmem=off, PL011 at
// 0x09000000). For each probed config register it writes all ones, reads back, writes zero,
// reads back, and prints "bus dev fn offset size ones zero" in hex. The gpex tests replay the
// same sequence on our host and compare the lines. Built and run by qemu-guest.test.ts.
#include <stdint.h>
#define UART ((volatile uint32_t *)0x09000000)
#define ECAM 0x3f000000UL

__asm__(".section .text.start\n.global _start\n_start:\n ldr x0, =0x40200000\n mov sp, x0\n bl main\n"
        " ldr x0, =0x84000008\n hvc #0\n1: b 1b\n"); // PSCI SYSTEM_OFF

static void out(char c) { *UART = (uint32_t)c; }
static void hex(uint32_t v, int digits) {
  for (int i = 4 * (digits - 1); i >= 0; i -= 4) out("0123456789abcdef"[(v >> i) & 15]);
  out(' ');
}
static uintptr_t addr(unsigned bus, unsigned dev, unsigned fn, unsigned off) {
  return ECAM + ((uintptr_t)bus << 20) + (dev << 15) + (fn << 12) + off;
}
static uint32_t rd(uintptr_t a, int size) {
  return size == 1 ? *(volatile uint8_t *)a : size == 2 ? *(volatile uint16_t *)a : *(volatile uint32_t *)a;
}
static void wr(uintptr_t a, int size, uint32_t v) {
  if (size == 1) *(volatile uint8_t *)a = (uint8_t)v;
  else if (size == 2) *(volatile uint16_t *)a = (uint16_t)v;
  else *(volatile uint32_t *)a = v;
}
static void probe(unsigned bus, unsigned dev, unsigned fn, unsigned off, int size) {
  uintptr_t a = addr(bus, dev, fn, off);
  wr(a, size, 0xffffffffu);
  uint32_t ones = rd(a, size);
  wr(a, size, 0);
  uint32_t zero = rd(a, size);
  hex(bus, 2); hex(dev, 2); hex(fn, 1); hex(off, 3); hex((uint32_t)size, 1); hex(ones, 8); hex(zero, 8);
  out('\n');
}
static void range(unsigned bus, unsigned dev, unsigned fn, unsigned from, unsigned to, int size) {
  for (unsigned off = from; off < to; off += (unsigned)size) probe(bus, dev, fn, off, size);
}

// Window accesses: "W address size value" (value as two 32-bit halves for 8-byte reads).
#define WINDOW 0x10000000UL
static void window(uintptr_t a, int size) {
  uint64_t v = size == 8 ? *(volatile uint64_t *)a : rd(a, size);
  out('W'); out(' '); hex((uint32_t)a, 8); hex((uint32_t)size, 1); hex((uint32_t)(v >> 32), 8); hex((uint32_t)v, 8);
  out('\n');
}
static void window_probe(void) {
  window(WINDOW, 4); // nothing decodes yet
  wr(addr(0, 1, 0, 0x20), 4, WINDOW + 0x4000); // BAR4, 64-bit: low then high
  wr(addr(0, 1, 0, 0x24), 4, 0);
  wr(addr(0, 1, 0, 0x04), 2, 0x2); // memory decoding on
  window(WINDOW + 0x4000, 4); // first register of the BAR (virtio common cfg: device_feature_select = 0)
  window(WINDOW + 0x4000, 1);
  window(WINDOW + 0x3ffc, 4); // just below the BAR
  window(WINDOW + 0x8000, 4); // just above
  window(WINDOW, 8);
  wr(addr(0, 1, 0, 0x20), 4, WINDOW + 0x10000); // relocate while decoding
  window(WINDOW + 0x4000, 4);
  window(WINDOW + 0x10000, 4);
  wr(addr(0, 1, 0, 0x04), 2, 0); // decoding off
  window(WINDOW + 0x10000, 4);
  wr(addr(0, 1, 0, 0x20), 4, 0);
}

// 8-byte config accesses: "Q offset-in-ECAM value-hi value-lo" after each read.
static void quad(unsigned bus, unsigned dev, unsigned fn, unsigned off) {
  uint64_t v = *(volatile uint64_t *)addr(bus, dev, fn, off);
  out('Q'); out(' '); hex((uint32_t)(addr(bus, dev, fn, off) - ECAM), 8); hex((uint32_t)(v >> 32), 8); hex((uint32_t)v, 8);
  out('\n');
}
static void quad_probe(void) {
  quad(0, 0, 0, 0x00);
  quad(0, 0, 0, 0x08);
  quad(0, 1, 0, 0x20); // BAR4 and BAR5 of the virtio device
  quad(0, 5, 0, 0x00); // absent
  *(volatile uint64_t *)addr(0, 0, 0, 0x40) = 0x1122334455667788ULL;
  quad(0, 0, 0, 0x40);
  *(volatile uint64_t *)addr(0, 1, 0, 0x20) = 0xffffffffffffffffULL; // size the 64-bit BAR in one access
  quad(0, 1, 0, 0x20);
  *(volatile uint64_t *)addr(0, 1, 0, 0x20) = 0;
  *(volatile uint64_t *)addr(0, 0, 0, 0x40) = 0;
}

int main(void) {
  window_probe();
  quad_probe();
  range(0, 0, 0, 0, 0x110, 4); // host bridge: header, device-specific part, extended space
  range(0, 0, 0, 0, 0x40, 2);
  range(0, 0, 0, 0, 0x40, 1);
  probe(0, 1, 0, 0x04, 4); // virtio-rng-pci, modern only: BAR4 = 64-bit prefetchable 16 KiB
  probe(0, 1, 0, 0x0c, 4);
  range(0, 1, 0, 0x10, 0x28, 4);
  probe(0, 1, 0, 0x30, 4);
  probe(0, 1, 0, 0x3c, 4);
  range(0, 1, 0, 0x10, 0x28, 1);
  range(0, 5, 0, 0, 0x10, 4); // absent function
  range(0, 0, 3, 0, 0x10, 2);
  range(1, 0, 0, 0, 0x10, 4); // no bus 1
  range(15, 31, 7, 0xff0, 0x1000, 1); // last bus of the 16 MiB ECAM
  out('E'); out('N'); out('D'); out('\n');
  return 0;
}
