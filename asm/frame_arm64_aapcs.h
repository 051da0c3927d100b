/*
 * Saved-register frame of a suspended context, AArch64 AAPCS64 (ELF and
 * Apple arm64 Mach-O).  Shared by jump_, make_ and ontop_arm64_aapcs_gas.S,
 * which serve both object formats (format.h): the only place that knows
 * these offsets and this ABI's facts.  The offsets are plain numbers, so a
 * white-box C test may include this file too (the macros are
 * assembler-only).
 *
 * ABI facts relied on (Procedure Call Standard for the Arm 64-bit
 * Architecture, AAPCS64):
 *  - callee-saved: x19-x28, x29 (frame pointer), sp, and the low 64 bits
 *    (d8-d15) of v8-v15; the upper halves of v8-v15 and all other vector
 *    registers are the caller's business.  x30 (lr) is written by the call
 *    instruction itself; we keep it as the resume address.
 *  - FP control and status: the rule every file of this port follows
 *    (the jump_, make_ and ontop_ files refer here).
 *    AArch64 keeps the two in separate registers.
 *    FPSR holds only status: the cumulative exception flags IOC DZC OFC
 *    UFC IXC (0-4), IDC (7) and QC (27).  AAPCS64: they "are not preserved
 *    across a public interface".  They belong to the THREAD: no switch
 *    reads or writes FPSR, so a flag raised in one context is seen in the
 *    next one, and feclearexcept() in one clears it for all.
 *    FPCR holds only controls: AH/FIZ (0-1), NEP (2), the trap enables
 *    IOE DZE OFE UFE IXE (8-12) and IDE (15), FZ16 (19), RMode (22-23),
 *    FZ (24), DN (25), AHP (26).  AAPCS64 makes it a "global register":
 *    only "specific support functions" (fesetround & co) change the
 *    exception-control, rounding, flush-to-zero and AH/FIZ bits, NEP is 0
 *    at every public interface, and all other bits are reserved ("must not
 *    be modified").  So an ordinary call such as fctx_jump() returns with
 *    its caller's FPCR: each CONTEXT keeps its own (FRAME_FPCR), and
 *    fctx_make gives a new context its creator's FPCR at fctx_make time.
 *    The whole word, not a mask: FPCR has no status bit to leave out, and
 *    NEP and the reserved bits are equal in every context of a conforming
 *    program, so carrying them changes nothing.
 *    The write: jump/ontop compare the target's saved FPCR with the current
 *    one (read moments earlier to save ours) and execute `msr fpcr` only
 *    when they differ, because an FPCR write may serialise the FP pipeline;
 *    the common case (every context in the same modes) writes nothing.
 *    As FPSR is a separate register, that write cannot touch a status flag
 *    (it is "target's controls | current status" by construction).
 *    Trap enables: a trap (on the cores that implement them; most make
 *    these bits read as zero) is taken by the instruction that raises the
 *    exception, never for a flag already set in FPSR, so resuming a
 *    context whose FPCR enables a trap needs no flag clearing (unlike x87).
 *    FCTX_NO_FPU_CONTROL builds neither save nor restore FPCR (the slot
 *    stays, unused): all contexts of a thread then share its modes.
 *  - sp is 16-byte aligned at every public interface (and any time it is
 *    used to access memory).
 *  - a 2-word struct (fctx_transfer_t, 16 bytes) is returned in x0:x1 and
 *    passed as an argument in two registers (x0:x1 as the first argument):
 *    the same pair, so a new context's start stub needs no shuffling.
 *  - a frame record is {x29, x30} at [x29]; a zero x29 ends the chain.
 *  - Apple arm64 is AAPCS64 for everything a switch touches, with two
 *    rules on top: x18 is reserved for the platform (never touched here,
 *    so every context of a thread keeps the thread's x18), and x29 must
 *    always hold a valid frame-record chain (ours is the record at the
 *    bottom of the saved frame; a new context's ends with 0).  Plain arm64
 *    only: arm64e (the pointer-authentication ABI) is not supported.
 *
 * A context (fctx_t) is the address of this block on its own stack, which
 * is the stack pointer of the suspended context (16-byte aligned, because
 * the owner's sp was aligned at its call and FRAME_SIZE is a multiple of 16).
 * The block starts with the frame record {x29, x30}, so a suspended
 * context's address can itself be followed as a frame-record chain.
 *
 *   ctx + 0x00  x29 (fp)   new context: 0, ends frame-pointer walks
 *   ctx + 0x08  x30 (lr)   resume address (PAC-signed with modifier
 *                          ctx + FRAME_SIZE when built with pac-ret);
 *                          new context: fctx_context_start
 *   ctx + 0x10  x19        new context: the entry function
 *   ctx + 0x18  x20        new context: fctx_make's stack_top
 *   ctx + 0x20  x21 | x22 ... ctx + 0x58  x28   (10 registers, x19-x28)
 *   ctx + 0x60  d8  | d9
 *   ctx + 0x70  d10 | d11
 *   ctx + 0x80  d12 | d13
 *   ctx + 0x90  d14 | d15
 *   ctx + 0xa0  FPCR (8 bytes; unused with FCTX_NO_FPU_CONTROL)
 *   ctx + 0xa8  padding (keeps FRAME_SIZE a multiple of 16)
 *   ctx + 0xb0  = FRAME_SIZE: the resumed context's sp
 */
