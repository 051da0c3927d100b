/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)     Arm AAPCS, ELF, GAS
 *
 * The result is an 8-byte composite, returned in memory (AAPCS), so:
 *   r0 = where our caller wants the result (hidden pointer), r1 = to,
 *   r2 = data.
 * Saves r0 (our pending result pointer), r4-r11, lr, and with VFP d8-d15
 * and FPSCR on the current stack (layout and the ABI facts behind it:
 * frame_arm_aapcs.h), switches sp to `to`, restores its registers, its FP
 * modes (FPSCR status flags stay the thread's: the header's FP control
 * and status rule) and its pending result pointer, and writes {our
 * context, data} THROUGH THAT POINTER: it is the result of `to`'s own
 * suspended fctx_jump/fctx_ontop, or for a new context the start stub's
 * argument buffer.  Our own r0 is not written now: it waits in our frame
 * until someone resumes us.
 *
 * Assembles as Arm or Thumb-2 (whatever the compiler generates); the resume
 * address may be of either state and is entered with bx.  sp is 8-byte
 * aligned on entry and `to`'s sp after the pops is its own aligned sp.
 *
 * Unwinding: no exception can be raised in here, and after the sp switch no
 * static EHABI description would be right at every instruction, so the
 * EHABI entry is .cantunwind (an unwinder stops cleanly).  The DWARF CFI is
 * exact at every instruction for debuggers: `to`'s frame has the same shape
 * as ours, so the CFA rules hold across the switch.
 */
#include "frame_arm_aapcs.h"

FCTX_FUNC_BEGIN(fctx_jump)
    .cantunwind
    push    {r0, r4-r11, lr}            /* result ptr, callee-saved GPRs,
                                           resume address (bit 0 = Thumb) */
    .cfi_adjust_cfa_offset FRAME_GPR_SIZE
    FCTX_CFI_GPRS_SAVED
#if FCTX_ARM_VFP
#  ifndef FCTX_NO_FPU_CONTROL
    vmrs    r12, fpscr                  /* FP modes: rounding, FZ, DN, ... */
    str     r12, [sp, #-8]!             /* FPSCR + pad: sp stays 8-aligned */
#  else
    sub     sp, sp, #8                  /* same layout, slot unused */
#  endif
    .cfi_adjust_cfa_offset 8
    vpush   {d8-d15}                    /* callee-saved VFP registers */
    .cfi_adjust_cfa_offset 64
    FCTX_CFI_VFP_SAVED
#endif

    mov     r12, sp                     /* our context = our frame's address */
    mov     sp, r1                      /* switch stacks; same frame shape,
                                           so the CFI above still holds */
    mov     r1, r12                     /* r1:r2 = {our context, data} */

#if FCTX_ARM_VFP
    vpop    {d8-d15}
    .cfi_adjust_cfa_offset -64
    FCTX_CFI_VFP_RESTORED
#  ifndef FCTX_NO_FPU_CONTROL
    ldr     r12, [sp], #8               /* `to`'s FPSCR; skip the pad */
    .cfi_adjust_cfa_offset -8           /* (CFI exact at the next insn) */
    fctx_fpscr_restore r12, r0, lr      /* its modes, the thread's flags;
                                           r0 and lr are reloaded below */
#  else
    add     sp, sp, #8
    .cfi_adjust_cfa_offset -8
#  endif
#endif
    pop     {r0, r4-r11, lr}            /* r0 = `to`'s pending result pointer */
    .cfi_adjust_cfa_offset -FRAME_GPR_SIZE
    FCTX_CFI_GPRS_RESTORED
    stm     r0, {r1, r2}                /* `to`'s result: {.ctx = us, .data} */
    /* r0 keeps the result address, as compiled struct-returning functions
       leave it (the AAPCS does not require it; harmless).  bx, because the
       resume address may be Arm or Thumb code. */
    bx      lr
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
