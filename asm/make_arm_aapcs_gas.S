/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                      Arm AAPCS, ELF, GAS
 *
 * fctx_t is a pointer, returned in r0 (no hidden pointer here):
 *   r0 = stack_top, r1 = stack_size (unused: the context needs
 *   FRAME_SIZE + START_SIZE bytes, far below any accepted size),
 *   r2 = entry.
 * Builds, just below the 8-byte-aligned top, a frame in the layout of
 * frame_arm_aapcs.h that fctx_jump/fctx_ontop restore as if the context had
 * suspended itself:
 *   lr     = the start stub below (with the Thumb bit when we are Thumb),
 *   r4     = entry (a callee-saved slot, so it survives into the stub),
 *   r5     = stack_top (the same; the entry's second argument),
 *   r6-r11 = 0 (r7 and r11 are the Thumb and Arm frame pointers: a zero
 *            frame pointer ends frame-record walks), d8-d15 = 0,
 *   FPSCR  = the creator's (new contexts start with its FP modes; only
 *            the mode bits are ever loaded: the header's FP rule),
 *   result pointer = START_ARGS, the two words just above the frame, where
 *            the first resumer's transfer is written (see the header),
 * and above it the start area (START_SIZE bytes, header drawing) with the
 * fake return address into fctx_context_bottom.  Returns the frame's
 * address.  Leaf: touches neither sp nor lr, so its EHABI entry is the
 * default "return through lr".
 */
#include "frame_arm_aapcs.h"

FCTX_FUNC_BEGIN(fctx_make)
    mov     ip, r0                      /* stack_top, for the entry */
    bic     r0, r0, #7                  /* align the top down to 8 bytes */
    sub     r0, r0, #(FRAME_SIZE + START_SIZE)
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
    add     r3, r0, #(FRAME_SIZE + START_ARGS)
    str     r3, [r0, #FRAME_RESULT]     /* the first resumer writes the
                                           transfer to START_ARGS */
    str     r2, [r0, #FRAME_R4]         /* entry, for the stub */
    str     ip, [r0, #FRAME_R5]         /* stack_top: entry's 2nd argument */
    str     r1, [r0, #FRAME_R6]
    str     r1, [r0, #FRAME_R7]         /* Thumb frame pointer: chain ends */
    str     r1, [r0, #FRAME_R8]
    str     r1, [r0, #FRAME_R9]
    str     r1, [r0, #FRAME_R10]
    str     r1, [r0, #FRAME_R11]        /* Arm frame pointer: chain ends */
    /* .Lresume and .Lbottom_ra are plain labels, so adr yields their bare
       addresses; add the Thumb bit ourselves when this file is Thumb code,
       so the bx that resumes the context enters the stub in the right
       state (and the fake return address looks like a real one). */
    adr     r3, .Lresume + FCTX_THUMB_BIT
    str     r3, [r0, #FRAME_LR]         /* first resume lands in the stub */
    str     r1, [r0, #FRAME_SIZE + START_ARGS + 0]  /* defined contents */
    str     r1, [r0, #FRAME_SIZE + START_ARGS + 4]
    adr     r3, .Lbottom_ra + FCTX_THUMB_BIT
    str     r3, [r0, #FRAME_SIZE + START_BOTTOM_RA] /* for EHABI walks */
    str     r1, [r0, #FRAME_SIZE + START_BOTTOM_RA + 4]
    bx      lr
FCTX_FUNC_END(fctx_make)

/*
 * The bottom of every context's stack for EHABI unwinders: never executed,
 * only named by the fake return address that the start stub's unwind entry
 * yields.  .cantunwind makes every walk (backtraces, C++ exception search)
 * stop here cleanly; the nop keeps "return address - 2" (the unwinder's
 * lookup) inside this function.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_bottom)
    .cfi_undefined DW_LR
    .cantunwind
    nop
.Lbottom_ra:
    udf     #0                          /* never executed */
FCTX_FUNC_END(fctx_context_bottom)

/*
 * First frame of every context.  Reached by fctx_jump's bx lr (it has just
 * stored the transfer at START_ARGS through the frame's result pointer) or
 * by the return of an fctx_ontop fn (fn stored its result there, as its
 * hidden result pointer was this same slot).  sp = START_ARGS, 8-byte
 * aligned, so entry is called with the ABI's alignment and the start area
 * lies in this stub's frame (at and above sp), safe from entry's frames.
 *
 * Ends backtraces:
 *  - DWARF (debuggers): the return address (lr) is undefined: outermost.
 *  - EHABI: sp never moves in here, so one static description holds at
 *    every instruction: "8 bytes of transfer, then the saved lr" - the fake
 *    return address into fctx_context_bottom, where walks stop (see the
 *    header).  An exception escaping entry thus ends in std::terminate, as
 *    in a thread.
 *  - frame pointers (r7, r11) are 0.
 * The nop in front of the resume point keeps "return address - 1" (gdb)
 * and "return address - 2" (EHABI) inside this function when an ontop fn
 * returns here, instead of in fctx_context_bottom.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined DW_LR                /* outermost frame for debuggers */
    .save   {lr}                        /* EHABI: lr at sp + START_BOTTOM_RA */
    .pad    #START_BOTTOM_RA            /* above the transfer words */
    nop
.Lresume:
    ldm     sp, {r0, r1}                /* START_ARGS: entry's r0:r1 */
    mov     r2, r5                      /* fctx_make's stack_top: r2 */
    blx     r4                          /* entry(transfer, stack_top); must
                                           not return */
    bl      fctx_internal_entry_returned /* hidden C handler, never returns */
    udf     #0                          /* not reached */
FCTX_FUNC_END(fctx_context_start)

    .if START_BOTTOM_RA != START_ARGS + 8
    .error "make_arm_aapcs: the stub's .pad/.save must match the start area"
    .endif

FCTX_FILE_END
