/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                   PowerPC SysV, ELF, GAS
 *
 * fctx_t is a pointer, returned in r3 (no hidden pointer here): r3 =
 * stack_top, r4 = stack_size (unused: the context needs FRAME_SIZE +
 * START_SIZE bytes, far below any accepted size), r5 = entry.  Builds,
 * just below the 16-byte-aligned top, the start stub's frame S (back chain
 * 0: the end of the chain; its transfer buffer START_ARGS) and below it a
 * block in the layout of frame_ppc_sysv.h that fctx_jump/fctx_ontop
 * restore as if the context had suspended itself: resume address = the
 * start stub, result pointer = START_ARGS, r14 = entry, r15 = stack_top
 * (the entry's second argument), FPSCR = the caller's current one,
 * everything else 0 (r31, the frame pointer, included).  Returns the
 * block's address.
 */
#include "frame_ppc_sysv.h"

FCTX_FUNC_BEGIN(fctx_make)
    mr      %r9, %r3                    /* stack_top, for the entry */
    clrrwi  %r3, %r3, 4                 /* align the top down to 16 bytes */
    addi    %r8, %r3, -START_SIZE       /* S: the stub's frame */
    addi    %r3, %r8, -FRAME_SIZE       /* B: the saved-register block */
    li      %r0, 0
    li      %r7, (FRAME_SIZE + START_SIZE) / 4
    mtctr   %r7
    addi    %r6, %r3, -4
1:  stwu    %r0, 4(%r6)                 /* zero B and S: deterministic
                                           registers, S's back chain 0 */
    bdnz    1b
    stw     %r8, FRAME_BACKCHAIN(%r3)   /* B -> S -> 0 */
    addi    %r7, %r8, START_ARGS
    stw     %r7, FRAME_RESULT(%r3)      /* the first transfer lands in S */
    stw     %r5, FRAME_R14(%r3)         /* entry, kept in a nonvolatile reg */
    stw     %r9, FRAME_R15(%r3)         /* stack_top: entry's 2nd argument */
    /* The stub's address, position independent: no pc-relative addressing
       on 32-bit Power, so read the pc with the "bcl 20,31" form that the
       link-stack predictor ignores, and keep our LR in r0 meanwhile. */
    mflr    %r0
    .cfi_register lr, r0
    bcl     20, 31, 2f
2:  mflr    %r7
    mtlr    %r0
    .cfi_restore lr
    addi    %r7, %r7, FCTX_LOCAL_SYM(fctx_context_resume) - 2b
    stw     %r7, FRAME_LR(%r3)          /* first resume lands in the stub */
#ifndef FCTX_NO_FPU_CONTROL
    mffs    %f0                         /* start with the creator's modes */
    stfd    %f0, FRAME_FPSCR(%r3)       /* (its status bits are never loaded) */
#endif
    blr                                 /* r3 = B */
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's bctr (it has just
 * stored the transfer at START_ARGS through the block's result pointer)
 * or through fctx_ontop_call after an fctx_ontop function returned (fn
 * wrote its result there, as its hidden result pointer was this same
 * buffer), in both cases with r1 = S, r14 = entry and r15 = stack_top.
 * S is this stub's own frame: entry saves its LR in S's LR word, and its
 * by-reference argument is the copy at START_ARGS, which lies in S and so
 * stays valid for entry's whole life.  The return address is marked
 * undefined: unwinders and debuggers stop here instead of walking into
 * garbage; S's back chain 0 ends back-chain walks.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined lr
    nop                                 /* never run: every resume enters at
                                           the label below, and when an ontop
                                           fn comes back here (through
                                           fctx_ontop_call) the unwinder's
                                           "return address - 1" is this nop,
                                           in the stub's FDE, not in the end
                                           of fctx_make */
FCTX_LOCAL_LABEL(fctx_context_resume)
    addi    %r3, %r1, START_ARGS        /* entry's argument: &transfer */
    mr      %r4, %r15                   /* fctx_make's stack_top: r4 */
    mtctr   %r14
    bctrl                               /* entry(&transfer, stack_top); must
                                           not return */
    bl      fctx_internal_entry_returned    /* hidden: binds locally, no PLT */
    trap                                /* not reached */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
