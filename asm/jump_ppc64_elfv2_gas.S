/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)    ppc64 ELFv2, ELF, GAS
 *
 * r3 = to, r4 = data.  Allocates a stack frame (layout and ABI facts:
 * frame_ppc64_elfv2.h), saves the nonvolatile state in it, switches r1 to
 * `to`'s block, restores its state and resumes it with r3:r4 = {our
 * context, data}: the return value of `to`'s own pending fctx_jump, or
 * (new context) what its start stub passes to the entry function.
 * Uses no TOC, so there is a single entry point.
 */
#include "frame_ppc64_elfv2.h"

FCTX_FUNC_BEGIN(fctx_jump)
    fctx_switch_out                     /* our block, with its CFI */

    fctx_switch_in                      /* r11 = our context, r1 = `to`'s
                                           block, r0 = where `to` resumes */
    mtctr   %r0
    mr      %r3, %r11                   /* transfer = {our context, data} */
    addi    %r1, %r1, FRAME_SIZE        /* pop the block: r1 = `to`'s sp */
    .cfi_adjust_cfa_offset -FRAME_SIZE
    /* bctr, not blr: a blr to another context's return address would
       always miss the link-stack predictor. */
    bctr
FCTX_FUNC_END(fctx_jump)

FCTX_FILE_END
