/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)     MIPS32 o32, ELF, GAS
 *
 * The result is returned in memory (o32), so a0 = where our caller wants
 * it (hidden pointer), a1 = to, a2 = data.  Saves the callee-saved state
 * and a0 on the current stack (layout and the ABI facts behind it:
 * frame_mips_o32.h), switches sp to `to`, restores its state and writes
 * {our context, data} THROUGH `to`'s saved result pointer: the result of
 * `to`'s own pending fctx_jump/fctx_ontop, or (new context) the start
 * stub's transfer words.  Our own a0 waits in our frame until someone
 * resumes us.  The resume address goes through t9, so a resumed start
 * stub could also find itself there (it does not rely on it: fctx_ontop
 * reaches it through ra instead).
 */
#include "frame_mips_o32.h"

FCTX_FUNC_BEGIN(fctx_jump)
    addiu   $sp, $sp, -FRAME_SIZE       /* below our caller's sp (its 16-byte
                                           save area above is ours, unused) */
    .cfi_adjust_cfa_offset FRAME_SIZE
    fctx_gprs sw
    sw      $31, FRAME_RA($sp)          /* our resume address */
    .cfi_offset 31, FRAME_RA - FRAME_SIZE
    sw      $4, FRAME_RESULT($sp)       /* where our result goes, later */
#ifdef __mips_hard_float
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fcsr_save $12                  /* modes per context, flags per
                                           thread: see mips_shared.h */
#endif
    fctx_fprs sdc1
#endif

    move    $13, $sp                    /* our context, for `to` */
    move    $sp, $5                     /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    fctx_gprs lw
    lw      $25, FRAME_RA($sp)          /* where `to` resumes, in t9 */
#ifdef __mips_hard_float
    fctx_fprs ldc1
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fcsr_restore $12, $14, $15     /* only if the modes differ */
#endif
#endif
    lw      $2, FRAME_RESULT($sp)       /* `to`'s result pointer; also its
                                           v0, as o32 returns it */
    sw      $13, 0($2)                  /* `to`'s result: .ctx = us */
    sw      $6, 4($2)                   /*                .data */
    jr      $25
    addiu   $sp, $sp, FRAME_SIZE        /* delay slot: pop the frame */
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
