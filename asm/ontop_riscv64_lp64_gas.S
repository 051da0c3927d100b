/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                                RISC-V 64 LP64D/LP64, ELF, GAS
 *
 * ABI facts (RISC-V ELF psABI; frame drawing in frame_riscv64_lp64.h):
 * callee-saved sp, s0-s11, fs0-fs11, frm (thread-duration state); sp
 * 16-byte aligned; a function returns to ra; fctx_transfer_t is passed as
 * the first argument in a0:a1 and returned in a0:a1.  a0 = to, a1 = data,
 * a2 = fn.
 *
 * Saves our state like fctx_jump, switches to `to` and restores its
 * registers, but instead of resuming `to` it tail-calls fn({our context,
 * data}) with ra = `to`'s resume address: fn looks exactly as if `to` had
 * called it at its resume point, and fn's return value (a0:a1) becomes the
 * result of `to`'s pending switch (for a new context: the start stub's
 * transfer).  sp = `to`'s sp, 16-byte aligned, as at any call.
 */
#include "frame_riscv64_lp64.h"

FCTX_FUNC_BEGIN(fctx_ontop)
    addi    sp, sp, -FRAME_SIZE         /* same frame as fctx_jump */
    .cfi_def_cfa_offset FRAME_SIZE
    FCTX_SAVE_GPRS(sp)
    FCTX_SAVE_FPRS(sp)
#if FCTX_SWITCH_FRM
    frrm    t0
    sd      t0, FRAME_FRM(sp)
#endif
    FCTX_CFI_FRAME_SAVED                /* all slots written */

    mv      t1, sp                      /* our context */
    mv      sp, a0                      /* switch stacks */
    FCTX_LOAD_GPRS(sp)
    FCTX_LOAD_FPRS(sp)
#if FCTX_SWITCH_FRM
    ld      t3, FRAME_FRM(sp)
    beq     t0, t3, 1f                  /* skip the write when equal */
    fsrm    t3
1:
#endif
    ld      ra, FRAME_RA(sp)            /* fn returns to `to`'s resume point */
    addi    sp, sp, FRAME_SIZE          /* pop the whole frame */
    FCTX_CFI_FRAME_POPPED
    mv      a0, t1                      /* fn's argument {our context, data}:
                                           a0:a1 (data is still in a1) */
    jr      a2                          /* tail call fn */
FCTX_FUNC_END(fctx_ontop)

FCTX_FILE_END
