/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                      x86-64 Microsoft ABI, PE/COFF, GAS
 *
 * ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
 *  - rcx = stack_top, rdx = stack_size, r8 = entry; the result (a pointer)
 *    is returned in rax.  rax, rcx, rdx, r8-r11, xmm0-xmm5 are volatile.
 *  - the entry function takes a 16-byte struct BY VALUE, i.e. in rcx a
 *    pointer to a 16-byte aligned copy, and needs 32 bytes of home space
 *    above its return address and rsp = 16n+8 at entry.
 *
 * Builds, just below the 16-byte aligned top T, the 56-byte start-stub
 * frame (transfer slot + home space, return address 0) and below it a
 * switch frame that fctx_jump/fctx_ontop restore as if the context had
 * suspended itself: resume address = the start stub, rbx = entry, r12 =
 * stack_top (the entry's second argument), rbp = 0,
 * other registers 0, FP control words = the caller's, result pointer = the
 * transfer slot.  TEB fields of the new context:
 *   StackBase         = T
 *   StackLimit        = stack_top - stack_size, rounded up to 4 KiB (the
 *                       lowest usable address we know; x64 pages are 4 KiB)
 *   DeallocationStack = the same: fctx_make does not know the allocation
 *                       (a guard page, if any, lies below it)
 *   FiberData         = the caller's current value
 *   GuaranteedStackBytes = 0 (the system default)
 *   ExceptionList     = -1, the end of an (empty) handler chain (only
 *                       Wine uses this list on x64)
 * FP control: the new context starts with the control modes its creator
 * has at this fctx_make call (MXCSR bits 6-15 and the x87 control word,
 * stored here); the MXCSR flags stored with them are never loaded, since
 * the flags belong to the thread (the FP rule: frame_x86_64_ms.h).  With
 * FCTX_NO_FPU_CONTROL nothing is stored.
 * Returns the frame's address.  A leaf: touches no nonvolatile register.
 */
#include "frame_x86_64_ms.h"
#include "format.h"                  /* functions: PE/COFF branch */

FCTX_FUNC_BEGIN(fctx_make)
    .seh_endprologue                    /* leaf: no stack or register saves */
    movq    %rcx, %r11                  /* stack_top, for the entry */
    movq    %rcx, %r9
    andq    $-16, %r9                   /* r9 = T: aligned top, the new StackBase */
    leaq    -MAKE_FRAME_FROM_TOP(%r9), %rax   /* the frame; 16-aligned */
    subq    %rdx, %rcx                  /* lowest usable address ... */
    addq    $4095, %rcx
    andq    $-4096, %rcx                /* ... rounded up to a page: StackLimit */

    xorps   %xmm0, %xmm0                /* deterministic register contents */
    movaps  %xmm0, FRAME_XMM6(%rax)
    movaps  %xmm0, FRAME_XMM7(%rax)
    movaps  %xmm0, FRAME_XMM8(%rax)
    movaps  %xmm0, FRAME_XMM9(%rax)
    movaps  %xmm0, FRAME_XMM10(%rax)
    movaps  %xmm0, FRAME_XMM11(%rax)
    movaps  %xmm0, FRAME_XMM12(%rax)
    movaps  %xmm0, FRAME_XMM13(%rax)
    movaps  %xmm0, FRAME_XMM14(%rax)
    movaps  %xmm0, FRAME_XMM15(%rax)
#ifndef FCTX_NO_FPU_CONTROL
    fnstcw  FRAME_X87CW(%rax)           /* start with the creator's FP */
    stmxcsr FRAME_MXCSR(%rax)           /* control modes (see above) */
#endif
    xorl    %edx, %edx
    movq    %r11, FRAME_R12(%rax)       /* stack_top: entry's 2nd argument */
    movq    %rdx, FRAME_R13(%rax)
    movq    %rdx, FRAME_R14(%rax)
    movq    %rdx, FRAME_R15(%rax)
    movq    %rdx, FRAME_RDI(%rax)
    movq    %rdx, FRAME_RSI(%rax)
    movq    %r8, FRAME_RBX(%rax)        /* entry, kept in a nonvolatile register */
    movq    %rdx, FRAME_RBP(%rax)       /* frame-pointer chains end here */
    leaq    FRAME_SIZE+STUB_TRANSFER(%rax), %r10
    movq    %r10, FRAME_RESULT(%rax)    /* the first switch in stores the
                                           transfer in the stub's slot */
    movq    %r9, FRAME_STACK_BASE(%rax)
    movq    %rcx, FRAME_STACK_LIMIT(%rax)
    movq    %rcx, FRAME_DEALLOCATION_STACK(%rax)
    movq    %gs:TEB_FIBER_DATA, %r10    /* inherit the creator's FiberData */
    movq    %r10, FRAME_FIBER_DATA(%rax)
    movq    %rdx, FRAME_GUARANTEED_STACK_BYTES(%rax)
    movq    $-1, FRAME_EXCEPTION_LIST(%rax)     /* an empty handler chain */
    leaq    fctx_context_start_resume(%rip), %r10
    movq    %r10, FRAME_RIP(%rax)       /* first resume lands in the stub */
    /* The stub frame: transfer slot and pad zeroed, return address 0. */
    movq    %rdx, FRAME_SIZE+STUB_TRANSFER(%rax)
    movq    %rdx, FRAME_SIZE+STUB_TRANSFER+8(%rax)
    movq    %rdx, FRAME_SIZE+STUB_TRANSFER+16(%rax)
    movq    %rdx, FRAME_SIZE+STUB_FRAME(%rax)   /* ends stack walks */
    ret
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context (a local function).  Never called: the
 * sub below is never executed; it and its unwind code describe the frame
 * fctx_make built, as if the stub had been called from address 0.
 * Execution starts at fctx_context_start_resume, reached by fctx_jump's jmp
 * or by the ontop landing's ret with rsp = S (16n) and rax = the address of
 * the transfer in the stub frame (S + STUB_TRANSFER), already filled in.
 * Unwinding from anything called here steps rsp to T with return address
 * 0: exception dispatch and stack walks end here (and rsp = T = StackBase
 * is the other end-of-stack test unwinders use).
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    subq    $STUB_FRAME, %rsp           /* not executed; see above */
    .seh_stackalloc STUB_FRAME
    .seh_endprologue
fctx_context_start_resume:
    movq    %rax, %rcx                  /* entry's struct argument goes by reference */
    movq    %r12, %rdx                  /* fctx_make's stack_top: 2nd argument */
    callq   *%rbx                       /* entry(transfer, stack_top); must
                                           not return */
    callq   fctx_internal_entry_returned /* hidden C handler, never returns */
    ud2                                 /* not reached; keeps the return
                                           address of the call inside us */
FCTX_FUNC_END(fctx_context_start)

/*
 * void fctx_internal_set_stack_allocation(fctx_t ctx, void *allocation_base)
 * (hidden; rcx = ctx, rdx = base).  The fiber layer knows the whole
 * allocation of a stack (guard pages included) and calls this right after
 * fctx_make: the new context then runs with DeallocationStack = the
 * allocation base, as a thread or Win32 fiber stack does, so the OS (and
 * Wine) treat a fault on the guard pages below StackLimit as a stack
 * overflow (STATUS_STACK_OVERFLOW) instead of a stray guard-page hit.
 */
FCTX_FUNC_BEGIN(fctx_internal_set_stack_allocation)
    .seh_endprologue                    /* leaf */
    movq    %rdx, FRAME_DEALLOCATION_STACK(%rcx)
    ret
FCTX_FUNC_END(fctx_internal_set_stack_allocation)
