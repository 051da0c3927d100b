/*
 * Saved-register frame of a suspended context, 32-bit Arm, AAPCS (ELF,
 * arm-linux-gnueabihf and friends).  Shared by jump_, make_ and
 * ontop_arm_aapcs_gas.S: the only place that knows these offsets.
 *
 * ABI facts relied on (AAPCS32, "Procedure Call Standard for the Arm
 * Architecture"):
 *  - callee-saved core registers: r4-r8, r10, r11 and sp, plus r9 where the
 *    platform makes it v6 (GNU/Linux does); we always save r9.  lr holds the
 *    return address on entry and is not preserved, so it is saved here as
 *    the context's resume address.  r12 (ip) may be clobbered by veneers.
 *  - VFP: s16-s31 = d8-d15 are callee-saved; d0-d7 and d16-d31 are not.
 *    Saved only when the compiler targets VFP hardware (__ARM_FP, or the
 *    legacy __VFP_FP__ without __SOFTFP__), so -mfloat-abi=soft builds
 *    assemble without VFP instructions; -mfloat-abi=softfp still saves them
 *    (the registers exist and the base standard keeps them callee-saved).
 *  - FPSCR: the exception-control (trap enable) bits 8-12 and 15, rounding
 *    mode 22-23 and flush-to-zero 24 are global state that only dedicated
 *    support functions change, i.e. preserved across calls; length 16-18 is
 *    preserved, stride 20-21 is zero at public interfaces; the remaining
 *    control bits (default NaN 25, alternative half precision 26) are
 *    "reserved, must not be modified" by conforming code.  The condition
 *    flags 28-31, QC 27 and cumulative exception flags 0-4 and 7 are NOT
 *    preserved (the "status" bits, FPSCR_STATUS_HI | FPSCR_STATUS_LO).
 *    This is the rule every file of this port follows (the jump_, make_
 *    and ontop_ files refer here): a switch gives the resumed CONTEXT every
 *    non-status bit of its own saved FPSCR (its modes) and keeps the status
 *    bits live: exception flags belong to the THREAD, as with <fenv.h> and
 *    as on the AArch64 port, whose FPSR is a separate register.  The write
 *    is "saved modes | current status", and it is executed only when a
 *    mode bit differs: equal modes (the common case) write nothing, since a
 *    vmsr to FPSCR may serialise the pipeline (fctx_fpscr_restore below,
 *    used by jump and ontop).  fctx_make stores its creator's whole FPSCR:
 *    a new context starts in the creator's modes at fctx_make time, and
 *    the status bits in that slot are never loaded.  The trap enables are
 *    modes like the rest; a trap is taken by the instruction that raises
 *    the exception, not for a flag already set, so no flag needs clearing.
 *    Skipped with FCTX_NO_FPU_CONTROL (then all contexts of a thread share
 *    the FP modes); the slot stays so the layout never changes.
 *  - stack: full descending, sp is 8-byte aligned at every public
 *    interface (4-byte aligned at all times).
 *  - a composite type larger than 4 bytes is returned in memory: the caller
 *    passes the result address in r0 and the real arguments shift by one
 *    register.  fctx_transfer_t (two pointers, 8 bytes, 4-byte aligned) is
 *    therefore returned through a HIDDEN POINTER in r0:
 *        fctx_jump (r0 = &result, r1 = to, r2 = data)
 *        fctx_ontop(r0 = &result, r1 = to, r2 = data, r3 = fn)
 *    and fn(r0 = &result, r1:r2 = the transfer argument): a 4-byte-aligned
 *    8-byte composite needs no even-register rounding (rule C.3), so it goes
 *    to the next two core registers (C.4).  An entry function (void result)
 *    receives its transfer argument in r0:r1.  The result memory "may be
 *    modified at any point during the function call", so another context
 *    may write it while the caller is suspended.
 *  - interworking: bit 0 of a code address selects Thumb state; lr has it
 *    set after a call from Thumb code.  Indirect calls and returns use
 *    blx/bx, never mov pc.
 *  - the frame pointer is r11 (Arm code, and AAPCS for both states) or r7
 *    (GCC's Thumb code); a zero frame pointer ends a frame-record chain.
 *
 * The hidden result pointer is the crux of this port.  When a context
 * suspends inside fctx_jump/fctx_ontop, its pending call still owes its
 * caller a result at the address it got in r0.  That address is saved in
 * the frame (FRAME_RESULT).  Whoever resumes the context therefore writes
 * the transfer {resumer's context, data} to the *resumed* side's saved
 * pointer - never to its own r0, which belongs to its own pending call and
 * is saved in its own frame for whoever resumes it later:
 *   - fctx_jump stores the transfer through the target's FRAME_RESULT;
 *   - fctx_ontop passes the target's FRAME_RESULT to fn as fn's own hidden
 *     result pointer, so fn's return value lands where the target expects
 *     its result, and fn returns straight into the target's resume point;
 *   - a new context (fctx_make) has no pending call: its FRAME_RESULT points
 *     at a two-word buffer just above its frame (START_ARGS), from which the
 *     start stub loads the transfer into r0:r1 for the entry function.
 *
 * A context (fctx_t) is the address of this block on its own stack:
 *
 *   ctx + 0x00  d8           +
 *   ...                      | VFP builds only (FRAME_VFP_SIZE bytes,
 *   ctx + 0x38  d15          | 0 otherwise; the offsets below then start
 *   ctx + 0x40  FPSCR        | at 0x00)
 *   ctx + 0x44  (padding)    +  keeps the frame a multiple of 8 bytes
 *   ctx + 0x48  result ptr   r0 of the pending call (new context: START_ARGS)
 *   ctx + 0x4c  r4           (new context: the entry function)
 *   ctx + 0x50  r5           (new context: fctx_make's stack_top)
 *   ctx + 0x54  r6
 *   ctx + 0x58  r7           (new context: 0, ends Thumb frame chains)
 *   ctx + 0x5c  r8
 *   ctx + 0x60  r9
 *   ctx + 0x64  r10
 *   ctx + 0x68  r11          (new context: 0, ends Arm frame chains)
 *   ctx + 0x6c  lr           resume address, bit 0 = Thumb
 *   ctx + 0x70  = FRAME_SIZE: the resumed context's sp (8-byte aligned)
 *
 * The words FRAME_RESULT..FRAME_LR are written and read by one
 * push/pop {r0, r4-r11, lr} (ascending register numbers at ascending
 * addresses), the d registers by one vpush/vpop {d8-d15}; the assembly-time
 * checks at the end of this file keep the numbers and the lists in step.
 *
 * New context made by fctx_make (stack grows down from the aligned top):
 *
 *   top (8-byte aligned)
 *   top - 0x04  0 (keeps the area a multiple of 8 bytes)
 *   top - 0x08  START_BOTTOM_RA: a fake return address inside
 *               fctx_context_bottom, a .cantunwind function (see below)
 *   top - 0x0c  START_ARGS + 4: transfer.data  + written through the
 *   top - 0x10  START_ARGS + 0: transfer.ctx   + frame's result pointer
 *   top - 0x10 - FRAME_SIZE: the frame above; its sp after popping =
 *               START_ARGS = the start stub's sp (8-byte aligned)
 *
 * Why the fake return address: an EHABI unwinder (libgcc's
 * _Unwind_Backtrace, C++ exceptions, glibc's backtrace()) reports a frame
 * only if its code has a real unwind entry, and stops at a .cantunwind one
 * without reporting it.  The start stub's entry says "8 bytes of locals
 * (the transfer words), then the saved lr", so walks report the stub as the context's
 * first frame and then stop at fctx_context_bottom - exactly like a
 * thread's start routine, reported, above the .cantunwind clone().  The
 * DWARF CFI (debuggers) marks the stub's return address undefined instead.
 */
