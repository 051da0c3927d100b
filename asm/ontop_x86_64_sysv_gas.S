/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                        x86-64 SysV, GAS
 *                                        (ELF and Mach-O: format.h)
 *
 * rdi = to, rsi = data, rdx = fn.  Saves our state like fctx_jump, switches
 * to `to` and restores its registers and FP control words (the same rules:
 * frame_x86_64_sysv.h), but leaves `to`'s resume address on its stack and
 * tail-calls fn({our context, data}): fn then looks exactly as if `to` had
 * called it at its resume point, and fn's return value (rax:rdx) becomes the
 * result of `to`'s pending switch.  Alignment: `to`'s frame is 16-byte
 * aligned, so rsp points at the resume address with rsp+8 aligned, as at any
 * function entry.  Same technique as fctx_jump (see there): our frame goes
 * into the red zone below rsp, `to`'s is read through rdi.
 */
/* A universal macOS build compiles this one file for both slices: the
 * arm64 slice gets the arm64 code. */
#if defined(__APPLE__) && (defined(__aarch64__) || defined(__arm64__))
#  include "ontop_arm64_aapcs_gas.S"
#else

#include "frame_x86_64_sysv.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    leaq    -FRAME_RIP(%rsp), %rax      /* our frame = our context (red zone) */
#ifndef FCTX_NO_FPU_CONTROL
    fnstcw  FRAME_X87CW(%rax)
    stmxcsr FRAME_MXCSR(%rax)
#endif
    FCTX_SAVE_GPRS %rax

    leaq    FRAME_RIP(%rdi), %rsp       /* switch, keeping `to`'s resume
                                           address: fn returns there */
    /* From here we are `to` at a function entry: CFA = rsp + 8, its
       callee-saved values still in the frame below. */
    .cfi_def_cfa_offset 8
    FCTX_CFI_FRAME_SAVED
    FCTX_LOAD_GPRS %rdi
#ifndef FCTX_NO_FPU_CONTROL
    FCTX_FP_SWITCH_CHECK %rax, %rdi, 1f /* control words differ: load them */
#endif
0:  movq    %rax, %rdi                  /* fn's argument {our context, data}: rdi:rsi */
    jmp     *%rdx                       /* tail call fn */
#ifndef FCTX_NO_FPU_CONTROL
1:  FCTX_FP_SWITCH_SLOW %rax, %rdi            /* keeps rdx (fn) */
    jmp     0b
#endif
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
#endif
