/*
 * Saved-register frame of a suspended context, 32-bit PowerPC SysV ELF ABI
 * (powerpc Linux, big-endian, hard float).  Shared by jump_, make_ and
 * ontop_ppc_sysv_gas.S: the only place that knows these offsets.
 *
 * ABI facts relied on (System V ABI PowerPC Processor Supplement; Power
 * Architecture 32-bit ABI Supplement, Linux; the facts both Power ABIs
 * share are in power_common.h):
 *  - nonvolatile: r14-r31, r1 (sp), f14-f31 (64 bits each), CR fields
 *    CR2-CR4.  LR, CTR, XER, r0, r3-r12, f0-f13 and the other CR fields
 *    are volatile.  r2 is the thread pointer and r13 the small-data base:
 *    system registers that user code never changes, so a switch leaves
 *    them alone (restoring r2 would hand a fiber resumed on another thread
 *    the old thread's TLS).
 *  - AltiVec (v20-v31, VRSAVE, VSCR) and SPE/soft-float variants are not
 *    supported: builds with -maltivec, -msoft-float or for e500 SPE stop
 *    at the #error below (the PROBE of the table row excludes them too).
 *  - FP control and status: the rule every file of this port follows
 *    (the jump_, make_ and ontop_ files refer here).  FPSCR bits 0-7 (RN,
 *    NI and the trap enables, power_common.h) are modes: they belong to
 *    each CONTEXT, as the ISA's control bits and as the 64-bit ABIs make
 *    them (limited-access: a callee gives them back unchanged).  Bits 8-31
 *    (flags, causes, FPRF) belong to the THREAD: a switch never restores
 *    them, so a flag raised in one context is seen in the next and
 *    feclearexcept() in one clears it for all.  fctx_make stores its
 *    creator's FPSCR: a new context starts in the creator's modes at
 *    fctx_make time (the status bits of that slot are never loaded).
 *    jump/ontop compare the control bits of the target's saved FPSCR with
 *    the current ones (read moments earlier to save ours) and write FPSCR
 *    only when they differ (mtfsf serialises; the common case, equal
 *    modes, writes nothing), and then only the target's control bits over
 *    the current status (fctx_fp_save / fctx_fp_restore below).
 *    A switch must not fire a trap (an enable over a set flag traps at
 *    once: power_common.h), so when the target enables an exception that
 *    the current FPSCR does not, the write also clears that exception's
 *    flags (for VE: all VX* causes); no other status bit changes.  FCTX_NO_FPU_CONTROL
 *    builds neither save nor restore FPSCR (the slot stays, unused): all
 *    contexts of a thread share it.
 *  - stack: 16-byte aligned; r1 always points to the back-chain word of
 *    the newest frame, and the first frame's back chain is 0.  A frame
 *    starts with back chain (0) and the LR save word (4) in which the
 *    frame's CALLEES save their return address (a callee stores LR at
 *    4(caller's r1)).  There is no red zone: anything below r1 may be
 *    overwritten by signal delivery at any time, so space is allocated
 *    (stwu) before it is used.
 *  - a struct of any size is returned in memory on Linux (gcc's default
 *    there is -maix-struct-return: a two-pointer struct is stored through
 *    r3; the SVR4 rule of r3:r4 for structs of up to 8 bytes is gcc's
 *    -msvr4-struct-return, not used there), so
 *    fctx_transfer_t comes back through a HIDDEN POINTER in r3 and the
 *    arguments shift by one register:
 *        fctx_jump (r3 = &result, r4 = to, r5 = data)
 *        fctx_ontop(r3 = &result, r4 = to, r5 = data, r6 = fn)
 *    and a struct ARGUMENT is passed by reference to a copy that the
 *    caller makes and the callee owns for its whole call:
 *        fn(r3 = &result, r4 = &transfer)
 *        entry(r3 = &transfer, r4 = stack_top)
 *
 * The hidden result pointer is handled as on the other such ports: a
 * context suspended in fctx_jump/fctx_ontop still owes its caller a result
 * at the address it got in r3, saved in its block (FRAME_RESULT).  Whoever
 * resumes it writes the transfer {resumer's context, data} through the
 * RESUMED side's pointer (fctx_jump), or hands that pointer to fn as fn's
 * own hidden result pointer (fctx_ontop).  A new context has no pending
 * call: its FRAME_RESULT points at START_ARGS in the start stub's frame,
 * which the stub then passes to entry as entry's argument copy.
 *
 * A context (fctx_t) is the address B of its block, which is the stack
 * pointer of the suspended context: a normal stack frame FRAME_SIZE bytes
 * below the sp S of its call, whose back chain points to S.  FPRs and GPRs
 * sit where the ABI's standard save areas would put them (fN at
 * S - 8*(32-N), rN below them at S - 144 - 4*(32-N)):
 *
 *   B + 0x00  back chain -> S
 *   B + 0x04  LR: resume address (new context: fctx_context_resume)
 *   B + 0x08  CR
 *   B + 0x0c  hidden result pointer of the pending switch (new context:
 *             START_ARGS in the stub's frame)
 *   B + 0x10  FPSCR (the 64-bit image of mffs; FPSCR is its low word)
 *   B + 0x18  r14 ... B + 0x5c  r31   (new context: r14 = entry,
 *                                      r15 = fctx_make's stack_top,
 *                                      r31, the frame pointer, = 0)
 *   B + 0x60  f14 ... B + 0xe8  f31
 *   B + 0xf0  = FRAME_SIZE = S
 *
 * A new context (fctx_make), below the 16-byte-aligned top T:
 *
 *   T - 0x04  START_ARGS + 4: transfer.data  + the first transfer, written
 *   T - 0x08  START_ARGS + 0: transfer.ctx   + through FRAME_RESULT
 *   T - 0x0c  LR save word (entry stores its return address here)
 *   T - 0x10  S: back chain 0, the end of the chain (the stub's frame)
 *   S - FRAME_SIZE: the block above
 */
