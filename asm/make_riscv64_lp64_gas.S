/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                RISC-V 64 LP64D/LP64, ELF, GAS
 *
 * ABI facts (RISC-V ELF psABI; frame drawing in frame_riscv64_lp64.h): sp
 * must be 16-byte aligned; the transfer {ctx, data} arrives in a0:a1 both as
 * a return value and as a first argument; s1 is callee-saved (survives the
 * entry call); s0 is the frame pointer, 0 ends a frame chain.
 *
 * a0 = stack_top, a1 = stack_size (unused: the frame needs FRAME_SIZE +
 * FRAME_TOP_PAD bytes, far below any accepted size), a2 = entry.  Builds,
 * FRAME_TOP_PAD bytes below the 16-byte-aligned top, a frame that
 * fctx_jump/fctx_ontop restore as if the context had suspended itself:
 * resume address = the start stub below,
 * s1 = entry, s2 = stack_top (the entry's second argument), s0 = 0, frm = the caller's current rounding mode, everything
 * else zero.  Returns the frame's address.
 */
#include "frame_riscv64_lp64.h"

FCTX_FUNC_BEGIN(fctx_make)
    mv      t1, a0                      /* stack_top, for the entry */
    andi    a0, a0, -16                 /* align the top down to 16 bytes */
    sd      zero, -8(a0)                /* FRAME_TOP_PAD: see the frame */
    sd      zero, -16(a0)               /* header; keeps sp 16-aligned */
    addi    a0, a0, -(FRAME_TOP_PAD + FRAME_SIZE)  /* frame; the stub then
                                           runs with sp = top - FRAME_TOP_PAD */
    sd      zero, FRAME_S0(a0)          /* frame-pointer chain ends here */
    lla     t0, fctx_context_resume
    sd      t0, FRAME_RA(a0)            /* first resume lands in the stub */
    sd      a2, FRAME_S1(a0)            /* entry, kept in a callee-saved reg */
    sd      t1, FRAME_S2(a0)            /* stack_top: entry's 2nd argument */
    sd      zero, FRAME_S3(a0)          /* deterministic contents */
    sd      zero, FRAME_S4(a0)
    sd      zero, FRAME_S5(a0)
    sd      zero, FRAME_S6(a0)
    sd      zero, FRAME_S7(a0)
    sd      zero, FRAME_S8(a0)
    sd      zero, FRAME_S9(a0)
    sd      zero, FRAME_S10(a0)
    sd      zero, FRAME_S11(a0)
#if FCTX_SWITCH_FRM
    frrm    t0                          /* start with the creator's mode */
    sd      t0, FRAME_FRM(a0)
#else
    sd      zero, FRAME_FRM(a0)         /* slot unused */
#endif
#if defined(__riscv_flen)
    sd      zero, FRAME_FS0 + 0x00(a0)  /* fs0-fs11 = +0.0 */
    sd      zero, FRAME_FS0 + 0x08(a0)
    sd      zero, FRAME_FS0 + 0x10(a0)
    sd      zero, FRAME_FS0 + 0x18(a0)
    sd      zero, FRAME_FS0 + 0x20(a0)
    sd      zero, FRAME_FS0 + 0x28(a0)
    sd      zero, FRAME_FS0 + 0x30(a0)
    sd      zero, FRAME_FS0 + 0x38(a0)
    sd      zero, FRAME_FS0 + 0x40(a0)
    sd      zero, FRAME_FS0 + 0x48(a0)
    sd      zero, FRAME_FS0 + 0x50(a0)
    sd      zero, FRAME_FS0 + 0x58(a0)
#endif
    ret
FCTX_FUNC_END(fctx_make)

/*
 * First frame of every context.  Entered at fctx_context_resume, by
 * fctx_jump's `jr t2` (a0:a1 = transfer) or by the return of an fctx_ontop
 * function (a0:a1 = its result), with sp = top - FRAME_TOP_PAD, 16-byte
 * aligned as the ABI wants at the call below.  s0 (fp) is 0 (restored from
 * the frame fctx_make built; an ontop function preserves it), so
 * frame-pointer walks end here; the CFI marks the return address undefined
 * so unwinders and debuggers stop here.
 */
FCTX_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined ra
    nop                                 /* resumes land after this: unwinders
                                           look a return address up at addr - 1,
                                           which must be in this FDE, not in
                                           fctx_make's just before it */
fctx_context_resume:
    mv      a2, s2                      /* fctx_make's stack_top: a2 */
    jalr    s1                          /* entry(transfer, stack_top): a0:a1
                                           is already the first argument;
                                           must not return */
    call    fctx_internal_entry_returned /* hidden C handler, never returns */
    unimp                               /* not reached */
FCTX_FUNC_END(fctx_context_start)

FCTX_FILE_END
