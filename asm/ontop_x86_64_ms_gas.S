/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                      x86-64 Microsoft ABI, PE/COFF, GAS
 *
 * ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
 *  - nonvolatile: rbx rbp rdi rsi r12-r15 rsp, xmm6-xmm15 (128 bits),
 *    MXCSR control bits, x87 control word.  Which FP bits a context owns,
 *    which follow the thread, and when a switch writes them: the FP rule
 *    in frame_x86_64_ms.h (fn runs with `to`'s control modes).
 *  - the 16-byte result goes through a hidden pointer: rcx = result,
 *    rdx = to, r8 = data, r9 = fn.  fn itself returns its 16-byte result
 *    through the pointer in rcx (and returns that pointer in rax) and takes
 *    its 16-byte argument by reference: rdx = pointer to a 16-byte aligned
 *    copy that must stay valid while fn runs.
 *  - at fn's entry rsp = 16n+8, with 32 bytes of home space above the
 *    return address.
 *
 * Saves our state exactly like fctx_jump, switches to `to` and restores its
 * state (TEB fields included).  Then, instead of resuming `to`, it calls
 * fn({our context, data}) as if `to` had called it at its resume point:
 *  - fn's result pointer is `to`'s saved result pointer, so fn writes its
 *    result straight to where `to`'s pending call expects it, and leaves
 *    that pointer in rax: exactly `to`'s return state.
 *  - the argument copy and fn's home space cannot live above `to`'s resume
 *    address (that is the caller's memory), so they are placed in `to`'s
 *    now dead frame, below the resume address that already sits at
 *    FRAME_RIP, and fn returns to a landing that pops them and returns to
 *    the resume address with rsp back at ctx + FRAME_SIZE.
 * The landing has unwind data, so an exception thrown by fn unwinds through
 * it into `to`'s frames (C++ code uses that to unwind a fiber).
 */
#include "frame_x86_64_ms.h"
#include "switch_x86_64_ms_gas.h"    /* the code shared with fctx_jump */

FCTX_FUNC_BEGIN(fctx_ontop)
    fctx_ms_save                        /* frame, registers, FP words */
    /* The TEB fields kept as in fctx_jump, two at a time here (r9 = fn). */
    movq    %gs:TEB_STACK_BASE, %r10
    movq    %gs:TEB_STACK_LIMIT, %r11
    movq    %r10, FRAME_STACK_BASE(%rsp)
    movq    %r11, FRAME_STACK_LIMIT(%rsp)
    movq    %gs:TEB_DEALLOCATION_STACK, %r10
    movq    %gs:TEB_FIBER_DATA, %r11
    movq    %r10, FRAME_DEALLOCATION_STACK(%rsp)
    movq    %r11, FRAME_FIBER_DATA(%rsp)
    movq    %gs:TEB_EXCEPTION_LIST, %r10
    movl    %gs:TEB_GUARANTEED_STACK_BYTES, %r11d
    movq    %r10, FRAME_EXCEPTION_LIST(%rsp)
    movl    %r11d, FRAME_GUARANTEED_STACK_BYTES(%rsp)
    movq    %rcx, FRAME_RESULT(%rsp)    /* our own pending result pointer */

    movq    %rsp, %rax                  /* our context */
    movq    %rdx, %rsp                  /* switch stacks */
    movq    FRAME_STACK_BASE(%rsp), %r10
    movq    FRAME_STACK_LIMIT(%rsp), %r11
    movq    %r10, %gs:TEB_STACK_BASE
    movq    %r11, %gs:TEB_STACK_LIMIT
    movq    FRAME_DEALLOCATION_STACK(%rsp), %r10
    movq    FRAME_FIBER_DATA(%rsp), %r11
    movq    %r10, %gs:TEB_DEALLOCATION_STACK
    movq    %r11, %gs:TEB_FIBER_DATA
    movq    FRAME_EXCEPTION_LIST(%rsp), %r10
    movl    FRAME_GUARANTEED_STACK_BYTES(%rsp), %r11d
    movq    %r10, %gs:TEB_EXCEPTION_LIST
    movl    %r11d, %gs:TEB_GUARANTEED_STACK_BYTES
    fctx_ms_restore .Lontop             /* `to`'s registers, FP check */
    /* Everything of `to` is restored: its frame below FRAME_RIP is dead
       and becomes the landing frame (these slots were read above). */
    movq    FRAME_RESULT(%rsp), %rcx    /* fn's result goes where `to` wants it
                                           (read first: ONTOP_RET reuses the slot) */
    movq    %rax, ONTOP_ARG(%rsp)       /* fn's argument {our context, data} */
    movq    %r8, ONTOP_ARG+8(%rsp)
    leaq    ONTOP_ARG(%rsp), %rdx       /* ... passed by reference */
    leaq    fctx_ontop_landing(%rip), %r10
    movq    %r10, ONTOP_RET(%rsp)       /* fn returns to the landing */
    addq    $ONTOP_RET, %rsp            /* rsp = 16n+8, fn's entry state */
    jmp     *%r9                        /* "call" fn */
    fctx_ms_fp_load .Lontop             /* its rare path (after the jmp) */
FCTX_FUNC_END(fctx_ontop)

/*
 * Where fn returns (a local function; the sub is never executed: it and
 * its unwind code describe the frame fctx_ontop built).  rsp = ctx +
 * ONTOP_RET + 8, rax = `to`'s result pointer holding fn's result.  The
 * add/ret pair is a standard epilogue, so unwinders see it too.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_ontop_return)
    subq    $STUB_FRAME, %rsp           /* not executed; see above */
    .seh_stackalloc STUB_FRAME
    .seh_endprologue
fctx_ontop_landing:
    addq    $STUB_FRAME, %rsp           /* drop home space and argument copy */
    ret                                 /* to `to`'s resume address; rsp =
                                           ctx + FRAME_SIZE as after its call */
FCTX_FUNC_END(fctx_ontop_return)
