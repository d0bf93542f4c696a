#include "rt.h"

#ifndef UART_BASE
#error "UART_BASE must be given by the build"
#endif

/* PL011: data register at 0x00, flag register at 0x18 (TXFF = bit 5). */
void putc(char c) {
  while (mmio_read32(UART_BASE + 0x18) & (1u << 5)) {
  }
  mmio_write32(UART_BASE, (u8)c);
}

void puts(const char *s) {
  while (*s) {
    if (*s == '\n') putc('\r');
    putc(*s++);
  }
}

void puthex(u64 v) {
  char buf[19];
  buf[0] = '0';
  buf[1] = 'x';
  for (int i = 0; i < 16; i++) {
    unsigned d = (v >> (60 - 4 * i)) & 15;
    buf[2 + i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
  }
  buf[18] = 0;
  puts(buf);
}

void putdec(u64 v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  puts(buf + i);
}
