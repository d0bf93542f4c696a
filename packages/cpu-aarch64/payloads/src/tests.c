/* Architecture tests for the CPU: exceptions, EL0, MMU, generic timer + GICv3.
 * Prints one "PASS name" or "FAIL name ..." line per check, then "DONE", and
 * powers off via PSCI. Output must be identical under QEMU and the interpreter,
 * so it prints no addresses, only architectural values. */
#include "rt.h"

#ifndef GICD_BASE
#error "GICD_BASE must be given by the build"
#endif
#ifndef GICR_BASE
#error "GICR_BASE must be given by the build"
#endif

extern char el0_entry[], el0_mrs[], el0_return[], el0_counter[], el0_wait[];
void run_el0(void *entry, void *stack, u64 spsr, volatile void *arg);

static int failures;

static void check(const char *name, int ok, u64 detail) {
  puts(ok ? "PASS " : "FAIL ");
  puts(name);
  if (!ok) {
    puts(" ");
    puthex(detail);
    failures++;
  }
  puts("\n");
}

/* ---- synchronous exceptions --------------------------------------------------- */

static volatile u64 resume_pc, el0_undef_esr, exc_count, last_esr, last_far, last_elr, last_spsr, last_kind;
static volatile u64 irq_count, irq_intid, irq_cntvct, irq_ctl, irq_from_el0, irq_from_el0_spsr;
static void irq_handler(void);

void exc_handler(struct frame *f, u64 kind) {
  if (kind == 5 || kind == 9) {
    if (kind == 9) {
      irq_from_el0++;
      irq_from_el0_spsr = f->spsr;
    }
    irq_handler();
    return;
  }
  if (kind != 4 && kind != 8) {
    puts("FAIL unexpected exception vector ");
    putdec(kind);
    puts(" ESR ");
    puthex(f->esr);
    puts("\n");
    psci_system_off();
  }
  exc_count++;
  last_esr = f->esr;
  last_far = f->far;
  last_elr = f->elr;
  last_spsr = f->spsr;
  last_kind = kind;
  u64 ec = f->esr >> 26;
  if (kind == 8 && ec != 0x15) el0_undef_esr = f->esr;
  if (kind == 8 && ec == 0x15) {
    /* SVC from EL0: resume the EL1 caller of run_el0. */
    f->elr = (u64)el0_return;
    f->spsr = 0x3c5;
  } else if (resume_pc) {
    if (ec == 0x0e) f->spsr &= ~(1UL << 20); /* clear PSTATE.IL before returning */
    f->elr = resume_pc; /* the test said where to continue */
    resume_pc = 0;
  } else if (ec != 0x15) {
    f->elr += 4; /* skip the faulting instruction (SVC already returns past itself) */
  }
}

static u64 ec_of(u64 esr) { return esr >> 26; }

