/* Bare-metal runtime for our test payloads: entry at EL1, vectors, PSCI exit.
 * Entered at EL1h with the MMU off (QEMU virt without virtualization=on, or
 * the interpreter's reset state). */
        .section .text.boot, "ax"
        .global _start
_start:
        ldr     x0, =__stack_top
        mov     sp, x0
        adr     x0, vectors
        msr     vbar_el1, x0
        isb
        ldr     x0, =__bss_start
        ldr     x1, =__bss_end
1:      cmp     x0, x1
        b.hs    2f
        str     xzr, [x0], #8
        b       1b
2:      bl      main
        bl      psci_system_off
3:      wfi
        b       3b

/* PSCI SYSTEM_OFF over HVC (QEMU virt's conduit at EL1; the board's in the interpreter). */
        .global psci_system_off
psci_system_off:
        ldr     w0, =0x84000008
        hvc     #0
        b       .

/* Vectors: every entry saves x0/x1, passes its index (0..15) to exc_common. */
        .macro  ventry kind
        .balign 0x80
        sub     sp, sp, #288
        stp     x0, x1, [sp, #0]
        mov     x0, #\kind
        b       exc_common
        .endm

        .balign 2048
        .global vectors
vectors:
        ventry 0
        ventry 1
        ventry 2
        ventry 3
        ventry 4
        ventry 5
        ventry 6
        ventry 7
        ventry 8
        ventry 9
        ventry 10
        ventry 11
        ventry 12
        ventry 13
        ventry 14
        ventry 15

/* Frame: x0..x30 at 0..240, ELR 248, SPSR 256, ESR 264, FAR 272 (struct frame in rt.h). */
exc_common:
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x19, [sp, #144]
        stp     x20, x21, [sp, #160]
        stp     x22, x23, [sp, #176]
        stp     x24, x25, [sp, #192]
        stp     x26, x27, [sp, #208]
        stp     x28, x29, [sp, #224]
        str     x30, [sp, #240]
        mrs     x1, elr_el1
        mrs     x2, spsr_el1
        stp     x1, x2, [sp, #248]
        mrs     x1, esr_el1
        mrs     x2, far_el1
        stp     x1, x2, [sp, #264]
        mov     x1, x0
        mov     x0, sp
        bl      exc_handler
        ldp     x1, x2, [sp, #248]
        msr     elr_el1, x1
        msr     spsr_el1, x2
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        ldp     x8, x9, [sp, #64]
        ldp     x10, x11, [sp, #80]
        ldp     x12, x13, [sp, #96]
        ldp     x14, x15, [sp, #112]
        ldp     x16, x17, [sp, #128]
        ldp     x18, x19, [sp, #144]
        ldp     x20, x21, [sp, #160]
        ldp     x22, x23, [sp, #176]
        ldp     x24, x25, [sp, #192]
        ldp     x26, x27, [sp, #208]
        ldp     x28, x29, [sp, #224]
        ldr     x30, [sp, #240]
        ldp     x0, x1, [sp, #0]
        add     sp, sp, #288
        eret

/* run_el0(entry, stack, spsr, arg): drops to EL0 at `entry` with PSTATE from
 * `spsr` and x0 = arg; returns when the EL1 handler resumes at el0_return
 * (EL1h) after an SVC from EL0. */
        .global run_el0
        .global el0_return
run_el0:
        stp     x29, x30, [sp, #-96]!
        stp     x19, x20, [sp, #16]
        stp     x21, x22, [sp, #32]
        stp     x23, x24, [sp, #48]
        stp     x25, x26, [sp, #64]
        stp     x27, x28, [sp, #80]
        msr     sp_el0, x1
        msr     elr_el1, x0
        msr     spsr_el1, x2
        mov     x0, x3
        eret
el0_return:
        ldp     x19, x20, [sp, #16]
        ldp     x21, x22, [sp, #32]
        ldp     x23, x24, [sp, #48]
        ldp     x25, x26, [sp, #64]
        ldp     x27, x28, [sp, #80]
        ldp     x29, x30, [sp], #96
        ret

/* EL0 code: an EL1 register read (UNDEFINED at EL0), then SVC back to EL1. */
        .global el0_entry
        .global el0_mrs
el0_entry:
el0_mrs:
        mrs     x0, sctlr_el1
        svc     #0x42
        b       .

/* EL0 code: spin until the word at x0 is non-zero (an IRQ handler sets it), then SVC back. */
        .global el0_wait
el0_wait:
1:      ldr     x1, [x0]
        cbz     x1, 1b
        svc     #0x44
        b       .

/* EL0 code: read the virtual counter (trapped unless CNTKCTL_EL1.EL0VCTEN), then SVC back. */
        .global el0_counter
el0_counter:
        mrs     x0, cntvct_el0
        svc     #0x43
        b       .
