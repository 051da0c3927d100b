/*
 * Saved-register frame of a suspended context, 64-bit Power, both Linux
 * ABIs: ELF v2 (ppc64le; asm/frame_ppc64_elfv2.h) and ELF v1 (big-endian
 * ppc64; asm/frame_ppc64_elfv1.h), the only place that knows the offsets.
 * The ABI's header defines MIN_FRAME and TOC_SAVE, includes this one, and
 * then defines its few differences as the GAS macros the shared code
 * calls (fctx_abi_save/restore in the switch halves below; the argument,
 * result, call and fctx_make hooks of the sources), after this header so
 * that the preprocessor knows the offsets there.  Shared by
 * {jump,make,ontop}_ppc64_gas.inc, which the per-ABI
 * {jump,make,ontop}_ppc64_elfv{1,2}_gas.S include after their header.
 *
 * ABI facts both ABIs share (64-Bit ELF V2 ABI Specification, OpenPOWER;
 * 64-bit PowerPC ELF Application Binary Interface Supplement 1.9):
 *  - nonvolatile: r14-r31, r1 (sp), f14-f31, v20-v31, CR fields CR2-CR4.
 *    r2 (TOC pointer) must be preserved for callers in the same module
 *    (cross-module callers reload it from their TOC save slot).  LR, CTR,
 *    XER, r0, r3-r12 and the other CR fields are volatile.  VRSAVE: the
 *    ABI header says (ELFv1: nonvolatile; ELFv2: not to be touched).
 *  - FP control and status: the rule every file of this port follows
 *    (the jump_, make_ and ontop_ files refer here).  ELFv2 makes FPSCR
 *    [VE OE UE ZE XE RN] and [DRN] (the decimal rounding mode) and VSCR
 *    [NJ] "limited-access" bits, which a callee without specific
 *    permission must give back unchanged; the other FPSCR and VSCR bits
 *    are volatile.  (ELFv1 calls all of FPSCR volatile; the library's
 *    rule, modes per context, is the same on both.)  The 64-bit FPSCR
 *    image (mffs; bit values, LSB = 0):
 *      bits 32-63  DRN (32-34; ISA bits 29-31), the rest reserved (0)
 *      bits 0-7    VE OE UE ZE XE (7-3, the trap enables), NI (2, non-IEEE
 *                  mode, a mode like RN), RN (0-1)
 *      bits 8-31   status: FX FEX VX OX UX ZX XX, the VX* causes, FR FI
 *                  FPRF (the last result's class: condition-code like)
 *    and VSCR: NJ (0x00010000, a mode), SAT (0x1, sticky status).
 *    So FPSCR bits 32-63 and 0-7 and VSCR NJ belong to
 *    each CONTEXT: fctx_make stores its creator's FPSCR and VSCR, so a new
 *    context starts in the creator's modes at fctx_make time.  FPSCR bits
 *    8-31 and VSCR SAT belong to the THREAD: a switch never restores them,
 *    so a flag raised in one context is seen in the next and
 *    feclearexcept() in one clears it for all.  jump/ontop compare the
 *    control bits of the target's saved FPSCR and VSCR with the current
 *    ones (read moments earlier to save ours) and write a register only
 *    when they differ (mtfsf and mtvscr serialise; the common case, equal
 *    modes, writes neither), and then only the target's control bits over
 *    the current status (fctx_fp_save / fctx_fp_restore below).
 *    DRN exists from ISA 2.05 (POWER6) on: code built for an older
 *    processor (FCTX_PPC64_DRN 0, the big-endian compilers' default
 *    POWER4) compares and restores bits 0-7 only; its mffs leaves the
 *    upper word undefined, and its mtfsf has no W field.
 *    A switch must not fire a trap (an enable over a set flag traps at
 *    once: power_common.h), so when the target enables an exception that the current
 *    FPSCR does not, the write also clears that exception's flags (for
 *    VE: all VX* causes); no other status bit changes.
 *    FCTX_NO_FPU_CONTROL builds neither save nor restore FPSCR or VSCR
 *    (the slots stay, unused): all contexts of a thread share them.
 *  - vector registers: v20-v31 and VSCR are moved with VMX (AltiVec)
 *    instructions, which every ELFv2 processor has; ELFv1 needs a VMX
 *    processor too (PPC970, Cell, POWER6 and later; not POWER4/POWER5 or
 *    e5500).  FPSCR and VSCR reach GPRs by the ISA 2.07 (POWER8) direct
 *    moves when the code is built for POWER8 (FCTX_PPC64_DIRECT_MOVES:
 *    always on ELFv2), otherwise through their slots in the frame.
 *  - stack: quadword (16-byte) aligned; r1 always points to the back-chain
 *    doubleword of the newest frame, and the first frame's back chain is 0.
 *    A frame starts with a header: back chain, CR save word, a word for
 *    the system, LR save doubleword (16), and the TOC save doubleword at
 *    TOC_SAVE (after the header's further reserved doublewords on ELFv1);
 *    MIN_FRAME is the smallest frame a caller may allocate.  A callee
 *    saves its LR at 16(caller's r1); a caller that calls through a
 *    pointer saves its own r2 at TOC_SAVE(its r1).  Below r1 a 288-byte
 *    protected zone may be used without allocating; anything further down
 *    may be overwritten by signal delivery.
 *  - a 2-word struct (fctx_transfer_t, 16 bytes) is passed as an argument
 *    in two consecutive GPRs; how it comes back: the ABI header.
 *
 * A context (fctx_t) is the stack pointer S the suspended context had at
 * its call to fctx_jump/fctx_ontop; the saved registers (544 bytes, more
 * than a pointer plus small offsets can conveniently reach and more than a
 * caller expects its fctx_t to be away from the stack top) lie in the
 * block B = S - FRAME_SIZE just below it, a normal stack frame whose back
 * chain points to S (its own header slots past LR are private: the switch
 * calls nothing from it).  GPRs and FPRs sit where the ABI's standard save
 * areas would put them (rN at S - 8*(32-N), fN right below the GPRs):
 *
 *   B + 0x000  back chain -> S
 *   B + 0x008  CR (4 bytes) | VRSAVE (4 bytes; ELFv1; ELFv2: pad)
 *   B + 0x010  LR: resume address (new context: fctx_context_start)
 *   B + 0x018  r2 (TOC)  (new context: the library's TOC, for the stub)
 *   B + 0x020  FPSCR (64-bit image)
 *   B + 0x028  result pointer (ELFv1: where this context's pending switch
 *              delivers its transfer; new context: the landing area in S;
 *              ELFv2: pad)
 *   B + 0x030  VSCR (its word at FRAME_VSCR_WORD) | pad (12 bytes)
 *   B + 0x040  v20 ... B + 0x0f0  v31
 *   B + 0x100  f14 ... B + 0x188  f31
 *   B + 0x190  r14 ... B + 0x218  r31   (new context: r14 = entry,
 *                                        r15 = fctx_make's stack_top)
 *   B + 0x220  = FRAME_SIZE = S
 *
 * A new context (fctx_make) gets S = aligned top - MIN_FRAME: a minimal
 * frame with back chain 0 owned by the start stub, whose LR and TOC save
 * slots (and ELFv1's parameter save area) its callees use.
 */
