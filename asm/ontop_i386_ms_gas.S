/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                  i386 Windows, PE/COFF, GAS
 *
 * Stack at entry: 0(esp) return address, 4(esp) to, 8(esp) data, 12(esp)
 * fn (cdecl; the ABI facts and the frame: frame_i386_ms.h).  Saves our
 * state and TIB fields like fctx_jump, switches to `to` and restores its
 * TIB fields and registers, then tail-calls fn({our context, data}) on
 * `to`'s stack, which then looks exactly like a call of fn from `to`'s
 * resume point:
 *   0(esp)  `to`'s resume address -> fn returns there, with its result in
 *           EDX:EAX: what `to`'s pending switch (or a new context's start
 *           stub) expects
 *   4(esp), 8(esp)  fn's by-value argument, written over `to`'s own
 *           argument slots, which belong to the callee it is suspended in
 *           (a new context has two scratch slots there); cdecl: `to`'s
 *           caller pops them, fn only returns.
 * Alignment: `to`'s resume address sits where a call put it, so esp+4 is
 * as aligned at fn's entry as at that call (16 for a new context).
 * MASM twin: ontop_i386_ms_masm.asm (the same instructions).
 */
#include "frame_i386_ms.h"
#include "switch_i386_ms_gas.h"      /* TIB fields; registers, FP words */

FCTX_FUNC_BEGIN(fctx_ontop)
    leal    -FRAME_EIP(%esp), %esp      /* same frame as fctx_jump */
    .cfi_adjust_cfa_offset FRAME_EIP
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_save %esp                  /* MXCSR + x87 CW (switch_i386_gas.h) */
#endif
    fctx_gprs_save
    fctx_teb_save                       /* the stack we leave */

    movl    %esp, %eax                  /* our context */
    movl    FRAME_ARG1(%esp), %edx      /* data */
    movl    FRAME_ARG2(%esp), %ecx      /* fn: read before leaving our stack */
    movl    FRAME_ARG0(%esp), %esp      /* switch stacks */
    fctx_teb_load                       /* from here the TIB describes `to` */
#ifndef FCTX_NO_FPU_CONTROL
    /* control bits differ? (rare: then out of line) */
    fctx_fpu_check .Lontop_fpu
#endif
    fctx_gprs_load
    movl    %eax, FRAME_ARG0(%esp)      /* fn's argument {our context, data} */
    movl    %edx, FRAME_ARG1(%esp)
    leal    FRAME_EIP(%esp), %esp       /* keep `to`'s return address */
    .cfi_adjust_cfa_offset -FRAME_EIP
    jmp     *%ecx                       /* tail call fn */
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fpu_load .Lontop_fpu           /* see switch_i386_gas.h */
#endif
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
