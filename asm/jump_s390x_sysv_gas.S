/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)     s390x, ELF, GAS
 *
 * r2 = hidden result pointer, r3 = to, r4 = data (see frame_s390x_sysv.h
 * for the ABI facts).  Saves r6-r14 in the save area our caller provides
 * and the FP state in a frame below it, switches r15 to `to`, restores its
 * state and resumes it as if its own pending fctx_jump/fctx_ontop returned
 * {our context, data}: the transfer is stored through `to`'s hidden result
 * pointer (for a new context: the landing area its start stub passes on).
 */
#include "frame_s390x_sysv.h"

FCTX_FUNC_BEGIN(fctx_jump)
    stmg    %r6, %r14, 48(%r15)         /* callee-saved GPRs + resume address
                                           into the caller's save area */
    FCTX_CFI_SAVED_R6_R14
    lgr     %r1, %r15
    aghi    %r15, -FRAME_SIZE           /* allocate before storing: no red zone */
    .cfi_adjust_cfa_offset FRAME_SIZE
    stg     %r1, FRAME_BACKCHAIN(%r15)
    fctx_fprs std
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpc_save %r7                   /* modes per context, flags per
                                           thread: see frame_s390x_sysv.h */
#endif
    stg     %r2, FRAME_RESULT(%r15)     /* where our transfer goes later */

    lgr     %r1, %r15                   /* our context */
    lgr     %r15, %r3                   /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    fctx_fprs ld
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpc_restore %r7, %r8           /* only if the modes differ */
#endif
    lg      %r2, FRAME_RESULT(%r15)     /* `to`'s hidden result pointer */
    stg     %r1, 0(%r2)                 /* its transfer = {our ctx, data} */
    stg     %r4, 8(%r2)
    lmg     %r6, %r14, FRAME_R6(%r15)   /* r14 = where `to` resumes */
    la      %r15, FRAME_SIZE(%r15)      /* pop the frame */
    .cfi_adjust_cfa_offset -FRAME_SIZE
    br      %r14                        /* r2 still holds the result address */
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
