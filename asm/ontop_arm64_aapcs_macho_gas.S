/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                 AArch64, Mach-O, GAS
 *
 * ABI and Mach-O facts: jump_arm64_aapcs_macho_gas.S; FP control and
 * status rule: frame_arm64_aapcs.h (fn runs with `to`'s FPCR and the
 * thread's FPSR flags).  One file for both
 * slices of a universal build (the x86-64 slice gets the x86-64 code).
 *
 * x0 = to, x1 = data, x2 = fn.  Saves our state like fctx_jump, switches to
 * `to` and restores its registers, then tail-calls fn({our context, data})
 * with x30 = `to`'s resume address: fn looks exactly as if `to` had called
 * it at its resume point, and fn's x0:x1 becomes the result of `to`'s
 * pending switch (for a new context: the start stub's transfer).
 */
#if defined(__x86_64__)
#  include "ontop_x86_64_sysv_gas.S"
#elif !(defined(__aarch64__) || defined(__arm64__))
#  error "ontop_arm64_aapcs_macho_gas.S: not an arm64 or x86-64 Mach-O slice"
#else
#if defined(__arm64e__)
#  error "arm64e (pointer authentication ABI) is not supported; build for arm64"
#endif
#include "frame_arm64_aapcs.h"
#include "macho_gas.h"

FCTX_MACHO_FUNC_BEGIN(fctx_ontop)
    stp     x29, x30, [sp, #-FRAME_SIZE]!   /* same frame as fctx_jump */
    .cfi_def_cfa_offset FRAME_SIZE
    stp     x19, x20, [sp, #FRAME_X19]
    stp     x21, x22, [sp, #FRAME_X21]
    stp     x23, x24, [sp, #FRAME_X23]
    stp     x25, x26, [sp, #FRAME_X25]
    stp     x27, x28, [sp, #FRAME_X27]
    stp     d8, d9, [sp, #FRAME_D8]
    stp     d10, d11, [sp, #FRAME_D10]
    stp     d12, d13, [sp, #FRAME_D12]
    stp     d14, d15, [sp, #FRAME_D14]
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x9, fpcr
    str     x9, [sp, #FRAME_FPCR]
#endif
    FCTX_MACHO_CFI_FRAME_SAVED

    mov     x10, sp                     /* our context */
    mov     sp, x0                      /* switch stacks */
    ldp     x19, x20, [sp, #FRAME_X19]
    ldp     x21, x22, [sp, #FRAME_X21]
    ldp     x23, x24, [sp, #FRAME_X23]
    ldp     x25, x26, [sp, #FRAME_X25]
    ldp     x27, x28, [sp, #FRAME_X27]
    ldp     d8, d9, [sp, #FRAME_D8]
    ldp     d10, d11, [sp, #FRAME_D10]
    ldp     d12, d13, [sp, #FRAME_D12]
    ldp     d14, d15, [sp, #FRAME_D14]
#ifndef FCTX_NO_FPU_CONTROL
    ldr     x11, [sp, #FRAME_FPCR]
    cmp     x9, x11                     /* writing FPCR may serialise the */
    b.eq    1f                          /* FP pipeline: only when it differs */
    msr     fpcr, x11
1:
#endif
    ldp     x29, x30, [sp], #FRAME_SIZE /* x30 = `to`'s resume address */
    FCTX_MACHO_CFI_FRAME_POPPED
    mov     x0, x10                     /* fn's argument {our context, data} */
    mov     x16, x2
    br      x16                         /* tail call fn */
FCTX_MACHO_FUNC_END(fctx_ontop)

FCTX_MACHO_FILE_END
#endif
