// Entry of the bundled demo firmware: CPU 0 starts here at EL1 with the MMU
// off (vmapple loads the firmware at 0x0010_0000). Set up a stack at the top
// of the 1 MiB firmware region, zero .bss, run main, then power off.
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    mov     sp, x0
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  bl      main
    // PSCI SYSTEM_OFF over HVC; should not return.
    ldr     x0, =0x84000008
    hvc     #0
3:  wfi
    b       3b
