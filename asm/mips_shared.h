/*
 * What the MIPS ports (frame_mips64_n64.h, frame_mips_o32.h) share: the
 * FCSR rule and its save/restore sequence, the register-list macro behind
 * their fctx_gprs/fctx_fprs, the two halves of a switch
 * (fctx_save_state, fctx_load_state), the end of fctx_make and the
 * start of the start stub (fctx_make_finish, fctx_stub_entry), and how
 * their functions are opened (format.h knobs).  Included by those frame
 * headers after they define, besides their fctx_gprs/fctx_fprs macros:
 *   FRAME_SIZE, FRAME_RA, FRAME_FCSR  their frame's size, resume address
 *                     slot and 4-byte FCSR slot;
 *   FCTX_MIPS_REG_S, FCTX_MIPS_REG_L, FCTX_MIPS_ADDIU
 *                     store, load and add-immediate of a general register
 *                     at its full width (sd ld daddiu; sw lw addiu);
 * never by an asm file directly.
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

#if !defined(FRAME_SIZE) || !defined(FRAME_RA) || !defined(FRAME_FCSR) || \
    !defined(FCTX_MIPS_REG_S) || !defined(FCTX_MIPS_REG_L) || !defined(FCTX_MIPS_ADDIU)
#  error "mips_shared.h: include it from a MIPS frame header, after its frame's definitions"
#endif

/* FCSR bits that belong to each context (see above). */
#define FCSR_CONTROL 0x01600f83

/* Where the even (low) and odd (high) word of an 8-byte FP slot are when
 * an sdc1 stores a register pair (FR=0). */
#if defined(__MIPSEB__)
#  define FPR_EVEN_WORD 4
#else
#  define FPR_EVEN_WORD 0
#endif

#ifdef __ASSEMBLER__
/*
 * fctx_mips_regs op, save, dw, prefix, slot, size, pair, r...: `op` the
 * registers $<prefix><r> (r... : their numbers) to or from consecutive
 * `size`-byte slots from `slot`($sp) on, in order; then the CFI of the
 * whole run (DWARF number of a register: dw + r): when op is `save`, each
 * register at its slot (CFA = sp + FRAME_SIZE) and, with pair = 1, also
 * register dw + r + 1 at the slot's other word (an FR=0 pair); otherwise
 * each back in its register.  The rules come after the whole run, which
 * is exact at every instruction: during the stores each register still
 * holds its value (the CIE's "same value"); from the stores on the rules
 * are the slots, and stay so across the stack switch - the target's frame
 * has the same shape, so its slots hold its values while the registers
 * still hold ours, until the loads (without the rules an unwinder walks
 * the target's fp-based frames with our s8: issue 18); after the loads
 * registers and slots agree and the rules go back to "same value", which
 * stays right once the frame is popped (no red zone).
 */
    .macro fctx_mips_regs op, save, dw, prefix, slot, size, pair, regs:vararg
    fctx_mips_move \op, \prefix, \slot, \size, \regs
    .ifc \op, \save
    fctx_mips_cfi_at \dw, \slot, \size, \pair, \regs
    .else
    .irp r, \regs
    .cfi_restore \dw + \r
    .if \pair
    .cfi_restore \dw + \r + 1
    .endif
    .endr
    .endif
    .endm
    .macro fctx_mips_move op, prefix, slot, size, r, more:vararg
    \op     $\prefix\r, \slot($sp)
    .ifnb \more
    fctx_mips_move \op, \prefix, \slot+\size, \size, \more
    .endif
    .endm
    .macro fctx_mips_cfi_at dw, slot, size, pair, r, more:vararg
    .if \pair
    .cfi_offset \dw + \r, \slot + FPR_EVEN_WORD - FRAME_SIZE
    .cfi_offset \dw + \r + 1, \slot + 4 - FPR_EVEN_WORD - FRAME_SIZE
    .else
    .cfi_offset \dw + \r, \slot - FRAME_SIZE
    .endif
    .ifnb \more
    fctx_mips_cfi_at \dw, \slot+\size, \size, \pair, \more
    .endif
    .endm

