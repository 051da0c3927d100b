/*
 * The AArch64 callee-saved register slots, common to the AAPCS64 frame
 * (frame_arm64_aapcs.h: ELF, Mach-O) and the Windows ARM64 frame
 * (frame_arm64_ms.h, which adds the TEB fields after FPCR).  Both ABIs
 * keep the same set, x19-x28, x29, x30 and d8-d15 (the low 64 bits of
 * v8-v15), so both frames start with the same block; each frame header
 * draws its whole frame and states its ABI's facts.  Included by those two
 * frame headers only; the macros use FCTX_SEP (format.h, which both include).
 */
#ifndef FCTX_SLOTS_ARM64_H
#define FCTX_SLOTS_ARM64_H

#define FRAME_FP    0x00    /* x29 | x30: a frame record, first */
#define FRAME_LR    0x08
#define FRAME_X19   0x10    /* x19 | x20, ... x27 | x28 */
#define FRAME_X21   0x20
#define FRAME_X23   0x30
#define FRAME_X25   0x40
#define FRAME_X27   0x50
#define FRAME_D8    0x60    /* d8 | d9, ... d14 | d15 */
#define FRAME_D10   0x70
#define FRAME_D12   0x80
#define FRAME_D14   0x90
#define FRAME_FPCR  0xa0

#ifdef __ASSEMBLER__
/*
 * FCTX_REGS(op): op (stp / ldp) x19-x28 and d8-d15 at their slots in the
 * frame at sp; x29, x30 and FPCR are the switch's own business.
 */
#define FCTX_REGS(op)                           \
    op      x19, x20, [sp, #FRAME_X19] FCTX_SEP \
    op      x21, x22, [sp, #FRAME_X21] FCTX_SEP \
    op      x23, x24, [sp, #FRAME_X23] FCTX_SEP \
    op      x25, x26, [sp, #FRAME_X25] FCTX_SEP \
    op      x27, x28, [sp, #FRAME_X27] FCTX_SEP \
    op      d8, d9, [sp, #FRAME_D8] FCTX_SEP    \
    op      d10, d11, [sp, #FRAME_D10] FCTX_SEP \
    op      d12, d13, [sp, #FRAME_D12] FCTX_SEP \
    op      d14, d15, [sp, #FRAME_D14]
#define FCTX_LOAD_REGS FCTX_REGS(ldp)

/* FCTX_ZERO_REGS(base): a new context's x21-x28 and d8-d15 slots in the
 * frame at `base` are 0 (fctx_make; x19/x20 carry entry and stack_top). */
#define FCTX_ZERO_REGS(base)                    \
    stp     xzr, xzr, [base, #FRAME_X21] FCTX_SEP \
    stp     xzr, xzr, [base, #FRAME_X23] FCTX_SEP \
    stp     xzr, xzr, [base, #FRAME_X25] FCTX_SEP \
    stp     xzr, xzr, [base, #FRAME_X27] FCTX_SEP \
    stp     xzr, xzr, [base, #FRAME_D8] FCTX_SEP  \
    stp     xzr, xzr, [base, #FRAME_D10] FCTX_SEP \
    stp     xzr, xzr, [base, #FRAME_D12] FCTX_SEP \
    stp     xzr, xzr, [base, #FRAME_D14]
#endif

#endif
