/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                   PowerPC SysV, ELF, GAS
 *
 * r3 = hidden result pointer, r4 = to, r5 = data, r6 = fn.  Saves our
 * state like fctx_jump, switches to `to` and restores its registers, then
 * calls fn({our context, data}) on `to`'s stack through a small call frame
 * (fctx_ontop_call below) that looks exactly like a function called from
 * `to`'s resume point.  A plain tail call is not possible here: fn takes
 * its argument by reference (frame_ppc_sysv.h), so the copy must live in a
 * frame that stays valid while fn runs, and below `to`'s sp nothing does.
 * fn's hidden result pointer is `to`'s saved one, so fn's result becomes
 * the result of `to`'s pending switch (for a new context: the start
 * stub's transfer); then the call frame resumes `to`.
 */
#include "frame_ppc_sysv.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    fctx_switch_out                     /* our block, as fctx_jump's */

    fctx_switch_in                      /* r11 = our context, r1 = `to`'s
                                           block, r3 = its result pointer,
                                           r0 = `to`'s resume address */
    mtlr    %r0                         /* as if `to` had just called us */
    .cfi_restore lr                     /* (the CIE's rule: lr itself) */
    addi    %r1, %r1, FRAME_SIZE        /* pop the block: r1 = `to`'s sp */
    .cfi_adjust_cfa_offset -FRAME_SIZE
    b       fctx_ontop_call             /* r11:r5 = fn's argument, r6 = fn */
FCTX_FUNC_END(fctx_ontop)

/*
 * fn's caller, entered as if called from `to`'s resume point: LR = that
 * resume address, r1 = `to`'s sp, r3 = its result pointer, r6 = fn,
 * r11:r5 = fn's argument {our context, data}.  Its CFI is that of an
 * ordinary function, so unwinders (C++ exceptions thrown by fn) continue
 * into `to`'s frames.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_ontop_call)
    mflr    %r0
    stw     %r0, LR_SAVE(%r1)           /* in `to`'s frame, as callees do */
    .cfi_offset lr, LR_SAVE
    stwu    %r1, -ONTOP_SIZE(%r1)       /* header, argument copy, r3 */
    .cfi_adjust_cfa_offset ONTOP_SIZE
    stw     %r11, ONTOP_ARG(%r1)        /* the caller-made copy of fn's */
    stw     %r5, ONTOP_ARG + 4(%r1)     /* by-reference struct argument */
    stw     %r3, ONTOP_RESULT(%r1)
    addi    %r4, %r1, ONTOP_ARG
    mtctr   %r6
    bctrl                               /* fn(r3 = `to`'s result, r4 = &arg) */
    lwz     %r3, ONTOP_RESULT(%r1)      /* the result address again, as
                                           fctx_jump leaves it */
    addi    %r1, %r1, ONTOP_SIZE
    .cfi_adjust_cfa_offset -ONTOP_SIZE
    lwz     %r0, LR_SAVE(%r1)           /* (its slot is at r1 + 4: safe) */
    mtctr   %r0
    bctr                                /* resume `to` with fn's result */
FCTX_FUNC_END(fctx_ontop_call)

FCTX_FILE_END