static void test_exceptions(void) {
  u64 before = exc_count;
  u64 at;
  __asm__ volatile("adr %0, 1f\n1: svc #0x123" : "=r"(at) : : "memory");
  check("svc-ec", exc_count == before + 1 && ec_of(last_esr) == 0x15, last_esr);
  check("svc-iss", (last_esr & 0xffff) == 0x123, last_esr);
  check("svc-il", (last_esr >> 25) & 1, last_esr);
  check("svc-elr", last_elr == at + 4, last_elr - at);
  check("svc-spsr-el1h", (last_spsr & 0xf) == 5, last_spsr);

  __asm__ volatile("adr %0, 1f\n1: udf #7" : "=r"(at) : : "memory");
  check("udf-ec", ec_of(last_esr) == 0x00, last_esr);
  check("udf-elr", last_elr == at, last_elr - at);
  check("udf-il", (last_esr >> 25) & 1, last_esr);

  __asm__ volatile("adr %0, 1f\n1: brk #0x77" : "=r"(at) : : "memory");
  check("brk-ec", ec_of(last_esr) == 0x3c, last_esr);
  check("brk-iss", (last_esr & 0xffff) == 0x77, last_esr);
  check("brk-elr", last_elr == at, last_elr - at);

  before = exc_count;
  char stack[256] __attribute__((aligned(16)));
  run_el0(el0_entry, stack + sizeof stack, 0x3c0, 0);
  check("el0-svc", exc_count == before + 2 && ec_of(last_esr) == 0x15 && (last_esr & 0xffff) == 0x42, last_esr);
  check("el0-mrs-undef", el0_undef_esr != 0 && ec_of(el0_undef_esr) == 0x00, el0_undef_esr);
  check("el0-svc-vector", last_kind == 8, last_kind);
  check("el0-svc-spsr-el0t", (last_spsr & 0xf) == 0, last_spsr);

  /* EL0 counter access: trapped (EC 0x18, ISS = the MRS encoding) unless CNTKCTL_EL1.EL0VCTEN. */
  WRITE_SYSREG(cntkctl_el1, 0);
  ISB();
  el0_undef_esr = 0;
  run_el0(el0_counter, stack + sizeof stack, 0x3c0, 0);
  u64 iss = (3UL << 20) | (2UL << 17) | (3UL << 14) | (14UL << 10) | 1; /* op0 op2 op1 CRn Rt=0 CRm=0 read */
  check("el0-cntvct-trap-ec", ec_of(el0_undef_esr) == 0x18, el0_undef_esr);
  check("el0-cntvct-trap-iss", (el0_undef_esr & 0x1ffffff) == iss, el0_undef_esr);
  WRITE_SYSREG(cntkctl_el1, 2);
  ISB();
  el0_undef_esr = 0;
  run_el0(el0_counter, stack + sizeof stack, 0x3c0, 0);
  check("el0-cntvct-allowed", el0_undef_esr == 0 && (last_esr & 0xffff) == 0x43, el0_undef_esr);
}

/* With the MMU off, an address above the implemented PA range is an Address
 * size fault (level 0), never an access to some other address. */
static void test_mmu_off_range(void) {
  volatile u64 *far_away = (volatile u64 *)0xffff000000001000UL;
  u64 before = exc_count;
  *far_away = 0x77;
  check("mmu-off-size-fault-taken", exc_count == before + 1, exc_count - before);
  check("mmu-off-size-fault-ec", ec_of(last_esr) == 0x25, last_esr);
  check("mmu-off-size-fault-dfsc", (last_esr & 0x3f) == 0x00, last_esr);
  check("mmu-off-size-fault-far", last_far == 0xffff000000001000UL, last_far);
}

/* ---- MMU ------------------------------------------------------------------------- */

/* Level 1: 1 GiB entries (T0SZ = 25, 39-bit VA). */
static u64 l1[512] __attribute__((aligned(4096)));
static u64 l2_ram[512] __attribute__((aligned(4096)));
static u64 l2_test[512] __attribute__((aligned(4096)));
static u64 l3_test[512] __attribute__((aligned(4096)));
static u64 l1_asid2[512] __attribute__((aligned(4096)));
static u64 l2_asid2[512] __attribute__((aligned(4096)));
static u64 l3_asid2[512] __attribute__((aligned(4096)));
static u64 l1_high[512] __attribute__((aligned(4096)));
static u64 l2_high[512] __attribute__((aligned(4096)));
static u64 l3_high[512] __attribute__((aligned(4096)));
static volatile u64 page_b[512] __attribute__((aligned(4096)));
static volatile u64 page_c[512] __attribute__((aligned(4096)));

#define TEST_VA 0x100000000UL /* L1 index 4 */
#define DESC_VALID 1UL
#define DESC_TABLE 3UL
#define DESC_PAGE 3UL
#define ATTR_NORMAL (0UL << 2)
#define ATTR_DEVICE (1UL << 2)
#define AP_RW_EL1 (0UL << 6)
#define AP_RO_EL1 (2UL << 6)
#define SH_INNER (3UL << 8)
#define AF (1UL << 10)