#ifndef FCTX_FRAME_ARM64_AAPCS_H
#define FCTX_FRAME_ARM64_AAPCS_H

#include "slots_arm64.h"    /* FRAME_FP ... FRAME_FPCR, FCTX_REGS */
#define FRAME_SIZE  0xb0

#ifdef __ASSEMBLER__

#if defined(__arm64e__)
#  error "arm64e (pointer authentication ABI) is not supported; build for arm64"
#endif

/*
 * Branch protection.  With -mbranch-protection=bti (or =standard) the
 * compiler defines __ARM_FEATURE_BTI_DEFAULT; every place an indirect branch
 * (br/blr) may land must then start with a compatible `bti`.  Our exported
 * functions are reached by bl, by blr through a function pointer (BTYPE 10)
 * and by the PLT's `br x17` (BTYPE 01): `bti c` accepts both.
 */
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#  define FCTX_BTI_C bti c
#  define FCTX_PROP_BTI 1  /* GNU_PROPERTY_AARCH64_FEATURE_1_BTI */
#else
#  define FCTX_BTI_C
#  define FCTX_PROP_BTI 0
#endif

/*
 * Return-address signing.  __ARM_FEATURE_PAC_DEFAULT bit 0 = A key, bit 1 =
 * B key.  The resume address is the one code pointer we keep in writable
 * memory (the context's stack), so with pac-ret we sign it like a compiled
 * function signs its spilled lr, with the stack pointer at function entry
 * (= ctx + FRAME_SIZE) as modifier, and authenticate it when resuming.
 * All of these are HINT-space instructions: NOPs on cores without PAC.
 * We use the `hint #n` spellings so that any assembler accepts them.
 */
#if defined(__ARM_FEATURE_PAC_DEFAULT) && (__ARM_FEATURE_PAC_DEFAULT & 2)
#  define FCTX_PAC_SIGN_LR  hint #27     /* pacibsp: sign x30, modifier sp */
#  define FCTX_PAC_AUTH_LR  hint #31     /* autibsp: check x30, modifier sp */
#  define FCTX_PAC_SIGN1716 hint #10     /* pacib1716: sign x17, modifier x16 */
#  define FCTX_PAC_ENABLED 1
#elif defined(__ARM_FEATURE_PAC_DEFAULT) && (__ARM_FEATURE_PAC_DEFAULT & 1)
#  define FCTX_PAC_SIGN_LR  hint #25     /* paciasp */
#  define FCTX_PAC_AUTH_LR  hint #29     /* autiasp */
#  define FCTX_PAC_SIGN1716 hint #8      /* pacia1716 */
#  define FCTX_PAC_ENABLED 1
#else
#  define FCTX_PAC_ENABLED 0
#endif
#if FCTX_PAC_ENABLED
#  define FCTX_PROP_PAC 2  /* GNU_PROPERTY_AARCH64_FEATURE_1_PAC */
/* Sign x30 at function entry; tell the unwinder x30 is now signed. */
#  define FCTX_SIGN_LR      FCTX_PAC_SIGN_LR FCTX_SEP .cfi_negate_ra_state
/* Authenticate x30 (sp must be the value it was signed with). */
#  define FCTX_AUTH_LR      FCTX_PAC_AUTH_LR FCTX_SEP .cfi_negate_ra_state
#else
#  define FCTX_PROP_PAC 0
#  define FCTX_SIGN_LR
#  define FCTX_AUTH_LR
#endif

/*
 * Object format (ELF, Mach-O): format.h.  The landing pad is `bti c`
 * under BTI.  ELF: when built with branch protection, the GNU property
 * note that tells the linker (and through it the kernel / dynamic loader)
 * this object honours BTI and/or PAC; a single object without the BTI bit
 * turns BTI off for the whole image.  Layout (ELF note): namesz, descsz,
 * type NT_GNU_PROPERTY_TYPE_0 (5), "GNU\0", then one property: pr_type
 * GNU_PROPERTY_AARCH64_FEATURE_1_AND (0xc0000000), pr_datasz 4, the
 * feature bits, padded to 8 bytes.
 */
