/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                   ppc64 ELFv2, ELF, GAS
 *
 * r3 = stack_top, r4 = stack_size (unused: the frame needs FRAME_SIZE +
 * 32 bytes, far below any accepted size), r5 = entry.  Builds, just below
 * the 16-byte-aligned top, the start stub's minimal frame S (back chain 0:
 * the end of the chain) and below it a block in the layout of
 * frame_ppc64_elfv2.h that fctx_jump/fctx_ontop restore as if the context
 * had suspended itself: resume address = the start stub, r14 = entry,
 * r15 = stack_top (the entry's second argument),
 * r2 = this library's TOC (the stub calls C code of the library), FPSCR
 * and VSCR = the caller's current ones, everything else 0.  Returns S.
 */
#include "frame_ppc64_elfv2.h"

FCTX_FUNC_BEGIN(fctx_make)
    /* Global entry: the stub's address is TOC-relative, so we need our r2. */
    addis   %r2, %r12, .TOC.-fctx_make@ha
    addi    %r2, %r2, .TOC.-fctx_make@l
    .localentry fctx_make, .-fctx_make
    mr      %r9, %r3                    /* stack_top, for the entry */
    clrrdi  %r3, %r3, 4                 /* align the top down to 16 bytes */
    addi    %r3, %r3, -MIN_FRAME        /* S: the stub's frame */
    addi    %r6, %r3, -FRAME_SIZE       /* B: the saved-register block */
    li      %r0, 0
    li      %r7, (FRAME_SIZE + MIN_FRAME) / 8
    mtctr   %r7
    addi    %r8, %r6, -8
1:  stdu    %r0, 8(%r8)                 /* zero B and S: deterministic
                                           registers, S's back chain 0 */
    bdnz    1b
    std     %r3, FRAME_BACKCHAIN(%r6)   /* B -> S -> 0 */
    std     %r5, FRAME_R14(%r6)         /* entry, kept in a nonvolatile reg */
    std     %r9, FRAME_R15(%r6)         /* stack_top: entry's 2nd argument */
    std     %r2, FRAME_TOC(%r6)         /* the stub runs with our TOC */
    addis   %r7, %r2, FCTX_LOCAL_SYM(fctx_context_resume)@toc@ha
    addi    %r7, %r7, FCTX_LOCAL_SYM(fctx_context_resume)@toc@l
    std     %r7, FRAME_LR(%r6)          /* first resume lands in the stub */
#ifndef FCTX_NO_FPU_CONTROL
    mffs    %f0                         /* start with the creator's modes */
    stfd    %f0, FRAME_FPSCR(%r6)       /* (its status bits are never loaded) */
    mfvscr  %v0                         /* VSCR: in v0's last word */
    xxswapd %vs33, %vs32                /* ... -> doubleword 0 of v1 */
    mfvsrwz %r7, %vs33                  /* ... -> GPR */
    stw     %r7, FRAME_VSCR(%r6)        /* the word fctx_fp_restore loads */
#endif
    blr                                 /* r3 = S */
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's bctr (r3:r4 =
 * transfer) or through fctx_ontop_call after an fctx_ontop function
 * returned (r3:r4 = its result), in both cases with r1 = S, r2 = the
 * library's TOC, r14 = entry and r15 = stack_top.  S is this stub's own frame, so entry
 * saves its LR in S's slot.  The return address is marked undefined:
 * unwinders and debuggers stop here instead of walking into garbage.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined lr
    nop                                 /* resumes land after this: unwinders
                                           look up return address - 1 (an
                                           ontop fn returns here through
                                           fctx_ontop_call), which must fall
                                           in this FDE, not fctx_make's */
FCTX_LOCAL_LABEL(fctx_context_resume)
    std     %r2, TOC_SAVE(%r1)          /* calling through a pointer */
    mr      %r12, %r14                  /* entry's global entry point */
    mtctr   %r12
    mr      %r5, %r15                   /* fctx_make's stack_top: r5 */
    bctrl                               /* entry(transfer, stack_top); must
                                           not return */
    ld      %r2, TOC_SAVE(%r1)          /* our TOC again, for the call below */
    bl      fctx_internal_entry_returned    /* hidden: binds locally */
    nop
    trap                                /* not reached */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
