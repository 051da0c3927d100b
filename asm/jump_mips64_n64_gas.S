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
    fctx_save_state                     /* our frame, registers, FCSR
                                           (mips_shared.h) */
    move    $2, $sp                     /* v0: our context, for `to` */
    move    $sp, $4                     /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    fctx_load_state $25                 /* `to`'s; it resumes through t9 */
    move    $3, $5                      /* v1: data */
    jr      $25
    daddiu  $sp, $sp, FRAME_SIZE        /* delay slot: pop the frame */
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
