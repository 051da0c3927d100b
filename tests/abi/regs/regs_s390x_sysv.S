/*
 * Register-preservation test helpers, s390x (ELF, Linux).  See
 * tests/regs/regs_x86_64_sysv.S and tests/test_registers.c for the
 * contract.  s390x specifics:
 *   - regs_switch and regs_bad_jump return fctx_transfer_t, so r2 is the
 *     hidden result pointer: it is passed on unchanged to the jump
 *     function, the real arguments start at r3, and regs_switch's sixth
 *     argument (store) arrives on the stack at 160(r15);
 *   - big-endian: the 32-bit FPC is the low half, bytes 4..7, of its word;
 *   - FPC: the BFP rounding mode (bits 30-31: values 0-3) and the DFP
 *     rounding mode (bits 25-27: all 8 values valid; no code here uses
 *     DFP) are varied; exception masks would trap in the C code that runs
 *     between the switches.  The flags and DXC are the thread's (see
 *     asm/frame_s390x_sysv.h) and not checked.
 * With FCTX_NO_FPU_CONTROL (tests/CMakeLists.txt passes the library's
 * define here) the control words, which come last, are not checked.
 * Word order: r6-r13, f8-f15, fpc.
 */
#ifndef FCTX_NO_FPU_CONTROL
#  define NWORDS 17
#else
#  define NWORDS 16             /* FPC shared by design */
#endif
#define SP_BEFORE (8 * NWORDS)
#define SP_AFTER  (8 * NWORDS + 8)

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .long NWORDS
    .globl  regs_mask
    .p2align 3
regs_mask:
    .quad -1, -1, -1, -1, -1, -1, -1, -1    /* r6-r13 */
    .quad -1, -1, -1, -1, -1, -1, -1, -1    /* f8-f15 */
    .quad 0x73                              /* FPC: DFP and BFP rounding modes */

    .text
    .globl  regs_read
    .type   regs_read, @function
regs_read:                                  /* r2 = out */
    .cfi_startproc
    stmg    %r6, %r13, 0(%r2)
    std     %f8, 64(%r2)
    std     %f9, 72(%r2)
    std     %f10, 80(%r2)
    std     %f11, 88(%r2)
    std     %f12, 96(%r2)
    std     %f13, 104(%r2)
    std     %f14, 112(%r2)
    std     %f15, 120(%r2)
    xc      128(8,%r2), 128(%r2)
    stfpc   132(%r2)
    br      %r14
    .cfi_endproc
    .size   regs_read, . - regs_read

/* fctx_transfer_t regs_switch(jumpfn r3, to r4, data r5, load r6,
 *                             store 160(r15)), result pointer r2.
 * Frame (240 bytes): 0 back chain, 8..159 rest of the callee's save area,
 * 160..223 f8-f15, 224 caller's FPC, 232 store pointer. */
    .globl  regs_switch
    .type   regs_switch, @function
regs_switch:
    .cfi_startproc
    stmg    %r6, %r15, 48(%r15)
    .cfi_offset %r6, -112
    .cfi_offset %r7, -104
    .cfi_offset %r8, -96
    .cfi_offset %r9, -88
    .cfi_offset %r10, -80
    .cfi_offset %r11, -72
    .cfi_offset %r12, -64
    .cfi_offset %r13, -56
    .cfi_offset %r14, -48
    .cfi_offset %r15, -40
    lgr     %r1, %r15
    aghi    %r15, -240
    .cfi_adjust_cfa_offset 240
    stg     %r1, 0(%r15)
    std     %f8, 160(%r15)
    std     %f9, 168(%r15)
    std     %f10, 176(%r15)
    std     %f11, 184(%r15)
    std     %f12, 192(%r15)
    std     %f13, 200(%r15)
    std     %f14, 208(%r15)
    std     %f15, 216(%r15)
    stfpc   224(%r15)
    lg      %r0, 160(%r1)                   /* store: the stack argument */
    stg     %r0, 232(%r15)
    lgr     %r1, %r0
    stg     %r15, SP_BEFORE(%r1)            /* sp before */
    lgr     %r1, %r3                        /* jumpfn */
    lgr     %r3, %r4                        /* to */
    lgr     %r4, %r5                        /* data; r2 = result pointer */
    lmg     %r7, %r13, 8(%r6)
    ld      %f8, 64(%r6)
    ld      %f9, 72(%r6)
    ld      %f10, 80(%r6)
    ld      %f11, 88(%r6)
    ld      %f12, 96(%r6)
    ld      %f13, 104(%r6)
    ld      %f14, 112(%r6)
    ld      %f15, 120(%r6)
#ifndef FCTX_NO_FPU_CONTROL
    lfpc    132(%r6)
#endif
    lg      %r6, 0(%r6)                     /* last: r6 was the base */
    basr    %r14, %r1
    lg      %r1, 232(%r15)                  /* store */
    stmg    %r6, %r13, 0(%r1)
    std     %f8, 64(%r1)
    std     %f9, 72(%r1)
    std     %f10, 80(%r1)
    std     %f11, 88(%r1)
    std     %f12, 96(%r1)
    std     %f13, 104(%r1)
    std     %f14, 112(%r1)
    std     %f15, 120(%r1)
#ifndef FCTX_NO_FPU_CONTROL
    xc      128(8,%r1), 128(%r1)
    stfpc   132(%r1)
#endif
    stg     %r15, SP_AFTER(%r1)             /* sp after */
    lfpc    224(%r15)
    ld      %f8, 160(%r15)
    ld      %f9, 168(%r15)
    ld      %f10, 176(%r15)
    ld      %f11, 184(%r15)
    ld      %f12, 192(%r15)
    ld      %f13, 200(%r15)
    ld      %f14, 208(%r15)
    ld      %f15, 216(%r15)
    lmg     %r6, %r15, 240 + 48(%r15)
    .cfi_restore %r6
    .cfi_restore %r7
    .cfi_restore %r8
    .cfi_restore %r9
    .cfi_restore %r10
    .cfi_restore %r11
    .cfi_restore %r12
    .cfi_restore %r13
    .cfi_restore %r14
    .cfi_restore %r15
    .cfi_def_cfa_offset 160
    br      %r14
    .cfi_endproc
    .size   regs_switch, . - regs_switch

/* fctx_transfer_t regs_bad_jump(to r3, data r4), result pointer r2:
 * fctx_jump, then corrupt r7. */
    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
regs_bad_jump:
    .cfi_startproc
    stmg    %r14, %r15, 112(%r15)
    .cfi_offset %r14, -48
    .cfi_offset %r15, -40
    lgr     %r1, %r15
    aghi    %r15, -160
    .cfi_adjust_cfa_offset 160
    stg     %r1, 0(%r15)
    brasl   %r14, fctx_jump@PLT
    lghi    %r0, -1
    xgr     %r7, %r0                        /* the deliberate bug */
    lmg     %r14, %r15, 160 + 112(%r15)
    .cfi_restore %r14
    .cfi_restore %r15
    .cfi_def_cfa_offset 160
    br      %r14
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
