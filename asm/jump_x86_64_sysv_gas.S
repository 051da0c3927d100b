/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)      x86-64 SysV, GAS
 *                                        (ELF and Mach-O: format.h)
 *
 * rdi = to, rsi = data.  Saves the callee-saved state on the current stack
 * (layout and ABI facts, FP rules included: frame_x86_64_sysv.h), switches
 * rsp to `to`, restores its state and resumes it with rax:rdx = {our
 * context, data}: the return value of `to`'s own pending fctx_jump, or (new
 * context) the argument its start stub passes to the entry function.
 *
 * How (the choices are measured in docs/performance.md):
 *  - Our frame is written below rsp, inside the 128-byte red zone that the
 *    SysV ABI guarantees signal and interrupt handlers leave alone, so rsp
 *    never moves on our side: one lea gives the frame address.
 *  - `to`'s frame is read through rdi, not rsp, and rsp gets its final value
 *    in one step (to + FRAME_SIZE).  Its frame then lies in *its* red zone,
 *    equally safe from signals, until the loads below are done.
 *  - The FP control words are stored on every switch (there is no other way
 *    to learn them) but loaded only when `to`'s differ from ours, out of
 *    line: the common path executes neither ldmxcsr nor fldcw, so the
 *    thread's exception flags never move (FCTX_FP_SWITCH_CHECK).
 *  - We leave with an indirect jmp through the saved resume address, never
 *    ret: a ret into another context's return address always misses the
 *    return-stack predictor.
 */
/* A universal macOS build compiles this one file for both slices: the
 * arm64 slice gets the arm64 code. */
#if defined(__APPLE__) && (defined(__aarch64__) || defined(__arm64__))
#  include "jump_arm64_aapcs_gas.S"
#else

#include "frame_x86_64_sysv.h"

FCTX_FUNC_BEGIN(fctx_jump)
    leaq    -FRAME_RIP(%rsp), %rax      /* our frame: below our return address,
                                           16-byte aligned (rsp+8 is); this is
                                           also our context, returned to `to` */
#ifndef FCTX_NO_FPU_CONTROL
    fnstcw  FRAME_X87CW(%rax)           /* x87 masks/precision/rounding */
    stmxcsr FRAME_MXCSR(%rax)           /* SSE control bits (+ status, unused) */
#endif
    FCTX_SAVE_GPRS %rax

    leaq    FRAME_SIZE(%rdi), %rsp      /* switch: `to`'s rsp as after its
                                           call returned */
    /* From here we are `to`, returning from its pending switch: the CFA is
       rsp itself and its callee-saved values are still in the frame below. */
    .cfi_def_cfa_offset 0
    FCTX_CFI_FRAME_SAVED
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx                  /* second word of the transfer */
#ifndef FCTX_NO_FPU_CONTROL
    FCTX_FP_SWITCH_CHECK %rax, %rdi, 1f /* control words differ: load them */
#endif
0:  /* An indirect jmp instead of ret: a ret into another context's return
       address always misses the return-stack predictor. */
    FCTX_NOTRACK jmp *FRAME_RIP(%rdi)   /* IBT: a return address, no endbr64 */
#ifndef FCTX_NO_FPU_CONTROL
1:  FCTX_FP_SWITCH_SLOW %rax, %rdi
    jmp     0b
#endif
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
#endif
