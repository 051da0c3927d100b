/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                      Arm AAPCS, ELF, GAS
 *
 * fctx_t is a pointer, returned in r0 (no hidden pointer here):
 *   r0 = stack_top, r1 = stack_size (unused: the context needs
 *   FRAME_SIZE + START_ARGS_SIZE bytes, far below any accepted size),
 *   r2 = entry.
 * Builds, just below the 8-byte-aligned top, a frame in the layout of
 * frame_arm_aapcs.h that fctx_jump/fctx_ontop restore as if the context had
 * suspended itself:
 *   lr     = the start stub below (with the Thumb bit when we are Thumb),
 *   r4     = entry (a callee-saved slot, so it survives into the stub),
 *   r5-r11 = 0 (r7 and r11 are the Thumb and Arm frame pointers: a zero
 *            frame pointer ends frame-record walks), d8-d15 = 0,
 *   FPSCR  = the creator's (new contexts start with its FP modes),
 *   result pointer = START_ARGS, the two words just above the frame, where
 *            the first resumer's transfer is written (see the header).
 * Returns the frame's address.  Leaf: touches neither sp nor lr, so its
 * EHABI entry is the default "return through lr".
 */
#include "frame_arm_aapcs.h"

FCTX_FUNC_BEGIN(fctx_make)
    bic     r0, r0, #7                  /* align the top down to 8 bytes */
    sub     r0, r0, #(FRAME_SIZE + START_ARGS_SIZE)
                                        /* frame; the stub then runs with
                                           sp = START_ARGS, 8-byte aligned */
    mov     r1, #0                      /* deterministic contents */
#if FCTX_ARM_VFP
    vmov    d0, r1, r1                  /* d0 = 0.0 (d0-d7 are scratch) */
    vstr    d0, [r0, #FRAME_D8 + 0x00]
    vstr    d0, [r0, #FRAME_D8 + 0x08]
    vstr    d0, [r0, #FRAME_D8 + 0x10]
    vstr    d0, [r0, #FRAME_D8 + 0x18]
    vstr    d0, [r0, #FRAME_D8 + 0x20]
    vstr    d0, [r0, #FRAME_D8 + 0x28]
    vstr    d0, [r0, #FRAME_D8 + 0x30]
    vstr    d0, [r0, #FRAME_D8 + 0x38]
#  ifndef FCTX_NO_FPU_CONTROL
    vmrs    r3, fpscr                   /* start with the creator's FP modes */
#  else
    mov     r3, #0                      /* slot unused */
#  endif
    str     r3, [r0, #FRAME_FPSCR]
    str     r1, [r0, #FRAME_FPSCR + 4]  /* the pad word */
#endif
    add     r3, r0, #FRAME_SIZE         /* START_ARGS: where the first */
    str     r3, [r0, #FRAME_RESULT]     /* resumer writes the transfer */
    str     r2, [r0, #FRAME_R4]         /* entry, for the stub */
    str     r1, [r0, #FRAME_R5]
    str     r1, [r0, #FRAME_R6]
    str     r1, [r0, #FRAME_R7]         /* Thumb frame pointer: chain ends */
    str     r1, [r0, #FRAME_R8]
    str     r1, [r0, #FRAME_R9]
    str     r1, [r0, #FRAME_R10]
    str     r1, [r0, #FRAME_R11]        /* Arm frame pointer: chain ends */
    /* .Lresume is a plain label, so adr yields its bare address; add the
       Thumb bit ourselves when this file is Thumb code, so the bx that
       resumes the context enters the stub in the right state. */
    adr     r3, .Lresume + FCTX_THUMB_BIT
    str     r3, [r0, #FRAME_LR]         /* first resume lands in the stub */
    str     r1, [r0, #FRAME_SIZE + 0]   /* START_ARGS: defined contents */
    str     r1, [r0, #FRAME_SIZE + 4]
    bx      lr
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's bx lr (it has just
 * stored the transfer at START_ARGS through the frame's result pointer) or
 * by the return of an fctx_ontop fn (fn stored its result there, as its
 * hidden result pointer was this same slot).  sp = START_ARGS, 8-byte
 * aligned, so entry is called with the ABI's alignment and the buffer lies
 * in this stub's frame (at and above sp), safe from entry's own frames.
 *
 * Ends backtraces: DWARF says the return address (lr) is undefined, the
 * EHABI entry is .cantunwind (an exception escaping entry reaches here and
 * std::terminate runs, as for any thread), and the frame pointers are 0.
 * The nop in front of the resume point keeps "return address - 1" (gdb)
 * and "return address - 2" (the EHABI unwinder) inside this function when
 * an ontop fn returns here, instead of in fctx_make's unwind entry.
 */
    .text
    .type   fctx_context_start, %function
    .p2align 2
    FCTX_THUMB_FUNC
fctx_context_start:
    .fnstart
    .cfi_startproc
    .cfi_undefined DW_LR                /* outermost frame: nothing to return to */
    .cantunwind
    nop
.Lresume:
    ldm     sp, {r0, r1}                /* the transfer, as entry's r0:r1 */
    blx     r4                          /* entry(transfer); must not return */
    bl      fctx_internal_entry_returned /* hidden C handler, never returns */
    udf     #0                          /* not reached */
    .cfi_endproc
    .fnend
    .size   fctx_context_start, . - fctx_context_start

    .section .note.GNU-stack,"",%progbits
