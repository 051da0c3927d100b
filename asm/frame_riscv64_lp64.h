/*
 * Saved-register frame of a suspended context, RISC-V 64 (ELF psABI, LP64D
 * and LP64/LP64F: one file set, FP parts depend on the F/D extensions).
 * Shared by jump_, make_ and ontop_riscv64_lp64_gas.S: the only place
 * that knows these offsets.
 *
 * ABI facts relied on (RISC-V ELF psABI, calling convention):
 *  - preserved across calls: sp, s0-s11 (s0 = fp) and fs0-fs11; ra is not
 *    (the call writes it), we keep it as the resume address.  gp and tp
 *    are "unallocatable": gp is constant for the program, tp belongs to the
 *    thread that runs the code, so a switch must not carry them.
 *  - fs0-fs11 keep values only up to the ABI's FP argument width: 64 bits
 *    under LP64D, 32 under LP64F, nothing under LP64 (soft float, where
 *    they are temporaries).  We save them whenever the hardware has them
 *    (__riscv_flen): 64 bits with D (fsd), 32 with only F (fsw).  Without
 *    F there are no FP registers and no fcsr, and the file still assembles.
 *  - FP control and status: the rule every file of this port follows
 *    (the jump_, make_ and ontop_ files refer here).  The psABI says fcsr
 *    "must have thread storage duration in accordance with C11 section
 *    7.6": an ordinary call such as fctx_jump() neither changes its
 *    caller's control modes nor clears its caller's flags.  fcsr is
 *    frm (bits 5-7, the rounding mode: the only control bits) and fflags
 *    (bits 0-4, NV DZ OF UF NX: the accrued exception flags, status).
 *    So frm belongs to each CONTEXT (FRAME_FRM; fctx_make stores its
 *    creator's frm, so a new context starts in the creator's mode at
 *    fctx_make time), and fflags belong to the THREAD: no switch reads or
 *    writes them (frrm/fsrm touch frm alone, never fcsr or fflags), so a
 *    flag raised in one context is seen in the next one and
 *    feclearexcept() in one clears it for all.  jump/ontop compare the
 *    target's saved frm with the current one (read moments earlier to save
 *    ours) and execute fsrm only when they differ, because a CSR write may
 *    drain the FP pipeline; the common case, equal modes, writes nothing.
 *    RISC-V FP exceptions never trap, so no flag needs clearing.
 *    FCTX_NO_FPU_CONTROL builds (and soft-float ones, without F) neither
 *    save nor restore frm (the slot stays, unused).
 *  - sp is 16-byte aligned at every call.
 *  - a 2-word struct (fctx_transfer_t, 2 x XLEN) is returned in a0:a1 and
 *    passed as the first argument in a0:a1: the same pair, so a new
 *    context's start stub needs no shuffling.
 *
 * A context (fctx_t) is the address of this block on its own stack, which
 * is the suspended context's sp (16-byte aligned: the owner's sp was
 * aligned at its call and FRAME_SIZE is a multiple of 16).
 *
 *   ctx + 0x00  s0 (fp)   new context: 0, ends frame-pointer walks
 *   ctx + 0x08  ra        resume address; new context: fctx_context_start
 *   ctx + 0x10  s1        new context: the entry function
 *   ctx + 0x18  s2 ... ctx + 0x60  s11   (10 registers; new context:
 *                                        s2 = fctx_make's stack_top)
 *   ctx + 0x68  frm       (only with F and without FCTX_NO_FPU_CONTROL)
 *   --- with F/D only (__riscv_flen defined): ---
 *   ctx + 0x70  fs0 ... ctx + 0xc8  fs11  (12 slots of 8 bytes)
 *   ctx + 0xd0  = FRAME_SIZE: the resumed context's sp
 *   --- soft float: ---
 *   ctx + 0x70  = FRAME_SIZE
 *
 * A new context (fctx_make) additionally keeps FRAME_TOP_PAD zero bytes
 * between the frame and the aligned stack top, so its start stub (and an
 * fctx_ontop function run before it) starts with sp = top - 16.  Reason:
 * a RISC-V frame pointer is the CFA, i.e. the caller's sp; with sp = top
 * the first function's frame address would be the (exclusive) top itself
 * and look off-stack to any `lo < addr < hi` check.
 *
 *   top - 0x10  two zero words (FRAME_TOP_PAD)
 *   top - 0x10 - FRAME_SIZE   the frame above = the new fctx_t
 */
