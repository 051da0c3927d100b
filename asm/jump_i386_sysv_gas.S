/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)      i386 SysV, ELF, GAS
 *
 * Stack at entry: 0(esp) return address, 4(esp) hidden result pointer,
 * 8(esp) to, 12(esp) data (see frame_i386_sysv.h for the ABI facts).
 * Saves the callee-saved state below our return address, switches esp to
 * `to`, restores its state and resumes it as if its own pending
 * fctx_jump/fctx_ontop returned {our context, data}: the transfer is
 * stored through `to`'s hidden result pointer, eax = that pointer, and the
 * hidden argument is popped (callee pops it).  For a new context the
 * hidden pointer points at the landing area its start stub reads.
 */
#include "frame_i386_sysv.h"

FCTX_FUNC_BEGIN(fctx_jump)
    leal    -FRAME_EIP(%esp), %esp      /* room below our return address */
    .cfi_adjust_cfa_offset FRAME_EIP
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_save %esp                  /* MXCSR + x87 CW (frame header) */
#endif
    fctx_gprs_save

    movl    %esp, %eax                  /* our context: first transfer word */
    movl    FRAME_ARG1(%esp), %edx      /* data: second transfer word */
    movl    FRAME_ARG0(%esp), %esp      /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
#ifndef FCTX_NO_FPU_CONTROL
    /* control bits differ? (rare: then out of line) */
    fctx_fpu_check .Ljump_fpu
#endif
    fctx_gprs_load
    movl    FRAME_RESULT(%esp), %ecx    /* `to`'s hidden result pointer */
    movl    %eax, 0(%ecx)               /* its transfer = {our ctx, data} */
    movl    %edx, 4(%ecx)
    movl    %ecx, %eax                  /* a struct return also hands back
                                           the result address in eax */
    movl    FRAME_EIP(%esp), %ecx       /* where `to` resumes */
    .cfi_register eip, ecx              /* its slot is popped next: below
                                           esp a signal may overwrite it */
    leal    FRAME_RESULT+4(%esp), %esp  /* pop the frame, the return address
                                           and the hidden pointer (ret $4) */
    .cfi_adjust_cfa_offset -(FRAME_RESULT+4) /* CFA = esp - 4: the caller's
                                           esp at its call, before the pop */
    /* An indirect jmp instead of ret: a ret into another context's return
       address always misses the return-stack predictor. */
    jmp     *%ecx
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_load .Ljump_fpu          /* see the frame header */
#endif
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
