/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                      s390x, ELF, GAS
 *
 * r2 = stack_top, r3 = stack_size (unused: the frame needs
 * FRAME_NEW_OFFSET bytes, far below any accepted size), r4 = entry.
 * Builds, below the 16-byte-aligned top, a register save area and a frame
 * in the layout of frame_s390x_sysv.h that fctx_jump/fctx_ontop restore
 * as if the context had suspended itself: resume address (r14) = the start
 * stub below, hidden result pointer = the landing area, r6 = entry, r7 =
 * stack_top (the entry's second argument), r11
 * (frame pointer) = 0, FPC = the caller's current one.  Returns the
 * frame's address in r2.
 */
#include "frame_s390x_sysv.h"

FCTX_FUNC_BEGIN(fctx_make)
    lgr     %r5, %r2                    /* stack_top, for the entry */
    nill    %r2, 0xfff0                 /* align the top down to 16 bytes */
    aghi    %r2, -FRAME_NEW_OFFSET      /* the frame; S = top - 160 */
    xc      0(FRAME_NEW_OFFSET,%r2), 0(%r2)  /* zero it all: deterministic
                                           registers, r11 = 0, empty landing */
    la      %r1, FRAME_SIZE(%r2)
    stg     %r1, FRAME_BACKCHAIN(%r2)
    stg     %r4, FRAME_R6(%r2)          /* entry, kept in a callee-saved reg */
    stg     %r5, FRAME_R7(%r2)          /* stack_top: entry's 2nd argument */
    larl    %r1, FCTX_LOCAL_SYM(fctx_context_resume) /* pc-relative: position
                                           independent */
    stg     %r1, FRAME_R14(%r2)         /* first resume lands in the stub */
    la      %r1, FRAME_LAND(%r2)
    stg     %r1, FRAME_RESULT(%r2)      /* the first transfer lands in-frame */
#ifndef FCTX_NO_FPU_CONTROL
    stfpc   FRAME_FPC(%r2)              /* start with the creator's modes */
#endif
    br      %r14
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's branch or by the
 * return through fctx_ontop_call, in both cases with r15 = S (top - 160,
 * whose save area is ours) and r2 = the landing area holding the
 * transfer.  entry takes its 16-byte argument by reference to a copy the
 * caller owns: the landing area is exactly that.  The return address is
 * marked undefined: unwinders and debuggers stop here.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined %r14
    nopr                                /* resumes land after this: unwinders
                                           look up return address - 1 (an
                                           ontop fn returns here), which must
                                           fall in this FDE, not fctx_make's */
FCTX_LOCAL_LABEL(fctx_context_resume)
    aghi    %r15, -SAVE_AREA            /* the save area entry may use */
    .cfi_adjust_cfa_offset SAVE_AREA
    xc      0(8,%r15), 0(%r15)          /* back chain 0: -mbackchain walks end */
    lgr     %r3, %r7                    /* fctx_make's stack_top: r3 */
    basr    %r14, %r6                   /* entry(&transfer, stack_top); must
                                           not return */
    /* Hidden C handler in this library: binds locally, no PLT needed.
       Never returns. */
    brasl   %r14, fctx_internal_entry_returned
    .word   0                           /* not reached: illegal instruction */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