#ifndef FCTX_FRAME_RISCV64_LP64_H
#define FCTX_FRAME_RISCV64_LP64_H

#define FRAME_S0    0x00
#define FRAME_RA    0x08
#define FRAME_S1    0x10
#define FRAME_S2    0x18
#define FRAME_S3    0x20
#define FRAME_S4    0x28
#define FRAME_S5    0x30
#define FRAME_S6    0x38
#define FRAME_S7    0x40
#define FRAME_S8    0x48
#define FRAME_S9    0x50
#define FRAME_S10   0x58
#define FRAME_S11   0x60
#define FRAME_FRM   0x68
#define FRAME_TOP_PAD 0x10
#if defined(__riscv_flen)
#  define FRAME_FS0   0x70            /* fsN at FRAME_FS0 + 8 * N */
#  define FRAME_SIZE  0xd0
#else
#  define FRAME_SIZE  0x70
#endif

#ifdef __ASSEMBLER__

#if defined(__riscv_flen) && __riscv_flen >= 64
#  define FSAVE fsd                   /* LP64D keeps 64 bits of fs0-fs11 */
#  define FLOAD fld
#elif defined(__riscv_flen)
#  define FSAVE fsw                   /* F only: the registers are 32 bits */
#  define FLOAD flw
#endif

/* The FP rounding mode is switched with the context (see above). */
#if defined(__riscv_flen) && !defined(FCTX_NO_FPU_CONTROL)
#  define FCTX_SWITCH_FRM 1
#else
#  define FCTX_SWITCH_FRM 0
#endif

/* Save / restore the callee-saved registers at `base` (sp). */
#define FCTX_SAVE_GPRS(base)             \
    sd s0, FRAME_S0(base);               \
    sd ra, FRAME_RA(base);               \
    sd s1, FRAME_S1(base);               \
    sd s2, FRAME_S2(base);               \
    sd s3, FRAME_S3(base);               \
    sd s4, FRAME_S4(base);               \
    sd s5, FRAME_S5(base);               \
    sd s6, FRAME_S6(base);               \
    sd s7, FRAME_S7(base);               \
    sd s8, FRAME_S8(base);               \
    sd s9, FRAME_S9(base);               \
    sd s10, FRAME_S10(base);             \
    sd s11, FRAME_S11(base)

#define FCTX_LOAD_GPRS(base)             \
    ld s0, FRAME_S0(base);               \
    ld s1, FRAME_S1(base);               \
    ld s2, FRAME_S2(base);               \
    ld s3, FRAME_S3(base);               \
    ld s4, FRAME_S4(base);               \
    ld s5, FRAME_S5(base);               \
    ld s6, FRAME_S6(base);               \
    ld s7, FRAME_S7(base);               \
    ld s8, FRAME_S8(base);               \
    ld s9, FRAME_S9(base);               \
    ld s10, FRAME_S10(base);             \
    ld s11, FRAME_S11(base)

#if defined(__riscv_flen)
#  define FCTX_FPRS(op, base)                \
    op fs0, FRAME_FS0 + 0x00(base);          \
    op fs1, FRAME_FS0 + 0x08(base);          \
    op fs2, FRAME_FS0 + 0x10(base);          \
    op fs3, FRAME_FS0 + 0x18(base);          \
    op fs4, FRAME_FS0 + 0x20(base);          \
    op fs5, FRAME_FS0 + 0x28(base);          \
    op fs6, FRAME_FS0 + 0x30(base);          \
    op fs7, FRAME_FS0 + 0x38(base);          \
    op fs8, FRAME_FS0 + 0x40(base);          \
    op fs9, FRAME_FS0 + 0x48(base);          \
    op fs10, FRAME_FS0 + 0x50(base);         \
    op fs11, FRAME_FS0 + 0x58(base)
#  define FCTX_SAVE_FPRS(base) FCTX_FPRS(FSAVE, base)
#  define FCTX_LOAD_FPRS(base) FCTX_FPRS(FLOAD, base)
#else
#  define FCTX_SAVE_FPRS(base)
#  define FCTX_LOAD_FPRS(base)
#endif