static void test_mmu(void) {
  u64 ram_gb = (u64)l1 & ~0x3fffffffUL;
  /* Identity: GiB 0 = devices; the GiB holding RAM in 2 MiB Normal blocks. */
  l1[0] = 0 | DESC_VALID | ATTR_DEVICE | AF;
  l1[ram_gb >> 30] = (u64)l2_ram | DESC_TABLE;
  for (u64 i = 0; i < 512; i++) l2_ram[i] = (ram_gb + (i << 21)) | DESC_VALID | ATTR_NORMAL | SH_INNER | AF;
  /* Test VA window: page 0 -> page_b (remap), page 1 -> page_c read-only, page 2 invalid. */
  l1[TEST_VA >> 30] = (u64)l2_test | DESC_TABLE;
  l2_test[0] = (u64)l3_test | DESC_TABLE;
  l3_test[0] = (u64)page_b | DESC_PAGE | ATTR_NORMAL | SH_INNER | AF | AP_RW_EL1;
  l3_test[1] = (u64)page_c | DESC_PAGE | ATTR_NORMAL | SH_INNER | AF | AP_RO_EL1;
  l3_test[2] = 0;
  page_c[5] = 0x5a5a1234UL;

  WRITE_SYSREG(mair_el1, 0x00ffUL); /* attr0 Normal WB, attr1 Device-nGnRnE */
  WRITE_SYSREG(tcr_el1, 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 23) | (2UL << 32));
  WRITE_SYSREG(ttbr0_el1, (u64)l1);
  DSB();
  __asm__ volatile("tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  u64 sctlr = READ_SYSREG(sctlr_el1);
  WRITE_SYSREG(sctlr_el1, sctlr | 1 | (1 << 2) | (1 << 12));
  ISB();
  check("mmu-on", (READ_SYSREG(sctlr_el1) & 1) == 1, READ_SYSREG(sctlr_el1));

  volatile u64 *va_b = (volatile u64 *)TEST_VA;
  va_b[3] = 0x1122334455667788UL;
  check("mmu-remap-write", page_b[3] == 0x1122334455667788UL, page_b[3]);
  page_b[4] = 0xcafef00dUL;
  check("mmu-remap-read", va_b[4] == 0xcafef00dUL, va_b[4]);

  volatile u64 *va_c = (volatile u64 *)(TEST_VA + 0x1000);
  check("mmu-ro-read", va_c[5] == 0x5a5a1234UL, va_c[5]);
  u64 before = exc_count;
  va_c[6] = 77;
  check("perm-fault-taken", exc_count == before + 1, exc_count - before);
  check("perm-fault-ec", ec_of(last_esr) == 0x25, last_esr);
  check("perm-fault-dfsc", (last_esr & 0x3f) == 0x0f, last_esr);
  check("perm-fault-wnr", (last_esr >> 6) & 1, last_esr);
  check("perm-fault-far", last_far == TEST_VA + 0x1000 + 6 * 8, last_far);
  check("perm-fault-no-write", page_c[6] == 0, page_c[6]);

  volatile u64 *va_d = (volatile u64 *)(TEST_VA + 0x2000 + 0x18);
  before = exc_count;
  u64 v = *va_d;
  (void)v;
  check("xlat-fault-taken", exc_count == before + 1, exc_count - before);
  check("xlat-fault-ec", ec_of(last_esr) == 0x25, last_esr);
  check("xlat-fault-dfsc-l3", (last_esr & 0x3f) == 0x07, last_esr);
  check("xlat-fault-read", ((last_esr >> 6) & 1) == 0, last_esr);
  check("xlat-fault-far", last_far == TEST_VA + 0x2018, last_far);

  /* Remap page 0 to page_c after the fact: TLBI must make the change visible. */
  l3_test[0] = (u64)page_c | DESC_PAGE | ATTR_NORMAL | SH_INNER | AF | AP_RW_EL1;
  __asm__ volatile("dsb ishst\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  check("tlbi-remap", va_b[5] == 0x5a5a1234UL, va_b[5]);

  /* Access flag clear (no hardware AF update claimed by either): Access flag fault, level 3. */
  l3_test[3] = (u64)page_b | DESC_PAGE | ATTR_NORMAL | SH_INNER | AP_RW_EL1;
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  before = exc_count;
  v = *(volatile u64 *)(TEST_VA + 0x3008);
  check("af-fault-taken", exc_count == before + 1, exc_count - before);
  check("af-fault-dfsc", (last_esr & 0x3f) == 0x0b, last_esr);

  /* Exclusive load from a misaligned Normal address: Alignment fault. */
  before = exc_count;
  __asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(TEST_VA + 4) : "memory");
  check("excl-align-fault-taken", exc_count == before + 1, exc_count - before);
  check("excl-align-fault-dfsc", (last_esr & 0x3f) == 0x21, last_esr);
  check("excl-align-fault-far", last_far == TEST_VA + 4, last_far);

  /* Execute from a PXN page: Instruction abort, permission, level 3; ELR = FAR = target. */
  l3_test[4] = (u64)page_c | DESC_PAGE | ATTR_NORMAL | SH_INNER | AF | AP_RW_EL1 | (1UL << 53);
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  before = exc_count;
  __asm__ volatile("adr x9, 1f\n str x9, [%0]\n blr %1\n1:" : : "r"(&resume_pc), "r"(TEST_VA + 0x4000) : "x9", "x30", "memory");
  check("pxn-abort-taken", exc_count == before + 1, exc_count - before);
  check("pxn-abort-ec", ec_of(last_esr) == 0x21, last_esr);
  check("pxn-abort-ifsc", (last_esr & 0x3f) == 0x0f, last_esr);
  check("pxn-abort-far", last_far == TEST_VA + 0x4000, last_far);
  check("pxn-abort-elr", last_elr == TEST_VA + 0x4000, last_elr);

  /* ASIDs: a non-global page seen under ASID 1, then another table under ASID 2 maps the same VA
   * elsewhere; the ASID-1 TLB entry must not be used for ASID 2, and comes back with ASID 1. */
  l3_test[5] = (u64)page_b | DESC_PAGE | ATTR_NORMAL | SH_INNER | AF | AP_RW_EL1 | (1UL << 11);
  for (int i = 0; i < 512; i++) l1_asid2[i] = l1[i];
  l1_asid2[TEST_VA >> 30] = (u64)l2_asid2 | DESC_TABLE;
  l2_asid2[0] = (u64)l3_asid2 | DESC_TABLE;
  l3_asid2[5] = (u64)page_c | DESC_PAGE | ATTR_NORMAL | SH_INNER | AF | AP_RW_EL1 | (1UL << 11);
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  page_b[7] = 0xb0b0b0b0UL;
  page_c[7] = 0xc0c0c0c0UL;
  volatile u64 *va5 = (volatile u64 *)(TEST_VA + 0x5000);
  WRITE_SYSREG(ttbr0_el1, (u64)l1 | (1UL << 48));
  ISB();
  u64 seen1 = va5[7];
  WRITE_SYSREG(ttbr0_el1, (u64)l1_asid2 | (2UL << 48));
  ISB();
  u64 seen2 = va5[7];
  WRITE_SYSREG(ttbr0_el1, (u64)l1 | (1UL << 48));
  ISB();
  u64 seen3 = va5[7];
  check("asid-1", seen1 == 0xb0b0b0b0UL, seen1);
  check("asid-2", seen2 == 0xc0c0c0c0UL, seen2);
  check("asid-1-again", seen3 == 0xb0b0b0b0UL, seen3);
  WRITE_SYSREG(ttbr0_el1, (u64)l1);
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");

  /* TTBR1: the top of the address space (T1SZ = 25) maps page_b. */
  l1_high[0] = (u64)l2_high | DESC_TABLE;
  l2_high[0] = (u64)l3_high | DESC_TABLE;
  l3_high[2] = (u64)page_b | DESC_PAGE | ATTR_NORMAL | SH_INNER | AF | AP_RW_EL1;
  WRITE_SYSREG(ttbr1_el1, (u64)l1_high);
  u64 tcr = READ_SYSREG(tcr_el1);
  WRITE_SYSREG(tcr_el1, (tcr & ~(1UL << 23)) | (25UL << 16) | (1UL << 24) | (1UL << 26) | (3UL << 28) | (2UL << 30));
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  volatile u64 *high = (volatile u64 *)0xffffff8000002000UL;
  page_b[8] = 0x4869676855UL;
  check("ttbr1-read", high[8] == 0x4869676855UL, high[8]);
  high[9] = 0x77;
  check("ttbr1-write", page_b[9] == 0x77, page_b[9]);
  before = exc_count;
  v = *(volatile u64 *)0xffffff8000003000UL;
  check("ttbr1-xlat-fault", exc_count == before + 1 && (last_esr & 0x3f) == 0x07 && last_far == 0xffffff8000003000UL, last_esr);
  WRITE_SYSREG(tcr_el1, tcr);
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");

  /* DC ZVA zeroes one DCZID-sized, aligned block. */
  u64 dczid = READ_SYSREG(dczid_el0);
  u64 bs = 4UL << (dczid & 15);
  for (u64 i = 0; i < 64; i++) page_b[i] = ~0UL;
  if (!(dczid & 16)) __asm__ volatile("dc zva, %0" : : "r"((u64)&page_b[9]) : "memory");
  u64 zero_ok = 1, first = (u64)&page_b[9] & ~(bs - 1);
  for (u64 i = 0; i < 64; i++) {
    u64 a = (u64)&page_b[i];
    u64 inside = a >= first && a < first + bs;
    if ((page_b[i] == 0) != inside) zero_ok = 0;
  }
  check("dc-zva", (dczid & 16) == 0 && zero_ok, dczid);

  WRITE_SYSREG(sctlr_el1, sctlr);
  ISB();
}

