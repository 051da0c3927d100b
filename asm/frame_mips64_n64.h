/*
 * Saved-register frame of a suspended context, MIPS64 n64 ABI (ELF, Linux,
 * PIC/abicalls).  Shared by jump_, make_ and ontop_mips64_n64_gas.S:
 * the only place that knows these offsets.
 *
 * ABI facts relied on (MIPSpro N32/N64 ABI handbook; gcc/glibc agree):
 *  - callee-saved: s0-s7 ($16-$23), s8/fp ($30), gp ($28: callee-saved in
 *    n64, unlike o32), sp ($29); FP: f24-f31, ALL eight (n64 runs with
 *    64-bit FP registers, FR=1; n32 saves only the even ones f20-f30).
 *    ra ($31) is written by the call instruction; we keep it as the resume
 *    address.
 *  - FP control and status: FCSR modes per context, status per thread,
 *    written only when the modes differ and then with Cause zero - the
 *    rule of both MIPS ports, in mips_shared.h (with FCSR's layout).
 *  - sp is 16-byte aligned at every call; n64 has no argument home area,
 *    so a callee gets nothing above sp that it may write.
 *  - a 2-word struct (fctx_transfer_t, 16 bytes) is returned in v0:v1
 *    ($2:$3) and passed as an argument in a0:a1 ($4:$5).
 *  - PIC calling convention: a call through a pointer passes the callee's
 *    address in t9 ($25); each function derives gp from t9 (or from its own
 *    pc) and must not trust the incoming gp for its own GOT.
 *
 * A context (fctx_t) is the address of this block, which is the stack
 * pointer of the suspended context (16-byte aligned).
 *
 *   ctx + 0x00  s0      (new context: the entry function)
 *   ctx + 0x08  s1 ... ctx + 0x38  s7   (new context: s1 = fctx_make's
 *                                        stack_top)
 *   ctx + 0x40  s8/fp   (new context: 0, ends frame-pointer walks)
 *   ctx + 0x48  gp
 *   ctx + 0x50  ra      resume address (new context: fctx_context_start)
 *   ctx + 0x58  FCSR (4 bytes) | pad
 *   ctx + 0x60  f24 ... ctx + 0x98  f31
 *   ctx + 0xa0  = FRAME_SIZE: the resumed context's sp
 */
#ifndef FCTX_FRAME_MIPS64_N64_H
#define FCTX_FRAME_MIPS64_N64_H

#define FRAME_S0    0x00
#define FRAME_S1    0x08
#define FRAME_S2    0x10
#define FRAME_S3    0x18
#define FRAME_S4    0x20
#define FRAME_S5    0x28
#define FRAME_S6    0x30
#define FRAME_S7    0x38
#define FRAME_FP    0x40
#define FRAME_GP    0x48
#define FRAME_RA    0x50
#define FRAME_FCSR  0x58
#define FRAME_F24   0x60
#define FRAME_F25   0x68
#define FRAME_F26   0x70
#define FRAME_F27   0x78
#define FRAME_F28   0x80
#define FRAME_F29   0x88
#define FRAME_F30   0x90
#define FRAME_F31   0x98
#define FRAME_SIZE  0xa0

/* General registers at their full width (mips_shared.h). */
#define FCTX_MIPS_REG_S sd
#define FCTX_MIPS_REG_L ld
#define FCTX_MIPS_ADDIU daddiu

#ifdef __ASSEMBLER__
/*
 * fctx_gprs op / fctx_fprs op: `op` (sd or ld; sdc1 or ldc1) every
 * callee-saved integer register (s0-s7, fp, gp) / FP register (f24-f31)
 * to or from its slot in the frame at sp, with their CFI (DWARF: GPR n =
 * n, FPR fn = 32 + n; why it is exact: fctx_mips_regs in mips_shared.h);
 * jump and ontop save and restore the same set (fctx_save_state,
 * fctx_load_state).
 */
    .macro fctx_gprs op
    fctx_mips_regs \op, sd, 0, , FRAME_S0, 8, 0, 16,17,18,19,20,21,22,23,30,28
    .endm
    .macro fctx_fprs op
    fctx_mips_regs \op, sdc1, 32, f, FRAME_F24, 8, 0, 24,25,26,27,28,29,30,31
    .endm
#endif

#include "mips_shared.h"       /* FCSR, register lists, switch halves,
                                   function knobs */

#endif
