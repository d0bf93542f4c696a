/* FP/SIMD-heavy benchmark payload. Three kernels per iteration, none of which
 * prints anything or branches on data, so every iteration retires the same
 * number of instructions:
 *   - double precision: a 48x48 matrix product (dot products with one FMADD
 *     chain each; A refilled every iteration with SCVTF from a PRNG), then
 *     every row of the product scaled to unit length (FSQRT, FDIV) and
 *     narrowed to single precision and to integers (FCVT, FCVTZS); each
 *     product element also goes through edges64 (subnormals, NaN payloads);
 *   - single precision: one step of a 64-body gravity simulation (FSQRT,
 *     FDIV, FMADD on S registers; GCC vectorizes it over 4 bodies) and a
 *     16-tap FIR filter over 2048 samples written with AdvSIMD FMLA by
 *     element and EXT, its output fed back as input;
 *   - NEON bytes over two 64 KiB buffers: absolute differences summed with
 *     widening pairwise adds (UABD, UADDLP, UADALP), saturating add and
 *     subtract, EXT, TBL, CNT, CMHI/BSL, UMAX, the result written back.
 * At the end one line gives each kernel's checksum (over the bit patterns of
 * the results, so any FP difference shows), FPSR and the combined checksum:
 *   FPBENCH iterations=N fpcr=0x.. dgemm=0x.. sp=0x.. neon=0x.. fpsr=0x.. checksum=0x..
 * The iteration count is read from `fpbench_param` (the bench_param word
 * 4 KiB below the image; QEMU: -device loader,addr=<it>,data=N,data-len=4),
 * 0 meaning 4; the next word is the FPCR value to run with (0 by default:
 * round to nearest, no flush to zero, default NaN off), printed back.
 *
 * FP is off at reset (CPACR_EL1.FPEN = 0) and the runtime does not turn it
 * on: main() does that before calling anything that touches V registers.
 * Everything that may run with FP off (main, the exception handler, the MMU
 * setup) is compiled for general registers only. */
#include <arm_neon.h>
#include "rt.h"

#define GPR_ONLY __attribute__((target("general-regs-only")))
#define NOINLINE __attribute__((noinline))

extern volatile u32 fpbench_param[]; /* = bench_param, defined by build.sh */

typedef signed int s32;
typedef unsigned short u16;

static u64 bits64(double d) {
  u64 u;
  __builtin_memcpy(&u, &d, 8);
  return u;
}

static u32 bits32(float f) {
  u32 u;
  __builtin_memcpy(&u, &f, 4);
  return u;
}

static double from64(u64 u) {
  double d;
  __builtin_memcpy(&d, &u, 8);
  return d;
}

static float from32(u32 u) {
  float f;
  __builtin_memcpy(&f, &u, 4);
  return f;
}

/* Edge cases that depend on FPCR.FZ and FPCR.DN: a subnormal product and its
 * scaled-back value (flushed to zero under FZ), and a signalling NaN with a
 * payload taken from x added to x (IOC; the quieted NaN keeps its payload
 * unless DN asks for the default NaN). */
static u64 edges64(double x) {
  double t = x * 0x1p-1040;
  double u = t * 0x1p+1000;
  double w = from64(0x7ff4000000000000UL | (bits64(x) & 0xffffffffUL)) + x;
  return bits64(t) ^ (bits64(u) << 1) ^ (bits64(w) << 2);
}

static u64 edges32(float x) {
  float t = x * 0x1p-140f;
  float u = t * 0x1p+100f;
  float w = from32(0x7fa00000u | (bits32(x) & 0xffffu)) + x;
  return bits32(t) ^ ((u64)bits32(u) << 20) ^ ((u64)bits32(w) << 40);
}

/* 64-bit mixing step (multiply, xor-shift): the order of the inputs matters. */
static u64 mix(u64 h, u64 v) {
  h ^= v;
  h *= 0x9fb21c651e98df25UL;
  return h ^ (h >> 29);
}

