/*
 * Register-preservation test helpers, MIPS64 n64 (ELF, PIC).  See
 * tests/regs/regs_x86_64_sysv.S and tests/test_registers.c for the
 * contract.  MIPS specifics:
 *   - gp is callee-saved in n64 and is tortured like s0-s8: every helper
 *     that needs its own GOT (regs_bad_jump) derives gp from t9 and gives
 *     the test value back;
 *   - calls through a pointer pass the callee's address in t9;
 *   - FCSR: only the rounding mode and FS are varied (enables would trap in the C
 *     code that runs between the switches).  The flags, cause bits and
 *     condition codes are the thread's (asm/frame_mips64_n64.h) and not
 *     checked.
 * With FCTX_NO_FPU_CONTROL (tests/CMakeLists.txt passes the library's
 * define here) the control words, which come last, are not checked.
 * Word order: s0-s7, s8, gp, f24-f31, fcsr.
 */
#ifndef FCTX_NO_FPU_CONTROL
#  define NWORDS 19
#else
#  define NWORDS 18             /* FCSR shared by design */
#endif
#define SP_BEFORE (8 * NWORDS)
#define SP_AFTER  (8 * NWORDS + 8)

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .word NWORDS
    .globl  regs_mask
    .p2align 3
regs_mask:
    .dword -1, -1, -1, -1, -1, -1, -1, -1   /* s0-s7 */
    .dword -1, -1                           /* s8, gp */
    .dword -1, -1, -1, -1, -1, -1, -1, -1   /* f24-f31 */
    .dword 0x01000003                       /* FCSR: FS (flush to zero), rounding mode */

    .text
    .set    noreorder
    .set    nomacro

    .globl  regs_read
    .type   regs_read, @function
regs_read:                                  /* a0 = out */
    .cfi_startproc
    sd      $16, 0($4)
    sd      $17, 8($4)
    sd      $18, 16($4)
    sd      $19, 24($4)
    sd      $20, 32($4)
    sd      $21, 40($4)
    sd      $22, 48($4)
    sd      $23, 56($4)
    sd      $30, 64($4)
    sd      $28, 72($4)
    sdc1    $f24, 80($4)
    sdc1    $f25, 88($4)
    sdc1    $f26, 96($4)
    sdc1    $f27, 104($4)
    sdc1    $f28, 112($4)
    sdc1    $f29, 120($4)
    sdc1    $f30, 128($4)
    sdc1    $f31, 136($4)
    cfc1    $12, $31
    sw      $12, 144($4)                    /* little-endian: low half */
    jr      $31
    sw      $0, 148($4)                     /* delay slot */
    .cfi_endproc
    .size   regs_read, . - regs_read

/* fctx_transfer_t regs_switch(jumpfn a0, to a1, data a2, load a3, store a4)
 * Frame (176 bytes): 0 ra, 8..64 s0-s7, 72 s8, 80 gp, 88..144 f24-f31,
 * 152 caller's FCSR, 160 store pointer. */
    .globl  regs_switch
    .type   regs_switch, @function
regs_switch:
    .cfi_startproc
    daddiu  $sp, $sp, -176
    .cfi_adjust_cfa_offset 176
    sd      $31, 0($sp)
    .cfi_offset 31, -176
    sd      $16, 8($sp)
    sd      $17, 16($sp)
    sd      $18, 24($sp)
    sd      $19, 32($sp)
    sd      $20, 40($sp)
    sd      $21, 48($sp)
    sd      $22, 56($sp)
    sd      $23, 64($sp)
    sd      $30, 72($sp)
    sd      $28, 80($sp)
    sdc1    $f24, 88($sp)
    sdc1    $f25, 96($sp)
    sdc1    $f26, 104($sp)
    sdc1    $f27, 112($sp)
    sdc1    $f28, 120($sp)
    sdc1    $f29, 128($sp)
    sdc1    $f30, 136($sp)
    sdc1    $f31, 144($sp)
    cfc1    $12, $31
    sd      $12, 152($sp)
    sd      $8, 160($sp)
    sd      $sp, SP_BEFORE($8)              /* sp before */
    move    $25, $4                         /* jumpfn, in t9 */
    move    $4, $5                          /* to */
    move    $5, $6                          /* data */
    ld      $16, 0($7)
    ld      $17, 8($7)
    ld      $18, 16($7)
    ld      $19, 24($7)
    ld      $20, 32($7)
    ld      $21, 40($7)
    ld      $22, 48($7)
    ld      $23, 56($7)
    ld      $30, 64($7)
    ld      $28, 72($7)
    ldc1    $f24, 80($7)
    ldc1    $f25, 88($7)
    ldc1    $f26, 96($7)
    ldc1    $f27, 104($7)
    ldc1    $f28, 112($7)
    ldc1    $f29, 120($7)
    ldc1    $f30, 128($7)
    ldc1    $f31, 136($7)
