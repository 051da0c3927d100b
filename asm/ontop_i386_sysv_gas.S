/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                      i386 SysV, ELF, GAS
 *
 * Stack at entry: 0(esp) return address, 4(esp) hidden result pointer,
 * 8(esp) to, 12(esp) data, 16(esp) fn.  Saves our state like fctx_jump,
 * switches to `to` and restores its registers, then tail-calls
 * fn({our context, data}) on `to`'s stack, which then looks exactly like a
 * call of fn from `to`'s resume point:
 *   0(esp)  `to`'s resume address      -> fn returns there
 *   4(esp)  `to`'s hidden result pointer -> fn's result lands where `to`'s
 *           pending switch (or a new context's start stub) expects it, and
 *           fn's `ret $4` pops it just as fctx_jump would have
 *   8(esp), 12(esp)  fn's by-value argument: written over `to`'s own
 *           argument slots, which belong to the callee it is suspended in
 *           (a new context reserves two scratch slots there).
 * The result pointer never aliases the argument slots, so fn may build its
 * result while still reading its argument.  Alignment: `to`'s resume
 * address sits where a call put it, so esp+4 is 16-byte aligned at fn's
 * entry (fctx_make arranges the same for new contexts).
 */
#include "frame_i386_sysv.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    leal    -FRAME_EIP(%esp), %esp      /* same frame as fctx_jump */
    .cfi_adjust_cfa_offset FRAME_EIP
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_save %esp                  /* MXCSR + x87 CW (frame header) */
#endif
    fctx_gprs_save

    movl    %esp, %eax                  /* our context */
    movl    FRAME_ARG1(%esp), %edx      /* data */
    movl    FRAME_ARG2(%esp), %ecx      /* fn: read before leaving our stack */
    movl    FRAME_ARG0(%esp), %esp      /* switch stacks */
#ifndef FCTX_NO_FPU_CONTROL
    /* control bits differ? (rare: then out of line) */
    fctx_fpu_check .Lontop_fpu
#endif
    fctx_gprs_load
    movl    %eax, FRAME_ARG0(%esp)      /* fn's argument {our context, data} */
    movl    %edx, FRAME_ARG1(%esp)
    leal    FRAME_EIP(%esp), %esp       /* keep return address + hidden ptr */
    .cfi_adjust_cfa_offset -FRAME_EIP
    jmp     *%ecx                       /* tail call fn */
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_load .Lontop_fpu          /* see the frame header */
#endif
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