#ifndef FCTX_FRAME_ARM_AAPCS_H
#define FCTX_FRAME_ARM_AAPCS_H

#if defined(__ARM_FP) || (defined(__VFP_FP__) && !defined(__SOFTFP__))
#  define FCTX_ARM_VFP 1
#else
#  define FCTX_ARM_VFP 0
#endif

#if FCTX_ARM_VFP
#  define FRAME_D8       0x00
#  define FRAME_FPSCR    0x40
#  define FRAME_VFP_SIZE 0x48   /* d8-d15, FPSCR, padding */
#else
#  define FRAME_VFP_SIZE 0x00
#endif
#define FRAME_RESULT (FRAME_VFP_SIZE + 0x00)
#define FRAME_R4     (FRAME_VFP_SIZE + 0x04)
#define FRAME_R5     (FRAME_VFP_SIZE + 0x08)
#define FRAME_R6     (FRAME_VFP_SIZE + 0x0c)
#define FRAME_R7     (FRAME_VFP_SIZE + 0x10)
#define FRAME_R8     (FRAME_VFP_SIZE + 0x14)
#define FRAME_R9     (FRAME_VFP_SIZE + 0x18)
#define FRAME_R10    (FRAME_VFP_SIZE + 0x1c)
#define FRAME_R11    (FRAME_VFP_SIZE + 0x20)
#define FRAME_LR     (FRAME_VFP_SIZE + 0x24)
#define FRAME_SIZE   (FRAME_VFP_SIZE + 0x28)
#define FRAME_GPR_SIZE 0x28            /* the push {r0, r4-r11, lr} block */

