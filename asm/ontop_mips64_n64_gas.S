/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                     MIPS64 n64, ELF, GAS
 *
 * a0 = to, a1 = data, a2 = fn.  Saves our state like fctx_jump, switches to
 * `to` and restores its registers, then tail-calls fn({our context, data})
 * with ra = `to`'s resume address: fn looks exactly as if `to` had called
 * it at its resume point, and fn's v0:v1 becomes the result of `to`'s
 * pending switch (for a new context: the start stub's transfer).  t9 = fn,
 * as the PIC calling convention requires; sp = `to`'s sp, 16-byte aligned.
 * gp needs no care: fn sets up its own and, gp being callee-saved in n64,
 * hands `to` back the value restored here.
 */
#include "frame_mips64_n64.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    fctx_save_state                     /* same frame as fctx_jump */
    move    $13, $sp                    /* our context */
    move    $25, $6                     /* fn, in t9 for the PIC call */
    move    $sp, $4                     /* switch stacks */
    fctx_load_state $31                 /* `to`'s; fn returns to its resume
                                           point */
    move    $4, $13                     /* fn's argument {our context, data}:
                                           a0 = context, a1 = data (already) */
    jr      $25                         /* tail call fn */
    daddiu  $sp, $sp, FRAME_SIZE        /* delay slot: pop the frame */
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