/*
 * fctx_save_state: the first half of fctx_jump and fctx_ontop.  Our frame
 * below sp (CFA = sp + FRAME_SIZE), every callee-saved general register
 * and our resume address (ra) in it, with their CFI; with an FPU also our
 * FCSR (also kept in $12 for fctx_load_state) and the callee-saved FP
 * registers.
 */
    .macro fctx_save_state
    FCTX_MIPS_ADDIU $sp, $sp, -FRAME_SIZE   /* below our caller's sp: ours */
    .cfi_adjust_cfa_offset FRAME_SIZE
    fctx_gprs FCTX_MIPS_REG_S
    FCTX_MIPS_REG_S $31, FRAME_RA($sp)      /* our resume address */
    .cfi_offset 31, FRAME_RA - FRAME_SIZE
#ifdef __mips_hard_float
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fcsr_save $12                      /* modes per context, flags per
                                               thread: the rule above */
#endif
    fctx_fprs sdc1
#endif
    .endm

/*
 * fctx_load_state ra: the second half's loads, with sp = the target's
 * frame: its callee-saved registers, its resume address into `ra` ($25:
 * resumed with jr; $31: an ontop fn returns there, and the CFI says so),
 * with an FPU its FP registers and, if they differ from ours (still in
 * $12), its FCSR modes.  Clobbers $14, $15.  Leaves the frame allocated.
 */
    .macro fctx_load_state ra
    fctx_gprs FCTX_MIPS_REG_L
    FCTX_MIPS_REG_L \ra, FRAME_RA($sp)     /* where the target resumes */
    .ifc \ra, $31
    .cfi_restore 31
    .endif
#ifdef __mips_hard_float
    fctx_fprs ldc1
#ifndef FCTX_NO_FPU_CONTROL
    fctx_fcsr_restore $12, $14, $15         /* only if the modes differ */
#endif
#endif
    .endm

/*
 * fctx_make_finish: the end of fctx_make, with v0 = the new frame: its
 * FCSR slot (zeroed, then with an FPU the creator's FCSR: a new context
 * starts in its creator's modes), its resume address = the start stub's
 * fctx_context_resume, and the return.  The stub's address is found
 * without gp (position-independent, gp need not be set up): bal puts the
 * pc in ra (kept in $13 around it), the distance is an assembly-time
 * constant.
 */
    .macro fctx_make_finish
    FCTX_MIPS_REG_S $0, FRAME_FCSR($2)
#if defined(__mips_hard_float) && !defined(FCTX_NO_FPU_CONTROL)
    cfc1    $12, $31                        /* the creator's modes */
    sw      $12, FRAME_FCSR($2)
#endif
    move    $13, $31
    bal     1f
    nop                                     /* delay slot */
1:  FCTX_MIPS_ADDIU $12, $31, fctx_context_resume - 1b
    move    $31, $13
    jr      $31
    FCTX_MIPS_REG_S $12, FRAME_RA($2)       /* delay slot: the first resume
                                               lands in the stub */
    .endm

/*
 * fctx_stub_entry: the start of the start stub fctx_context_start (right
 * after its FCTX_LOCAL_FUNC_BEGIN): the return address is undefined, so
 * unwinders and debuggers stop here; a nop, because an ontop fn "returns"
 * to fctx_context_resume and unwinders look up return address - 1, which
 * must fall in this FDE, not fctx_make's; then ra = the pc at the local
 * label 2, from which the port derives its gp (neither a jump nor an
 * ontop return leaves a usable pointer to the stub in t9).
 */
    .macro fctx_stub_entry
    .cfi_undefined 31
    nop
fctx_context_resume:
    bal     2f                              /* our pc, to locate the GOT */
    nop                                     /* delay slot */
2:
    .endm

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
