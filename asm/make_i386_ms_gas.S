/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                  i386 Windows, PE/COFF, GAS
 *
 * Stack at entry: 4(esp) stack_top, 8(esp) stack_size, 12(esp) entry
 * (cdecl).  Builds, just below the 16-byte-aligned top T, a frame in the
 * layout of frame_i386_ms.h that fctx_jump/fctx_ontop restore as if the
 * context had suspended itself: resume address = the start stub below,
 * ebx = entry, esi = stack_top (the entry's second argument), ebp = 0.
 * TIB fields of the new context:
 *   ExceptionList     = -1: an empty SEH chain (the dispatcher must never
 *                       follow our creator's records, which lie on another
 *                       stack)
 *   StackBase         = T
 *   StackLimit        = stack_top - stack_size, rounded up to 4 KiB (the
 *                       lowest usable address fctx_make knows)
 *   DeallocationStack = the same; the fiber layer, which knows the whole
 *                       allocation, moves it down to the allocation base
 *                       (fctx_internal_set_stack_allocation, below)
 *   FiberData         = the caller's current value
 *   GuaranteedStackBytes = 0 (the system default)
 * FP control: the new context starts with the control modes its creator
 * has at this call (the FP rule: switch_i386_gas.h); with
 * FCTX_NO_FPU_CONTROL nothing is stored.
 * Returns the frame's address in eax.  Touches no callee-saved register.
 * MASM twin: make_i386_ms_masm.asm (the same instructions).
 */
#include "frame_i386_ms.h"
#include "format.h"                  /* functions: PE/COFF i386 branch */
#include "switch_i386_gas.h"         /* the start stub's shared parts */

FCTX_FUNC_BEGIN(fctx_make)
    movl    4(%esp), %eax
    andl    $-16, %eax                  /* T: the top aligned down to 16 */
    movl    %eax, %edx                  /* edx = T, the new StackBase */
    leal    -FRAME_NEW_OFFSET(%eax), %eax   /* the frame */
#ifndef FCTX_NO_FPU_CONTROL
    stmxcsr FRAME_MXCSR(%eax)           /* start with the creator's modes */
    fnstcw  FRAME_X87CW(%eax)
#endif
    movl    %edx, FRAME_STACK_BASE(%eax)
    movl    4(%esp), %ecx
    movl    %ecx, FRAME_ESI(%eax)       /* stack_top: entry's 2nd argument */
    subl    8(%esp), %ecx               /* lowest usable address ... */
    addl    $4095, %ecx
    andl    $-4096, %ecx                /* ... rounded up to a page */
    movl    %ecx, FRAME_STACK_LIMIT(%eax)
    movl    %ecx, FRAME_DEALLOCATION_STACK(%eax)
    movl    12(%esp), %ecx
    movl    %ecx, FRAME_EBX(%eax)       /* entry, kept in a callee-saved reg */
    movl    %fs:TEB_FIBER_DATA, %ecx    /* inherit the creator's FiberData */
    movl    %ecx, FRAME_FIBER_DATA(%eax)
    movl    $-1, FRAME_EXCEPTION_LIST(%eax)     /* an empty SEH chain */
    xorl    %ecx, %ecx
    movl    %ecx, FRAME_GUARANTEED_STACK_BYTES(%eax)
    movl    %ecx, FRAME_EDI(%eax)       /* deterministic contents */
    movl    %ecx, FRAME_EBP(%eax)       /* frame-pointer chains end here */
    movl    %ecx, FRAME_ARG0(%eax)
    movl    %ecx, FRAME_ARG1(%eax)
    /* Absolute address of the stub: PE code is not position independent
       (a DLL is relocated by the loader, through a base relocation). */
    movl    $fctx_context_resume, FRAME_EIP(%eax)   /* first resume: the stub */
    ret
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's jmp or by the
 * return of an fctx_ontop function, in both cases with esp = ctx +
 * FRAME_ARG0 (16-byte aligned) and the transfer in EDX:EAX.  Passes it
 * on by value, with stack_top, to entry at a 16-byte-aligned call.  The
 * return address is marked undefined: unwinders stop here (a C++
 * exception that no frame of the context catches ends in std::terminate)
 * instead of walking into garbage.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    fctx_stub_begin                     /* (switch_i386_gas.h) */
    subl    $16, %esp                   /* 0 mod 16 at the call */
    .cfi_adjust_cfa_offset 16
    movl    %eax, 0(%esp)               /* entry's by-value argument */
    movl    %edx, 4(%esp)
    movl    %esi, 8(%esp)               /* fctx_make's stack_top: 2nd argument */
    fctx_stub_call                      /* entry(transfer, stack_top) */
FCTX_FUNC_END(fctx_context_start)

/*
 * void fctx_internal_set_stack_allocation(fctx_t ctx, void *allocation_base)
 * (hidden; 4(esp) ctx, 8(esp) base).  The fiber layer knows the whole
 * allocation of a stack (guard pages included) and calls this right after
 * fctx_make: the new context then runs with DeallocationStack = the
 * allocation base, as a thread or Win32 fiber stack does, so the OS (and
 * Wine) treat a fault on the guard pages below StackLimit as a stack
 * overflow (STATUS_STACK_OVERFLOW) instead of a stray guard-page hit.
 */
FCTX_FUNC_BEGIN(fctx_internal_set_stack_allocation)
    movl    4(%esp), %eax
    movl    8(%esp), %ecx
    movl    %ecx, FRAME_DEALLOCATION_STACK(%eax)
    ret
FCTX_FUNC_END(fctx_internal_set_stack_allocation)

FCTX_FILE_END
