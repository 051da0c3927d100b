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
 *    store a0-a3 there.  So a switch may only rely on that area being its
 *    own: the frame below goes below sp, and every sp a context is resumed
 *    with has 16 writable bytes above it (for a new context: START_SAVE).
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

/* Where the even (low) and odd (high) word of an FP slot are. */
#if defined(__MIPSEB__)
#  define FPR_EVEN_WORD 4
#else
#  define FPR_EVEN_WORD 0
#endif

#ifdef __ASSEMBLER__
/*
 * fctx_gprs op / fctx_fprs op: `op` (sw or lw; sdc1 or ldc1) every
 * callee-saved integer register (s0-s7, fp) / FP register (f20-f30 even,
 * see above) to or from its slot in the frame at sp; jump and ontop save
 * and restore the same set (ra, the result pointer and FCSR are handled
 * there).
 *
 * With their CFI (CFA = sp + FRAME_SIZE from the allocation on; DWARF:
 * GPR n = n, FPR fn = 32 + n), emitted after the whole run, exact at
 * every instruction for the same reasons as on mips64 (frame_mips64_n64.h):
 * during the stores each register still holds its value; from the stores
 * on the rules are the slots, which after the stack switch hold `to`'s
 * values (same frame shape) until the loads; after the loads registers
 * and slots agree and the rules go back to "same value".  An FP slot is
 * described as gcc describes its own sdc1 saves: the even register at its
 * word and, except in FP64 code (odd registers caller-saved, not saved),
 * the odd register at the other word.
 */
    .macro fctx_gprs op
    \op     $16, FRAME_S0($sp)
    \op     $17, FRAME_S1($sp)
    \op     $18, FRAME_S2($sp)
    \op     $19, FRAME_S3($sp)
    \op     $20, FRAME_S4($sp)
    \op     $21, FRAME_S5($sp)
    \op     $22, FRAME_S6($sp)
    \op     $23, FRAME_S7($sp)
    \op     $30, FRAME_FP($sp)
    .ifc \op, sw
    .irp n, 16,17,18,19,20,21,22,23
    .cfi_offset \n, FRAME_S0 + 4 * (\n - 16) - FRAME_SIZE
    .endr
    .cfi_offset 30, FRAME_FP - FRAME_SIZE
    .else
    .irp n, 16,17,18,19,20,21,22,23,30
    .cfi_restore \n
    .endr
    .endif
    .endm
    .macro fctx_fprs op
    \op     $f20, FRAME_F20($sp)
    \op     $f22, FRAME_F22($sp)
    \op     $f24, FRAME_F24($sp)
    \op     $f26, FRAME_F26($sp)
    \op     $f28, FRAME_F28($sp)
    \op     $f30, FRAME_F30($sp)
    .irp n, 20,22,24,26,28,30
    .ifc \op, sdc1
    .cfi_offset 32 + \n, FRAME_F20 + 4 * (\n - 20) + FPR_EVEN_WORD - FRAME_SIZE
#if !defined(__mips_fpr) || __mips_fpr != 64
    .cfi_offset 33 + \n, FRAME_F20 + 4 * (\n - 20) + 4 - FPR_EVEN_WORD - FRAME_SIZE
#endif
    .else
    .cfi_restore 32 + \n
#if !defined(__mips_fpr) || __mips_fpr != 64
    .cfi_restore 33 + \n
#endif
    .endif
    .endr
    .endm
#endif

#include "mips_shared.h"       /* FCSR save/restore, function knobs */

#endif
