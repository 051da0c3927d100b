/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)   x86-64 Microsoft ABI, PE/COFF, GAS
 *
 * ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
 *  - nonvolatile: rbx rbp rdi rsi r12-r15 rsp, xmm6-xmm15 (128 bits),
 *    MXCSR control bits, x87 control word; everything else is volatile.
 *    Which FP bits a context owns and which follow the thread, and when
 *    a switch writes them: the FP rule in frame_x86_64_ms.h.
 *  - the 16-byte result is returned through a hidden pointer: rcx = where
 *    to store it, rdx = to, r8 = data; the callee returns rcx in rax.
 *  - rsp is 16-byte aligned at every call (rsp = 16n+8 at entry).
 *  - the TEB stack fields (gs:) must describe the stack in use; Wine
 *    also walks NT_TIB.ExceptionList against rsp.
 *
 * Saves the nonvolatile state, the TEB stack fields and OUR result pointer
 * in a frame on the current stack; switches rsp to `to`; restores its
 * state; stores {our context, data} through `to`'s saved result pointer
 * (the pending fctx_jump/fctx_ontop of the resumed side, or the transfer
 * slot of a new context) and resumes it with rax = that pointer, exactly
 * as its own pending call returns.
 *
 * Unwind data: the prologue is described with .seh_* directives.  After the
 * switch rsp points at `to`'s frame, which has the same shape, so the same
 * unwind data describes the resumed side until the final add/jmp.
 */
#include "frame_x86_64_ms.h"
#include "switch_x86_64_ms_gas.h"    /* the code shared with fctx_ontop */

FCTX_FUNC_BEGIN(fctx_jump)
    fctx_ms_save                        /* frame, registers, FP words */
    /* The TEB describes the stack we leave: keep its view in our frame
       (StackLimit may have moved since, as the OS grows a thread stack). */
    movq    %gs:TEB_STACK_BASE, %r9
    movq    %gs:TEB_STACK_LIMIT, %r10
    movq    %gs:TEB_DEALLOCATION_STACK, %r11
    movq    %r9, FRAME_STACK_BASE(%rsp)
    movq    %r10, FRAME_STACK_LIMIT(%rsp)
    movq    %r11, FRAME_DEALLOCATION_STACK(%rsp)
    movq    %gs:TEB_FIBER_DATA, %r9
    movq    %gs:TEB_EXCEPTION_LIST, %r10
    movl    %gs:TEB_GUARANTEED_STACK_BYTES, %r11d   /* a 32-bit field */
    movq    %r9, FRAME_FIBER_DATA(%rsp)
    movq    %r10, FRAME_EXCEPTION_LIST(%rsp)
    movl    %r11d, FRAME_GUARANTEED_STACK_BYTES(%rsp)
    movq    %rcx, FRAME_RESULT(%rsp)    /* where OUR pending call wants its
                                           result when we are resumed */

    movq    %rsp, %rax                  /* our context: delivered to `to` */
    movq    %rdx, %rsp                  /* switch stacks */
    /* The TEB first: from here on it must describe `to`'s stack. */
    movq    FRAME_STACK_BASE(%rsp), %r9
    movq    FRAME_STACK_LIMIT(%rsp), %r10
    movq    FRAME_DEALLOCATION_STACK(%rsp), %r11
    movq    %r9, %gs:TEB_STACK_BASE
    movq    %r10, %gs:TEB_STACK_LIMIT
    movq    %r11, %gs:TEB_DEALLOCATION_STACK
    movq    FRAME_FIBER_DATA(%rsp), %r9
    movq    FRAME_EXCEPTION_LIST(%rsp), %r10
    movl    FRAME_GUARANTEED_STACK_BYTES(%rsp), %r11d
    movq    %r9, %gs:TEB_FIBER_DATA
    movq    %r10, %gs:TEB_EXCEPTION_LIST
    movl    %r11d, %gs:TEB_GUARANTEED_STACK_BYTES
    fctx_ms_restore .Ljump              /* `to`'s registers, FP check */
    /* Return the transfer the way `to`'s pending call expects it: stored
       through ITS hidden result pointer, which is also returned in rax. */
    movq    FRAME_RESULT(%rsp), %rcx
    movq    %rax, 0(%rcx)               /* .ctx  = the context we just left */
    movq    %r8, 8(%rcx)                /* .data = data */
    movq    %rcx, %rax
    movq    FRAME_RIP(%rsp), %r10       /* where `to` resumes */
    addq    $FRAME_SIZE, %rsp           /* pop the frame and the return address */
    /* An indirect jmp instead of ret: a ret into another context's return
       address always misses the return-stack predictor.  (Only here, one
       instruction, does the unwind data not describe rsp.) */
    jmp     *%r10
    fctx_ms_fp_load .Ljump              /* its rare path (after the jmp) */
FCTX_FUNC_END(fctx_jump)