#ifndef FCTX_FRAME_PPC64_H
#define FCTX_FRAME_PPC64_H

#if !defined(MIN_FRAME) || !defined(TOC_SAVE)
#  error "include the ABI's header, frame_ppc64_elfv1.h or frame_ppc64_elfv2.h"
#endif

#include "power_common.h"

#define FRAME_BACKCHAIN 0x000
#define FRAME_CR     0x008
#define FRAME_VRSAVE 0x00c
#define FRAME_LR     0x010
#define FRAME_TOC    0x018
#define FRAME_FPSCR  0x020
#define FRAME_RESULT 0x028
#define FRAME_VSCR   0x030
#define FRAME_V20    0x040
#define FRAME_F14    0x100
#define FRAME_R14    0x190
#define FRAME_R15    0x198
#define FRAME_SIZE   0x220 /* cmake/FctxTargets.cmake SAVED_BELOW repeats it for C (shared
                                stacks copy the block); test_shared_stack crashes if that is less */

/* The LR save slot of every frame header. */
#define LR_SAVE      16

/* What the code is built for (the compiler's -mcpu): POWER8 direct moves
 * between register files; POWER6's decimal rounding mode in FPSCR. */
#ifdef _ARCH_PWR8
#  define FCTX_PPC64_DIRECT_MOVES 1
#else
#  define FCTX_PPC64_DIRECT_MOVES 0
#endif
#ifdef _ARCH_PWR6
#  define FCTX_PPC64_DRN 1
#else
#  define FCTX_PPC64_DRN 0
#endif

