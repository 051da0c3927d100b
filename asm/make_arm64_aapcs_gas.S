/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                   AArch64 AAPCS64, GAS
 *
 * ABI facts (AAPCS64; frame drawing in frame_arm64_aapcs.h): sp must be
 * 16-byte aligned; the transfer {ctx, data} arrives in x0:x1 both as a
 * return value and as a first argument; x19 is callee-saved (survives the
 * entry call); x29 = 0 ends a frame-record chain.
 *
 * x0 = stack_top, x1 = stack_size (unused: the frame needs FRAME_SIZE
 * bytes, far below any accepted size), x2 = entry.  Builds, just below the
 * 16-byte-aligned top, a frame that fctx_jump/fctx_ontop restore as if the
 * context had suspended itself: resume address = the start stub below
 * (PAC-signed like a saved lr when built with pac-ret), x19 = entry,
 * x20 = stack_top (the entry's second argument),
 * x29 = 0, FPCR = the caller's current one (a new context starts in its
 * creator's FP modes: the header's FP control and status rule),
 * everything else zero.
 * Returns the frame's address.
 */
/* A universal macOS build compiles this one file for both slices: the
 * x86-64 slice gets the x86-64 code. */
#if defined(__APPLE__) && defined(__x86_64__)
#  include "make_x86_64_sysv_gas.S"
#else

#include "frame_arm64_aapcs.h"

FCTX_FUNC_BEGIN(fctx_make)
    and     x9, x0, #-16                /* align the top down to 16 bytes */
    mov     x11, x0                     /* stack_top, for the entry */
    sub     x0, x9, #FRAME_SIZE         /* frame; the stub then runs with
                                           sp = the aligned top */
    stp     x2, x11, [x0, #FRAME_X19]   /* x19 = entry, x20 = stack_top:
                                           callee-saved, so still there
                                           after an ontop fn */
    FCTX_ZERO_REGS(x0)                  /* deterministic contents */
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x10, fpcr                   /* start with the creator's modes */
#else
    mov     x10, xzr                    /* slot unused */
#endif
    stp     x10, xzr, [x0, #FRAME_FPCR] /* FPCR and the padding word */
    FCTX_ADR_LOCAL(x17, fctx_context_resume) /* first resume lands in the stub */
#if FCTX_PAC_ENABLED
    mov     x16, x9                     /* modifier: the sp that jump/ontop
                                           authenticate with (ctx + FRAME_SIZE) */
    FCTX_PAC_SIGN1716                   /* sign x17 like a spilled lr */
#endif
    stp     xzr, x17, [x0, #FRAME_FP]   /* frame record {0, stub}: fp chain ends */
    ret
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Entered at fctx_context_resume, only by a
 * `ret`: fctx_jump's (x0:x1 = transfer) or the return of an fctx_ontop
 * function (x0:x1 = its result).  A `ret` sets BTYPE 00, so no landing pad
 * is needed, and we put none: nothing may `br`/`blr` here.  x29 is 0 (restored from the frame
 * fctx_make built; an ontop function preserves it), so the entry
 * function's frame record {0, here} ends frame-pointer walks; the CFI
 * marks the return address undefined so unwinders and debuggers stop here.
 * sp is the aligned top: the ABI's 16-byte alignment at the call.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined x30
    nop                                 /* resumes land after this: unwinders
                                           look a return address up at addr - 1,
                                           which must be in this FDE, not in
                                           fctx_make's just before it */
FCTX_LOCAL_LABEL(fctx_context_resume)
    mov     x2, x20                     /* fctx_make's stack_top: 2nd argument */
    blr     x19                         /* entry(transfer, stack_top): x0:x1
                                           is already the first argument;
                                           must not return */
    bl      FCTX_SYM(fctx_internal_entry_returned) /* hidden C handler,
                                           never returns */
    brk     #1                          /* not reached */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
#endif
