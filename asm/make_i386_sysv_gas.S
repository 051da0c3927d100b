/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                      i386 SysV, ELF, GAS
 *
 * Stack at entry: 4(esp) stack_top, 8(esp) stack_size (unused: the frame
 * needs FRAME_NEW_OFFSET bytes, far below any accepted size), 12(esp)
 * entry.  Builds, just below the 16-byte-aligned top, a frame in the layout
 * of frame_i386_sysv.h that fctx_jump/fctx_ontop restore as if the context
 * had suspended itself: resume address = the start stub below, hidden
 * result pointer = the frame's own landing area, ebx = entry, esi =
 * stack_top (the entry's second argument), ebp = 0.
 * Returns the frame's address in eax (a pointer, not a struct: no hidden
 * argument here).
 *
 * Starting FP control state: the control bits the CALLER has at
 * fctx_make time - MXCSR bits 6-15 (DAZ, exception masks, rounding, FZ)
 * and the whole x87 control word (masks, precision, rounding) - so the
 * context's first resume loads them as if it had suspended itself with
 * them.  Its status flags are never taken from here: they are the
 * thread's (frame_i386_sysv.h).  With FCTX_NO_FPU_CONTROL nothing is
 * saved and the context shares the thread's control state.
 */
#include "frame_i386_sysv.h"

FCTX_FUNC_BEGIN(fctx_make)
    movl    4(%esp), %eax
    andl    $-16, %eax                  /* align the top down to 16 bytes */
    leal    -FRAME_NEW_OFFSET(%eax), %eax   /* the frame */
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_save %eax                  /* start with the creator's modes */
#endif
    xorl    %ecx, %ecx
    movl    %ecx, FRAME_EDI(%eax)       /* deterministic contents */
    movl    4(%esp), %edx
    movl    %edx, FRAME_ESI(%eax)       /* stack_top: entry's 2nd argument */
    movl    %ecx, FRAME_EBP(%eax)       /* frame-pointer chain ends here */
    movl    %ecx, FRAME_ARG0(%eax)
    movl    %ecx, FRAME_ARG1(%eax)
    movl    %ecx, FRAME_LAND(%eax)
    movl    %ecx, FRAME_LAND+4(%eax)
    movl    12(%esp), %ecx
    movl    %ecx, FRAME_EBX(%eax)       /* entry, kept in a callee-saved reg */
    leal    FRAME_LAND(%eax), %ecx
    movl    %ecx, FRAME_RESULT(%eax)    /* the first transfer lands in-frame */
    /* Position-independent address of the stub: i386 has no eip-relative
       addressing, so read eip with a call to the next instruction. */
    call    1f
    .cfi_adjust_cfa_offset 4
1:  popl    %ecx
    .cfi_adjust_cfa_offset -4
    leal    fctx_context_resume - 1b(%ecx), %ecx
    movl    %ecx, FRAME_EIP(%eax)       /* first resume lands in the stub */
    ret
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's jmp or by the
 * `ret $4` of an fctx_ontop function, in both cases with esp = ctx +
 * FRAME_ARG0 (12 + 8 = 4 mod 16) and eax = the landing area holding the
 * transfer.  Copies it into an argument block at a 16-byte-aligned esp
 * and calls entry(transfer).  The return address is marked undefined:
 * unwinders and debuggers stop here instead of walking into garbage.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    fctx_stub_begin                     /* (switch_i386_gas.h) */
    FCTX_ENDBR                          /* reached by an indirect jmp */
    subl    $12, %esp                   /* 4 - 12 = 0 mod 16 at the call */
    .cfi_adjust_cfa_offset 12
    movl    0(%eax), %ecx               /* entry's by-value argument */
    movl    %ecx, 0(%esp)
    movl    4(%eax), %ecx
    movl    %ecx, 4(%esp)
    movl    %esi, 8(%esp)               /* fctx_make's stack_top: 2nd argument */
    fctx_stub_call                      /* entry(transfer, stack_top) */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
