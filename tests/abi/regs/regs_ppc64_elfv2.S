/*
 * Register-preservation test helpers, 64-bit Power ELFv2 (ppc64le).  See
 * tests/regs/regs_x86_64_sysv.S and tests/test_registers.c for the
 * contract.  ppc64 specifics:
 *   - vector registers take two words each, moved with lxvd2x/stxvd2x
 *     (VSX: v20-v31 are vs52-vs63; no alignment needed, and a load/store
 *     pair round-trips the exact register contents);
 *   - r2 (TOC) is not tortured: every function called through a pointer
 *     derives its own from r12, and regs_switch reloads its own;
 *   - masks: CR fields 2-4; FPSCR RN, NI and DRN (enables would trap in
 *     the C code that runs between the switches); VSCR NJ.  The FPSCR
 *     status bits and VSCR SAT are the thread's (asm/frame_ppc64_elfv2.h)
 *     and not checked.
 * With FCTX_NO_FPU_CONTROL (tests/CMakeLists.txt passes the library's
 * define here) the control words, which come last, are not checked.
 * Word order: r14-r31 (0-17), f14-f31 (18-35), v20-v31 (36-59, two words
 * each), cr (60), fpscr (61), vscr (62).
 */
#include "../../../asm/frame_ppc64_elfv2.h"

#ifndef FCTX_NO_FPU_CONTROL
#  define NWORDS 63
#else
#  define NWORDS 61             /* FPSCR and VSCR shared by design */
#endif

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .long NWORDS
    .globl  regs_mask
    .p2align 3
regs_mask:
    .rept 18 + 18 + 24
    .quad -1
    .endr
    .quad 0x00FFF000            /* CR2, CR3, CR4 */
    .quad 0x0000000700000007    /* FPSCR: DRN (decimal rounding), NI, RN */
    .quad 0x00010000            /* VSCR: NJ (non-Java mode) */

/* Store/load v20-v31 as 24 doublewords from base (any alignment);
 * clobbers r9. */
#define VSX_VRS(op, base, off) \
    addi %r9, base, off;        op 52, 0, %r9; \
    addi %r9, %r9, 16;          op 53, 0, %r9; \
    addi %r9, %r9, 16;          op 54, 0, %r9; \
    addi %r9, %r9, 16;          op 55, 0, %r9; \
    addi %r9, %r9, 16;          op 56, 0, %r9; \
    addi %r9, %r9, 16;          op 57, 0, %r9; \
    addi %r9, %r9, 16;          op 58, 0, %r9; \
    addi %r9, %r9, 16;          op 59, 0, %r9; \
    addi %r9, %r9, 16;          op 60, 0, %r9; \
    addi %r9, %r9, 16;          op 61, 0, %r9; \
    addi %r9, %r9, 16;          op 62, 0, %r9; \
    addi %r9, %r9, 16;          op 63, 0, %r9

#define W_F14   (18 * 8)
#define W_V20   (36 * 8)
#define W_CR    (60 * 8)
#define W_FPSCR (61 * 8)
#define W_VSCR  (62 * 8)
#define W_SP0   (NWORDS * 8)
#define W_SP1   (NWORDS * 8 + 8)

    .text
/* regs_read(out r3).  Leaf: uses the protected zone below r1 as a
 * 16-byte-aligned bounce buffer for VSCR. */
    .globl  regs_read
    .type   regs_read, @function
    .p2align 4
regs_read:
    .cfi_startproc
    FCTX_GPRS(std, %r3, 0)
    FCTX_FPRS(stfd, %r3, W_F14)
    VSX_VRS(stxvd2x, %r3, W_V20)
    mfcr    %r0
    std     %r0, W_CR(%r3)
    mffs    %f0
    stfd    %f0, W_FPSCR(%r3)
    mfvscr  %v0
    li      %r9, -16
    stvx    %v0, %r1, %r9
    lwz     %r0, -16(%r1)       /* the VSCR word (little-endian layout) */
    std     %r0, W_VSCR(%r3)
    blr
    .cfi_endproc
    .size   regs_read, . - regs_read

/* fctx_transfer_t regs_switch(jumpfn r3, to r4, data r5, load r6, store r7)
 * Frame (576 bytes): 0 header (back chain, CR, LR slot for callees, TOC
 * save at 24), 32 store pointer, 40 caller's CR, 48 caller's FPSCR,
 * 64 caller's VSCR, 80 VSCR bounce buffer, 96 v20-v31, 288 f14-f31,
 * 432 r14-r31. */
