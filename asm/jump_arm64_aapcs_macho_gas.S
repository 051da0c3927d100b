/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)   AArch64, Mach-O, GAS
 *
 * Apple's arm64 ABI is AAPCS64 for everything a switch touches
 * (frame_arm64_aapcs.h: callee-saved x19-x29, sp, d8-d15; FPCR per
 * context and FPSR per thread, its FP control and status rule; sp 16-byte
 * aligned; the transfer in x0:x1 as result and first argument)
 * with these Apple rules on top: x18 is reserved for the platform (never
 * touched here, so every context of a thread keeps the thread's x18), and
 * x29 must always hold a valid frame-record chain (ours is the frame
 * record at the bottom of the saved frame; a new context's ends with 0).
 * Plain arm64 only: arm64e (pointer authentication ABI) is not supported.
 * Mach-O conventions: macho_gas.h.
 *
 * Universal builds compile this ONE file once per slice: the x86-64 slice
 * gets the x86-64 implementation.
 *
 * x0 = to, x1 = data.  Same algorithm as jump_arm64_aapcs_gas.S:
 * saves the state in a frame on the current stack, switches sp, restores
 * `to`'s state and returns into `to` with x0:x1 = {our context, data}.
 */
#if defined(__x86_64__)
#  include "jump_x86_64_sysv_gas.S"
#elif !(defined(__aarch64__) || defined(__arm64__))
#  error "jump_arm64_aapcs_macho_gas.S: not an arm64 or x86-64 Mach-O slice"
#else
#if defined(__arm64e__)
#  error "arm64e (pointer authentication ABI) is not supported; build for arm64"
#endif
#include "frame_arm64_aapcs.h"
#include "macho_gas.h"

FCTX_MACHO_FUNC_BEGIN(fctx_jump)
    stp     x29, x30, [sp, #-FRAME_SIZE]!   /* allocate; frame record first */
    .cfi_def_cfa_offset FRAME_SIZE
    stp     x19, x20, [sp, #FRAME_X19]
    stp     x21, x22, [sp, #FRAME_X21]
    stp     x23, x24, [sp, #FRAME_X23]
    stp     x25, x26, [sp, #FRAME_X25]
    stp     x27, x28, [sp, #FRAME_X27]
    stp     d8, d9, [sp, #FRAME_D8]     /* only the low 64 bits are ours to keep */
    stp     d10, d11, [sp, #FRAME_D10]
    stp     d12, d13, [sp, #FRAME_D12]
    stp     d14, d15, [sp, #FRAME_D14]
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x9, fpcr                    /* our rounding/flush modes */
    str     x9, [sp, #FRAME_FPCR]
#endif
    FCTX_MACHO_CFI_FRAME_SAVED

    mov     x10, sp                     /* our context: handed to `to` */
    mov     sp, x0                      /* switch stacks; same frame shape */
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
    ldp     x29, x30, [sp], #FRAME_SIZE /* pop the whole frame */
    FCTX_MACHO_CFI_FRAME_POPPED
    mov     x0, x10                     /* transfer = {our context, data} */
    ret                                 /* into `to`'s resume address */
FCTX_MACHO_FUNC_END(fctx_jump)

FCTX_MACHO_FILE_END
#endif
