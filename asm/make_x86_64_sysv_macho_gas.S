/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                 x86-64 SysV, Mach-O, GAS
 *
 * ABI and Mach-O facts: jump_x86_64_sysv_macho_gas.S.  One file for both
 * slices of a universal build (the arm64 slice gets the arm64 code).
 *
 * rdi = stack_top, rsi = stack_size (unused), rdx = entry.  Builds, just
 * below the 16-byte-aligned top, a frame in the layout of
 * frame_x86_64_sysv.h: resume address = the start stub below, rbx = entry,
 * rbp = 0, FPU control words = the caller's.  Returns the frame's address.
 */
#if defined(__aarch64__) || defined(__arm64__)
#  include "make_arm64_aapcs_macho_gas.S"
#elif !defined(__x86_64__)
#  error "make_x86_64_sysv_macho_gas.S: not an x86-64 or arm64 Mach-O slice"
#else
#include "frame_x86_64_sysv.h"
#include "macho_gas.h"

FCTX_MACHO_FUNC_BEGIN(fctx_make)
    movq    %rdi, %rax
    andq    $-16, %rax                  /* align the top down to 16 bytes */
    leaq    -FRAME_SIZE(%rax), %rax     /* frame; the stub then runs with
                                           rsp = the aligned top */
#ifndef FCTX_NO_FPU_CONTROL
    stmxcsr FRAME_MXCSR(%rax)           /* start with the creator's modes */
    fnstcw  FRAME_X87CW(%rax)
#endif
    xorl    %ecx, %ecx
    movq    %rcx, FRAME_R12(%rax)       /* deterministic contents */
    movq    %rcx, FRAME_R13(%rax)
    movq    %rcx, FRAME_R14(%rax)
    movq    %rcx, FRAME_R15(%rax)
    movq    %rdx, FRAME_RBX(%rax)       /* entry, kept in a callee-saved reg */
    movq    %rcx, FRAME_RBP(%rax)       /* frame-pointer chain ends here */
    leaq    FCTX_SYM(fctx_context_start)(%rip), %rcx   /* rip-relative: PIC */
    movq    %rcx, FRAME_RIP(%rax)       /* first resume lands in the stub */
    ret
FCTX_MACHO_FUNC_END(fctx_make)

/*
 * First frame of every context (a local symbol).  Reached by fctx_jump's
 * jmp (rax:rdx = transfer) or by the return of an fctx_ontop function,
 * with rsp = the aligned top, so the call below enters `entry` aligned.
 * The return address is marked undefined: unwinders stop here.
 */
FCTX_MACHO_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined rip
    movq    %rax, %rdi                  /* transfer -> first argument */
    movq    %rdx, %rsi
    callq   *%rbx                       /* entry(transfer); must not return */
    callq   FCTX_SYM(fctx_internal_entry_returned) /* hidden, never returns */
    hlt                                 /* not reached */
FCTX_MACHO_FUNC_END(fctx_context_start)

FCTX_MACHO_FILE_END
#endif
