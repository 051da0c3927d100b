/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                      x86-64 SysV, ELF, GAS
 *
 * rdi = to, rsi = data, rdx = fn.  Saves our state like fctx_jump, switches
 * to `to` and restores its registers, but leaves `to`'s resume address on
 * its stack and tail-calls fn({our context, data}): fn then looks exactly as
 * if `to` had called it at its resume point, and fn's return value (rax:rdx)
 * becomes the result of `to`'s pending switch.  Alignment: `to`'s frame is
 * 16-byte aligned, so rsp points at the resume address with rsp+8 aligned,
 * as at any function entry.
 */
#include "frame_x86_64_sysv.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    leaq    -FRAME_RIP(%rsp), %rsp      /* same frame as fctx_jump */
    .cfi_adjust_cfa_offset FRAME_RIP
#ifndef FCTX_NO_FPU_CONTROL
    stmxcsr FRAME_MXCSR(%rsp)
    fnstcw  FRAME_X87CW(%rsp)
#endif
    movq    %r12, FRAME_R12(%rsp)
    movq    %r13, FRAME_R13(%rsp)
    movq    %r14, FRAME_R14(%rsp)
    movq    %r15, FRAME_R15(%rsp)
    movq    %rbx, FRAME_RBX(%rsp)
    movq    %rbp, FRAME_RBP(%rsp)

    movq    %rsp, %rax                  /* our context */
    movq    %rdi, %rsp                  /* switch stacks */
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
    leaq    FRAME_RIP(%rsp), %rsp       /* keep the resume address: fn returns there */
    .cfi_adjust_cfa_offset -FRAME_RIP
    movq    %rax, %rdi                  /* fn's argument {our context, data}: rdi:rsi */
    jmp     *%rdx                       /* tail call fn */
FCTX_FUNC_END(fctx_ontop)

    .section .note.GNU-stack,"",%progbits