/* Misc. architectural corner cases, MMU off. */
static void test_misc(void) {
  u64 before = exc_count;
  /* Branch to a misaligned address: PC alignment fault, FAR/ELR = the bad PC. */
  u64 target;
  __asm__ volatile("adr %0, 2f\n add %0, %0, #2\n adr x9, 1f\n str x9, [%1]\n br %0\n2: nop\n nop\n1:"
                   : "=&r"(target) : "r"(&resume_pc) : "x9", "memory");
  check("pc-align-taken", exc_count == before + 1, exc_count - before);
  check("pc-align-ec", ec_of(last_esr) == 0x22, last_esr);
  check("pc-align-far", last_far == target, last_far - target);

  /* ERET to EL2 (not implemented): illegal exception return, PSTATE.IL, EC 0x0E at the target. */
  before = exc_count;
  __asm__ volatile(
      "adr x9, 1f\n str x9, [%0]\n"
      "adr x9, 2f\n msr elr_el1, x9\n mov x9, #0x3c9\n msr spsr_el1, x9\n eret\n"
      "2: nop\n1:"
      : : "r"(&resume_pc) : "x9", "memory");
  check("illegal-eret-taken", exc_count == before + 1, exc_count - before);
  check("illegal-eret-ec", ec_of(last_esr) == 0x0e, last_esr);
  check("illegal-eret-il", (last_spsr >> 20) & 1, last_spsr);

  /* Self-modifying code: new instructions become visible after DC CVAU / IC IVAU / ISB. */
  static volatile u32 code[16] __attribute__((aligned(64)));
  typedef u64 (*fn_t)(void);
  for (int round = 1; round <= 3; round++) {
    code[0] = 0xd2800000u | ((u32)round << 5); /* mov x0, #round */
    code[1] = 0xd65f03c0u;                     /* ret */
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" : : "r"(code) : "memory");
    u64 r = ((fn_t)(u64)code)();
    check(round == 1 ? "smc-1" : round == 2 ? "smc-2" : "smc-3", r == (u64)round, r);
  }

  /* FP/SIMD disabled by CPACR_EL1.FPEN: an FP instruction traps with EC 0x07, an unallocated
   * encoding in the FP/SIMD space is still UNDEFINED (EC 0x00). */
  u64 cpacr = READ_SYSREG(cpacr_el1);
  WRITE_SYSREG(cpacr_el1, 0);
  ISB();
  __asm__ volatile(".inst 0x1e604020" ::: "memory"); /* fmov d0, d1 */
  check("fpen-trap-ec", ec_of(last_esr) == 0x07, last_esr);
  __asm__ volatile(".inst 0x5feb5eba" ::: "memory"); /* unallocated (Capstone and objdump agree) */
  check("fpen-unallocated-undef", ec_of(last_esr) == 0x00, last_esr);
  WRITE_SYSREG(cpacr_el1, cpacr);
  ISB();

  /* Exclusive load from a misaligned address with the MMU off: Alignment fault too. */
  static u64 excl_words[4];
  u64 before_x = exc_count, xv;
  __asm__ volatile("ldxr %0, [%1]" : "=r"(xv) : "r"((u64)excl_words + 4) : "memory");
  check("mmu-off-excl-align-fault", exc_count == before_x + 1 && ec_of(last_esr) == 0x25 && (last_esr & 0x3f) == 0x21, last_esr);

  /* System register space: an unallocated register is UNDEFINED; an unallocated ID register
   * (op0=3 op1=0 CRn=0 CRm=1..7) reads as zero, as Linux expects when probing newer features. */
  u64 before_sys = exc_count;
  u64 id = 0x1234;
  __asm__ volatile("mrs %0, s3_0_c0_c7_7" : "+r"(id) : : "memory");
  check("id-space-raz", exc_count == before_sys && id == 0, id);
  __asm__ volatile("mrs %0, s3_0_c2_c7_7" : "+r"(id) : : "memory");
  check("unallocated-sysreg-undef", exc_count == before_sys + 1 && ec_of(last_esr) == 0x00, last_esr);

  /* Current EL and SPSel. */
  check("currentel-el1", READ_SYSREG(CurrentEL) == 4, READ_SYSREG(CurrentEL));
  check("spsel-1", READ_SYSREG(SPSel) == 1, READ_SYSREG(SPSel));
}