#ifndef FCTX_FRAME_PPC_SYSV_H
#define FCTX_FRAME_PPC_SYSV_H

#if defined(__ALTIVEC__) || defined(_SOFT_FLOAT) || defined(__NO_FPRS__) || defined(__SPE__)
#  error "fctx ppc sysv: hard-float builds without AltiVec or SPE only (see above)"
#endif

#include "power_common.h"

#define FRAME_BACKCHAIN 0x00
#define FRAME_LR     0x04
#define FRAME_CR     0x08
#define FRAME_RESULT 0x0c
#define FRAME_FPSCR  0x10
#define FRAME_R14    0x18
#define FRAME_R15    0x1c
#define FRAME_R31    0x5c
#define FRAME_F14    0x60
#define FRAME_SIZE   0xf0

/* The ABI's minimal frame (back chain, LR save word; 16-byte aligned) and
 * its LR slot. */
#define MIN_FRAME    16
#define LR_SAVE      4

/* The start stub's frame (a new context's S): its transfer buffer. */
#define START_ARGS   8
#define START_SIZE   16

/* fctx_ontop_call's frame: header, fn's argument copy, the result
 * pointer. */
#define ONTOP_ARG    8
#define ONTOP_RESULT 16
#define ONTOP_SIZE   32

    .if FRAME_R31 != FRAME_R14 + 17 * 4 || FRAME_F14 != FRAME_R31 + 4
    .error "frame_ppc_sysv.h: stmw r14 and the FPR run must be contiguous"
    .endif
    .if FRAME_SIZE != FRAME_F14 + 18 * 8 || FRAME_SIZE % 16 != 0
    .error "frame_ppc_sysv.h: the FPRs end the 16-byte-aligned block"
    .endif

/* Functions: format.h (its defaults: 16-byte alignment, no landing pad). */
#include "format.h"

/* Save our FPSCR into the block at r1; its low word stays in GPR \fpscr
 * for the restore (no FPR-to-GPR move on 32-bit cores: through the slot).
 * Clobbers f0. */
    .macro fctx_fp_save fpscr
    mffs    %f0                         /* FPSCR -> low word of f0 */
    stfd    %f0, FRAME_FPSCR(%r1)
    lwz     \fpscr, FRAME_FPSCR + 4(%r1) /* big-endian: the low word */
    .endm

