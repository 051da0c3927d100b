/*
 * Saved-register frame of a suspended context, s390x (z/Architecture) ELF
 * ABI, Linux.  Shared by jump_, make_ and ontop_s390x_sysv_gas.S: the
 * only place that knows these offsets.
 *
 * ABI facts relied on (ELF Application Binary Interface, s390x Supplement):
 *  - callee-saved: r6-r13, r15 (sp) and f8-f15 (on machines with the
 *    vector facility only these 64-bit halves of v8-v15 are saved; v0-v7,
 *    v16-v31 and the other halves are volatile).  r14 holds the return
 *    address and is volatile.
 *  - FP control and status: the rule every file of this port follows
 *    (the jump_, make_ and ontop_ files refer here).  The FPC register
 *    (32 bits, bit 0 = most significant) holds both:
 *      byte 0 (bits 0-7)   IEEE exception masks (trap enables), 0xff000000
 *      byte 1 (bits 8-15)  IEEE exception flags,                0x00ff0000
 *      byte 2 (bits 16-23) data-exception code (DXC),           0x0000ff00
 *      byte 3 (bits 24-31) DFP (25-27) and BFP (29-31) rounding 0x000000ff
 *    The rule for it is IBM's z linkage convention (z/OS Assembler
 *    Services, "Linkage convention for the floating point control
 *    register"), which the s390x supplement's register table leaves
 *    implicit: the FPC "is non-volatile across calls with the exception of
 *    two fields: the IEEE exception flags and the DXC, which are
 *    volatile".  So bytes 0 and 3 (FPC_CONTROL, the masks and rounding
 *    modes; their unassigned bits are 0 everywhere) belong to each
 *    CONTEXT, and bytes 1-2 (the flags and the DXC) belong to the THREAD:
 *    a switch never changes them, so a flag raised in one context is seen
 *    in the next one and feclearexcept() in one clears it for all.
 *    fctx_make stores its creator's whole FPC: a new context starts in
 *    the creator's modes at fctx_make time (its flags there are never
 *    loaded).  jump/ontop compare the control bytes of the target's saved
 *    FPC with the current FPC (read moments earlier to save ours) and
 *    write the FPC only when they differ (sfpc may serialise; the common
 *    case, equal modes, writes nothing), and then write the target's
 *    control bytes with the current flags and DXC.  Enabling a mask whose
 *    flag is set raises nothing: an IEEE trap is taken by the instruction
 *    that detects the exception, never for a flag already set, so no flag
 *    needs clearing.  FCTX_NO_FPU_CONTROL builds neither save nor restore
 *    the FPC (the slot stays, unused): all contexts of a thread share it.
 *  - sp is 8-byte aligned (fctx_make aligns new stacks to 16), and every
 *    caller provides a 160-byte register save area at 0(r15)..159(r15)
 *    that the callee may use: r6..r15 go to 48(r15)..127(r15) (rN at
 *    8*N), r2..r5 to 16..47; 0(r15) is the optional back chain.  There is
 *    no red zone: data below r15 may be overwritten by a signal at any
 *    time, so space is allocated (r15 lowered) before it is used.
 *  - a 16-byte struct (fctx_transfer_t) is returned through a hidden
 *    pointer passed in r2 (the arguments shift to r3, r4, ...), and passed
 *    as an argument BY REFERENCE: the caller makes a copy and passes its
 *    address (structs of sizes other than 1, 2, 4 and 8 bytes).
 *
 * A context (fctx_t) is the address of this block, which is the stack
 * pointer of the suspended context, FRAME_SIZE below the sp S of its call.
 * The block plus the save area at S that its caller provided:
 *
 *   ctx + 0x00  back chain -> S
 *   ctx + 0x08  f8 ... ctx + 0x40  f15
 *   ctx + 0x48  FPC (4 bytes) | pad
 *   ctx + 0x50  hidden result pointer of the pending switch: where the
 *               resumer stores this context's transfer
 *   ctx + 0x58  = S (FRAME_SIZE): the caller's save area
 *   ctx + 0x88  r6 (S + 48; new context: the entry function)
 *   ctx + 0x90  r7 ... ctx + 0xc0  r13  (new context: r7 = fctx_make's
 *               stack_top; r11, the frame pointer, is 0)
 *   ctx + 0xc8  r14: resume address (new context: fctx_context_start)
 *
 * A new context (fctx_make) is built 160 bytes below the aligned top (S =
 * top - 160) and uses the otherwise idle f0/f2 slots of its own save area
 * as the landing area of its first transfer:
 *
 *   ctx + 0xd8  transfer.ctx   (S + 128)
 *   ctx + 0xe0  transfer.data
 */
#ifndef FCTX_FRAME_S390X_SYSV_H
#define FCTX_FRAME_S390X_SYSV_H

