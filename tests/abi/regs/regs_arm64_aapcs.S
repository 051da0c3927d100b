/*
 * Register-preservation test helpers, AArch64 AAPCS64 (ELF).  See
 * tests/test_registers.c and tests/regs/regs_x86_64_sysv.S for the contract:
 *   regs_count, regs_mask[]: the words of callee-saved state and which of
 *     their bits the test may vary (GPRs and FP registers: all; FPCR: the
 *     mode bits named below);
 *   regs_read(out): the current state;
 *   regs_switch(jumpfn, to, data, load, store): load every callee-saved
 *     register from `load`, call jumpfn(to, data), store them into `store`
 *     (plus sp before/after the call at store[count], store[count+1]),
 *     restore the caller's own values, return jumpfn's result;
 *   regs_bad_jump(to, data): fctx_jump, then corrupt x23 (the test proves
 *     that it notices).
 * Word order: x19-x28, x29, d8-d15, FPCR.
 *
 * Not words: x30 (lr) is overwritten by the `blr` itself, so a caller has
 * no value of its own in it to preserve (a wrong resume address crashes
 * instead); sp is checked through store[count]/[count+1].
 *
 * FPCR (the FP rule in asm/frame_arm64_aapcs.h: the whole word belongs to
 * each context): we vary RMode (22-23), FZ (24), DN (25) and AHP (26), the
 * mode bits every ARMv8-A FPCR implements (and Microsoft's nonvolatile
 * list).  The trap-enable bits read as zero on cores without trapped FP
 * exceptions (all common ones, and qemu), AH/FIZ exist only with FEAT_AFP
 * and FZ16 only with FEAT_FP16.  FPSR (the thread's flags) is no word: a
 * switch must leave it alone, which tests/test_fpstate.c checks.  When the
 * library is built with FCTX_NO_FPU_CONTROL (the build passes the same
 * define here) FPCR is deliberately shared by all contexts of a thread, so
 * it is not a word either.
 */
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#  define BTI_C bti c               /* regs_bad_jump is reached by blr */
#  define PROP_BTI 1
#else
#  define BTI_C
#  define PROP_BTI 0
#endif

#ifdef FCTX_NO_FPU_CONTROL
#  define COUNT 19
#else
#  define COUNT 20
#endif
#define W_X19  0                    /* byte offsets of the words */
#define W_X29  80
#define W_D8   88
#define W_FPCR 152

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .long COUNT
    .globl  regs_mask
    .p2align 3
regs_mask:
    .quad -1, -1, -1, -1, -1, -1, -1, -1, -1, -1     /* x19-x28 */
    .quad -1                                         /* x29 */
    .quad -1, -1, -1, -1, -1, -1, -1, -1             /* d8-d15 */
#ifndef FCTX_NO_FPU_CONTROL
    .quad 0x07C00000        /* FPCR: RMode (23:22), FZ (24), DN (25), AHP (26) */
#endif

    .text
    .globl  regs_read
    .type   regs_read, %function
    .p2align 2