#define FCTX_ENTRY_PAD FCTX_BTI_C
#if FCTX_PROP_BTI || FCTX_PROP_PAC
#  define FCTX_ELF_NOTES                            \
    .pushsection .note.gnu.property, "a";           \
    .p2align 3;                                     \
    .long 4;                                        \
    .long 16;                                       \
    .long 5;                                        \
    .asciz "GNU";                                   \
    .long 0xc0000000;                               \
    .long 4;                                        \
    .long (FCTX_PROP_BTI | FCTX_PROP_PAC);          \
    .long 0;                                        \
    .popsection
#else
#  define FCTX_ELF_NOTES
#endif
#include "format.h"

/*
 * CFI of jump/ontop once every register is stored (the CFA rule, sp +
 * FRAME_SIZE, is set right after the allocation): each saved register is
 * at its slot.  It stays true after the switch to the target's stack: that
 * frame has the same shape and the registers are reloaded from exactly
 * those slots, so an unwinder sees the target's suspended call instead of
 * ours.
 */
#define FCTX_CFI_FRAME_SAVED                   \
    .cfi_offset x29, FRAME_FP - FRAME_SIZE FCTX_SEP    \
    .cfi_offset x30, FRAME_LR - FRAME_SIZE FCTX_SEP    \
    .cfi_offset x19, FRAME_X19 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x20, FRAME_X19 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset x21, FRAME_X21 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x22, FRAME_X21 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset x23, FRAME_X23 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x24, FRAME_X23 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset x25, FRAME_X25 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x26, FRAME_X25 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset x27, FRAME_X27 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x28, FRAME_X27 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset d8, FRAME_D8 - FRAME_SIZE FCTX_SEP     \
    .cfi_offset d9, FRAME_D8 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset d10, FRAME_D10 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset d11, FRAME_D10 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset d12, FRAME_D12 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset d13, FRAME_D12 + 8 - FRAME_SIZE FCTX_SEP \
    .cfi_offset d14, FRAME_D14 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset d15, FRAME_D14 + 8 - FRAME_SIZE

/* CFI once the frame is popped: CFA = sp, every register holds its value. */
#define FCTX_CFI_FRAME_POPPED                              \
    .cfi_def_cfa_offset 0 FCTX_SEP                                 \
    .cfi_restore x29 FCTX_SEP .cfi_restore x30 FCTX_SEP                    \
    .cfi_restore x19 FCTX_SEP .cfi_restore x20 FCTX_SEP .cfi_restore x21 FCTX_SEP  \
    .cfi_restore x22 FCTX_SEP .cfi_restore x23 FCTX_SEP .cfi_restore x24 FCTX_SEP  \
    .cfi_restore x25 FCTX_SEP .cfi_restore x26 FCTX_SEP .cfi_restore x27 FCTX_SEP  \
    .cfi_restore x28 FCTX_SEP                                      \
    .cfi_restore d8 FCTX_SEP .cfi_restore d9 FCTX_SEP .cfi_restore d10 FCTX_SEP    \
    .cfi_restore d11 FCTX_SEP .cfi_restore d12 FCTX_SEP .cfi_restore d13 FCTX_SEP  \
    .cfi_restore d14 FCTX_SEP .cfi_restore d15

/* FCTX_SAVE_REGS: x19-x28 and d8-d15 to their slots (FCTX_LOAD_REGS, the
 * reverse, is in slots_arm64.h; Windows saves with unwind codes instead). */
#define FCTX_SAVE_REGS FCTX_REGS(stp)

/*
 * FCTX_ADR_LOCAL(reg, name): reg = address of the local label `name`,
 * position independent.  Mach-O has no relocation for `adr`, and the label
 * may lie in another atom (function), so there it is page + offset.
 */
#if FCTX_MACHO
#  define FCTX_ADR_LOCAL(reg, name)             \
    adrp    reg, FCTX_LOCAL_SYM(name)@PAGE FCTX_SEP \
    add     reg, reg, FCTX_LOCAL_SYM(name)@PAGEOFF
#else
#  define FCTX_ADR_LOCAL(reg, name) adr reg, FCTX_LOCAL_SYM(name)
#endif

#endif /* __ASSEMBLER__ */
#endif /* FCTX_FRAME_ARM64_AAPCS_H */
