/*
 * Saved-register frame of a suspended context, MIPS32 o32 ABI (ELF, Linux,
 * PIC/abicalls).  Shared by jump_, make_ and ontop_mips_o32_gas.S: the
 * only place that knows these offsets.
 *
 * ABI facts relied on (SYSV ABI MIPS processor supplement, the o32 FP64 /
 * FPXX extension; gcc and glibc agree, as their code shows):
 *  - callee-saved: s0-s7 ($16-$23), s8/fp ($30), sp ($29).  ra ($31) is
 *    written by the call instruction; we keep it as the resume address.
 *  - gp ($28) is NOT kept: in o32 PIC code every function that needs gp
 *    computes its own from t9 (.cpload) and does not restore it, and every
 *    caller that still needs its gp after a call reloads it from its
 *    cprestore slot (gcc: gp is call-clobbered in o32, call-saved only in
 *    n32/n64).  So the code a switch returns to reloads gp itself, an
 *    ontop fn and the start stub set up their own, and non-PIC code keeps
 *    one fixed gp for the whole program, the same in every context.
 *  - FP registers and the FP register mode.  Debian's mipsel gcc generates
 *    FPXX code by default (`.module fp=xx`, `nooddspreg`, __mips_fpr == 0,
 *    FP ABI "any FPU"): code that is correct whether the kernel runs the
 *    process with 32-bit FP registers (FR=0: an even/odd pair holds a
 *    double) or 64-bit ones (FR=1).  The kernel picks FR=1 for an FPXX
 *    program on a release 2+ CPU with a 64-bit FPU, FR=0 otherwise and for
 *    -mfp32 programs (__mips_fpr == 32); -mfp64 programs (__mips_fpr ==
 *    64) need FR=1.  Callee-saved in each mode:
 *      FR=0 (fp=32): f20-f31, i.e. the six doubles f20, f22, ..., f30;
 *      FR=1 (fp=64): the six 64-bit even registers f20, f22, ..., f30; the
 *        odd f21-f31 are caller-saved;
 *      FPXX: both of the above, i.e. whatever the mode in force needs.
 *    One sequence is right in every mode: sdc1/ldc1 of the six even
 *    registers.  With FR=0 each 8-byte access moves the pair (the even
 *    register is the low word, the odd one the high word); with FR=1 it
 *    moves the whole even register, and the odd ones need no saving.  So
 *    the port chooses no mode: the same objects serve FR=0 and FR=1
 *    processes and keep the FP ABI the compiler gave them (FPXX by default:
 *    they link with fp=32, fp=xx and fp=64 code).  Only the CFI differs:
 *    it describes the odd registers as the high words of the slots unless
 *    the code is FP64 (__mips_fpr == 64), where they are not saved, as gcc
 *    does for its own saves.  Tested: FPXX under qemu 24Kf (FR=1) and
 *    -mfp32 (FR=0), see docs/abi-mips.md.
 *  - FP control and status: FCSR modes per context, status per thread,
 *    written only when the modes differ and then with Cause zero - the
 *    rule of both MIPS ports, in mips_shared.h (with FCSR's layout).
 *  - stack: sp is 8-byte aligned at every call, and the caller reserves
 *    the 16-byte argument save area at sp..sp+15 for its callee, which may
 *    store a0-a3 there.  jump and ontop put their frame below sp and leave
 *    that area alone; every sp a context is resumed with has such an area
 *    above it (a suspended context: its caller's, reserved for the pending
 *    call; a new one: START_SAVE), which an ontop fn may use.
 *  - fctx_transfer_t (two pointers, 8 bytes) is returned in memory: the
 *    caller passes the result address in a0 and the real arguments shift
 *    by one register; the callee returns that address in v0 (RESULT_IN_
 *    MEMORY in cmake/FctxTargets.cmake):
 *        fctx_jump (a0 = &result, a1 = to, a2 = data)
 *        fctx_ontop(a0 = &result, a1 = to, a2 = data, a3 = fn)
 *        fn        (a0 = &result, a1:a2 = the transfer argument)
 *    A struct argument travels in the argument registers like the words it
 *    consists of: an entry function (void result) gets its transfer in
 *    a0:a1 and fctx_make's stack_top in a2.
 *  - PIC calling convention: a call through a pointer passes the callee's
 *    address in t9 ($25); a function finds its GOT from t9 (or its own pc).
 *
 * The hidden result pointer works as on the other ports that return
 * fctx_transfer_t in memory (Arm, i386, s390x): a suspended context's
 * pending fctx_jump/fctx_ontop still owes its caller a result at the
 * address it got in a0, kept in its frame (FRAME_RESULT).  fctx_jump writes
 * {our context, data} through the TARGET's saved pointer; fctx_ontop hands
 * the target's saved pointer to fn as fn's own hidden result pointer, so
 * fn's result lands where the target expects its result; a new context's
 * pointer addresses START_TRANSFER, from which the start stub loads the
 * entry's arguments.
 *
 * A context (fctx_t) is the address of this block, which is the stack
 * pointer of the suspended context (8-byte aligned).
 *
 *   ctx + 0x00  s0      (new context: the entry function)
 *   ctx + 0x04  s1 ... ctx + 0x1c  s7   (new context: s1 = fctx_make's
 *                                        stack_top)
 *   ctx + 0x20  s8/fp   (new context: 0, ends frame-pointer walks)
 *   ctx + 0x24  ra      resume address (new context: fctx_context_start)
 *   ctx + 0x28  result pointer: a0 of the pending call (new context:
 *               START_TRANSFER above the frame)
 *   ctx + 0x2c  FCSR
 *   ctx + 0x30  f20 (FR=0: f20 low word, f21 high word) ... ctx + 0x58 f30
 *   ctx + 0x60  = FRAME_SIZE: the resumed context's sp
 *
 * New context made by fctx_make (stack grows down from the aligned top):
 *
 *   top (8-byte aligned)
 *   top - 0x08  START_TRANSFER: {ctx, data} written through the frame's
 *               result pointer by the first resumer (jump or ontop fn)
 *   top - 0x18  START_SAVE: the 16-byte argument save area of the entry
 *               (and of an ontop fn run before it) = the start stub's sp
 *   top - 0x18 - FRAME_SIZE: the frame above
 */
