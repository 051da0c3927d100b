/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                     MIPS64 n64, ELF, GAS
 *
 * a0 = stack_top, a1 = stack_size (unused: the frame needs FRAME_SIZE
 * bytes, far below any accepted size), a2 = entry.  Builds, just below the
 * 16-byte-aligned top, a frame in the layout of frame_mips64_n64.h that
 * fctx_jump/fctx_ontop restore as if the context had suspended itself:
 * resume address = the start stub below, s0 = entry, s1 = stack_top
 * (the entry's second argument), s8/fp = 0, FCSR =
 * the caller's current one.  Returns the frame's address in v0.
 */
#include "frame_mips64_n64.h"

FCTX_FUNC_BEGIN(fctx_make)
    li      $12, -16
    and     $2, $4, $12                 /* align the top down to 16 bytes */
    daddiu  $2, $2, -FRAME_SIZE         /* frame; the stub then runs with
                                           sp = the aligned top */
    sd      $6, FRAME_S0($2)            /* entry, kept in a callee-saved reg */
    sd      $4, FRAME_S1($2)            /* stack_top: entry's 2nd argument */
    sd      $0, FRAME_S2($2)            /* deterministic contents */
    sd      $0, FRAME_S3($2)
    sd      $0, FRAME_S4($2)
    sd      $0, FRAME_S5($2)
    sd      $0, FRAME_S6($2)
    sd      $0, FRAME_S7($2)
    sd      $0, FRAME_FP($2)            /* frame-pointer chain ends here */
    sd      $0, FRAME_GP($2)            /* the stub computes its own gp */
    sd      $0, FRAME_F24($2)           /* +0.0 */
    sd      $0, FRAME_F25($2)
    sd      $0, FRAME_F26($2)
    sd      $0, FRAME_F27($2)
    sd      $0, FRAME_F28($2)
    sd      $0, FRAME_F29($2)
    sd      $0, FRAME_F30($2)
    sd      $0, FRAME_F31($2)
    fctx_make_finish                    /* FCSR, resume address = the stub,
                                           return (mips_shared.h) */
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Reached by fctx_jump's jr (v0:v1 =
 * transfer) or by the return of an fctx_ontop function (v0:v1 = its
 * result), with sp = the aligned stack top, s0 = entry and s1 =
 * stack_top; neither path
 * leaves a usable pointer to us in t9, so the stub finds its gp from its
 * own pc.  Then it calls entry(transfer) with the PIC convention.  The
 * return address is marked undefined: unwinders and debuggers stop here.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    fctx_stub_entry                     /* outermost frame; ra = pc at 2 */
    lui     $28, %hi(%neg(%gp_rel(2b)))
    daddu   $28, $28, $31
    daddiu  $28, $28, %lo(%neg(%gp_rel(2b)))
    move    $4, $2                      /* transfer -> entry's a0:a1 */
    move    $5, $3
    move    $6, $17                     /* fctx_make's stack_top: a2 */
    move    $25, $16                    /* entry, in t9 for the PIC call */
    jalr    $25                         /* entry(transfer, stack_top); must
                                           not return */
    nop                                 /* delay slot */
    /* gp is callee-saved, so still ours: call the hidden C handler
       through the GOT.  Never returns. */
    ld      $25, %call16(fctx_internal_entry_returned)($28)
    jalr    $25
    nop                                 /* delay slot */
    break                               /* not reached */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