static u32 xorshift(u32 *s) {
  u32 x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* ---- double precision: matrix product ---- */
#define M 48
static double A[M][M], Bt[M][M], C[M][M];
static float Cf[M][M];
static s32 Ci[M][M];

NOINLINE static void dgemm_init(void) {
  u32 s = 0x2545f491;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < M; j++) Bt[i][j] = (double)(s32)xorshift(&s) * 0x1p-31;
}

NOINLINE static u64 dgemm(u32 iter, u64 h) {
  u32 s = 0x9e3779b9u * (iter + 1) | 1;
  for (int i = 0; i < M; i++)
    for (int k = 0; k < M; k++) A[i][k] = (double)(s32)xorshift(&s) * 0x1p-31;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < M; j++) {
      double sum = 0.0;
      for (int k = 0; k < M; k++) sum += A[i][k] * Bt[j][k]; /* fused: FMADD */
      C[i][j] = sum;
    }
  for (int i = 0; i < M; i++) {
    double ss = 0.0;
    for (int j = 0; j < M; j++) ss += C[i][j] * C[i][j];
    double inv = 1.0 / __builtin_sqrt(ss);
    for (int j = 0; j < M; j++) {
      double v = C[i][j] * inv;
      Cf[i][j] = (float)v;
      Ci[i][j] = (s32)(v * 1e9);
    }
  }
  for (int i = 0; i < M; i++)
    for (int j = 0; j < M; j++)
      h = mix(h, bits64(C[i][j]) ^ ((u64)bits32(Cf[i][j]) << 7) ^ (u64)(u32)Ci[i][j] ^ (edges64(C[i][j]) << 3));
  return h;
}

/* ---- single precision: n-body step and a vector FIR filter ---- */
#define NB 64
static float px[NB], py[NB], pz[NB], vx[NB], vy[NB], vz[NB], mass[NB];

NOINLINE static void nbody_init(void) {
  u32 s = 0x6b43a9b5;
  for (int i = 0; i < NB; i++) {
    px[i] = (float)(s32)xorshift(&s) * 0x1p-31f;
    py[i] = (float)(s32)xorshift(&s) * 0x1p-31f;
    pz[i] = (float)(s32)xorshift(&s) * 0x1p-31f;
    vx[i] = vy[i] = vz[i] = 0.0f;
    mass[i] = (float)(xorshift(&s) >> 8) * 0x1p-24f * 0.01f + 0.001f;
  }
}

NOINLINE static u64 nbody_step(u64 h) {
  const float dt = 0.001f, eps = 0.01f;
  for (int i = 0; i < NB; i++) {
    float ax = 0.0f, ay = 0.0f, az = 0.0f;
    for (int j = 0; j < NB; j++) {
      float dx = px[j] - px[i], dy = py[j] - py[i], dz = pz[j] - pz[i];
      float r2 = dx * dx + dy * dy + dz * dz + eps;
      float inv = 1.0f / __builtin_sqrtf(r2);
      float f = mass[j] * inv * inv * inv;
      ax += dx * f;
      ay += dy * f;
      az += dz * f;
    }
    vx[i] += ax * dt;
    vy[i] += ay * dt;
    vz[i] += az * dt;
  }
  for (int i = 0; i < NB; i++) {
    px[i] += vx[i] * dt;
    py[i] += vy[i] * dt;
    pz[i] += vz[i] * dt;
    h = mix(h, ((u64)bits32(px[i]) << 32 | bits32(vx[i])) ^ ((u64)bits32(py[i]) << 16) ^ bits32(vz[i]) ^ ((u64)bits32(pz[i]) << 40));
    h = mix(h, edges32(px[i]));
  }
  return h;
}

#define FIR_TAPS 16
#define FIR_N 2048
#define ALIGN16 __attribute__((aligned(16)))
static float fir_src[FIR_N + FIR_TAPS] ALIGN16, fir_x[FIR_N + FIR_TAPS] ALIGN16, fir_y[FIR_N] ALIGN16;
static float fir_h[FIR_TAPS] ALIGN16;

