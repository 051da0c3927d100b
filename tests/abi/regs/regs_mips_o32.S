/*
 * Register-preservation test helpers, MIPS32 o32 (ELF, PIC).  See
 * tests/regs/regs_x86_64_sysv.S and tests/test_registers.c for the
 * contract.  Words are uint64_t; order: s0-s7, s8 (zero-extended, mask
 * 0xffffffff), f20, f22, ..., f30 (all 64 bits: with FR=0 a word is the
 * pair f(n+1):f(n), so f20-f31 are all checked; with FR=1 it is the even
 * register, the odd ones being caller-saved), FCSR.  MIPS o32 specifics:
 *   - gp is not callee-saved in o32 (asm/frame_mips_o32.h) and is not
 *     tortured: regs_bad_jump sets up its own from t9;
 *   - fctx_transfer_t is returned in memory, so every function returning
 *     it (regs_switch, jumpfn, regs_bad_jump, fctx_jump) takes the result
 *     address in a0 and its arguments from a1:
 *       regs_switch(a0 = &result, a1 = jumpfn, a2 = to, a3 = data,
 *                   16(sp) = load, 20(sp) = store)
 *     regs_switch hands its own a0 on to jumpfn unchanged, so jumpfn's
 *     result is written straight into regs_switch's caller's result;
 *   - calls through a pointer pass the callee's address in t9, and a
 *     caller reserves 16 bytes of argument save area at its sp;
 *   - FCSR: only the rounding mode and FS are varied (enables would trap in
 *     the C code that runs between the switches).  The flags, cause bits
 *     and condition codes are the thread's (asm/mips_shared.h) and not
 *     checked.
 * With FCTX_NO_FPU_CONTROL (tests/CMakeLists.txt passes the library's
 * define here) the control word, which comes last, is not checked.
 */
#ifndef FCTX_NO_FPU_CONTROL
#  define NWORDS 16
#else
#  define NWORDS 15             /* FCSR shared by design */
#endif
#define W_F20     (9 * 8)       /* offset of word 9 (f20) */
#define W_FCSR    (15 * 8)
#define SP_BEFORE (8 * NWORDS)
#define SP_AFTER  (8 * NWORDS + 8)

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .word NWORDS
    .globl  regs_mask
    .p2align 3
regs_mask:
    .dword 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff   /* s0-s3 */
    .dword 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff   /* s4-s7 */
    .dword 0xffffffff                                       /* s8 */
    .dword -1, -1, -1, -1, -1, -1                           /* f20-f30 */
    .dword 0x01000003                       /* FCSR: FS (flush to zero), rounding mode */

/* gprs op, base, first: `op` (sw/lw) s0-s7, s8 at base + first + 8 * i
 * (the low word of each uint64 slot: little-endian). */
    .macro  gprs op, base, first
    .irp r, 16,17,18,19,20,21,22,23,30
    .if \r == 30
    \op     $30, \first + 64(\base)
    .else
    \op     $\r, \first + 8 * (\r - 16)(\base)
    .endif
    .endr
    .endm
/* zhi base, first: zero the high words of the nine GPR slots. */
    .macro  zhi base, first
    .irp i, 0,1,2,3,4,5,6,7,8
    sw      $0, \first + 8 * \i + 4(\base)
    .endr
    .endm
/* fprs op, base, first: `op` (sdc1/ldc1) f20-f30 even at base + first + 8 * i. */
    .macro  fprs op, base, first
    .irp r, 20,22,24,26,28,30
    \op     $f\r, \first + 4 * (\r - 20)(\base)
    .endr
    .endm

    .text
    .set    noreorder
    .set    nomacro

    .globl  regs_read
    .type   regs_read, @function
    .p2align 3
regs_read:                                  /* a0 = out */
    .cfi_startproc
    gprs    sw, $4, 0
    zhi     $4, 0
    fprs    sdc1, $4, W_F20
    cfc1    $12, $31
    sw      $12, W_FCSR($4)
    jr      $31
    sw      $0, W_FCSR + 4($4)              /* delay slot */
    .cfi_endproc
    .size   regs_read, . - regs_read

