// Bare-metal aarch64 xHCI driver for QEMU's virt board with `-device qemu-xhci,addr=1
// -device usb-kbd -device usb-tablet` (GICv3 without ITS: no MSI). It enumerates the keyboard
// on port 5 with a fixed sequence (no branch on what it reads) and logs every operation:
// "w addr value" guest RAM writes, "W offset value" register writes, "R offset value" register
// reads, "m addr value" guest RAM reads. qemu-enum.test.ts replays the w/W lines on our
// controller and compares every R/m value.
#include <stdint.h>
#define UART ((volatile uint32_t *)0x09000000)
#define ECAM 0x3f000000UL
#define BAR 0x10000000UL
#define M 0x40400000u
#define CMD (M + 0x1000)
#define EVT (M + 0x2000)
#define ERST (M + 0x3000)
#define OUT (M + 0x4000)
#define IN (M + 0x5000)
#define IN2 (M + 0x5800)
#define EP0 (M + 0x6000)
#define EPR (M + 0x7000)
#define BUF (M + 0x8000)
#define NEVT 64

__asm__(".section .text.start\n.global _start\n_start:\n ldr x0, =0x40200000\n mov sp, x0\n bl main\n"
        " ldr x0, =0x84000008\n hvc #0\n1: b 1b\n"); // PSCI SYSTEM_OFF

static void out(char c) { *UART = (uint32_t)c; }
static void hex(uint32_t v) {
  for (int i = 28; i >= 0; i -= 4) out("0123456789abcdef"[(v >> i) & 15]);
}
static void log(char k, uint32_t a, uint32_t v) { out(k); out(' '); hex(a); out(' '); hex(v); out('\n'); }
static void mw(uint32_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; log('w', a, v); }
static uint32_t mr(uint32_t a) { uint32_t v = *(volatile uint32_t *)(uintptr_t)a; log('m', a, v); return v; }
static void W(uint32_t off, uint32_t v) { *(volatile uint32_t *)(BAR + off) = v; log('W', off, v); }
static uint32_t R(uint32_t off) { uint32_t v = *(volatile uint32_t *)(BAR + off); log('R', off, v); return v; }
static void dump(uint32_t a, int dwords) { for (int i = 0; i < dwords; i++) mr(a + 4 * i); }

static int ncmd;
static void cmd(uint32_t d0, uint32_t d3) {
  uint32_t t = CMD + 16 * ncmd++;
  mw(t, d0); mw(t + 4, 0); mw(t + 8, 0); mw(t + 12, d3 | 1);
  W(0x2000, 0);
}
static int nep0, nbuf;
static void trb(uint32_t ring, int *n, uint32_t d0, uint32_t d1, uint32_t d2, uint32_t d3) {
  uint32_t t = ring + 16 * (*n)++;
  mw(t, d0); mw(t + 4, d1); mw(t + 8, d2); mw(t + 12, d3 | 1);
}
// A control transfer the way Linux queues it; returns the data buffer.
static uint32_t ctl(uint32_t rt, uint32_t req, uint32_t value, uint32_t index, uint32_t len) {
  uint32_t buf = BUF + 0x100 * nbuf++;
  int in = (rt & 0x80) != 0;
  trb(EP0, &nep0, rt | (req << 8) | (value << 16), index | (len << 16), 8, (2 << 10) | (1 << 6) | ((len ? (in ? 3 : 2) : 0) << 16));
  if (len) trb(EP0, &nep0, buf, 0, len, (3 << 10) | (in ? (1 << 2) | (1 << 16) : 0));
  trb(EP0, &nep0, 0, 0, 0, (4 << 10) | (1 << 5) | (in && len ? 0 : 1 << 16));
  W(0x2004, 1);
  return buf;
}