#define RS_SIZE 576
    .globl  regs_switch
    .type   regs_switch, @function
    .p2align 4
regs_switch:
    .cfi_startproc
    mflr    %r0
    std     %r0, LR_SAVE(%r1)
    .cfi_offset lr, LR_SAVE
    stdu    %r1, -RS_SIZE(%r1)
    .cfi_adjust_cfa_offset RS_SIZE
    std     %r2, TOC_SAVE(%r1)
    std     %r7, 32(%r1)
    mfcr    %r0
    stw     %r0, 40(%r1)
    mffs    %f0
    stfd    %f0, 48(%r1)
    mfvscr  %v0
    li      %r9, 64
    stvx    %v0, %r1, %r9
    FCTX_GPRS(std, %r1, 432)
    FCTX_FPRS(stfd, %r1, 288)
    VSX_VRS(stxvd2x, %r1, 96)
    std     %r1, W_SP0(%r7)             /* sp before */
    mr      %r12, %r3                   /* jumpfn: global entry in r12 */
    mtctr   %r12
    mr      %r3, %r4                    /* to */
    mr      %r4, %r5                    /* data */
    FCTX_GPRS(ld, %r6, 0)
    FCTX_FPRS(lfd, %r6, W_F14)
    VSX_VRS(lxvd2x, %r6, W_V20)
    ld      %r0, W_CR(%r6)
    mtcrf   CR_NONVOLATILE, %r0
#ifndef FCTX_NO_FPU_CONTROL
    lfd     %f0, W_FPSCR(%r6)
    mtfsf   0xff, %f0, 1, 0
    lwz     %r0, W_VSCR(%r6)
    li      %r9, 0
    std     %r9, 80(%r1)
    std     %r9, 88(%r1)
    stw     %r0, 80(%r1)                /* VSCR word -> the register's
                                           least significant word */
    li      %r9, 80
    lvx     %v0, %r1, %r9
    mtvscr  %v0
#endif
    bctrl
    ld      %r2, TOC_SAVE(%r1)
    ld      %r7, 32(%r1)                /* store; r3:r4 stay untouched */
    FCTX_GPRS(std, %r7, 0)
    FCTX_FPRS(stfd, %r7, W_F14)
    VSX_VRS(stxvd2x, %r7, W_V20)
    mfcr    %r0
    std     %r0, W_CR(%r7)
#ifndef FCTX_NO_FPU_CONTROL
    mffs    %f0
    stfd    %f0, W_FPSCR(%r7)
    mfvscr  %v0
    li      %r9, 80
    stvx    %v0, %r1, %r9
    lwz     %r0, 80(%r1)
    std     %r0, W_VSCR(%r7)
#endif
    std     %r1, W_SP1(%r7)             /* sp after */
    lwz     %r0, 40(%r1)
    mtcrf   CR_NONVOLATILE, %r0
    lfd     %f0, 48(%r1)
    mtfsf   0xff, %f0, 1, 0
    li      %r9, 64
    lvx     %v0, %r1, %r9
    mtvscr  %v0
    FCTX_GPRS(ld, %r1, 432)
    FCTX_FPRS(lfd, %r1, 288)
    VSX_VRS(lxvd2x, %r1, 96)
    addi    %r1, %r1, RS_SIZE
    .cfi_adjust_cfa_offset -RS_SIZE
    ld      %r0, LR_SAVE(%r1)
    mtlr    %r0
    blr
    .cfi_endproc
    .size   regs_switch, . - regs_switch

/* fctx_transfer_t regs_bad_jump(to r3, data r4): fctx_jump, then corrupt
 * r15.  Called through a pointer: derives its TOC from r12 for the call. */
    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
    .p2align 4
regs_bad_jump:
    .cfi_startproc
    addis   %r2, %r12, .TOC.-regs_bad_jump@ha
    addi    %r2, %r2, .TOC.-regs_bad_jump@l
    .localentry regs_bad_jump, .-regs_bad_jump
    mflr    %r0
    std     %r0, LR_SAVE(%r1)
    .cfi_offset lr, LR_SAVE
    stdu    %r1, -MIN_FRAME(%r1)
    .cfi_adjust_cfa_offset MIN_FRAME
    bl      fctx_jump
    nop
    not     %r15, %r15                  /* the deliberate bug */
    addi    %r1, %r1, MIN_FRAME
    .cfi_adjust_cfa_offset -MIN_FRAME
    ld      %r0, LR_SAVE(%r1)
    mtlr    %r0
    blr
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