NOINLINE static void fir_init(void) {
  u32 s = 0x3c6ef372;
  for (int i = 0; i < FIR_N + FIR_TAPS; i++) fir_x[i] = fir_src[i] = (float)(s32)xorshift(&s) * 0x1p-31f;
  /* Taps with sum |h| < 1: the fed-back signal stays bounded. */
  for (int k = 0; k < FIR_TAPS; k++) fir_h[k] = (float)(s32)xorshift(&s) * 0x1p-31f / (float)FIR_TAPS;
}

/* 16-byte aligned vector load/store (the build has -mstrict-align: GCC needs to know). */
static float32x4_t ld4f(const float *p) { return vld1q_f32(__builtin_assume_aligned(p, 16)); }
static void st4f(float *p, float32x4_t v) { vst1q_f32(__builtin_assume_aligned(p, 16), v); }

/* Four taps h[4t..4t+3] (vector ht) against x[n+4t .. n+4t+6] held in q0, q1 (EXT picks the windows). */
#define FIR4(q0, q1, ht)                                        \
  acc = vfmaq_laneq_f32(acc, q0, ht, 0);                        \
  acc = vfmaq_laneq_f32(acc, vextq_f32(q0, q1, 1), ht, 1);      \
  acc = vfmaq_laneq_f32(acc, vextq_f32(q0, q1, 2), ht, 2);      \
  acc = vfmaq_laneq_f32(acc, vextq_f32(q0, q1, 3), ht, 3)

NOINLINE static u64 fir(u64 h) {
  const float32x4_t h0 = ld4f(&fir_h[0]), h1 = ld4f(&fir_h[4]), h2 = ld4f(&fir_h[8]), h3 = ld4f(&fir_h[12]);
  for (int n = 0; n < FIR_N; n += 4) {
    float32x4_t x0 = ld4f(&fir_x[n]), x1 = ld4f(&fir_x[n + 4]), x2 = ld4f(&fir_x[n + 8]), x3 = ld4f(&fir_x[n + 12]),
                x4 = ld4f(&fir_x[n + 16]);
    float32x4_t acc = vdupq_n_f32(0.0f);
    FIR4(x0, x1, h0);
    FIR4(x1, x2, h1);
    FIR4(x2, x3, h2);
    FIR4(x3, x4, h3);
    st4f(&fir_y[n], acc);
  }
  /* Feed back: x = y + 0.5 * src (lane-wise, fused), and fold y into the checksum. */
  const float32x4_t half = vdupq_n_f32(0.5f);
  uint32x4_t acc = vdupq_n_u32(0);
  for (int n = 0; n < FIR_N; n += 4) {
    float32x4_t y = ld4f(&fir_y[n]);
    st4f(&fir_x[n], vfmaq_f32(y, ld4f(&fir_src[n]), half));
    acc = veorq_u32(vreinterpretq_u32_f32(y), vsriq_n_u32(vshlq_n_u32(acc, 1), acc, 31));
  }
  h = mix(h, vgetq_lane_u64(vreinterpretq_u64_u32(acc), 0));
  return mix(h, vgetq_lane_u64(vreinterpretq_u64_u32(acc), 1));
}

/* ---- AdvSIMD bytes ---- */
#define NBYTES 65536
static u8 buf_a[NBYTES] ALIGN16;
static u8 buf_b[NBYTES] ALIGN16;
static uint8x16_t ld16b(const u8 *p) { return vld1q_u8(__builtin_assume_aligned(p, 16)); }

NOINLINE static void neon_init(void) {
  u32 s = 0x510e527f;
  for (int i = 0; i < NBYTES; i += 4) {
    u32 r = xorshift(&s);
    buf_a[i] = (u8)r;
    buf_a[i + 1] = (u8)(r >> 8);
    buf_a[i + 2] = (u8)(r >> 16);
    buf_a[i + 3] = (u8)(r >> 24);
    buf_b[i] = (u8)(r >> 5);
    buf_b[i + 1] = (u8)(r >> 13);
    buf_b[i + 2] = (u8)(r >> 21);
    buf_b[i + 3] = (u8)(r >> 29);
  }
}