int main(void) {
  volatile uint32_t *cfg = (volatile uint32_t *)(ECAM + (1u << 15));
  cfg[4] = BAR; cfg[5] = 0; cfg[1] = 0x6;
  // Reset and set up as Linux does.
  W(0x40, 0); W(0x40, 2); R(0x40); R(0x44);
  W(0x78, 8); W(0x70, M); W(0x74, 0);
  W(0x58, CMD | 1); W(0x5c, 0);
  mw(ERST, EVT); mw(ERST + 4, 0); mw(ERST + 8, NEVT);
  W(0x1028, 1); W(0x1038, EVT); W(0x103c, 0); W(0x1030, ERST); W(0x1034, 0); W(0x1020, 2);
  W(0x40, 1); R(0x44); R(0x1020);
  // Port 5 (the keyboard): clear CSC, reset, clear PRC.
  R(0x480); W(0x480, 0x00020200); W(0x480, 0x00000210); R(0x480); W(0x480, 0x00200200); R(0x480); R(0x44);
  // Enable Slot, Address Device (BSR = 0).
  cmd(0, 9 << 10);
  mw(M + 8, OUT); mw(M + 12, 0);
  mw(IN + 4, 3);
  mw(IN + 32, (1u << 27) | (3u << 20)); mw(IN + 36, 5u << 16);
  mw(IN + 68, (64u << 16) | (4 << 3) | (3 << 1)); mw(IN + 72, EP0 | 1);
  cmd(IN, (11 << 10) | (1u << 24));
  dump(OUT, 8); dump(OUT + 32, 8);
  // Descriptors and standard requests.
  uint32_t dev = ctl(0x80, 6, 0x0100, 0, 18);
  uint32_t conf = ctl(0x80, 6, 0x0200, 0, 255);
  uint32_t lang = ctl(0x80, 6, 0x0300, 0, 255);
  uint32_t status = ctl(0x80, 0, 0, 0, 2);
  uint32_t getconf = ctl(0x80, 8, 0, 0, 1);
  // Configure Endpoint: interrupt IN endpoint 1 (DCI 3).
  mw(IN2 + 4, 1 | (1 << 3)); mw(IN2 + 32, 3u << 27);
  mw(IN2 + 128, 7u << 16); mw(IN2 + 132, (8u << 16) | (7 << 3) | (3 << 1)); mw(IN2 + 136, EPR | 1); mw(IN2 + 144, (8u << 16) | 8);
  cmd(IN2, (12 << 10) | (1u << 24));
  dump(OUT, 8); dump(OUT + 96, 8);
  ctl(0x00, 9, 1, 0, 0);           // SET_CONFIGURATION 1
  ctl(0x21, 0x0a, 0, 0, 0);        // SET_IDLE 0
  uint32_t idle = ctl(0xa1, 0x02, 0, 0, 1);     // GET_IDLE
  uint32_t proto = ctl(0xa1, 0x03, 0, 0, 1);    // GET_PROTOCOL
  uint32_t report = ctl(0xa1, 0x01, 0x0100, 0, 8); // GET_REPORT input
  getconf = ctl(0x80, 8, 0, 0, 1);
  // An interrupt IN TD that waits, then Stop Endpoint and Set TR Dequeue past it.
  int nr = 0;
  trb(EPR, &nr, BUF + 0x1000, 0, 8, (1 << 10) | (1 << 2) | (1 << 5));
  W(0x2004, 3);
  cmd(0, (15 << 10) | (3 << 16) | (1u << 24));
  dump(OUT + 96, 8);
  cmd(EPR + 16 + 1, (16 << 10) | (3 << 16) | (1u << 24));
  dump(OUT + 96, 8);
  cmd(0, (14 << 10) | (3 << 16) | (1u << 24)); // Reset Endpoint of a stopped endpoint
  cmd(0, 23 << 10);                              // No Op
  // A request the keyboard does not know: STALL, then Reset Endpoint of EP0.
  ctl(0x80, 6, 0x0900, 0, 8);
  dump(OUT + 32, 8);
  cmd(0, (14 << 10) | (1 << 16) | (1u << 24));
  dump(OUT + 32, 8);
  cmd(0, (17 << 10) | (1u << 24)); // Reset Device
  dump(OUT, 8);
  cmd(0, (10 << 10) | (1u << 24)); // Disable Slot
  cmd(0, (10 << 10) | (1u << 24)); // again: Slot Not Enabled
  cmd(0, (10 << 10) | (70u << 24)); // no such slot
  cmd(0, 9 << 10);                  // Enable Slot again
  cmd(0, 30 << 10);                 // not a command
  // Key input through the re-enabled slot 1: address and configure the keyboard again, queue two interrupt
  // TDs, print "K" (the host presses and releases 'a' then) and wait for two transfer events.
  mw(M + 8, OUT + 0x400); mw(M + 12, 0);
  mw(IN + 72, EP0 + 0x800 | 1);
  cmd(IN, (11 << 10) | (1 << 9) | (1u << 24)); // BSR = 1 first (Linux's new scheme)
  dump(OUT + 0x400, 8); dump(OUT + 0x420, 8);
  cmd(IN, (11 << 10) | (1 << 9) | (1u << 24)); // again: Context State Error
  cmd(IN, (11 << 10) | (1u << 24));
  dump(OUT + 0x400, 8); dump(OUT + 0x420, 8);
  // Evaluate Context: EP0 max packet size 8 and a max exit latency.
  mw(IN + 0x300 + 4, 3); mw(IN + 0x300 + 36, 0x10); mw(IN + 0x300 + 68, 8u << 16);
  cmd(IN + 0x300, (13 << 10) | (1u << 24));
  dump(OUT + 0x400, 8); dump(OUT + 0x420, 8);
  mw(IN2 + 136, EPR + 0x800 | 1);
  cmd(IN2, (12 << 10) | (1u << 24));
  int nk = 0;
  trb(EPR + 0x800, &nk, BUF + 0x1100, 0, 8, (1 << 10) | (1 << 2) | (1 << 5));
  trb(EPR + 0x800, &nk, BUF + 0x1200, 0, 8, (1 << 10) | (1 << 2) | (1 << 5));
  int before = 0;
  for (int i = 0; i < NEVT; i++) before += *(volatile uint32_t *)(uintptr_t)(EVT + 16 * i + 12) & 1;
  W(0x2004, 3);
  out('K'); out('\n');
  for (long spin = 0; spin < 400000000L; spin++) {
    int n = 0;
    for (int i = 0; i < NEVT; i++) n += *(volatile uint32_t *)(uintptr_t)(EVT + 16 * i + 12) & 1;
    if (n >= before + 2) break;
  }
  dump(BUF + 0x1100, 2); dump(BUF + 0x1200, 2); dump(OUT + 0x400 + 96, 8);
  // Results.
  dump(dev, 5); dump(conf, 9); dump(lang, 1); dump(status, 1); dump(getconf, 1);
  dump(idle, 1); dump(proto, 1); dump(report, 2);
  dump(EVT, 4 * NEVT);
  R(0x44); R(0x1020); R(0x1038); R(0x58); R(0x480);
  out('E'); out('N'); out('D'); out('\n');
  return 0;
}
