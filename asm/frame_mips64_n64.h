/*
 * Saved-register frame of a suspended context, MIPS64 n64 ABI (ELF, Linux,
 * PIC/abicalls).  Shared by jump_, make_ and ontop_mips64_n64_elf_gas.S:
 * the only place that knows these offsets.
 *
 * ABI facts relied on (MIPSpro N32/N64 ABI handbook; gcc/glibc agree):
 *  - callee-saved: s0-s7 ($16-$23), s8/fp ($30), gp ($28: callee-saved in
 *    n64, unlike o32), sp ($29); FP: f24-f31, ALL eight (n64 runs with
 *    64-bit FP registers, FR=1; n32 saves only the even ones f20-f30).
 *    ra ($31) is written by the call instruction; we keep it as the resume
 *    address.
 *  - FCSR ($31 of coprocessor 1): rounding mode, exception enables and
 *    flush-to-zero are modes a callee must not change (fesetround & co
 *    excepted); each context keeps its own copy (not with
 *    FCTX_NO_FPU_CONTROL).  The cause/flag bits come back with it.
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
 *   ctx + 0x08  s1 ... ctx + 0x38  s7
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

/* Open and close an exported function with CFI.  The bodies schedule
 * their own branch delay slots (noreorder), each marked "delay slot". */
#define FCTX_FUNC_BEGIN(name) \
    .text;                    \
    .globl name;              \
    .type name, @function;    \
    .p2align 3;               \
    .set noreorder;           \
    .set nomacro;             \
name:                         \
    .cfi_startproc

#define FCTX_FUNC_END(name) \
    .cfi_endproc;           \
    .set macro;             \
    .set reorder;           \
    .size name, . - name

#endif