/* ---- generic timer + GICv3 ----------------------------------------------------------- */

#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define RSYS(r) READ_SYSREG(r)
#define WSYS(r, v) WRITE_SYSREG(r, v)
#define XSTR(x) #x
#define RD(r) ({ u64 _v; __asm__ volatile("mrs %0, " XSTR(r) : "=r"(_v)); _v; })
#define WR(r, v) __asm__ volatile("msr " XSTR(r) ", %0" : : "r"((u64)(v)))

static void irq_handler(void) {
  u64 intid = RD(ICC_IAR1_EL1) & 0xffffff;
  irq_intid = intid;
  if (intid == 27) {
    irq_cntvct = READ_SYSREG(cntvct_el0);
    irq_ctl = READ_SYSREG(cntv_ctl_el0);
    WRITE_SYSREG(cntv_ctl_el0, 3); /* keep enabled, mask: the level drops */
    irq_count++;
  }
  if (intid < 1020) WR(ICC_EOIR1_EL1, intid);
}

static void gic_init(void) {
  mmio_write32(GICD_BASE + 0x0, (1u << 4) | (1u << 1) | 1u); /* ARE, EnableGrp1, EnableGrp0 */
  u32 waker = mmio_read32(GICR_BASE + 0x14);
  mmio_write32(GICR_BASE + 0x14, waker & ~(1u << 1)); /* ProcessorSleep = 0 */
  for (int i = 0; i < 100000 && (mmio_read32(GICR_BASE + 0x14) & (1u << 2)); i++) {
  }
  u64 sgi = GICR_BASE + 0x10000;
  mmio_write32(sgi + 0x80, mmio_read32(sgi + 0x80) | (1u << 27)); /* group 1 */
  mmio_write8(sgi + 0x400 + 27, 0x80);                             /* priority */
  mmio_write32(sgi + 0x100, 1u << 27);                             /* set-enable */
  WR(ICC_SRE_EL1, RD(ICC_SRE_EL1) | 1);
  ISB();
  WR(ICC_PMR_EL1, 0xff);
  WR(ICC_IGRPEN1_EL1, 1);
  ISB();
}