/* The VSCR word in its slot: stw'd from a GPR (direct moves), or where
 * stvx puts the vector's last word (the highest address on big-endian,
 * the lowest on little-endian). */
#if FCTX_PPC64_DIRECT_MOVES || defined(__LITTLE_ENDIAN__)
#  define FRAME_VSCR_WORD FRAME_VSCR
#else
#  define FRAME_VSCR_WORD (FRAME_VSCR + 12)
#endif

/* The FP control bits per context (see above), as used by the rldicl.
 * test below: FPSCR bits 32-63 (upper word) and 0-7; VSCR NJ. */
#define VSCR_NJ       0x00010000

/* VSCR, read by mfvscr into v0, into its slot at \base (for fctx_make);
 * \t: a scratch GPR.  Clobbers v1 (direct moves). */
    .macro fctx_vscr_store base, t
#if FCTX_PPC64_DIRECT_MOVES
    xxswapd %vs33, %vs32                /* ... -> doubleword 0 of v1 */
    mfvsrwz \t, %vs33                   /* ... -> GPR */
    stw     \t, FRAME_VSCR(\base)       /* the word fctx_fp_restore loads */
#else
    li      \t, FRAME_VSCR
    stvx    %v0, \base, \t              /* the word fctx_fp_restore loads
                                           is at FRAME_VSCR_WORD */
#endif
    .endm

/* Save our FPSCR and VSCR into the frame at r1; they stay in GPRs \fpscr
 * and \vscr for the restore.  Clobbers f0/vs0, v0 and v1 (volatile). */
    .macro fctx_fp_save fpscr, vscr
    mffs    %f0                         /* FPSCR -> FPR (64-bit image) */
#if FCTX_PPC64_DIRECT_MOVES
    mfvsrd  \fpscr, %vs0                /* ... -> GPR (f0 is vs0) */
    std     \fpscr, FRAME_FPSCR(%r1)
    mfvscr  %v0                         /* VSCR -> the last word of v0 */
#else
    stfd    %f0, FRAME_FPSCR(%r1)
    mfvscr  %v0                         /* VSCR -> the last word of v0 */
    ld      \fpscr, FRAME_FPSCR(%r1)    /* ... -> GPR, through memory */
#endif
    fctx_vscr_store %r1, \vscr
#if !FCTX_PPC64_DIRECT_MOVES
    lwz     \vscr, FRAME_VSCR_WORD(%r1) /* ... -> GPR, through memory */
#endif
    .endm

/* With r1 = the target's frame and \fpscr, \vscr = our values from
 * fctx_fp_save (still current): give the target its control bits, keep
 * our status (rule above).  \t1 \t2 \t3: scratch GPRs; clobbers f0/vs0,
 * v0, v1 and cr0 (and, without direct moves, the target's FPSCR and VSCR
 * slots: the block is popped right after). */
    .macro fctx_fp_restore fpscr, vscr, t1, t2, t3
    ld      \t1, FRAME_FPSCR(%r1)       /* the target's FPSCR image */
    xor     \t2, \t1, \fpscr            /* bits where it differs from ours */
