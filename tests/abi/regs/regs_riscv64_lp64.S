/*
 * Register-preservation test helpers, RISC-V 64 LP64D / LP64 (ELF).  See
 * tests/test_registers.c and tests/regs/regs_x86_64_sysv.S for the contract:
 *   regs_count, regs_mask[]: the words of callee-saved state and which of
 *     their bits the test may vary (GPRs and FP registers: all; frm: 3 bits);
 *   regs_read(out): the current state;
 *   regs_switch(jumpfn, to, data, load, store): load every callee-saved
 *     register from `load`, call jumpfn(to, data), store them into `store`
 *     (plus sp before/after the call at store[count], store[count+1]),
 *     restore the caller's own values, return jumpfn's result;
 *   regs_bad_jump(to, data): fctx_jump, then corrupt s5 (the test proves
 *     that it notices).
 * Word order: s0-s11, then with F/D: fs0-fs11 and (unless the library is
 * built with FCTX_NO_FPU_CONTROL, which shares frm between contexts by
 * design and passes the same define here) frm.  fflags are the thread's
 * (asm/frame_riscv64_lp64.h), not per-context state, and not words.
 *
 * Not words: ra is written by the call itself (a wrong resume address
 * crashes instead); gp/tp are not per-context state; sp is checked through
 * store[count]/[count+1].  fs registers are loaded as raw 64-bit patterns
 * (fld/fsd move bits unchanged, NaN or not).  Without D only F: 32-bit
 * slots (the high half of the word is then not varied).  frm values 5-7
 * are reserved encodings: they are only held while the switch runs, which
 * executes no FP arithmetic, and the test restores the caller's mode.
 */
#if defined(__riscv_flen) && __riscv_flen >= 64
#  define NFPR 12
#  define FSAVE fsd
#  define FLOAD fld
#  define FPR_MASK -1
#elif defined(__riscv_flen)
#  define NFPR 12
#  define FSAVE fsw
#  define FLOAD flw
#  define FPR_MASK 0xffffffff
#else
#  define NFPR 0
#endif
#if defined(__riscv_flen) && !defined(FCTX_NO_FPU_CONTROL)
#  define HAVE_FRM 1
#else
#  define HAVE_FRM 0
#endif
#define COUNT (12 + NFPR + HAVE_FRM)
#define W_FS0 96                    /* byte offsets of the words */
#define W_FRM (96 + 8 * NFPR)

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .word COUNT
    .globl  regs_mask
    .p2align 3
regs_mask:
    .dword -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1      /* s0-s11 */
#if NFPR
    .dword FPR_MASK, FPR_MASK, FPR_MASK, FPR_MASK, FPR_MASK, FPR_MASK
    .dword FPR_MASK, FPR_MASK, FPR_MASK, FPR_MASK, FPR_MASK, FPR_MASK
#endif
#if HAVE_FRM
    .dword 0x7                      /* frm: rounding mode */
#endif

/* op every s register at off(base) + 8 * n. */
#define GPRS(op, base)                                                      \
    op s0, 0(base); op s1, 8(base); op s2, 16(base); op s3, 24(base);       \
    op s4, 32(base); op s5, 40(base); op s6, 48(base); op s7, 56(base);     \
    op s8, 64(base); op s9, 72(base); op s10, 80(base); op s11, 88(base)
#define FPRS(op, off, base)                                                 \
    op fs0, off + 0(base); op fs1, off + 8(base); op fs2, off + 16(base);   \
    op fs3, off + 24(base); op fs4, off + 32(base); op fs5, off + 40(base); \
    op fs6, off + 48(base); op fs7, off + 56(base); op fs8, off + 64(base); \
    op fs9, off + 72(base); op fs10, off + 80(base); op fs11, off + 88(base)
/* F only: clear the 8-byte words before fsw fills their low halves. */
#if NFPR && FPR_MASK != -1
#  define ZERO_WORDS(off, base)                                             \
    sd zero, off + 0(base); sd zero, off + 8(base); sd zero, off + 16(base); \
    sd zero, off + 24(base); sd zero, off + 32(base); sd zero, off + 40(base); \
    sd zero, off + 48(base); sd zero, off + 56(base); sd zero, off + 64(base); \
    sd zero, off + 72(base); sd zero, off + 80(base); sd zero, off + 88(base)
#else
#  define ZERO_WORDS(off, base)
#endif

    .text
    .globl  regs_read
    .type   regs_read, @function
regs_read:                  /* a0 = out */
    .cfi_startproc
    GPRS(sd, a0)
#if NFPR
    ZERO_WORDS(W_FS0, a0)
    FPRS(FSAVE, W_FS0, a0)
#endif
#if HAVE_FRM
    frrm    t0
    sd      t0, W_FRM(a0)
#endif
    ret
    .cfi_endproc
    .size   regs_read, . - regs_read

/* Our own frame: ra, s0-s11 (GPRS order, at 8), store ptr, caller's frm,
   fs0-fs11. */
#define F_RA    0
#define F_S0    8
#define F_STORE 104
#define F_FRM   112
#define F_FS0   120
#define F_SIZE  224

    .globl  regs_switch
    .type   regs_switch, @function
regs_switch:            /* a0 jumpfn, a1 to, a2 data, a3 load, a4 store */
    .cfi_startproc
    addi    sp, sp, -F_SIZE
    .cfi_def_cfa_offset F_SIZE
    sd      ra, F_RA(sp)
    .cfi_offset ra, F_RA - F_SIZE
    addi    t0, sp, F_S0
    GPRS(sd, t0)
#if NFPR
    FPRS(FSAVE, F_FS0, sp)
#endif
#if HAVE_FRM
    frrm    t1
    sd      t1, F_FRM(sp)
#endif
    sd      a4, F_STORE(sp)
    sd      sp, COUNT * 8(a4)           /* sp before */
    mv      t2, a0                      /* jumpfn */
    mv      a0, a1
    mv      a1, a2
    GPRS(ld, a3)                        /* s0 too: from here on only sp
                                           addresses our frame */
#if NFPR
    FPRS(FLOAD, W_FS0, a3)
#endif
#if HAVE_FRM
    ld      t1, W_FRM(a3)
    fsrm    t1
#endif
    jalr    t2
    ld      a4, F_STORE(sp)
    GPRS(sd, a4)
#if NFPR
    ZERO_WORDS(W_FS0, a4)
    FPRS(FSAVE, W_FS0, a4)
#endif
#if HAVE_FRM
    frrm    t1
    sd      t1, W_FRM(a4)
    ld      t1, F_FRM(sp)
    fsrm    t1                          /* the caller's mode again */
#endif
    sd      sp, (COUNT + 1) * 8(a4)     /* sp after */
    addi    t0, sp, F_S0
    GPRS(ld, t0)
#if NFPR
    FPRS(FLOAD, F_FS0, sp)
#endif
    ld      ra, F_RA(sp)
    addi    sp, sp, F_SIZE              /* a0:a1 = jumpfn's result */
    .cfi_def_cfa_offset 0
    .cfi_restore ra
    ret
    .cfi_endproc
    .size   regs_switch, . - regs_switch

    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
regs_bad_jump:
    .cfi_startproc
    addi    sp, sp, -16
    .cfi_def_cfa_offset 16
    sd      ra, 8(sp)
    .cfi_offset ra, -8
    call    fctx_jump@plt
    not     s5, s5                      /* the deliberate bug */
    ld      ra, 8(sp)
    addi    sp, sp, 16
    .cfi_def_cfa_offset 0
    .cfi_restore ra
    ret
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
