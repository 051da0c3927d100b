/*
 * Register-preservation test helpers, 32-bit PowerPC SysV (big-endian,
 * hard float).  See tests/abi/regs/regs_x86_64_sysv.S and
 * tests/abi/test_registers.c for the contract.  ppc32 specifics:
 *   - words are uint64_t, big-endian: a 32-bit GPR or CR goes to the low
 *     half at +4 (mask 0xffffffff / the CR field mask), an FPR fills its
 *     word; the stack pointer words get a zero high half, since the test
 *     compares them whole;
 *   - fctx_transfer_t is returned through a hidden pointer in r3
 *     (asm/frame_ppc_sysv.h), so every function returning it shifts its
 *     arguments by one register:
 *       regs_switch(r3 = &result, r4 = jumpfn, r5 = to, r6 = data,
 *                   r7 = load, r8 = store)
 *     hands r3 on to jumpfn(r3 = &result, r4 = to, r5 = data) unchanged,
 *     so jumpfn's result lands in regs_switch's caller's result;
 *   - r2 (thread pointer) and r13 (small-data base) are system registers,
 *     never changed by user code, and not tortured;
 *   - masks: CR fields 2-4; FPSCR RN and NI (the trap enables would trap
 *     in the C code that runs between the switches).  The FPSCR status
 *     bits are the thread's (asm/frame_ppc_sysv.h) and not checked.
 * With FCTX_NO_FPU_CONTROL (tests/CMakeLists.txt passes the library's
 * define here) the FPSCR word, which comes last, is not checked.
 * Word order: r14-r31 (0-17), f14-f31 (18-35), cr (36), fpscr (37).
 */
#include "../../../asm/frame_ppc_sysv.h"

#ifndef FCTX_NO_FPU_CONTROL
#  define NWORDS 38
#else
#  define NWORDS 37             /* FPSCR shared by design */
#endif

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .long NWORDS
    .globl  regs_mask
    .p2align 3
regs_mask:
    .rept 18
    .quad 0xffffffff            /* r14-r31 */
    .endr
    .rept 18
    .quad -1                    /* f14-f31 */
    .endr
    .quad 0x00FFF000            /* CR2, CR3, CR4 */
    .quad 0x00000007            /* FPSCR: NI, RN */

#define W_F14   (18 * 8)
#define W_CR    (36 * 8)
#define W_FPSCR (37 * 8)
#define W_SP0   (NWORDS * 8)
#define W_SP1   (NWORDS * 8 + 8)

/* `op` r14-r31 to or from the low halves of words 0-17 at base. */
    .macro gprs op, base
    .irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    \op     %r\n, 8 * (\n - 14) + 4(\base)
    .endr
    .endm

/* The state regs_read reports and regs_switch records after the call:
 * GPRs, FPRs, CR and (unless shared by design) FPSCR, to the words at
 * base.  Clobbers r0 and f0. */
    .macro put_state base
    gprs    stw, \base
    FCTX_FPRS(stfd, \base, W_F14)
    mfcr    %r0
    stw     %r0, W_CR + 4(\base)
#ifndef FCTX_NO_FPU_CONTROL
    mffs    %f0
    stfd    %f0, W_FPSCR(\base)
#endif
    .endm

/* An ABI frame of `size` bytes, LR saved in the caller's LR word; and its
 * return. */
    .macro frame_open size
    mflr    %r0
    stw     %r0, LR_SAVE(%r1)
    .cfi_offset lr, LR_SAVE
    stwu    %r1, -\size(%r1)
    .cfi_adjust_cfa_offset \size
    .endm
    .macro frame_close size
    addi    %r1, %r1, \size
    .cfi_adjust_cfa_offset -\size
    lwz     %r0, LR_SAVE(%r1)
    mtlr    %r0
    blr
    .endm

    .text
/* regs_read(out r3).  Leaf. */
    .globl  regs_read
    .type   regs_read, @function
    .p2align 4
regs_read:
    .cfi_startproc
    put_state %r3
    blr
    .cfi_endproc
    .size   regs_read, . - regs_read

/* fctx_transfer_t regs_switch(&result r3, jumpfn r4, to r5, data r6,
 *                             load r7, store r8)
 * Frame (240 bytes): 0 back chain, 4 LR word for callees, 8 store
 * pointer, 12 caller's CR, 16 caller's FPSCR, 24 r14-r31 (stmw), 96
 * f14-f31. */
#define RS_SIZE 240
    .globl  regs_switch
    .type   regs_switch, @function
    .p2align 4
regs_switch:
    .cfi_startproc
    frame_open RS_SIZE
    stw     %r8, 8(%r1)                 /* store: volatile, kept here */
    mfcr    %r0
    stw     %r0, 12(%r1)                /* the caller's CR fields */
    mffs    %f0
    stfd    %f0, 16(%r1)                /* and FP modes, restored below */
    stmw    %r14, 24(%r1)               /* and nonvolatile registers */
    FCTX_FPRS(stfd, %r1, 96)
    li      %r0, 0
    stw     %r0, W_SP0(%r8)             /* compared whole: high half 0 */
    stw     %r1, W_SP0 + 4(%r8)         /* sp before */
    mtctr   %r4                         /* jumpfn; r3 (&result) passes on */
    mr      %r4, %r5                    /* to */
    mr      %r5, %r6                    /* data */
    gprs    lwz, %r7                    /* this context's own values */
    FCTX_FPRS(lfd, %r7, W_F14)
    lwz     %r0, W_CR + 4(%r7)
    mtcrf   CR_NONVOLATILE, %r0         /* CR2-CR4 only */
#ifndef FCTX_NO_FPU_CONTROL
    lfd     %f0, W_FPSCR(%r7)
    mtfsf   0xff, %f0                   /* RN, NI (the mask keeps the
                                           enables 0: no traps) */
#endif
    bctrl
    lwz     %r8, 8(%r1)                 /* store */
    put_state %r8
    li      %r0, 0
    stw     %r0, W_SP1(%r8)             /* high half 0, as before */
    stw     %r1, W_SP1 + 4(%r8)         /* sp after */
    lwz     %r0, 12(%r1)
    mtcrf   CR_NONVOLATILE, %r0
    lfd     %f0, 16(%r1)
    mtfsf   0xff, %f0                   /* the caller's FPSCR again */
    lmw     %r14, 24(%r1)
    FCTX_FPRS(lfd, %r1, 96)
    frame_close RS_SIZE
    .cfi_endproc
    .size   regs_switch, . - regs_switch

/* fctx_transfer_t regs_bad_jump(&result r3, to r4, data r5): fctx_jump,
 * then corrupt r15. */
    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
    .p2align 4
regs_bad_jump:
    .cfi_startproc
    frame_open MIN_FRAME
    bl      fctx_jump                   /* same arguments, r3 included */
    not     %r15, %r15                  /* the deliberate bug */
    frame_close MIN_FRAME
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
