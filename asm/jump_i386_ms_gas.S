/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)     i386 Windows, PE/COFF, GAS
 *
 * Stack at entry: 0(esp) return address, 4(esp) to, 8(esp) data (cdecl;
 * the ABI facts and the frame: frame_i386_ms.h).  Saves the callee-saved
 * state and the TIB fields below our return address, switches esp to `to`,
 * restores its TIB fields and state and resumes it as if its own pending
 * fctx_jump/fctx_ontop returned {our context, data}: in EDX:EAX, as every
 * 8-byte struct is returned here.  A new context starts in the stub of
 * make_i386_ms_gas.S with the same registers.
 * MASM twin: jump_i386_ms_masm.asm (the same instructions).
 */
#include "frame_i386_ms.h"
#include "switch_i386_ms_gas.h"      /* TIB fields; registers, FP words */

FCTX_FUNC_BEGIN(fctx_jump)
    leal    -FRAME_EIP(%esp), %esp      /* room below our return address */
    .cfi_adjust_cfa_offset FRAME_EIP
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_save %esp                  /* MXCSR + x87 CW (switch_i386_gas.h) */
#endif
    fctx_gprs_save
    fctx_teb_save                       /* the stack we leave */

    movl    %esp, %eax                  /* our context: transfer.ctx */
    movl    FRAME_ARG1(%esp), %edx      /* data: transfer.data */
    movl    FRAME_ARG0(%esp), %esp      /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    fctx_teb_load                       /* from here the TIB describes `to` */
#ifndef FCTX_NO_FPU_CONTROL
    /* control bits differ? (rare: then out of line) */
    fctx_fpu_check .Ljump_fpu
#endif
    fctx_gprs_load
    movl    FRAME_EIP(%esp), %ecx       /* where `to` resumes */
    .cfi_register eip, ecx              /* its slot is popped next: below
                                           esp it is no longer ours */
    leal    FRAME_ARG0(%esp), %esp      /* pop the frame and the return
                                           address (the caller pops the
                                           arguments: cdecl) */
    .cfi_adjust_cfa_offset -FRAME_ARG0  /* CFA = esp: the caller's esp at
                                           its call */
    /* An indirect jmp instead of ret: a ret into another context's return
       address always misses the return-stack predictor.  EDX:EAX is the
       result of `to`'s pending call. */
    jmp     *%ecx
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_load .Ljump_fpu            /* see switch_i386_gas.h */
#endif
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