/* With r1 = the target's block and \fpscr = our FPSCR from fctx_fp_save
 * (still current): give the target its control bits, keep our status
 * (rule above).  \t1 \t2 \t3: scratch GPRs; clobbers f0, cr0 and the
 * target's (consumed) FPSCR slot. */
    .macro fctx_fp_restore fpscr, t1, t2, t3
    lwz     \t1, FRAME_FPSCR + 4(%r1)   /* the target's FPSCR */
    xor     \t2, \t1, \fpscr            /* bits where it differs from ours */
    andi.   \t2, \t2, FPSCR_CONTROL     /* ... among the controls */
    beq     1f                          /* same modes: no FPSCR write */
    fctx_fpscr_no_trap \fpscr, \t1, \t2, \t3, slwi
    rlwimi  \fpscr, \t1, 0, 24, 31      /* its bits 0-7 over our status */
    stw     \fpscr, FRAME_FPSCR + 4(%r1) /* GPR -> FPR through memory */
    lfd     %f0, FRAME_FPSCR(%r1)
    mtfsf   0xff, %f0                   /* FEX, VX recomputed */
1:
    .endm

/*
 * CFI of the registers the switch keeps in the block at r1 (CFA = r1 +
 * FRAME_SIZE from the allocation on): r14-r31 (r31 is the frame pointer
 * of code built with one; r30 gcc's PIC register) and f14-f31 (DWARF
 * 32 + n).  Emitted after the stmw and the FPR run, which is exact at
 * every instruction: until a register is stored it still holds its value
 * ("same value"); from the stores on the rules are the slots, and stay so
 * across the stack switch - `to`'s block has the same shape, so its slots
 * hold `to`'s values while the registers still hold ours, until the
 * loads; after the loads registers and slots agree and the rules go back
 * to the CIE's (same value), which stays right once the block is popped.
 * Not described: CR (no unwinder computes a frame from it).
 */
    .macro fctx_cfi_saved
    .irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .cfi_offset \n, FRAME_R14 + 4 * (\n - 14) - FRAME_SIZE
    .cfi_offset 32 + \n, FRAME_F14 + 8 * (\n - 14) - FRAME_SIZE
    .endr
    .endm

/*
 * fctx_switch_out: the first half of fctx_jump and fctx_ontop: our block
 * below our sp, with our resume address (LR), CR, pending result pointer
 * (r3), nonvolatile registers and FPSCR, and the CFI that describes it.
 * Clobbers r0 and f0; leaves our FPSCR in r7 for fctx_switch_in.
 */
    .macro fctx_switch_out
    mflr    %r0
    stwu    %r1, -FRAME_SIZE(%r1)       /* allocate with back chain: no red
                                           zone below r1 */
    .cfi_adjust_cfa_offset FRAME_SIZE
    stw     %r0, FRAME_LR(%r1)          /* our resume address */
    .cfi_offset lr, FRAME_LR - FRAME_SIZE
    mfcr    %r0
    stw     %r0, FRAME_CR(%r1)          /* CR2-CR4 are nonvolatile */
    stw     %r3, FRAME_RESULT(%r1)      /* where our caller wants its result */
    stmw    %r14, FRAME_R14(%r1)        /* r14-r31 in one instruction */
    FCTX_FPRS(stfd, %r1, FRAME_F14)
    fctx_cfi_saved                      /* r14-r31, f14-f31: slots */
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fp_save %r7                    /* modes per context, flags per
                                           thread: see above */
#endif
    .endm

/*
 * fctx_switch_in: the half of fctx_jump and fctx_ontop after our registers
 * are saved in our block at r1 and `to` is in r4.  Leaves r11 = our
 * context, r1 = `to`'s block (the same shape as ours, so the CFI still
 * holds), `to`'s FP modes (only if they differ), nonvolatile registers and
 * CR fields loaded, r3 = `to`'s pending result pointer and r0 = `to`'s
 * resume address (also the CFI's return address from then on).  Clobbers
 * r7-r10, f0 and cr0; r5 and r6 pass through.
 */
    .macro fctx_switch_in
    mr      %r11, %r1                   /* our context: our block */
    mr      %r1, %r4                    /* switch stacks to `to`'s block */
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fp_restore %r7, %r8, %r9, %r10 /* only if the modes differ */
#endif
    lmw     %r14, FRAME_R14(%r1)
    FCTX_FPRS(lfd, %r1, FRAME_F14)
    lwz     %r0, FRAME_CR(%r1)
    mtcrf   CR_NONVOLATILE, %r0
    lwz     %r3, FRAME_RESULT(%r1)      /* `to`'s result pointer */
    fctx_cfi_loaded_r14_f31             /* registers = slots: same value */
    lwz     %r0, FRAME_LR(%r1)          /* where `to` resumes */
    .cfi_register lr, r0                /* its slot is popped next, and
                                           below r1 nothing is safe */
    .endm

#endif