#define FRAME_BACKCHAIN 0x00
#define FRAME_F8     0x08
#define FRAME_F9     0x10
#define FRAME_F10    0x18
#define FRAME_F11    0x20
#define FRAME_F12    0x28
#define FRAME_F13    0x30
#define FRAME_F14    0x38
#define FRAME_F15    0x40
#define FRAME_FPC    0x48
#define FRAME_RESULT 0x50
#define FRAME_SIZE   0x58
#define FRAME_R6     (FRAME_SIZE + 48)
#define FRAME_R7     (FRAME_SIZE + 56)
#define FRAME_R11    (FRAME_SIZE + 88)
#define FRAME_R14    (FRAME_SIZE + 112)
#define FRAME_LAND   (FRAME_SIZE + 128)

/* The register save area every caller provides (ABI), and the distance
 * from a new context's aligned stack top down to ctx. */
#define SAVE_AREA        160
#define FRAME_NEW_OFFSET (SAVE_AREA + FRAME_SIZE)

/* The FPC bits that belong to each context (see above): exception masks
 * (byte 0) and rounding modes (byte 3). */
#define FPC_CONTROL 0xff0000ff

/* Functions (format.h), doubleword aligned. */
#define FCTX_FUNC_ALIGN 3
#include "format.h"

/* The CFA of jump/ontop is the caller's sp + 160 (SAVE_AREA) at every
 * instruction; the frame at r15 starts FRAME_SIZE + SAVE_AREA below it. */
#define FRAME_CFA (FRAME_SIZE + SAVE_AREA)

/*
 * fctx_fprs op: `op` (std or ld) the callee-saved FP registers f8-f15 to or
 * from their slots in the frame at r15; jump and ontop save and restore the
 * same set (r6-r14 go with stmg/lmg, FPC through the macros below).
 * CFI: once stored, a register's rule is its slot, and stays so across the
 * stack switch (the target's frame has the same shape: its slots hold the
 * TARGET's values while the registers still hold ours, until the ld); once
 * loaded it equals its slot and the rule goes back to the CIE's (same
 * value), which stays right after the frame is popped (no red zone).
 * fctx_fpr's dw is the DWARF number of f<reg>: the ABI numbers the FPRs in
 * pairs (16-31 = f0 f2 f4 f6 f1 f3 f5 f7 f8 f10 f12 f14 f9 f11 f13 f15, as
 * gcc, gdb and readelf do); gas reads `.cfi_offset %fN` as 16 + N, which
 * is wrong for the odd ones, so the numbers are given here.
 */
    .macro fctx_fpr op, reg, slot, dw
    \op     %f\reg, \slot(%r15)
    .ifc \op, std
    .cfi_offset \dw, \slot - FRAME_CFA
    .else
    .cfi_restore \dw
    .endif
    .endm
    .macro fctx_fprs op
    fctx_fpr \op, 8, FRAME_F8, 24
    fctx_fpr \op, 9, FRAME_F9, 28
    fctx_fpr \op, 10, FRAME_F10, 25
    fctx_fpr \op, 11, FRAME_F11, 29
    fctx_fpr \op, 12, FRAME_F12, 26
    fctx_fpr \op, 13, FRAME_F13, 30
    fctx_fpr \op, 14, FRAME_F14, 27
    fctx_fpr \op, 15, FRAME_F15, 31
    .endm

/* The FPC part of jump/ontop (rule above).  Save: our FPC, also kept in
 * \cur for the restore.  Restore (sp = the target's frame): \cur = our
 * FPC still, \tmp scratch; both may be any GPR but must survive between
 * the two (r6-r13 do: they are reloaded last). */
    .macro fctx_fpc_save cur
    efpc    \cur                        /* FPC -> GPR (32 bits) */
    st      \cur, FRAME_FPC(%r15)
    .endm

    .macro fctx_fpc_restore cur, tmp
    l       \tmp, FRAME_FPC(%r15)       /* the target's saved FPC */
    xr      \tmp, \cur                  /* bits where it differs from ours */
    nilf    \tmp, FPC_CONTROL           /* ... among the masks and rounding
                                           modes; CC 0: none */
    jz      1f                          /* same modes: no write */
    xr      \cur, \tmp                  /* our flags and DXC, its modes */
    sfpc    \cur
1:
    .endm

/* CFI of jump/ontop right after their stmg of r6-r14 into the caller's
 * save area: the CFA is the caller's sp + 160, so rN sits at CFA - 160 +
 * 8*N.  The caller's r15 is CFA - 160 at every instruction - before the
 * frame is allocated, after it, and on the target's stack after the
 * switch, whose frame has the same shape - but neither the CIE nor gdb's
 * default (r15 "same value") says so: without the rule, a backtrace from
 * the frame allocation up to the switch takes r15 as the caller's sp and
 * stops with "corrupt stack?" (issue 18). */
#define FCTX_CFI_SAVED_R6_R14   \
    .cfi_val_offset %r15, -SAVE_AREA; \
    .cfi_offset %r6, -112;      \
    .cfi_offset %r7, -104;      \
    .cfi_offset %r8, -96;       \
    .cfi_offset %r9, -88;       \
    .cfi_offset %r10, -80;      \
    .cfi_offset %r11, -72;      \
    .cfi_offset %r12, -64;      \
    .cfi_offset %r13, -56;      \
    .cfi_offset %r14, -48

#endif