regs_read:                  /* x0 = out */
    .cfi_startproc
    BTI_C
    stp     x19, x20, [x0, #W_X19]
    stp     x21, x22, [x0, #W_X19 + 16]
    stp     x23, x24, [x0, #W_X19 + 32]
    stp     x25, x26, [x0, #W_X19 + 48]
    stp     x27, x28, [x0, #W_X19 + 64]
    str     x29, [x0, #W_X29]
    stp     d8, d9, [x0, #W_D8]
    stp     d10, d11, [x0, #W_D8 + 16]
    stp     d12, d13, [x0, #W_D8 + 32]
    stp     d14, d15, [x0, #W_D8 + 48]
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x9, fpcr
    str     x9, [x0, #W_FPCR]
#endif
    ret
    .cfi_endproc
    .size   regs_read, . - regs_read

/* Our own frame: frame record, x19-x28, d8-d15, store ptr, caller's FPCR. */
#define F_X19   16
#define F_D8    96
#define F_STORE 160
#define F_FPCR  168
#define F_SIZE  176

    .globl  regs_switch
    .type   regs_switch, %function
    .p2align 2
regs_switch:            /* x0 jumpfn, x1 to, x2 data, x3 load, x4 store */
    .cfi_startproc
    BTI_C
    stp     x29, x30, [sp, #-F_SIZE]!
    .cfi_def_cfa_offset F_SIZE
    .cfi_offset x29, -F_SIZE
    .cfi_offset x30, -F_SIZE + 8
    mov     x29, sp
    stp     x19, x20, [sp, #F_X19]
    stp     x21, x22, [sp, #F_X19 + 16]
    stp     x23, x24, [sp, #F_X19 + 32]
    stp     x25, x26, [sp, #F_X19 + 48]
    stp     x27, x28, [sp, #F_X19 + 64]
    stp     d8, d9, [sp, #F_D8]
    stp     d10, d11, [sp, #F_D8 + 16]
    stp     d12, d13, [sp, #F_D8 + 32]
    stp     d14, d15, [sp, #F_D8 + 48]
    mrs     x9, fpcr
    stp     x4, x9, [sp, #F_STORE]
    mov     x9, sp
    str     x9, [x4, #COUNT * 8]        /* sp before */
    mov     x16, x0                     /* jumpfn */
    mov     x0, x1
    mov     x1, x2
    ldp     x19, x20, [x3, #W_X19]
    ldp     x21, x22, [x3, #W_X19 + 16]
    ldp     x23, x24, [x3, #W_X19 + 32]
    ldp     x25, x26, [x3, #W_X19 + 48]
    ldp     x27, x28, [x3, #W_X19 + 64]
    ldr     x29, [x3, #W_X29]           /* the frame pointer too: from here
                                           on only sp addresses our frame */
    ldp     d8, d9, [x3, #W_D8]
    ldp     d10, d11, [x3, #W_D8 + 16]
    ldp     d12, d13, [x3, #W_D8 + 32]
    ldp     d14, d15, [x3, #W_D8 + 48]
#ifndef FCTX_NO_FPU_CONTROL
    ldr     x9, [x3, #W_FPCR]
    msr     fpcr, x9
#endif
    blr     x16
    ldr     x4, [sp, #F_STORE]
    stp     x19, x20, [x4, #W_X19]
    stp     x21, x22, [x4, #W_X19 + 16]
    stp     x23, x24, [x4, #W_X19 + 32]
    stp     x25, x26, [x4, #W_X19 + 48]
    stp     x27, x28, [x4, #W_X19 + 64]
    str     x29, [x4, #W_X29]
    stp     d8, d9, [x4, #W_D8]
    stp     d10, d11, [x4, #W_D8 + 16]
    stp     d12, d13, [x4, #W_D8 + 32]
    stp     d14, d15, [x4, #W_D8 + 48]
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x9, fpcr
    str     x9, [x4, #W_FPCR]
#endif
    mov     x9, sp
    str     x9, [x4, #(COUNT + 1) * 8]  /* sp after */
    ldr     x9, [sp, #F_FPCR]
    msr     fpcr, x9                    /* the caller's modes again */
    ldp     x19, x20, [sp, #F_X19]
    ldp     x21, x22, [sp, #F_X19 + 16]
    ldp     x23, x24, [sp, #F_X19 + 32]
    ldp     x25, x26, [sp, #F_X19 + 48]
    ldp     x27, x28, [sp, #F_X19 + 64]
    ldp     d8, d9, [sp, #F_D8]
    ldp     d10, d11, [sp, #F_D8 + 16]
    ldp     d12, d13, [sp, #F_D8 + 32]
    ldp     d14, d15, [sp, #F_D8 + 48]
    ldp     x29, x30, [sp], #F_SIZE     /* x0:x1 = jumpfn's result */
    .cfi_def_cfa_offset 0
    .cfi_restore x29
    .cfi_restore x30
    ret
    .cfi_endproc
    .size   regs_switch, . - regs_switch

    .globl  regs_bad_jump
    .type   regs_bad_jump, %function
    .p2align 2
regs_bad_jump:
    .cfi_startproc
    BTI_C
    stp     x29, x30, [sp, #-16]!
    .cfi_def_cfa_offset 16
    .cfi_offset x29, -16
    .cfi_offset x30, -8
    mov     x29, sp
    bl      fctx_jump
    mvn     x23, x23                    /* the deliberate bug */
    ldp     x29, x30, [sp], #16
    .cfi_def_cfa_offset 0
    .cfi_restore x29
    .cfi_restore x30
    ret
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
#if PROP_BTI
    /* GNU property note: GNU_PROPERTY_AARCH64_FEATURE_1_AND = BTI.  No PAC
       bit: these helpers do not sign their return addresses. */
    .pushsection .note.gnu.property, "a"
    .p2align 3
    .long 4, 16, 5          /* namesz, descsz, NT_GNU_PROPERTY_TYPE_0 */
    .asciz "GNU"
    .long 0xc0000000, 4, 1, 0
    .popsection
#endif
