/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                   AArch64 AAPCS64, GAS
 *
 * ABI facts (AAPCS64; frame drawing in frame_arm64_aapcs.h): callee-saved
 * x19-x29, sp, d8-d15; FPCR per context, FPSR per thread (the header's FP
 * control and status rule; fn runs with `to`'s FPCR and the thread's
 * flags); sp 16-byte aligned; a function returns
 * to x30; fctx_transfer_t is passed as the first argument in x0:x1 and
 * returned in x0:x1.  x0 = to, x1 = data, x2 = fn.
 *
 * Saves our state like fctx_jump, switches to `to` and restores its
 * registers, but instead of resuming `to` it tail-calls fn({our context,
 * data}) with x30 = `to`'s resume address: fn looks exactly as if `to` had
 * called it at its resume point, and fn's return value (x0:x1) becomes the
 * result of `to`'s pending switch (for a new context: the start stub's
 * transfer).  sp = `to`'s sp, 16-byte aligned, as at any call.
 *
 * The tail call goes through x16: with BTI, `br x16`/`br x17` set BTYPE 01,
 * which fn's `bti c` (or its paciasp, an implicit `bti c`) accepts; a `br`
 * through any other register sets BTYPE 11 in a guarded page, which only
 * `bti j`/`bti jc` accept, so a normal C function would fault.
 */
/* A universal macOS build compiles this one file for both slices: the
 * x86-64 slice gets the x86-64 code. */
#if defined(__APPLE__) && defined(__x86_64__)
#  include "ontop_x86_64_sysv_gas.S"
#else

#include "frame_arm64_aapcs.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    FCTX_SIGN_LR                        /* same frame as fctx_jump */
    stp     x29, x30, [sp, #-FRAME_SIZE]!
    .cfi_def_cfa_offset FRAME_SIZE
    FCTX_SAVE_REGS                      /* x19-x28, d8-d15 */
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x9, fpcr
    str     x9, [sp, #FRAME_FPCR]
#endif
    FCTX_CFI_FRAME_SAVED                /* all slots written */

    mov     x10, sp                     /* our context */
    mov     sp, x0                      /* switch stacks */
    FCTX_LOAD_REGS
#ifndef FCTX_NO_FPU_CONTROL
    ldr     x11, [sp, #FRAME_FPCR]
    cmp     x9, x11                     /* skip the (possibly slow) write */
    b.eq    1f                          /* when the modes are equal */
    msr     fpcr, x11
1:
#endif
    ldp     x29, x30, [sp], #FRAME_SIZE /* x30 = `to`'s resume address: fn
                                           returns there */
    FCTX_CFI_FRAME_POPPED
    FCTX_AUTH_LR                        /* fn gets a plain return address, as
                                           from a `bl`; it signs its own */
    mov     x0, x10                     /* fn's argument {our context, data}:
                                           x0:x1 (data is still in x1) */
    mov     x16, x2                     /* BTI: see the head comment */
    br      x16                         /* tail call fn */
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
#endif