/* The area above a new context's frame (offsets from START_ARGS). */
#define START_ARGS      0x00   /* transfer {ctx, data} for entry */
#define START_BOTTOM_RA 0x08   /* fake return address (EHABI walks) */
#define START_SIZE      0x10

/* DWARF register numbers (DWARF for the Arm Architecture): r0-r15 = 0-15,
 * d0-d31 = 256-287. */
#define DW_LR 14
#define DW_D8 264

/* Bit 0 of a code address in this file's instruction set. */
#if defined(__thumb2__)
#  define FCTX_THUMB_BIT 1
#else
#  define FCTX_THUMB_BIT 0
#endif

/* Assembler state for every file that includes us: unified syntax; Thumb-2
 * when the compiler generates Thumb-2 (-mthumb on ARMv6T2 and later), else
 * Arm state (also for Thumb-1-only -mthumb builds: every core with Thumb-1
 * and VFP/Linux runs Arm code).  DWARF CFI goes to .debug_frame (used by
 * debuggers), as GCC does on EHABI targets, whose C++ unwinder reads
 * .ARM.exidx (the .fnstart/.fnend annotations) instead. */
    .syntax unified
#if defined(__thumb2__)
    .thumb
#  define FCTX_THUMB_FUNC .thumb_func
#else
    .arm
#  define FCTX_THUMB_FUNC
#endif
    .cfi_sections .debug_frame
    /* Tag_ABI_align_preserved: our code keeps sp 8-byte aligned at calls. */
    .eabi_attribute 25, 1

/* Functions (format.h): Arm and Thumb alignment, the Thumb marker, and the
 * EHABI entry around the DWARF one. */
#define FCTX_FUNC_ALIGN 2
#define FCTX_FUNC_PRE   FCTX_THUMB_FUNC;
#define FCTX_FUNC_OPEN  .fnstart;
#define FCTX_FUNC_CLOSE .fnend;
#include "format.h"

#if FCTX_ARM_VFP
/* FPSCR status bits (not preserved across calls, see above): N Z C V QC,
 * and the cumulative exception flags IDC IXC UFC OFC DZC IOC.  Split in
 * two because each half is an Arm/Thumb-2 modified immediate. */
#  define FPSCR_STATUS_HI 0xF8000000
#  define FPSCR_STATUS_LO 0x0000009F

/* fpscr = (saved & ~status) | (current fpscr & status), i.e. current with
 * the mode bits that differ from `saved` flipped.  The write is skipped
 * when no mode bit differs (the common case: all contexts use the same
 * modes), because vmsr to FPSCR may serialise the pipeline.  Clobbers
 * t1, t2 and the condition flags (not preserved across calls anyway). */
    .macro fctx_fpscr_restore saved, t1, t2
    vmrs    \t1, fpscr                  /* current: its status bits stay */
    eor     \t2, \t1, \saved           /* bits where current and saved differ */
    bic     \t2, \t2, #FPSCR_STATUS_HI  /* ... ignoring the status bits */
    bics    \t2, \t2, #FPSCR_STATUS_LO
    beq     1f                          /* same modes: no write */
    eor     \t1, \t1, \t2              /* current with saved modes */
    vmsr    fpscr, \t1