#if FCTX_PPC64_DRN
    rldicl. \t2, \t2, 32, 24            /* keep bits 32-63 and 0-7 (rotated
                                           to 0-31, 32-39): the controls */
    beq     1f                          /* same modes: no FPSCR write */
    lfd     %f0, FRAME_FPSCR(%r1)
    mtfsf   0x01, %f0, 0, 1             /* W=1, field 7: DRN (bits 28-31 of
                                           the upper word; 28 reserved) */
#else
    andi.   \t2, \t2, FPSCR_CONTROL     /* bits 0-7: the controls (no DRN) */
    beq     1f                          /* same modes: no FPSCR write */
#endif
    fctx_fpscr_no_trap \fpscr, \t1, \t2, \t3, sldi
    rldimi  \fpscr, \t1, 0, 56          /* its bits 0-7 over our status */
#if FCTX_PPC64_DIRECT_MOVES
    mtvsrd  %vs0, \fpscr
#else
    std     \fpscr, FRAME_FPSCR(%r1)    /* GPR -> FPR, through memory */
    lfd     %f0, FRAME_FPSCR(%r1)
#endif
    mtfsf   0xff, %f0                   /* the low word (FEX, VX recomputed) */
1:  lwz     \t1, FRAME_VSCR_WORD(%r1)   /* the target's VSCR */
    xor     \t1, \t1, \vscr
    andis.  \t1, \t1, VSCR_NJ >> 16     /* does NJ differ? */
    beq     3f                          /* no: no VSCR write */
    xor     \vscr, \vscr, \t1           /* its NJ, our SAT */
#if FCTX_PPC64_DIRECT_MOVES
    mtvsrwz %vs33, \vscr
    xxswapd %vs32, %vs33                /* to VSCR's word of v0 */
#else
    stw     \vscr, FRAME_VSCR_WORD(%r1) /* GPR -> VR, through memory */
    li      \t1, FRAME_VSCR
    lvx     %v0, %r1, \t1
#endif
    mtvscr  %v0
3:
    .endm

/* Save/restore a run of GPRs (op = std or ld; FPRs: FCTX_FPRS,
 * power_common.h) and VRs at consecutive slots from a base register.
 * Vector slots are addressed with an index register each,
 * as the vector load/store instructions require. */
#define FCTX_GPRS(op, base, off) FCTX_RUN18(op, r, base, off)

/* op = stvx or lvx; base must be 16-byte aligned + off; clobbers r5-r10. */
#define FCTX_VRS(op, base, off) \
    li %r5, off+0x00; li %r6, off+0x10; li %r7, off+0x20; \
    li %r8, off+0x30; li %r9, off+0x40; li %r10, off+0x50; \
    op %v20, base, %r5; op %v21, base, %r6; op %v22, base, %r7; \
    op %v23, base, %r8; op %v24, base, %r9; op %v25, base, %r10; \
    li %r5, off+0x60; li %r6, off+0x70; li %r7, off+0x80; \
    li %r8, off+0x90; li %r9, off+0xa0; li %r10, off+0xb0; \
    op %v26, base, %r5; op %v27, base, %r6; op %v28, base, %r7; \
    op %v29, base, %r8; op %v30, base, %r9; op %v31, base, %r10

