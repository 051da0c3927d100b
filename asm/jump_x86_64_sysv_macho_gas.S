/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)   x86-64 SysV, Mach-O, GAS
 *
 * macOS x86-64 follows the System V AMD64 ABI for everything used here
 * (frame_x86_64_sysv.h: callee-saved rbx, rbp, r12-r15, MXCSR control bits
 * and x87 control word; rsp+8 16-byte aligned at entry; the transfer comes
 * back in rax:rdx); Mach-O conventions: macho_gas.h.
 *
 * Universal builds (CMAKE_OSX_ARCHITECTURES="x86_64;arm64") compile this
 * ONE file once per slice: the arm64 slice gets the arm64 implementation.
 *
 * rdi = to, rsi = data.  Saves the callee-saved state below our return
 * address, switches rsp to `to`, restores its state and resumes it with
 * rax:rdx = {our context, data}, through an indirect jmp (a ret into
 * another context's return address would always miss the return-stack
 * predictor).
 */
#if defined(__aarch64__) || defined(__arm64__)
#  include "jump_arm64_aapcs_macho_gas.S"
#elif !defined(__x86_64__)
#  error "jump_x86_64_sysv_macho_gas.S: not an x86-64 or arm64 Mach-O slice"
#else
#include "frame_x86_64_sysv.h"
#include "macho_gas.h"

FCTX_MACHO_FUNC_BEGIN(fctx_jump)
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
                                           frame shape, so the CFI holds */
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
    jmp     *%r8
FCTX_MACHO_FUNC_END(fctx_jump)

FCTX_MACHO_FILE_END
#endif
