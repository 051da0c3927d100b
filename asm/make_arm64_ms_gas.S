/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                               ARM64 Windows, PE, GAS
 *
 * ABI facts and the frame drawing: frame_arm64_ms.h.  x0 = stack_top,
 * x1 = stack_size, x2 = entry.  Builds, below the 16-byte-aligned top T,
 * the stub's end record {0, 0} at T - 16 and below it a switch frame that
 * fctx_jump/fctx_ontop restore as if the context had suspended itself:
 * resume address = the start stub, x19 = entry, x29 = the end record,
 * FPCR = the caller's (a new context starts in its creator's FP modes:
 * the header's FP rule), other registers 0, and the TEB stack fields of the
 * new stack:
 *   StackBase         = T
 *   StackLimit        = stack_top - stack_size rounded up to 4 KiB (the
 *                       lowest usable address known here)
 *   DeallocationStack = the same, until the fiber layer reports the whole
 *                       allocation (fctx_internal_set_stack_allocation)
 *   FiberData         = the caller's current value
 *   GuaranteedStackBytes = 0, ExceptionList = -1 (an empty chain)
 * Returns the frame's address.  A leaf.
 */
#include "frame_arm64_ms.h"

FCTX_FUNC_BEGIN(fctx_make)
    .seh_endprologue                    /* leaf: nothing saved */
    sub     x11, x0, x1                 /* lowest usable address,
                                           stack_top - stack_size ... */
    add     x11, x11, #4095
    and     x11, x11, #-4096            /* ... rounded up to a page */
    and     x9, x0, #-16                /* T: aligned top, the new StackBase */
    sub     x10, x9, #STUB_FRAME        /* the stub's end record */
    stp     xzr, xzr, [x10]             /* {0, 0}: walks and unwinds stop */
    mov     x13, x0                     /* stack_top, for the entry */
    sub     x0, x10, #FRAME_SIZE        /* the switch frame */
    stp     x10, xzr, [x0, #FRAME_FP]   /* x29 = end record; x30 set below */
    stp     x2, x13, [x0, #FRAME_X19]   /* x19 = entry, x20 = stack_top:
                                           nonvolatile, so still there
                                           after an ontop fn */
    FCTX_ZERO_REGS(x0)                  /* deterministic contents */
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x12, fpcr                   /* start with the creator's modes */
#else
    mov     x12, xzr
#endif
    stp     x12, xzr, [x0, #FRAME_FPCR] /* and GuaranteedStackBytes = 0 */
    stp     x9, x11, [x0, #FRAME_STACK_BASE]            /* StackBase, StackLimit */
    ldr     x12, [x18, #TEB_FIBER_DATA] /* inherit the creator's FiberData */
    stp     x11, x12, [x0, #FRAME_DEALLOCATION_STACK]   /* + FiberData */
    mov     x12, #-1
    stp     x12, xzr, [x0, #FRAME_EXCEPTION_LIST]       /* empty chain, pad */
    adr     x12, fctx_context_start_resume
    str     x12, [x0, #FRAME_LR]        /* first resume lands in the stub */
    ret
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context (static).  Never called: the stp below is
 * not executed; it and its unwind code describe the end record fctx_make
 * built at T - 16 as this function's saved {x29, x30}, so an unwind from
 * anything called here reads return address 0 and stops.  Execution starts
 * at fctx_context_start_resume, reached by a `ret` (fctx_jump's, or an
 * fctx_ontop function's) with x0:x1 = transfer, sp = T - 16 (aligned),
 * x29 = the end record, x19 = entry and x20 = stack_top.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    stp     x29, x30, [sp, #-STUB_FRAME]!   /* not executed; see above */
    .seh_save_fplr_x STUB_FRAME
    .seh_endprologue
fctx_context_start_resume:
    mov     x2, x20                     /* fctx_make's stack_top: 2nd argument */
    blr     x19                         /* entry(transfer, stack_top); must
                                           not return */
    bl      fctx_internal_entry_returned /* hidden C handler, never returns */
    brk     #0xf000                     /* not reached (Windows' debug break) */
FCTX_FUNC_END(fctx_context_start)

/*
 * void fctx_internal_set_stack_allocation(fctx_t ctx, void *allocation_base)
 * (hidden; x0 = ctx, x1 = base).  The fiber layer knows the whole
 * allocation of a stack (guard pages included) and calls this right after
 * fctx_make: the new context then runs with DeallocationStack = the
 * allocation base, as a thread or Win32 fiber stack does, so the OS
 * treats a fault on the guard pages as a stack overflow.
 */
FCTX_FUNC_BEGIN(fctx_internal_set_stack_allocation)
    .seh_endprologue                    /* leaf */
    str     x1, [x0, #FRAME_DEALLOCATION_STACK]
    ret
FCTX_FUNC_END(fctx_internal_set_stack_allocation)
