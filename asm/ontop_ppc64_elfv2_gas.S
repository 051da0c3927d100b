/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                   ppc64 ELFv2, ELF, GAS
 *
 * r3 = to, r4 = data, r5 = fn.  Saves our state like fctx_jump, switches
 * to `to` and restores its registers, then calls fn({our context, data})
 * through a minimal call frame (fctx_ontop_call below) that looks exactly
 * like a function called from `to`'s resume point; when fn returns, its
 * r3:r4 becomes the result of `to`'s pending switch (for a new context:
 * the start stub's transfer).  Not a plain tail call: fn is reached
 * through a pointer, so it may belong to another module and come back
 * with its own TOC in r2, while a same-module caller of `to`'s pending
 * switch expects r2 unchanged; the call frame reloads `to`'s r2 from its
 * TOC save slot, as every caller through a pointer must.
 */
#include "frame_ppc64_elfv2.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    mr      %r12, %r5                   /* fn, in r12 for its global entry;
                                           r5 is scratch from here on */
    fctx_switch_out                     /* our block, as fctx_jump's */

    fctx_switch_in                      /* r11 = our context, r1 = `to`'s
                                           block, r0 = `to`'s resume address */
    mtlr    %r0                         /* as if `to` had just called us */
    .cfi_restore lr                     /* (the CIE's rule: lr itself) */
    mr      %r3, %r11                   /* fn's argument {our context, data} */
    addi    %r1, %r1, FRAME_SIZE        /* pop the block: r1 = `to`'s sp */
    .cfi_adjust_cfa_offset -FRAME_SIZE
    b       fctx_ontop_call
FCTX_FUNC_END(fctx_ontop)

/*
 * fn's caller, entered as if called from `to`'s resume point: LR = that
 * resume address, r1 = `to`'s sp, r2 = `to`'s TOC, r12 = fn, r3:r4 = fn's
 * argument.  Its CFI is that of an ordinary function, so unwinders (C++
 * exceptions thrown by fn) continue into `to`'s frames; the instruction
 * after the call is the TOC reload the unwinder looks for.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_ontop_call)
    mflr    %r0
    std     %r0, LR_SAVE(%r1)           /* in `to`'s frame, as callees do */
    .cfi_offset lr, LR_SAVE
    stdu    %r1, -MIN_FRAME(%r1)        /* header only: fn's prototype needs
                                           no parameter save area */
    .cfi_adjust_cfa_offset MIN_FRAME
    std     %r2, TOC_SAVE(%r1)          /* fn is called through a pointer */
    mtctr   %r12
    bctrl                               /* fn(transfer) -> r3:r4 */
    ld      %r2, TOC_SAVE(%r1)
    addi    %r1, %r1, MIN_FRAME
    .cfi_adjust_cfa_offset -MIN_FRAME
    ld      %r0, LR_SAVE(%r1)
    mtctr   %r0
    bctr                                /* resume `to` with fn's result */
FCTX_FUNC_END(fctx_ontop_call)

FCTX_FILE_END
