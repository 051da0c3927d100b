/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)      x86-64 SysV, ELF, GAS
 *
 * rdi = to, rsi = data.  Saves the callee-saved state on the current stack
 * (layout: frame_x86_64_sysv.h), switches rsp to `to`, restores its state and
 * resumes it with rax:rdx = {our context, data}: the return value of `to`'s
 * own pending fctx_jump, or (new context) the argument its start stub passes
 * to the entry function.
 */
#include "frame_x86_64_sysv.h"

FCTX_FUNC_BEGIN(fctx_jump)
    leaq    -FRAME_RIP(%rsp), %rsp      /* room below our return address */
    .cfi_adjust_cfa_offset FRAME_RIP
#ifndef FCTX_NO_FPU_CONTROL
    stmxcsr FRAME_MXCSR(%rsp)           /* SSE rounding/exception masks */
    fnstcw  FRAME_X87CW(%rsp)           /* x87 precision/rounding control */
#endif
    movq    %r12, FRAME_R12(%rsp)
    movq    %r13, FRAME_R13(%rsp)
    movq    %r14, FRAME_R14(%rsp)
    movq    %r15, FRAME_R15(%rsp)
    movq    %rbx, FRAME_RBX(%rsp)
    movq    %rbp, FRAME_RBP(%rsp)

    movq    %rsp, %rax                  /* our context: returned to `to` */
    movq    %rdi, %rsp                  /* switch stacks; `to` has the same
                                           frame shape, so the CFI above holds */
    movq    FRAME_R12(%rsp), %r12
    movq    FRAME_R13(%rsp), %r13
    movq    FRAME_R14(%rsp), %r14
    movq    FRAME_R15(%rsp), %r15
    movq    FRAME_RBX(%rsp), %rbx
    movq    FRAME_RBP(%rsp), %rbp
#ifndef FCTX_NO_FPU_CONTROL
    ldmxcsr FRAME_MXCSR(%rsp)
    fldcw   FRAME_X87CW(%rsp)
#endif
    movq    FRAME_RIP(%rsp), %r8        /* where `to` resumes */
    leaq    FRAME_SIZE(%rsp), %rsp      /* pop the whole frame */
    .cfi_adjust_cfa_offset -FRAME_RIP
    movq    %rsi, %rdx                  /* second word of the transfer */
    /* An indirect jmp instead of ret: a ret into another context's return
       address always misses the return-stack predictor. */
    jmp     *%r8
FCTX_FUNC_END(fctx_jump)

    .section .note.GNU-stack,"",%progbits
