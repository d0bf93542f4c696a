// Oracle payload for test/hvf/qemu-stage2.test.ts: runs at EL2 under
// qemu-system-aarch64 -M virt,virtualization=on, leaves guest physical
// 0x0000_0000..0x3fff_ffff unmapped in stage 2, lets EL1 access it with the
// instructions below, records each data abort's ESR_EL2 (what HVF reports as
// the exit syndrome) and prints them in hex on the UART. Keep the list of
// instructions in step with CASES in the test.
.text
.globl _start
_start:
  // EL2: stage-2 table at s2tab: entry 1 maps 1 GiB at 0x40000000 RW normal memory; the rest faults.
  adr x0, s2tab
  ldr x1, =0x40000000 | (1 << 10) | (3 << 8) | (3 << 6) | (0xf << 2) | 1
  str x1, [x0, #8]
  msr vttbr_el2, x0
  ldr x1, =(32 | (1 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 31))
  msr vtcr_el2, x1
  ldr x1, =(1 << 31) | 1
  msr hcr_el2, x1
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
  ldr x1, =0x0a000000
  ldrb w2, [x1]
  ldrh w3, [x1]
  ldr w4, [x1]
  ldr x5, [x1]
  ldrsb w6, [x1]
  ldrsb x7, [x1]
  ldrsh w8, [x1]
  ldrsh x9, [x1]
  ldrsw x10, [x1]
  strb w11, [x1]
  strh w12, [x1]
  str w13, [x1]
  str x14, [x1]
  str xzr, [x1]
  ldr wzr, [x1]
  ldar w15, [x1]
  stlr x16, [x1]
  ldr x17, [x1, #8]
  ldur w18, [x1, #-4]
  ldr x19, [x1], #8
  ldp x20, x21, [x1]
  hvc #0

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
  lsr x26, x25, #26
  cmp x26, #0x16
  b.eq print
  str x25, [x28], #8
  mrs x26, elr_el2
  add x26, x26, #4
  msr elr_el2, x26
  eret

.balign 4096
s2tab:
  .space 4096
results:
  .space 1024
