/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                     MIPS32 o32, ELF, GAS
 *
 * The result is returned in memory (o32): a0 = our caller's result
 * address (hidden pointer), a1 = to, a2 = data, a3 = fn.  Saves our state
 * and a0 like fctx_jump (frame_mips_o32.h), switches to `to` and restores
 * its registers, then tail-calls
 *     fn(a0 = `to`'s saved result pointer, a1:a2 = {our context, data})
 * with ra = `to`'s resume address: fn looks exactly as if `to` had called
 * it at its resume point, and since fn returns fctx_transfer_t in memory
 * too, its result is written where `to`'s pending switch (for a new
 * context: the start stub) expects its own.  t9 = fn, as the PIC calling
 * convention requires; sp = `to`'s sp, with the 16-byte argument save
 * area above it that `to`'s caller reserved for its pending call (a new
 * context: START_SAVE).  gp needs no care: fn sets up its own, and the
 * code it returns to reloads its gp (o32, frame_mips_o32.h).
 */
#include "frame_mips_o32.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    fctx_save_state                     /* same frame as fctx_jump */
    sw      $4, FRAME_RESULT($sp)       /* where our result goes, later */
    move    $13, $sp                    /* our context */
    move    $25, $7                     /* fn, in t9 for the PIC call */
    move    $sp, $5                     /* switch stacks */
    fctx_load_state $31                 /* `to`'s; fn returns to its resume
                                           point */
    lw      $4, FRAME_RESULT($sp)       /* fn's hidden result pointer:
                                           `to`'s pending one */
    move    $5, $13                     /* fn's argument {our context, data}:
                                           a1 = context, a2 = data (already) */
    jr      $25                         /* tail call fn */
    addiu   $sp, $sp, FRAME_SIZE        /* delay slot: pop the frame */
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
