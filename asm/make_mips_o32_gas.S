/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                     MIPS32 o32, ELF, GAS
 *
 * fctx_t is a pointer, returned in v0 (no hidden pointer here): a0 =
 * stack_top, a1 = stack_size (unused: the context needs FRAME_SIZE +
 * START_SIZE bytes, far below any accepted size), a2 = entry.  Builds,
 * below the 8-byte-aligned top and the start area (frame_mips_o32.h), a
 * frame that fctx_jump/fctx_ontop restore as if the context had suspended
 * itself: resume address = the start stub below, s0 = entry, s1 =
 * stack_top (the entry's third argument word), s8/fp = 0, result pointer
 * = START_TRANSFER, FCSR = the caller's current one.  Returns the frame's
 * address.
 */
#include "frame_mips_o32.h"

FCTX_FUNC_BEGIN(fctx_make)
    li      $12, -8
    and     $2, $4, $12                 /* align the top down to 8 bytes */
    addiu   $2, $2, -(FRAME_SIZE + START_SIZE)
                                        /* frame; the stub then runs with
                                           sp = START_SAVE, 8-byte aligned */
    sw      $6, FRAME_S0($2)            /* entry, kept in a callee-saved reg */
    sw      $4, FRAME_S1($2)            /* stack_top: entry's a2 */
    sw      $0, FRAME_S2($2)            /* deterministic contents */
    sw      $0, FRAME_S3($2)
    sw      $0, FRAME_S4($2)
    sw      $0, FRAME_S5($2)
    sw      $0, FRAME_S6($2)
    sw      $0, FRAME_S7($2)
    sw      $0, FRAME_FP($2)            /* frame-pointer chain ends here */
    addiu   $12, $2, FRAME_SIZE + START_TRANSFER
    sw      $12, FRAME_RESULT($2)       /* the first resumer writes the
                                           transfer there */
    sw      $0, FRAME_SIZE + START_TRANSFER($2)
    sw      $0, FRAME_SIZE + START_TRANSFER + 4($2)
    .irp off, FRAME_F20, FRAME_F22, FRAME_F24, FRAME_F26, FRAME_F28, FRAME_F30
    sw      $0, \off($2)                /* +0.0 (both words) */
    sw      $0, \off + 4($2)
    .endr
    fctx_make_finish                    /* FCSR, resume address = the stub,
                                           return (mips_shared.h) */
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's jr (it has just
 * written the transfer to START_TRANSFER through the frame's result
 * pointer) or by the return of an fctx_ontop fn (its hidden result
 * pointer was that same address), with sp = START_SAVE (8-byte aligned,
 * the 16-byte argument save area the entry may use), s0 = entry and s1 =
 * stack_top.  Neither path leaves a usable pointer to us in t9, so the
 * stub finds its gp from its own pc.  Then it calls entry(transfer,
 * stack_top) with the PIC convention.  The return address is marked
 * undefined: unwinders and debuggers stop here.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    fctx_stub_entry                     /* outermost frame; ra = pc at 2 */
    lui     $28, %hi(_gp_disp)          /* _gp_disp = gp - address of this
                                           lui (the pair below), i.e. - ra */
    addiu   $28, $28, %lo(_gp_disp)
    addu    $28, $28, $31
    lw      $4, START_TRANSFER($sp)     /* transfer -> entry's a0:a1 */
    lw      $5, START_TRANSFER + 4($sp)
    move    $6, $17                     /* fctx_make's stack_top: a2 */
    move    $25, $16                    /* entry, in t9 for the PIC call */
    jalr    $25                         /* entry(transfer, stack_top); must
                                           not return */
    move    $16, $28                    /* delay slot: our gp, in s0 (entry
                                           keeps it; it may change gp) */
    move    $28, $16                    /* call the hidden C handler */
    lw      $25, %call16(fctx_internal_entry_returned)($28)
    jalr    $25                         /* never returns */
    nop                                 /* delay slot */
    break                               /* not reached */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
