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
    fctx_save_state                     /* our frame, registers, FCSR
                                           (mips_shared.h); the 16-byte save
                                           area above is ours, unused */
    sw      $4, FRAME_RESULT($sp)       /* where our result goes, later */
    move    $13, $sp                    /* our context, for `to` */
    move    $sp, $5                     /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    fctx_load_state $25                 /* `to`'s; it resumes through t9 */
    lw      $2, FRAME_RESULT($sp)       /* `to`'s result pointer; also its
                                           v0, as o32 returns it */
    sw      $13, 0($2)                  /* `to`'s result: .ctx = us */
    sw      $6, 4($2)                   /*                .data */
    jr      $25
    addiu   $sp, $sp, FRAME_SIZE        /* delay slot: pop the frame */
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