/*
 * CFI of jump/ontop once every register is stored (the CFA rule, sp +
 * FRAME_SIZE, is set right after the allocation): each saved register is
 * at its slot.  It stays true after the switch to the target's stack: that
 * frame has the same shape and the registers are reloaded from exactly
 * those slots, so an unwinder sees the target's suspended call instead of
 * ours.
 */
#define FCTX_CFI_GPRS_SAVED                      \
    .cfi_offset s0, FRAME_S0 - FRAME_SIZE;       \
    .cfi_offset ra, FRAME_RA - FRAME_SIZE;       \
    .cfi_offset s1, FRAME_S1 - FRAME_SIZE;       \
    .cfi_offset s2, FRAME_S2 - FRAME_SIZE;       \
    .cfi_offset s3, FRAME_S3 - FRAME_SIZE;       \
    .cfi_offset s4, FRAME_S4 - FRAME_SIZE;       \
    .cfi_offset s5, FRAME_S5 - FRAME_SIZE;       \
    .cfi_offset s6, FRAME_S6 - FRAME_SIZE;       \
    .cfi_offset s7, FRAME_S7 - FRAME_SIZE;       \
    .cfi_offset s8, FRAME_S8 - FRAME_SIZE;       \
    .cfi_offset s9, FRAME_S9 - FRAME_SIZE;       \
    .cfi_offset s10, FRAME_S10 - FRAME_SIZE;     \
    .cfi_offset s11, FRAME_S11 - FRAME_SIZE
#if defined(__riscv_flen)
#  define FCTX_CFI_FPRS_SAVED                          \
    .cfi_offset fs0, FRAME_FS0 + 0x00 - FRAME_SIZE;    \
    .cfi_offset fs1, FRAME_FS0 + 0x08 - FRAME_SIZE;    \
    .cfi_offset fs2, FRAME_FS0 + 0x10 - FRAME_SIZE;    \
    .cfi_offset fs3, FRAME_FS0 + 0x18 - FRAME_SIZE;    \
    .cfi_offset fs4, FRAME_FS0 + 0x20 - FRAME_SIZE;    \
    .cfi_offset fs5, FRAME_FS0 + 0x28 - FRAME_SIZE;    \
    .cfi_offset fs6, FRAME_FS0 + 0x30 - FRAME_SIZE;    \
    .cfi_offset fs7, FRAME_FS0 + 0x38 - FRAME_SIZE;    \
    .cfi_offset fs8, FRAME_FS0 + 0x40 - FRAME_SIZE;    \
    .cfi_offset fs9, FRAME_FS0 + 0x48 - FRAME_SIZE;    \
    .cfi_offset fs10, FRAME_FS0 + 0x50 - FRAME_SIZE;   \
    .cfi_offset fs11, FRAME_FS0 + 0x58 - FRAME_SIZE
#  define FCTX_CFI_FPRS_POPPED                                   \
    .cfi_restore fs0; .cfi_restore fs1; .cfi_restore fs2;        \
    .cfi_restore fs3; .cfi_restore fs4; .cfi_restore fs5;        \
    .cfi_restore fs6; .cfi_restore fs7; .cfi_restore fs8;        \
    .cfi_restore fs9; .cfi_restore fs10; .cfi_restore fs11
#else
#  define FCTX_CFI_FPRS_SAVED
#  define FCTX_CFI_FPRS_POPPED
#endif
#define FCTX_CFI_FRAME_SAVED FCTX_CFI_GPRS_SAVED; FCTX_CFI_FPRS_SAVED

/* CFI once the frame is popped: CFA = sp, every register holds its value. */
#define FCTX_CFI_FRAME_POPPED                                    \
    .cfi_def_cfa_offset 0;                                       \
    .cfi_restore s0; .cfi_restore ra; .cfi_restore s1;           \
    .cfi_restore s2; .cfi_restore s3; .cfi_restore s4;           \
    .cfi_restore s5; .cfi_restore s6; .cfi_restore s7;           \
    .cfi_restore s8; .cfi_restore s9; .cfi_restore s10;          \
    .cfi_restore s11;                                            \
    FCTX_CFI_FPRS_POPPED

/* Functions (format.h), aligned for the compressed ISA. */
#define FCTX_FUNC_ALIGN 2
#include "format.h"

#endif /* __ASSEMBLER__ */
#endif /* FCTX_FRAME_RISCV64_LP64_H */
