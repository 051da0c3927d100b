/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)     AArch64 AAPCS64, GAS
 *
 * ABI facts (AAPCS64; details and the frame drawing in frame_arm64_aapcs.h):
 * callee-saved x19-x29, sp, d8-d15 (low halves of v8-v15); FPCR (FP modes)
 * per context and FPSR (exception flags) per thread, as the header's FP
 * control and status rule says; sp 16-byte aligned; fctx_transfer_t (two
 * pointers) comes back in x0:x1; arguments arrive in x0 (to), x1 (data).
 *
 * Saves the callee-saved state in a frame on the current stack, switches sp
 * to `to`, restores its state and resumes it with x0:x1 = {our context,
 * data}: the return value of `to`'s own pending fctx_jump, or (new context)
 * the first argument its start stub passes to the entry function.
 *
 * Resuming: `ret`, never `br`.  The resume address is a return address
 * (the instruction after some `bl fctx_jump`), and no compiler puts a
 * landing pad there.  With BTI, a `br xN` into a guarded page sets BTYPE 11
 * (or 01 for x16/x17) and the target must then be a compatible `bti`, so
 * any `br` would fault right there; `ret` sets BTYPE 00, which needs no
 * landing pad.  The price is that `ret` pops the return-stack predictor and
 * is mispredicted on every switch; we take the same path in every build so
 * the code that is tested is the code that ships.
 */
/* A universal macOS build compiles this one file for both slices: the
 * x86-64 slice gets the x86-64 code. */
#if defined(__APPLE__) && defined(__x86_64__)
#  include "jump_x86_64_sysv_gas.S"
#else

#include "frame_arm64_aapcs.h"

FCTX_FUNC_BEGIN(fctx_jump)
    FCTX_SIGN_LR                        /* pac-ret: sign the resume address
                                           with sp (= our ctx + FRAME_SIZE) */
    stp     x29, x30, [sp, #-FRAME_SIZE]!   /* allocate the frame; the frame
                                               record {fp, lr} goes first */
    .cfi_def_cfa_offset FRAME_SIZE
    FCTX_SAVE_REGS                      /* x19-x28, d8-d15 */
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x9, fpcr                    /* our rounding/flush/trap modes */
    str     x9, [sp, #FRAME_FPCR]
#endif
    FCTX_CFI_FRAME_SAVED                /* all slots written */

    mov     x10, sp                     /* our context: handed to `to` */
    mov     sp, x0                      /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    FCTX_LOAD_REGS
#ifndef FCTX_NO_FPU_CONTROL
    ldr     x11, [sp, #FRAME_FPCR]
    cmp     x9, x11                     /* writing FPCR can be slow (it may
                                           serialise the FP pipeline): only */
    b.eq    1f                          /* write it when the modes differ */
    msr     fpcr, x11
1:
#endif
    ldp     x29, x30, [sp], #FRAME_SIZE /* last loads; pop the whole frame */
    FCTX_CFI_FRAME_POPPED
    FCTX_AUTH_LR                        /* sp is now the value `to` signed
                                           its resume address with */
    mov     x0, x10                     /* transfer = {our context, data};
                                           data is still in x1 */
    ret                                 /* BTYPE 00: see the head comment */
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
#endif
