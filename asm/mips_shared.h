/*
 * What the MIPS ports (frame_mips64_n64.h, frame_mips_o32.h) share: the
 * FCSR rule and its save/restore sequence, and how their functions are
 * opened (format.h knobs).  Included by those frame headers after they
 * define FRAME_FCSR (the 4-byte FCSR slot of their frame); never by an
 * asm file directly.
 *
 * FP control and status: the rule every file of both ports follows (their
 * jump_, make_ and ontop_ files refer here).  FCSR ($31 of coprocessor 1)
 * has the same layout in MIPS32 and MIPS64 and holds both:
 *   RM (0-1), Enables V Z O U I (7-11), FN (21), FO (22), FS (24):
 *     modes, FCSR_CONTROL = 0x01600f83;
 *   Flags (2-6, sticky), Cause (12-17, the exceptions of the last FP
 *     instruction), condition codes FCC0 (23) and FCC1-7 (25-31): status;
 *   NAN2008 (18), ABS2008 (19), bit 20: fixed for the process by the
 *     kernel (from the ELF header) or reserved; never written with a new
 *     value.
 * Neither the o32 nor the n64 ABI gives FCSR a convention of its own;
 * C's applies (C11 7.6 <fenv.h>): the FP environment has thread storage
 * duration, and a function call neither alters its caller's control modes
 * nor clears its caller's status flags unless documented to.  So the
 * modes belong to each CONTEXT (fctx_make stores its creator's FCSR: a new
 * context starts in the creator's modes at fctx_make time) and the status
 * bits belong to the THREAD: a switch never restores them, so a flag
 * raised in one context is seen in the next and feclearexcept() in one
 * clears it for all.  jump/ontop compare the mode bits of the target's
 * saved FCSR with the current FCSR (read moments earlier to save ours)
 * and write FCSR only when they differ (a ctc1 to FCSR may serialise the
 * FPU; the common case, equal modes, writes nothing).  The value written
 * is the target's modes with the current status, except Cause, which is
 * written as 0: a ctc1 that sets a Cause bit together with its Enable bit
 * (or Cause E at all) raises a floating-point exception at once, and
 * Cause only describes the most recent FP instruction (each FP
 * instruction rewrites it, and no C interface keeps it).  A set Flag bit
 * under a newly set Enable raises nothing, so the sticky flags stay
 * exactly as they were.  FCTX_NO_FPU_CONTROL builds neither save nor
 * restore FCSR (the slot stays, unused): all contexts share it.
 */
#ifndef FCTX_MIPS_SHARED_H
#define FCTX_MIPS_SHARED_H

#ifndef FRAME_FCSR
#  error "mips_shared.h: include it from a MIPS frame header, after FRAME_FCSR"
#endif

/* FCSR bits that belong to each context (see above). */
#define FCSR_CONTROL 0x01600f83

#ifdef __ASSEMBLER__
/* The FCSR part of jump/ontop (rule above; noreorder code).  Save: our
 * FCSR, also kept in \cur for the restore.  Restore (sp = the target's
 * frame): \cur = our FCSR still, \t1 and \t2 scratch. */
    .macro fctx_fcsr_save cur
    cfc1    \cur, $31                   /* FCSR -> GPR */
    sw      \cur, FRAME_FCSR($sp)
    .endm

    .macro fctx_fcsr_restore cur, t1, t2
    lw      \t1, FRAME_FCSR($sp)        /* the target's saved FCSR */
    lui     \t2, FCSR_CONTROL >> 16
    xor     \t1, \t1, \cur              /* bits where it differs from ours */
    ori     \t2, \t2, FCSR_CONTROL & 0xffff
    and     \t1, \t1, \t2               /* ... among the modes */
    beq     \t1, $0, 1f                 /* same modes: no write */
    xor     \cur, \cur, \t1             /* delay slot (harmless if taken):
                                           our status, its modes */
    ins     \cur, $0, 12, 6             /* Cause = 0: no exception on ctc1
                                           (ins: release 2, the baseline of
                                           Debian's mipsel and mips64el) */
    ctc1    \cur, $31
1:
    .endm
#endif

/* Functions (format.h): every instruction is placed as written, delay
 * slots included. */
#define FCTX_FUNC_ALIGN 3
#define FCTX_FUNC_PRE   .set noreorder; .set nomacro;
#define FCTX_FUNC_CLOSE .set macro; .set reorder;
#include "format.h"

#endif