#ifndef FCTX_NO_FPU_CONTROL
    lw      $12, 144($7)
    ctc1    $12, $31
#endif
    jalr    $25
    nop                                     /* delay slot */
    ld      $8, 160($sp)                    /* store; v0:v1 stay untouched */
    sd      $16, 0($8)
    sd      $17, 8($8)
    sd      $18, 16($8)
    sd      $19, 24($8)
    sd      $20, 32($8)
    sd      $21, 40($8)
    sd      $22, 48($8)
    sd      $23, 56($8)
    sd      $30, 64($8)
    sd      $28, 72($8)
    sdc1    $f24, 80($8)
    sdc1    $f25, 88($8)
    sdc1    $f26, 96($8)
    sdc1    $f27, 104($8)
    sdc1    $f28, 112($8)
    sdc1    $f29, 120($8)
    sdc1    $f30, 128($8)
    sdc1    $f31, 136($8)
#ifndef FCTX_NO_FPU_CONTROL
    cfc1    $12, $31
    sw      $12, 144($8)
    sw      $0, 148($8)
#endif
    sd      $sp, SP_AFTER($8)               /* sp after */
    ld      $12, 152($sp)
    ctc1    $12, $31
    ld      $16, 8($sp)
    ld      $17, 16($sp)
    ld      $18, 24($sp)
    ld      $19, 32($sp)
    ld      $20, 40($sp)
    ld      $21, 48($sp)
    ld      $22, 56($sp)
    ld      $23, 64($sp)
    ld      $30, 72($sp)
    ld      $28, 80($sp)
    ldc1    $f24, 88($sp)
    ldc1    $f25, 96($sp)
    ldc1    $f26, 104($sp)
    ldc1    $f27, 112($sp)
    ldc1    $f28, 120($sp)
    ldc1    $f29, 128($sp)
    ldc1    $f30, 136($sp)
    ldc1    $f31, 144($sp)
    ld      $31, 0($sp)
    jr      $31
    daddiu  $sp, $sp, 176                   /* delay slot */
    .cfi_endproc
    .size   regs_switch, . - regs_switch

/* fctx_transfer_t regs_bad_jump(to a0, data a1): fctx_jump, then corrupt s1.
 * gp holds a test value here: save it, derive our own from t9 for the GOT
 * call, give the test value back. */
    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
regs_bad_jump:
    .cfi_startproc
    daddiu  $sp, $sp, -16
    .cfi_adjust_cfa_offset 16
    sd      $31, 0($sp)
    .cfi_offset 31, -16
    sd      $28, 8($sp)
    lui     $28, %hi(%neg(%gp_rel(regs_bad_jump)))
    daddu   $28, $28, $25
    daddiu  $28, $28, %lo(%neg(%gp_rel(regs_bad_jump)))
    ld      $25, %call16(fctx_jump)($28)
    jalr    $25
    nop                                     /* delay slot */
    nor     $17, $17, $0                    /* the deliberate bug */
    ld      $28, 8($sp)
    ld      $31, 0($sp)
    jr      $31
    daddiu  $sp, $sp, 16                    /* delay slot */
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .set    macro
    .set    reorder
    .section .note.GNU-stack,"",%progbits
