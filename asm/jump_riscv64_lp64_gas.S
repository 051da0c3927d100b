/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)   RISC-V 64 LP64D/LP64, ELF, GAS
 *
 * ABI facts (RISC-V ELF psABI; details and the frame drawing in
 * frame_riscv64_lp64.h): callee-saved sp, s0-s11, fs0-fs11 (hard-float
 * ABIs) and, as thread-duration state, the frm rounding mode; sp 16-byte
 * aligned; fctx_transfer_t (two pointers) comes back in a0:a1; arguments
 * arrive in a0 (to), a1 (data).
 *
 * Saves the callee-saved state in a frame on the current stack, switches sp
 * to `to`, restores its state and resumes it with a0:a1 = {our context,
 * data}: the return value of `to`'s own pending fctx_jump, or (new context)
 * the first argument its start stub passes to the entry function.
 *
 * Resuming: `jr t2`, not `ret`.  `jalr x0, 0(ra)` (= ret) is hinted as a
 * return and pops the return-address stack, which never predicts a switch
 * into another context; a jalr through a register other than ra/t0 (x1/x5,
 * the link registers) carries no such hint and goes to the indirect-jump
 * predictor.  t2 (x7) in particular is the "software-guarded" register of
 * the Zicfilp CFI extension, whose targets need no landing pad: a return
 * address has none.
 */
#include "frame_riscv64_lp64.h"

FCTX_FUNC_BEGIN(fctx_jump)
    addi    sp, sp, -FRAME_SIZE         /* the frame, below our return point */
    .cfi_def_cfa_offset FRAME_SIZE
    FCTX_SAVE_GPRS(sp)                  /* s0-s11, and ra = resume address */
    FCTX_SAVE_FPRS(sp)                  /* fs0-fs11 if the hardware has them */
#if FCTX_SWITCH_FRM
    frrm    t0                          /* our rounding mode */
    sd      t0, FRAME_FRM(sp)
#endif
    FCTX_CFI_FRAME_SAVED                /* all slots written */

    mv      t1, sp                      /* our context: handed to `to` */
    mv      sp, a0                      /* switch stacks; `to` has the same
                                           frame shape, so the CFI holds */
    FCTX_LOAD_GPRS(sp)
    FCTX_LOAD_FPRS(sp)
#if FCTX_SWITCH_FRM
    ld      t3, FRAME_FRM(sp)
    beq     t0, t3, 1f                  /* writing frm may drain the FP
                                           pipeline: only when it differs */
    fsrm    t3
1:
#endif
    ld      t2, FRAME_RA(sp)            /* where `to` resumes */
    addi    sp, sp, FRAME_SIZE          /* pop the whole frame */
    FCTX_CFI_FRAME_POPPED
    .cfi_register ra, t2                /* the return address is in t2 now */
    mv      a0, t1                      /* transfer = {our context, data};
                                           data is still in a1 */
    jr      t2                          /* see the head comment */
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