static void test_timer(void) {
  gic_init();
  u64 freq = READ_SYSREG(cntfrq_el0);
  check("cntfrq-nonzero", freq != 0, freq);
  u64 t0 = READ_SYSREG(cntvct_el0);
  u64 t1 = READ_SYSREG(cntvct_el0);
  check("cntvct-monotonic", t1 >= t0, t1 - t0);

  /* ISR_EL1.I and WFI wake-up with the interrupt masked: the timer fires while PSTATE.I = 1. */
  WRITE_SYSREG(cntv_tval_el0, freq / 2000);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  ISB();
  for (int i = 0; i < 1000 && !(READ_SYSREG(isr_el1) & (1 << 7)); i++) __asm__ volatile("wfi" ::: "memory");
  check("isr-i-pending-masked", (READ_SYSREG(isr_el1) & (1 << 7)) != 0, READ_SYSREG(isr_el1));
  check("no-irq-while-masked", irq_count == 0, irq_count);
  WRITE_SYSREG(cntv_ctl_el0, 0);
  ISB();
  check("isr-clear-after-disable", (READ_SYSREG(isr_el1) & (1 << 7)) == 0, READ_SYSREG(isr_el1));

  /* Relative deadline through TVAL: 1 ms. */
  WRITE_SYSREG(cntv_tval_el0, freq / 1000);
  ISB();
  u64 cval = READ_SYSREG(cntv_cval_el0);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  ISB();
  __asm__ volatile("msr daifclr, #2" ::: "memory");
  for (int i = 0; i < 1000 && irq_count == 0; i++) __asm__ volatile("wfi" ::: "memory");
  __asm__ volatile("msr daifset, #2" ::: "memory");
  check("timer-irq", irq_count == 1, irq_count);
  check("timer-intid", irq_intid == 27, irq_intid);
  check("timer-after-deadline", irq_cntvct >= cval, cval - irq_cntvct);
  check("timer-istatus", (irq_ctl & 5) == 5, irq_ctl);
  check("timer-masked-after", (READ_SYSREG(cntv_ctl_el0) & 7) == 7, READ_SYSREG(cntv_ctl_el0));

  /* Absolute deadline through CVAL, 50 ms ahead (far enough that a busy host cannot make
   * "not yet" flaky under QEMU), with the mask cleared. */
  WRITE_SYSREG(cntv_cval_el0, READ_SYSREG(cntvct_el0) + freq / 20);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  ISB();
  check("timer-not-yet", (READ_SYSREG(cntv_ctl_el0) & 4) == 0, READ_SYSREG(cntv_ctl_el0));
  __asm__ volatile("msr daifclr, #2" ::: "memory");
  for (int i = 0; i < 1000 && irq_count == 1; i++) __asm__ volatile("wfi" ::: "memory");
  __asm__ volatile("msr daifset, #2" ::: "memory");
  check("timer-cval-irq", irq_count == 2, irq_count);

  /* An IRQ while EL0 runs with PSTATE.I clear: taken through the lower-EL IRQ vector. */
  WRITE_SYSREG(cntv_tval_el0, freq / 10000);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  ISB();
  char stack[64] __attribute__((aligned(16)));
  run_el0(el0_wait, stack + sizeof stack, 0x0, &irq_from_el0);
  check("irq-from-el0", irq_from_el0 == 1 && irq_count == 3 && irq_intid == 27, irq_from_el0);
  check("irq-from-el0-spsr", (irq_from_el0_spsr & 0x3cf) == 0, irq_from_el0_spsr);
  WRITE_SYSREG(cntv_ctl_el0, 0);
}

int main(void) {
  puts("payload tests: start\n");
  test_exceptions();
  test_mmu_off_range();
  test_misc();
  test_mmu();
  test_timer();
  puts(failures ? "DONE with failures\n" : "DONE all passed\n");
  return failures;
}
