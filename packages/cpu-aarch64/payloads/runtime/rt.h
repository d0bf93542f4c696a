/* Tiny runtime for bare-metal payloads: UART output, system registers, exceptions. */
#ifndef RT_H
#define RT_H

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

/* Exception frame saved by the vectors (runtime/start.S). */
struct frame {
  u64 x[31];
  u64 elr, spsr, esr, far;
};

#define READ_SYSREG(r) ({ u64 _v; __asm__ volatile("mrs %0, " #r : "=r"(_v)); _v; })
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((u64)(v)))
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb sy" ::: "memory")

static inline u32 mmio_read32(u64 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write32(u64 addr, u32 v) { *(volatile u32 *)addr = v; }
static inline void mmio_write8(u64 addr, u8 v) { *(volatile u8 *)addr = v; }

void putc(char c);
void puts(const char *s);
void puthex(u64 v);
void putdec(u64 v);
void psci_system_off(void) __attribute__((noreturn));

/* Implemented by each payload: called for every exception with the vector index (0..15). */
void exc_handler(struct frame *f, u64 kind);

#endif
