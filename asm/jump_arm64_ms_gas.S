/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)   ARM64 Windows, PE, GAS
 *
 * ABI facts and the frame drawing: frame_arm64_ms.h (nonvolatile x19-x30,
 * sp, d8-d15; FPCR per context and FPSR per thread, as its FP control
 * and status rule says; x18 = TEB, never switched; sp always 16-byte
 * aligned; the transfer in x0:x1 both ways).  x0 = to, x1 = data.
 *
 * Saves the nonvolatile state and our TEB stack description in a frame on
 * the current stack, switches sp to `to`, restores its registers and TEB
 * fields and returns into `to` with x0:x1 = {our context, data}.  The
 * unwind codes describe the frame up to the switch; after it the same
 * codes describe `to`'s frame (same shape).  The instructions after the
 * switch are not declared as an epilogue: an unwind that starts exactly
 * there (an asynchronous profiler sample) sees the frame being popped.
 */
#include "frame_arm64_ms.h"

FCTX_FUNC_BEGIN(fctx_jump)
    FCTX_SAVE_FRAME                     /* x29/x30 + callee-saved pairs */
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x11, fpcr                   /* our rounding/flush modes */
    str     x11, [sp, #FRAME_FPCR]
#endif
    FCTX_SAVE_TEB                       /* our stack as the TEB describes it */

    mov     x12, sp                     /* our context: handed to `to` */
    mov     sp, x0                      /* switch stacks (16-byte aligned) */
    FCTX_LOAD_REGS
    FCTX_LOAD_TEB                       /* the TEB now describes `to`'s stack */
#ifndef FCTX_NO_FPU_CONTROL
    ldr     x9, [sp, #FRAME_FPCR]
    cmp     x9, x11                     /* writing FPCR may serialise the */
    b.eq    1f                          /* FP pipeline: only when it differs */
    msr     fpcr, x9
1:
#endif
    ldp     x29, x30, [sp], #FRAME_SIZE /* pop the whole frame */
    mov     x0, x12                     /* transfer = {our context, data} */
    ret                                 /* into `to`'s resume address */
FCTX_FUNC_END(fctx_jump)