/* Frame (112 bytes): 0..15 argument save area for jumpfn, 16..63 f20-f30,
 * 64..95 s0-s7, 96 s8, 100 ra, 104 caller's FCSR, 108 store pointer;
 * our own arguments load/store at 128/132. */
    .globl  regs_switch
    .type   regs_switch, @function
    .p2align 3
regs_switch:
    .cfi_startproc
    addiu   $sp, $sp, -112
    .cfi_adjust_cfa_offset 112
    sw      $31, 100($sp)
    .cfi_offset 31, -12
    sw      $16, 64($sp)
    sw      $17, 68($sp)
    sw      $18, 72($sp)
    sw      $19, 76($sp)
    sw      $20, 80($sp)
    sw      $21, 84($sp)
    sw      $22, 88($sp)
    sw      $23, 92($sp)
    sw      $30, 96($sp)
    sdc1    $f20, 16($sp)
    sdc1    $f22, 24($sp)
    sdc1    $f24, 32($sp)
    sdc1    $f26, 40($sp)
    sdc1    $f28, 48($sp)
    sdc1    $f30, 56($sp)
    cfc1    $12, $31
    sw      $12, 104($sp)
    lw      $8, 132($sp)                    /* store */
    sw      $8, 108($sp)
    sw      $sp, SP_BEFORE($8)              /* sp before */
    sw      $0, SP_BEFORE + 4($8)
    lw      $9, 128($sp)                    /* load */
    move    $25, $5                         /* jumpfn, in t9; a0 stays */
    move    $5, $6                          /* to */
    move    $6, $7                          /* data */
    gprs    lw, $9, 0
    fprs    ldc1, $9, W_F20
#ifndef FCTX_NO_FPU_CONTROL
    lw      $12, W_FCSR($9)
    ctc1    $12, $31
#endif
    jalr    $25
    nop                                     /* delay slot */
    lw      $8, 108($sp)                    /* store; v0 stays untouched */
    gprs    sw, $8, 0
    zhi     $8, 0
    fprs    sdc1, $8, W_F20
#ifndef FCTX_NO_FPU_CONTROL
    cfc1    $12, $31
    sw      $12, W_FCSR($8)
    sw      $0, W_FCSR + 4($8)
#endif
    sw      $sp, SP_AFTER($8)               /* sp after */
    sw      $0, SP_AFTER + 4($8)
    lw      $12, 104($sp)
    ctc1    $12, $31
    lw      $16, 64($sp)
    lw      $17, 68($sp)
    lw      $18, 72($sp)
    lw      $19, 76($sp)
    lw      $20, 80($sp)
    lw      $21, 84($sp)
    lw      $22, 88($sp)
    lw      $23, 92($sp)
    lw      $30, 96($sp)
    ldc1    $f20, 16($sp)
    ldc1    $f22, 24($sp)
    ldc1    $f24, 32($sp)
    ldc1    $f26, 40($sp)
    ldc1    $f28, 48($sp)
    ldc1    $f30, 56($sp)
    lw      $31, 100($sp)
    jr      $31
    addiu   $sp, $sp, 112                   /* delay slot */
    .cfi_endproc
    .size   regs_switch, . - regs_switch

/* fctx_transfer_t regs_bad_jump(a0 = &result, a1 = to, a2 = data):
 * fctx_jump (same arguments, result straight to our caller), then
 * corrupt s1.  Our own gp from t9 for the GOT call (gp is not tortured). */
    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
    .p2align 3
regs_bad_jump:
    .cfi_startproc
    lui     $28, %hi(_gp_disp)
    addiu   $28, $28, %lo(_gp_disp)
    addu    $28, $28, $25
    addiu   $sp, $sp, -24                   /* save area + ra, 8-aligned */
    .cfi_adjust_cfa_offset 24
    sw      $31, 20($sp)
    .cfi_offset 31, -4
    lw      $25, %call16(fctx_jump)($28)
    jalr    $25
    nop                                     /* delay slot */
    nor     $17, $17, $0                    /* the deliberate bug */
    lw      $31, 20($sp)
    jr      $31
    addiu   $sp, $sp, 24                    /* delay slot */
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .set    macro
    .set    reorder
    .section .note.GNU-stack,"",%progbits
