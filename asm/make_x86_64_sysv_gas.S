/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                        x86-64 SysV, GAS
 *                                        (ELF and Mach-O: format.h)
 *
 * rdi = stack_top, rsi = stack_size (unused: the frame needs FRAME_SIZE
 * bytes, far below any accepted size), rdx = entry.  Builds, just below the
 * 16-byte-aligned top, a frame in the layout of frame_x86_64_sysv.h that
 * fctx_jump/fctx_ontop restore as if the context had suspended itself:
 * resume address = the start stub below, rbx = entry, r12 = stack_top
 * (the entry's second argument), rbp = 0.
 * FP control: the new context starts with the creator's x87 control word
 * and MXCSR control bits as they are now (rounding, masks, FTZ/DAZ,
 * precision); the exception flags it sees are the thread's, whatever they
 * are when it first runs (frame_x86_64_sysv.h).  Returns the frame's address.
 */
/* A universal macOS build compiles this one file for both slices: the
 * arm64 slice gets the arm64 code. */
#if defined(__APPLE__) && (defined(__aarch64__) || defined(__arm64__))
#  include "make_arm64_aapcs_gas.S"
#else

#include "frame_x86_64_sysv.h"

FCTX_FUNC_BEGIN(fctx_make)
    movq    %rdi, %rax
    andq    $-16, %rax                  /* align the top down to 16 bytes */
    leaq    -FRAME_SIZE(%rax), %rax     /* frame; the stub then runs with
                                           rsp = the aligned top */
    xorl    %ecx, %ecx
    movq    %rcx, FRAME_X87CW(%rax)     /* deterministic pad (FP words below) */
#ifndef FCTX_NO_FPU_CONTROL
    fnstcw  FRAME_X87CW(%rax)           /* start with the creator's modes */
    stmxcsr FRAME_MXCSR(%rax)
#endif
    movq    %rdi, FRAME_R12(%rax)       /* stack_top, the entry's 2nd argument */
    movq    %rcx, FRAME_R13(%rax)       /* deterministic contents */
    movq    %rcx, FRAME_R14(%rax)
    movq    %rcx, FRAME_R15(%rax)
    movq    %rdx, FRAME_RBX(%rax)       /* entry, kept in a callee-saved reg */
    movq    %rcx, FRAME_RBP(%rax)       /* frame-pointer chain ends here */
    leaq    FCTX_LOCAL_SYM(fctx_context_resume)(%rip), %rcx /* rip-relative: PIC */
    movq    %rcx, FRAME_RIP(%rax)       /* first resume lands in the stub */
    ret
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's jmp (rax:rdx =
 * transfer) or by the return of an fctx_ontop function (rax:rdx = its
 * result).  rsp is 16-byte aligned here, so the call below enters `entry`
 * with the ABI's alignment.  The return address is marked undefined: unwinders
 * and debuggers stop here instead of walking into garbage.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined rip
    nop                                 /* an ontop fn "returns" to the label
                                           below; unwinders look up return
                                           address - 1, which must fall in
                                           this FDE, not fctx_make's */
FCTX_LOCAL_LABEL(fctx_context_resume)
    FCTX_ENDBR                          /* reached by an indirect jmp */
    movq    %rax, %rdi                  /* transfer -> first argument */
    movq    %rdx, %rsi
    movq    %r12, %rdx                  /* fctx_make's stack_top -> second */
    callq   *%rbx                       /* entry(transfer, stack_top); must
                                           not return */
    callq   FCTX_SYM(fctx_internal_entry_returned) /* hidden C handler, never returns */
    hlt                                 /* not reached */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
#endif
