/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)   PowerPC SysV, ELF, GAS
 *
 * The result comes back in memory (frame_ppc_sysv.h), so r3 = where our
 * caller wants it (hidden pointer), r4 = to, r5 = data.  Allocates a stack
 * frame (layout and ABI facts: frame_ppc_sysv.h), saves the nonvolatile
 * state and r3 in it, switches r1 to `to`'s block, restores its state and
 * writes {our context, data} THROUGH `to`'S saved result pointer: the
 * result of `to`'s own pending fctx_jump/fctx_ontop, or (new context) the
 * transfer buffer of its start stub.  Our own r3 waits in our block until
 * someone resumes us.
 */
#include "frame_ppc_sysv.h"

FCTX_FUNC_BEGIN(fctx_jump)
    fctx_switch_out                     /* our block, with its CFI */

    fctx_switch_in                      /* r11 = our context, r1 = `to`'s
                                           block, r3 = its result pointer,
                                           r0 = where `to` resumes */
    mtctr   %r0
    stw     %r11, 0(%r3)                /* `to`'s result: {.ctx = us, */
    stw     %r5, 4(%r3)                 /*                 .data}     */
    addi    %r1, %r1, FRAME_SIZE        /* pop the block: r1 = `to`'s sp */
    .cfi_adjust_cfa_offset -FRAME_SIZE
    /* bctr, not blr: a blr to another context's return address would
       always miss the link-stack predictor.  r3 keeps the result address,
       as compiled struct-returning functions leave it. */
    bctr
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
