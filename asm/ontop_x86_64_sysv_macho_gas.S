/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                 x86-64 SysV, Mach-O, GAS
 *
 * ABI and Mach-O facts: jump_x86_64_sysv_macho_gas.S.  One file for both
 * slices of a universal build (the arm64 slice gets the arm64 code).
 *
 * rdi = to, rsi = data, rdx = fn.  Saves our state like fctx_jump,
 * switches to `to` and restores its registers, but leaves `to`'s resume
 * address on its stack and tail-calls fn({our context, data}): fn looks
 * exactly as if `to` had called it at its resume point (rsp+8 aligned),
 * and fn's rax:rdx becomes the result of `to`'s pending switch.
 */
#if defined(__aarch64__) || defined(__arm64__)
#  include "ontop_arm64_aapcs_macho_gas.S"
#elif !defined(__x86_64__)
#  error "ontop_x86_64_sysv_macho_gas.S: not an x86-64 or arm64 Mach-O slice"
#else
#include "frame_x86_64_sysv.h"
#include "macho_gas.h"

FCTX_MACHO_FUNC_BEGIN(fctx_ontop)
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
FCTX_MACHO_FUNC_END(fctx_ontop)

FCTX_MACHO_FILE_END
#endif