#ifndef FCTX_FRAME_MIPS_O32_H
#define FCTX_FRAME_MIPS_O32_H

#define FRAME_S0     0x00
#define FRAME_S1     0x04
#define FRAME_S2     0x08
#define FRAME_S3     0x0c
#define FRAME_S4     0x10
#define FRAME_S5     0x14
#define FRAME_S6     0x18
#define FRAME_S7     0x1c
#define FRAME_FP     0x20
#define FRAME_RA     0x24
#define FRAME_RESULT 0x28
#define FRAME_FCSR   0x2c
#define FRAME_F20    0x30
#define FRAME_F22    0x38
#define FRAME_F24    0x40
#define FRAME_F26    0x48
#define FRAME_F28    0x50
#define FRAME_F30    0x58
#define FRAME_SIZE   0x60

/* The area above a new context's frame (offsets from the stub's sp). */
#define START_SAVE     0x00    /* argument save area, 16 bytes */
#define START_TRANSFER 0x10    /* {ctx, data} for the entry */
#define START_SIZE     0x18

/* General registers at their full width (mips_shared.h). */
#define FCTX_MIPS_REG_S sw
#define FCTX_MIPS_REG_L lw
#define FCTX_MIPS_ADDIU addiu

/* FP64 code (__mips_fpr == 64, FR=1 only): the odd FP registers are
 * caller-saved, not in the slots; otherwise the CFI names them as the
 * slots' other words (FR=0 pairs), as gcc's CFI does for its own saves. */
#if defined(__mips_fpr) && __mips_fpr == 64
#  define FCTX_FPR_PAIRS 0
#else
#  define FCTX_FPR_PAIRS 1
#endif

#ifdef __ASSEMBLER__
/*
 * fctx_gprs op / fctx_fprs op: `op` (sw or lw; sdc1 or ldc1) every
 * callee-saved integer register (s0-s7, fp) / FP register (the even
 * f20-f30, see above) to or from its slot in the frame at sp, with their
 * CFI (DWARF: GPR n = n, FPR fn = 32 + n; why it is exact: fctx_mips_regs
 * in mips_shared.h); jump and ontop save and restore the same set
 * (fctx_save_state, fctx_load_state; the result pointer is stored by the
 * asm files).
 */
    .macro fctx_gprs op
    fctx_mips_regs \op, sw, 0, , FRAME_S0, 4, 0, 16,17,18,19,20,21,22,23,30
    .endm
    .macro fctx_fprs op
    fctx_mips_regs \op, sdc1, 32, f, FRAME_F20, 8, FCTX_FPR_PAIRS, 20,22,24,26,28,30
    .endm
#endif

#include "mips_shared.h"       /* FCSR, register lists, switch halves,
                                   function knobs */

#endif