1:
    .endm
#endif

/* CFI for the saved registers: where each one is, relative to the CFA
 * (= ctx + FRAME_SIZE, the sp of the pending call), and "back in its
 * register" once restored. */
#define FCTX_CFI_GPRS_SAVED                      \
    .cfi_offset 4, FRAME_R4 - FRAME_SIZE;        \
    .cfi_offset 5, FRAME_R5 - FRAME_SIZE;        \
    .cfi_offset 6, FRAME_R6 - FRAME_SIZE;        \
    .cfi_offset 7, FRAME_R7 - FRAME_SIZE;        \
    .cfi_offset 8, FRAME_R8 - FRAME_SIZE;        \
    .cfi_offset 9, FRAME_R9 - FRAME_SIZE;        \
    .cfi_offset 10, FRAME_R10 - FRAME_SIZE;      \
    .cfi_offset 11, FRAME_R11 - FRAME_SIZE;      \
    .cfi_offset DW_LR, FRAME_LR - FRAME_SIZE

#define FCTX_CFI_GPRS_RESTORED                   \
    .cfi_restore 4; .cfi_restore 5; .cfi_restore 6; .cfi_restore 7; \
    .cfi_restore 8; .cfi_restore 9; .cfi_restore 10; .cfi_restore 11; \
    .cfi_restore DW_LR

#if FCTX_ARM_VFP
#define FCTX_CFI_VFP_SAVED                                \
    .cfi_offset DW_D8 + 0, FRAME_D8 + 0x00 - FRAME_SIZE;  \
    .cfi_offset DW_D8 + 1, FRAME_D8 + 0x08 - FRAME_SIZE;  \
    .cfi_offset DW_D8 + 2, FRAME_D8 + 0x10 - FRAME_SIZE;  \
    .cfi_offset DW_D8 + 3, FRAME_D8 + 0x18 - FRAME_SIZE;  \
    .cfi_offset DW_D8 + 4, FRAME_D8 + 0x20 - FRAME_SIZE;  \
    .cfi_offset DW_D8 + 5, FRAME_D8 + 0x28 - FRAME_SIZE;  \
    .cfi_offset DW_D8 + 6, FRAME_D8 + 0x30 - FRAME_SIZE;  \
    .cfi_offset DW_D8 + 7, FRAME_D8 + 0x38 - FRAME_SIZE

#define FCTX_CFI_VFP_RESTORED                                          \
    .cfi_restore DW_D8 + 0; .cfi_restore DW_D8 + 1; .cfi_restore DW_D8 + 2; \
    .cfi_restore DW_D8 + 3; .cfi_restore DW_D8 + 4; .cfi_restore DW_D8 + 5; \
    .cfi_restore DW_D8 + 6; .cfi_restore DW_D8 + 7
#endif

/* Assembly-time checks that the push/pop lists match the numbers above. */
    .if FRAME_LR - FRAME_RESULT != 9 * 4
    .error "frame_arm_aapcs.h: {r0, r4-r11, lr} must be contiguous"
    .endif
    .if FRAME_SIZE - FRAME_RESULT != FRAME_GPR_SIZE
    .error "frame_arm_aapcs.h: the core-register block must end the frame"
    .endif
    .if (FRAME_SIZE % 8) != 0
    .error "frame_arm_aapcs.h: FRAME_SIZE must keep sp 8-byte aligned"
    .endif
#if FCTX_ARM_VFP
    .if FRAME_D8 != 0 || FRAME_FPSCR != 8 * 8 || FRAME_VFP_SIZE != FRAME_FPSCR + 8
    .error "frame_arm_aapcs.h: vpush {d8-d15} then one 8-byte FPSCR slot"
    .endif
#endif

#endif
