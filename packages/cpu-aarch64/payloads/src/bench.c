/* CPU-bound benchmark payload (integer only): PRNG fill, software CRC32,
 * a multiplicative hash, heap sort and a byte-level state machine. Every
 * iteration does the same work, so instructions per iteration are constant.
 * The iteration count is read from `bench_param` (4 KiB below the image, in
 * RAM no segment covers) when the host put a non-zero value there (QEMU:
 * -device loader,addr=<bench_param>,data=N,data-len=4), else 4. */
#include "rt.h"

extern volatile u32 bench_param[]; /* defined by runtime/link.ld */

#define N 4096
static u32 data[N];
static u8 text[8192];
static u32 crc_table[256];

static u32 xorshift(u32 *s) {
  u32 x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static void crc_init(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static u32 crc32(const u8 *p, u64 n) {
  u32 c = ~0u;
  for (u64 i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

static u64 hash64(const u32 *p, u64 n) {
  u64 h = 0x9e3779b97f4a7c15UL;
  for (u64 i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0xff51afd7ed558ccdUL;
    h ^= h >> 33;
  }
  return h;
}

static void sift(u32 *a, u64 start, u64 end) {
  u64 root = start;
  while (2 * root + 1 <= end) {
    u64 child = 2 * root + 1, sw = root;
    if (a[sw] < a[child]) sw = child;
    if (child + 1 <= end && a[sw] < a[child + 1]) sw = child + 1;
    if (sw == root) return;
    u32 t = a[root];
    a[root] = a[sw];
    a[sw] = t;
    root = sw;
  }
}

static void heapsort(u32 *a, u64 n) {
  for (u64 s = (n - 2) / 2 + 1; s-- > 0;) sift(a, s, n - 1);
  for (u64 end = n - 1; end > 0; end--) {
    u32 t = a[end];
    a[end] = a[0];
    a[0] = t;
    sift(a, 0, end - 1);
  }
}

/* Tokenizer state machine: counts words, numbers and lines. */
static u64 tokenize(const u8 *p, u64 n) {
  enum { SPACE, WORD, NUMBER } st = SPACE;
  u64 words = 0, numbers = 0, lines = 0;
  for (u64 i = 0; i < n; i++) {
    u8 c = p[i];
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    int digit = c >= '0' && c <= '9';
    if (c == '\n') lines++;
    switch (st) {
      case SPACE:
        if (alpha) { st = WORD; words++; }
        else if (digit) { st = NUMBER; numbers++; }
        break;
      case WORD:
        if (!alpha && !digit) st = SPACE;
        break;
      case NUMBER:
        if (alpha) { st = WORD; words++; }
        else if (!digit) st = SPACE;
        break;
    }
  }
  return words * 1000003 + numbers * 1009 + lines;
}

static u64 iteration(void) {
  u32 s = 0x12345678;
  for (int i = 0; i < N; i++) data[i] = xorshift(&s);
  static const char alphabet[] = "abc def 123 XyZ\n45 q-r, s.t 6789 ";
  for (int i = 0; i < (int)sizeof text; i++) text[i] = (u8)alphabet[xorshift(&s) % (sizeof alphabet - 1)];
  u64 sum = crc32((const u8 *)data, sizeof data);
  sum = sum * 31 + hash64(data, N);
  heapsort(data, N);
  for (int i = 1; i < N; i++)
    if (data[i - 1] > data[i]) sum ^= 0xdeadUL;
  sum = sum * 31 + hash64(data, N);
  sum = sum * 31 + tokenize(text, sizeof text);
  sum = sum * 31 + crc32(text, sizeof text);
  return sum;
}

void exc_handler(struct frame *f, u64 kind) {
  puts("FAIL exception ");
  putdec(kind);
  puts(" ESR ");
  puthex(f->esr);
  puts("\n");
  psci_system_off();
}

/* Identity map with caches on, as an OS runs: GiB 0 Device, the RAM GiB in
 * 2 MiB Normal write-back blocks. */
static u64 l1[512] __attribute__((aligned(4096)));
static u64 l2[512] __attribute__((aligned(4096)));

static void mmu_on(void) {
  u64 ram_gb = (u64)l1 & ~0x3fffffffUL;
  l1[0] = 1UL | (1UL << 2) | (1UL << 10);
  l1[ram_gb >> 30] = (u64)l2 | 3UL;
  for (u64 i = 0; i < 512; i++) l2[i] = (ram_gb + (i << 21)) | 1UL | (3UL << 8) | (1UL << 10);
  WRITE_SYSREG(mair_el1, 0x00ffUL);
  WRITE_SYSREG(tcr_el1, 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 23) | (2UL << 32));
  WRITE_SYSREG(ttbr0_el1, (u64)l1);
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1 | (1 << 2) | (1 << 12));
  ISB();
}

int main(void) {
  mmu_on();
  crc_init();
  u32 n = bench_param[0] ? bench_param[0] : 4;
  u64 sum = 0;
  for (u32 i = 0; i < n; i++) sum = sum * 1000003 + iteration();
  puts("BENCH iterations=");
  putdec(n);
  puts(" checksum=");
  puthex(sum);
  puts("\n");
  return 0;
}
