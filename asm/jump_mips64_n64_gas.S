/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)     MIPS64 n64, ELF, GAS
 *
 * a0 = to, a1 = data.  Saves the callee-saved state on the current stack
 * (layout: frame_mips64_n64.h), switches sp to `to`, restores its state
 * and resumes it with v0:v1 = {our context, data}: the return value of
 * `to`'s own pending fctx_jump, or (new context) what its start stub
 * passes to the entry function.  The resume address goes through t9, so a
 * resumed start stub could also find itself there (it does not rely on it:
 * fctx_ontop reaches it through ra instead).
 */
#include "frame_mips64_n64.h"

FCTX_FUNC_BEGIN(fctx_jump)
    daddiu  $sp, $sp, -FRAME_SIZE       /* below our caller's sp: ours now */
    .cfi_adjust_cfa_offset FRAME_SIZE
    sd      $16, FRAME_S0($sp)
    sd      $17, FRAME_S1($sp)
    sd      $18, FRAME_S2($sp)
    sd      $19, FRAME_S3($sp)
    sd      $20, FRAME_S4($sp)
    sd      $21, FRAME_S5($sp)
    sd      $22, FRAME_S6($sp)
    sd      $23, FRAME_S7($sp)
    sd      $30, FRAME_FP($sp)
    sd      $28, FRAME_GP($sp)
    sd      $31, FRAME_RA($sp)          /* our resume address */
    .cfi_offset 31, FRAME_RA - FRAME_SIZE
#ifdef __mips_hard_float
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fcsr_save $12                  /* modes per context, flags per
                                           thread: see frame_mips64_n64.h */
#endif
    sdc1    $f24, FRAME_F24($sp)
    sdc1    $f25, FRAME_F25($sp)
    sdc1    $f26, FRAME_F26($sp)
    sdc1    $f27, FRAME_F27($sp)
    sdc1    $f28, FRAME_F28($sp)
    sdc1    $f29, FRAME_F29($sp)
    sdc1    $f30, FRAME_F30($sp)
    sdc1    $f31, FRAME_F31($sp)
#endif

    move    $2, $sp                     /* v0: our context, for `to` */
    move    $sp, $4                     /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    ld      $16, FRAME_S0($sp)
    ld      $17, FRAME_S1($sp)
    ld      $18, FRAME_S2($sp)
    ld      $19, FRAME_S3($sp)
    ld      $20, FRAME_S4($sp)
    ld      $21, FRAME_S5($sp)
    ld      $22, FRAME_S6($sp)
    ld      $23, FRAME_S7($sp)
    ld      $30, FRAME_FP($sp)
    ld      $28, FRAME_GP($sp)
    ld      $25, FRAME_RA($sp)          /* where `to` resumes, in t9 */
#ifdef __mips_hard_float
    ldc1    $f24, FRAME_F24($sp)
    ldc1    $f25, FRAME_F25($sp)
    ldc1    $f26, FRAME_F26($sp)
    ldc1    $f27, FRAME_F27($sp)
    ldc1    $f28, FRAME_F28($sp)
    ldc1    $f29, FRAME_F29($sp)
    ldc1    $f30, FRAME_F30($sp)
    ldc1    $f31, FRAME_F31($sp)
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fcsr_restore $12, $14, $15      /* only if the modes differ */
#endif
#endif
    move    $3, $5                      /* v1: data */
    jr      $25
    daddiu  $sp, $sp, FRAME_SIZE        /* delay slot: pop the frame */
FCTX_FUNC_END(fctx_jump)

    .section .note.GNU-stack,"",%progbits
