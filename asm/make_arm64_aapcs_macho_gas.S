/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                                 AArch64, Mach-O, GAS
 *
 * ABI and Mach-O facts: jump_arm64_aapcs_macho_gas.S.  One file for both
 * slices of a universal build (the x86-64 slice gets the x86-64 code).
 *
 * x0 = stack_top, x1 = stack_size (unused), x2 = entry.  Builds, just below
 * the 16-byte-aligned top, a frame in the layout of frame_arm64_aapcs.h:
 * resume address = the start stub, x19 = entry, x29 = 0 (frame-record chain
 * ends), FPCR = the caller's (a new context starts in its creator's FP
 * modes: frame_arm64_aapcs.h's FP rule), everything else 0.  Returns its
 * address.
 */
#if defined(__x86_64__)
#  include "make_x86_64_sysv_gas.S"
#elif !(defined(__aarch64__) || defined(__arm64__))
#  error "make_arm64_aapcs_macho_gas.S: not an arm64 or x86-64 Mach-O slice"
#else
#if defined(__arm64e__)
#  error "arm64e (pointer authentication ABI) is not supported; build for arm64"
#endif
#include "frame_arm64_aapcs.h"
#include "macho_gas.h"

FCTX_MACHO_FUNC_BEGIN(fctx_make)
    and     x9, x0, #-16                /* align the top down to 16 bytes */
    sub     x0, x9, #FRAME_SIZE         /* frame; the stub then runs with
                                           sp = the aligned top */
    stp     x2, xzr, [x0, #FRAME_X19]   /* entry, kept in a callee-saved reg */
    stp     xzr, xzr, [x0, #FRAME_X21]  /* deterministic contents */
    stp     xzr, xzr, [x0, #FRAME_X23]
    stp     xzr, xzr, [x0, #FRAME_X25]
    stp     xzr, xzr, [x0, #FRAME_X27]
    stp     xzr, xzr, [x0, #FRAME_D8]
    stp     xzr, xzr, [x0, #FRAME_D10]
    stp     xzr, xzr, [x0, #FRAME_D12]
    stp     xzr, xzr, [x0, #FRAME_D14]
#ifndef FCTX_NO_FPU_CONTROL
    mrs     x10, fpcr                   /* start with the creator's modes */
#else
    mov     x10, xzr
#endif
    stp     x10, xzr, [x0, #FRAME_FPCR]
    /* The stub's resume label, page + offset: position independent, and
       expressible as relocations although the stub is another atom. */
    adrp    x17, Lfctx_context_resume@PAGE
    add     x17, x17, Lfctx_context_resume@PAGEOFF
    stp     xzr, x17, [x0, #FRAME_FP]   /* frame record {0, stub} */
    ret
FCTX_MACHO_FUNC_END(fctx_make)

/*
 * First frame of every context (a local symbol).  Entered at
 * Lfctx_context_resume by a `ret` (fctx_jump's, or an fctx_ontop
 * function's) with x0:x1 = transfer, sp = the aligned top, x29 = 0 and
 * x19 = entry.  The nop keeps "return address - 1" of a resume inside this
 * function's unwind range; the return address is marked undefined, so
 * unwinders stop here.  Lfctx_context_resume is assembler-local: it must
 * not split the stub into two atoms.
 */
FCTX_MACHO_LOCAL_FUNC_BEGIN(fctx_context_start)
    .cfi_undefined x30
    nop
Lfctx_context_resume:
    blr     x19                         /* entry(transfer); must not return */
    bl      FCTX_SYM(fctx_internal_entry_returned)  /* hidden, never returns */
    brk     #1                          /* not reached */
FCTX_MACHO_FUNC_END(fctx_context_start)

FCTX_MACHO_FILE_END
#endif
