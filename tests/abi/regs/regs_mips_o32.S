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

/* Frame (152 bytes): 0..15 argument save area for jumpfn, 16..63
 * f20-f30, 64..135 s0-s7, s8 (8-byte slots, as in load/store), 136 ra,
 * 140 caller's FCSR, 144 store pointer; our own arguments load/store
 * at 168/172. */
#define F_REGS  16
#define F_GPRS  64
#define F_RA    136
#define F_FCSR  140
#define F_STORE 144
#define F_SIZE  152
    .globl  regs_switch
    .type   regs_switch, @function
    .p2align 3
regs_switch:
    .cfi_startproc
    addiu   $sp, $sp, -F_SIZE
    .cfi_adjust_cfa_offset F_SIZE
    sw      $31, F_RA($sp)
    .cfi_offset 31, F_RA - F_SIZE
    gprs    sw, $sp, F_GPRS                 /* the caller's registers */
    fprs    sdc1, $sp, F_REGS
    cfc1    $12, $31
    sw      $12, F_FCSR($sp)
    lw      $8, F_SIZE + 20($sp)            /* store */
    sw      $8, F_STORE($sp)
    sw      $sp, SP_BEFORE($8)              /* sp before */
    sw      $0, SP_BEFORE + 4($8)
    lw      $9, F_SIZE + 16($sp)            /* load */
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
    lw      $8, F_STORE($sp)                /* store; v0 stays untouched */
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
    lw      $12, F_FCSR($sp)                /* the caller's state back */
    ctc1    $12, $31
    gprs    lw, $sp, F_GPRS
    fprs    ldc1, $sp, F_REGS
    lw      $31, F_RA($sp)
    jr      $31
    addiu   $sp, $sp, F_SIZE                /* delay slot */
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
