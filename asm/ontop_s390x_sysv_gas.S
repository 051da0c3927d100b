/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                      s390x, ELF, GAS
 *
 * r2 = hidden result pointer, r3 = to, r4 = data, r5 = fn.  Saves our
 * state like fctx_jump, switches to `to` and restores its registers, then
 * calls fn({our context, data}) on `to`'s stack through a small call frame
 * (fctx_ontop_call below) that looks exactly like a function called from
 * `to`'s resume point.  A plain tail call is not possible here: fn takes
 * its 16-byte argument by reference, so the copy must live in a frame that
 * stays valid while fn runs, and fn's own stack frame and register save
 * area would overlap anything left below or at `to`'s sp.  fn's result
 * goes straight through `to`'s hidden result pointer, so it becomes the
 * result of `to`'s pending switch (for a new context: the start stub's
 * transfer); then the call frame resumes `to`.
 */
#include "frame_s390x_sysv.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    stmg    %r6, %r14, 48(%r15)         /* same frame as fctx_jump */
    FCTX_CFI_SAVED_R6_R14
    lgr     %r1, %r15
    aghi    %r15, -FRAME_SIZE
    .cfi_adjust_cfa_offset FRAME_SIZE
    stg     %r1, FRAME_BACKCHAIN(%r15)
    fctx_fprs std
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpc_save %r7                   /* modes per context, flags per
                                           thread: see frame_s390x_sysv.h */
#endif
    stg     %r2, FRAME_RESULT(%r15)

    lgr     %r0, %r15                   /* our context */
    lgr     %r1, %r5                    /* fn */
    lgr     %r15, %r3                   /* switch stacks */
    fctx_fprs ld
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpc_restore %r7, %r8           /* only if the modes differ */
#endif
    lg      %r2, FRAME_RESULT(%r15)     /* `to`'s result pointer: fn's too */
    lmg     %r6, %r14, FRAME_R6(%r15)   /* r14 = `to`'s resume address */
    la      %r15, FRAME_SIZE(%r15)      /* pop the frame: r15 = `to`'s sp */
    .cfi_adjust_cfa_offset -FRAME_SIZE
    lgr     %r3, %r0                    /* fn's argument {our context, data} */
    j       fctx_ontop_call             /* r4 = data already */
FCTX_FUNC_END(fctx_ontop)

/*
 * fn's caller, entered as if called from `to`'s resume point: r14 = that
 * resume address, r15 = `to`'s sp, r2 = its result pointer, r1 = fn,
 * r3:r4 = fn's argument.  Its CFI is that of an ordinary function, so
 * unwinders (C++ exceptions thrown by fn) continue into `to`'s frames.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_ontop_call)
    stmg    %r14, %r15, 112(%r15)       /* resume address and sp, in the
                                           save area `to`'s frame provides */
    .cfi_offset %r14, -48
    .cfi_offset %r15, -40
    stg     %r2, 16(%r15)               /* result pointer, r2's slot */
    lgr     %r0, %r15
    aghi    %r15, -(SAVE_AREA + 16)     /* fn's save area + the argument copy */
    .cfi_adjust_cfa_offset SAVE_AREA + 16
    stg     %r0, 0(%r15)                /* back chain */
    stg     %r3, SAVE_AREA(%r15)        /* the caller-made copy of fn's */
    stg     %r4, SAVE_AREA + 8(%r15)    /* by-reference struct argument */
    la      %r3, SAVE_AREA(%r15)
    basr    %r14, %r1                   /* fn(result = r2, &argument) */
    lg      %r2, SAVE_AREA + 16 + 16(%r15)  /* the result address again */
    lmg     %r14, %r15, SAVE_AREA + 16 + 112(%r15)
    .cfi_restore %r14
    .cfi_restore %r15
    .cfi_def_cfa_offset 160
    br      %r14                        /* resume `to` with fn's result */
FCTX_FUNC_END(fctx_ontop_call)

FCTX_FILE_END
