/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                               ARM64 Windows, PE, GAS
 *
 * ABI facts, the FP control and status rule (fn runs with `to`'s FPCR and
 * the thread's FPSR flags) and the frame drawing: frame_arm64_ms.h.
 * x0 = to, x1 = data,
 * x2 = fn.  Saves our state like fctx_jump, switches to `to` (registers and
 * TEB stack fields), then tail-calls fn({our context, data}) with x30 =
 * `to`'s resume address and sp = `to`'s sp: fn looks exactly as if `to`
 * had called it at its resume point (its unwind then continues into `to`'s
 * frames), and fn's x0:x1 becomes the result of `to`'s pending switch
 * (for a new context: the start stub's transfer).
 */
#include "frame_arm64_ms.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    FCTX_SAVE_FRAME                     /* same frame as fctx_jump */
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x11, fpcr
    str     x11, [sp, #FRAME_FPCR]
#endif
    FCTX_SAVE_TEB

    mov     x12, sp                     /* our context */
    mov     sp, x0                      /* switch stacks */
    FCTX_LOAD_REGS
    FCTX_LOAD_TEB
#ifndef FCTX_NO_FPU_CONTROL
    ldr     x9, [sp, #FRAME_FPCR]
    cmp     x9, x11                     /* writing FPCR may serialise the */
    b.eq    1f                          /* FP pipeline: only when it differs */
    msr     fpcr, x9
1:
#endif
    ldp     x29, x30, [sp], #FRAME_SIZE /* x30 = `to`'s resume address */
    mov     x0, x12                     /* fn's argument {our context, data} */
    br      x2                          /* tail call fn */
FCTX_FUNC_END(fctx_ontop)