NOINLINE static u64 neon_bytes(u64 h) {
  static const u8 sbox[16] ALIGN16 = {0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76};
  const uint8x16_t table = ld16b(sbox);
  const uint8x16_t low = vdupq_n_u8(0x0f);
  uint32x4_t sad = vdupq_n_u32(0);
  uint16x8_t pop = vdupq_n_u16(0);
  uint8x16_t mx = vdupq_n_u8(0);
  for (int i = 0; i < NBYTES; i += 16) {
    uint8x16_t a = ld16b(&buf_a[i]);
    uint8x16_t b = ld16b(&buf_b[i]);
    sad = vpadalq_u16(sad, vpaddlq_u8(vabdq_u8(a, b)));
    uint8x16_t sum = vqaddq_u8(a, b);
    uint8x16_t diff = vqsubq_u8(a, b);
    uint8x16_t sub = vqtbl1q_u8(table, vandq_u8(sum, low));
    uint8x16_t pick = vbslq_u8(vcgtq_u8(a, b), sum, diff);
    pop = vpadalq_u8(pop, vcntq_u8(pick));
    mx = vmaxq_u8(mx, veorq_u8(pick, sub));
    vst1q_u8(__builtin_assume_aligned(&buf_b[i], 16), veorq_u8(vextq_u8(pick, sub, 3), vrhaddq_u8(a, b)));
  }
  h = mix(h, vaddvq_u32(sad));
  h = mix(h, vaddlvq_u16(pop));
  h = mix(h, vgetq_lane_u64(vreinterpretq_u64_u8(mx), 0) ^ vgetq_lane_u64(vreinterpretq_u64_u8(mx), 1));
  return h;
}

/* ---- runtime glue (general registers only: FP may be off) ---- */
GPR_ONLY void exc_handler(struct frame *f, u64 kind) {
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

GPR_ONLY static void mmu_on(void) {
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

/* CPACR_EL1.FPEN = 0b11: FP/AdvSIMD at EL0 and EL1 without traps; FPCR as
 * given (RMode, FZ, DN, AHP), FPSR cleared. */
GPR_ONLY static void fp_on(u64 fpcr) {
  WRITE_SYSREG(cpacr_el1, READ_SYSREG(cpacr_el1) | (3UL << 20));
  ISB();
  WRITE_SYSREG(fpcr, fpcr);
  WRITE_SYSREG(fpsr, 0);
}

struct sums {
  u64 dgemm, sp, neon;
};

NOINLINE static void run(u32 n, struct sums *out) {
  dgemm_init();
  nbody_init();
  fir_init();
  neon_init();
  u64 hd = 0, hs = 0, hn = 0;
  for (u32 i = 0; i < n; i++) {
    hd = dgemm(i, hd);
    hs = fir(nbody_step(hs));
    hn = neon_bytes(hn);
  }
  out->dgemm = hd;
  out->sp = hs;
  out->neon = hn;
}

GPR_ONLY int main(void) {
  mmu_on();
  fp_on(fpbench_param[1]);
  u32 n = fpbench_param[0] ? fpbench_param[0] : 4;
  struct sums s;
  run(n, &s);
  u64 fpsr = READ_SYSREG(fpsr);
  puts("FPBENCH iterations=");
  putdec(n);
  puts(" fpcr=");
  puthex(READ_SYSREG(fpcr));
  puts(" dgemm=");
  puthex(s.dgemm);
  puts(" sp=");
  puthex(s.sp);
  puts(" neon=");
  puthex(s.neon);
  puts(" fpsr=");
  puthex(fpsr);
  puts(" checksum=");
  puthex(mix(mix(mix(mix(0, s.dgemm), s.sp), s.neon), fpsr));
  puts("\n");
  return 0;
}