/*
 * CFI of the registers the switch keeps in the block at r1 (CFA = r1 +
 * FRAME_SIZE from the allocation on): r2, r14-r31 (r31 is the frame
 * pointer of code built with one) and f14-f31 (DWARF 32 + n).  Emitted
 * after a whole run of stores or loads, which is exact at every
 * instruction: during the stores each register still holds its value
 * ("same value"); from the stores on the rules are the slots, and stay so
 * across the stack switch - `to`'s block has the same shape, so its slots
 * hold `to`'s values while the registers still hold ours, until the loads;
 * after the loads registers and slots agree and the rules go back to the
 * CIE's (same value), which stays right once the block is popped and lies
 * below the 288-byte protected zone.  Not described: v20-v31, VRSAVE and
 * the CR fields (no unwinder computes a frame from them).
 */
    .macro fctx_cfi_saved
    .cfi_offset 2, FRAME_TOC - FRAME_SIZE
    .irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .cfi_offset \n, FRAME_R14 + 8 * (\n - 14) - FRAME_SIZE
    .cfi_offset 32 + \n, FRAME_F14 + 8 * (\n - 14) - FRAME_SIZE
    .endr
    .endm
    .macro fctx_cfi_loaded
    .cfi_restore 2
    fctx_cfi_loaded_r14_f31
    .endm

/*
 * fctx_switch_out: the first half of fctx_jump and fctx_ontop: our block
 * below our sp, with our resume address (LR), TOC, CR, nonvolatile
 * registers and FP modes, the ABI's extras (fctx_abi_save: ELFv1's VRSAVE
 * and result pointer, from r11), and the CFI that describes it.  Clobbers
 * r0 and r5-r10 (FCTX_VRS's offsets), so fctx_ontop moves fn out of r5
 * first; r3, r4, r11 and r12 pass through.
 */
    .macro fctx_switch_out
    mflr    %r0
    stdu    %r1, -FRAME_SIZE(%r1)       /* allocate with back chain: below
                                           the protected zone nothing is safe */
    .cfi_adjust_cfa_offset FRAME_SIZE
    std     %r0, FRAME_LR(%r1)          /* our resume address */
    .cfi_offset lr, FRAME_LR - FRAME_SIZE
    std     %r2, FRAME_TOC(%r1)         /* same-module callers expect r2 back */
    mfcr    %r0
    stw     %r0, FRAME_CR(%r1)          /* CR2-CR4 are nonvolatile */
    fctx_abi_save
    FCTX_GPRS(std, %r1, FRAME_R14)
    FCTX_FPRS(stfd, %r1, FRAME_F14)
    fctx_cfi_saved                      /* r2, r14-r31, f14-f31: slots */
    FCTX_VRS(stvx, %r1, FRAME_V20)
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fp_save %r5, %r6               /* FPSCR, VSCR; modes per context,
                                           flags per thread: see above */
#endif
    .endm

/*
 * fctx_switch_in: the half of fctx_jump and fctx_ontop after our registers
 * are saved in our block at r1 and `to` is in r3.  Leaves r11 = our context
 * (our caller's sp), r1 = `to`'s block (the same shape as ours, so the CFI
 * still holds), `to`'s FP modes (only if they differ), nonvolatile
 * registers, CR fields, TOC and ABI extras (fctx_abi_restore) loaded, and
 * r0 = `to`'s resume address (also the CFI's return address from then on).
 * r4 and r12 pass through.
 */
    .macro fctx_switch_in
    addi    %r11, %r1, FRAME_SIZE       /* our context: our caller's sp */
    addi    %r1, %r3, -FRAME_SIZE       /* switch stacks to `to`'s block */
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fp_restore %r5, %r6, %r7, %r8, %r9 /* only if the modes differ;
                                           before FCTX_VRS clobbers r5-r10 */
#endif
    FCTX_GPRS(ld, %r1, FRAME_R14)
    FCTX_FPRS(lfd, %r1, FRAME_F14)
    FCTX_VRS(lvx, %r1, FRAME_V20)
    lwz     %r0, FRAME_CR(%r1)
    mtcrf   CR_NONVOLATILE, %r0
    fctx_abi_restore
    ld      %r2, FRAME_TOC(%r1)
    fctx_cfi_loaded                     /* registers = slots: same value */
    ld      %r0, FRAME_LR(%r1)          /* where `to` resumes */
    .cfi_register lr, r0                /* its slot is popped next, below
                                           the protected zone */
    .endm

#endif
