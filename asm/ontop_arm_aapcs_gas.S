/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                      Arm AAPCS, ELF, GAS
 *
 * The result is an 8-byte composite, returned in memory (AAPCS), so:
 *   r0 = where our caller wants the result (hidden pointer), r1 = to,
 *   r2 = data, r3 = fn.
 * Saves our state exactly like fctx_jump (layout and ABI facts:
 * frame_arm_aapcs.h), switches to `to` and restores its registers,
 * including lr = `to`'s resume address and r0 = `to`'s pending result
 * pointer, and its FP modes (fn runs with `to`'s modes and the thread's
 * FPSCR flags: the header's FP control and status rule), then tail-calls
 *     fn(r0 = `to`'s result pointer, r1:r2 = {our context, data})
 * fn is itself a function returning fctx_transfer_t, so r0 is ITS hidden
 * result pointer: by handing it `to`'s saved pointer, fn's return value is
 * written exactly where `to`'s pending fctx_jump/fctx_ontop (or, for a new
 * context, the start stub) expects its result.  The argument struct is
 * 4-byte aligned and 8 bytes, so it takes the next two core registers
 * after the hidden pointer: r1:r2 (AAPCS rules A.4, C.3, C.4).  fn then
 * "returns" with bx lr into `to`'s resume point, as if `to` had called it
 * there; sp is `to`'s own 8-byte-aligned sp, so fn runs on `to`'s stack
 * with the ABI's alignment.  Our own r0 stays in our frame until someone
 * resumes us.
 *
 * fn may be Arm or Thumb code (bit 0 of its address): entered with bx.
 *
 * Unwinding: .cantunwind for the same reasons as fctx_jump.  Exceptions
 * thrown by fn do not pass through here: this is a tail call, so fn's
 * return address is `to`'s resume point and unwinding continues on `to`'s
 * stack (the fiber layer's resume_with relies on it).
 */
#include "frame_arm_aapcs.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    .cantunwind
    push    {r0, r4-r11, lr}            /* the same frame as fctx_jump */
    .cfi_adjust_cfa_offset FRAME_GPR_SIZE
    FCTX_CFI_GPRS_SAVED
#if FCTX_ARM_VFP
#  ifndef FCTX_NO_FPU_CONTROL
    vmrs    r12, fpscr
    str     r12, [sp, #-8]!             /* FPSCR + pad: sp stays 8-aligned */
#  else
    sub     sp, sp, #8
#  endif
    .cfi_adjust_cfa_offset 8
    vpush   {d8-d15}
    .cfi_adjust_cfa_offset 64
    FCTX_CFI_VFP_SAVED
#endif

    mov     r12, sp                     /* our context */
    mov     sp, r1                      /* switch stacks */
    mov     r1, r12                     /* fn's argument {our context, data}
                                           in r1:r2 (r3 = fn is kept) */

#if FCTX_ARM_VFP
    vpop    {d8-d15}
    .cfi_adjust_cfa_offset -64
    FCTX_CFI_VFP_RESTORED
#  ifndef FCTX_NO_FPU_CONTROL
    ldr     r12, [sp], #8               /* `to`'s FPSCR: fn runs with its modes */
    .cfi_adjust_cfa_offset -8           /* (CFI exact at the next insn) */
    fctx_fpscr_restore r12, r0, lr      /* its modes, the thread's flags;
                                           r0 and lr are reloaded below */
#  else
    add     sp, sp, #8
    .cfi_adjust_cfa_offset -8
#  endif
#endif
    pop     {r0, r4-r11, lr}            /* r0 = `to`'s result pointer = fn's
                                           hidden result pointer; lr = where
                                           fn returns: `to`'s resume point */
    .cfi_adjust_cfa_offset -FRAME_GPR_SIZE
    FCTX_CFI_GPRS_RESTORED
    bx      r3                          /* tail call fn (Arm or Thumb) */
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
