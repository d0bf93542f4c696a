// Oracle payload for test/hvf/qemu-traps.test.ts: runs at EL2 under
// qemu-system-aarch64 -M virt,virtualization=on with WFI (QEMU never traps WFE), SMC, ID group 3,
// PMU, debug, OS-lock and EL1 physical-timer accesses trapped to EL2, runs
// the EL1 instructions below and prints each trap's ESR_EL2 in hex on the
// UART. Keep the list in step with CASES in the test.
.text
.globl _start
_start:
  ldr x1, =(1 << 31) | (1 << 13) | (1 << 14) | (1 << 18) | (1 << 19)
  msr hcr_el2, x1
  ldr x1, =(1 << 5) | (1 << 6) | (1 << 9) | (1 << 10)
  msr mdcr_el2, x1
  msr cnthctl_el2, xzr
  adr x0, vectors
  msr vbar_el2, x0
  adr x28, results
  mov x1, #0x3c5
  msr spsr_el2, x1
  adr x0, el1
  msr elr_el2, x0
  isb
  eret

el1:
  wfi
  hvc #0x1234
  smc #0x77
  msr cntp_ctl_el0, xzr
  mrs x2, cntp_ctl_el0
  mrs x3, cntpct_el0
  mrs x4, id_aa64pfr0_el1
  mrs x5, id_aa64mmfr2_el1
  mrs x6, pmcr_el0
  msr pmcr_el0, x7
  msr pmcntenset_el0, x8
  mrs x9, pmccntr_el0
  msr pmuserenr_el0, x10
  msr oslar_el1, x11
  mrs x12, oslsr_el1
  mrs x13, osdlr_el1
  mrs x14, mdscr_el1
  msr dbgbvr5_el1, x15
  mrs x16, dbgwcr3_el1
  hvc #0xffff

print:
  adr x20, results
  ldr x21, =0x09000000
1:
  cmp x20, x28
  b.hs 3f
  ldr x22, [x20], #8
  mov x23, #28
2:
  lsr x24, x22, x23
  and x24, x24, #0xf
  cmp x24, #10
  add x25, x24, #'0'
  add x26, x24, #('a' - 10)
  csel x24, x25, x26, lo
  strb w24, [x21]
  subs x23, x23, #4
  b.pl 2b
  mov x24, #'\n'
  strb w24, [x21]
  b 1b
3:
  ldr x0, =0x84000008
  smc #0
  b .

.balign 2048
vectors:
  .space 0x400
  // lower EL, AArch64, synchronous
  mrs x25, esr_el2
  str x25, [x28], #8
  lsr x26, x25, #26
  cmp x26, #0x16
  b.ne 4f
  and x26, x25, #0xffff
  mov x27, #0xffff
  cmp x26, x27
  b.eq print
  eret             // HVC: ELR_EL2 already points past it
4:
  mrs x26, elr_el2
  add x26, x26, #4
  msr elr_el2, x26
  eret

.balign 4096
results:
  .space 1024
