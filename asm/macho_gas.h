/*
 * Mach-O (Apple) assembler conventions shared by the *_macho_gas.S files;
 * the saved-frame layouts come from the ABI's frame_<arch>_<abi>.h as on
 * ELF (the macOS x86-64 and arm64 calling conventions are SysV AMD64 and
 * AAPCS64 for everything a context switch touches; see docs/more-targets.md).
 *  - C symbols carry a leading underscore: fctx_jump is _fctx_jump.
 *  - No .type/.size/.note.GNU-stack (ELF only).  Internal helpers are plain
 *    local symbols (not .globl); hidden C functions of the library, such as
 *    _fctx_internal_entry_returned, are .private_extern on the C side.
 *  - Labels that must not start a new atom (code that belongs to the
 *    function before it) are assembler-local: L-prefixed.
 *  - Every file ends with .subsections_via_symbols, as compilers emit, so
 *    the linker may dead-strip unused functions.
 */
#ifndef FCTX_MACHO_GAS_H
#define FCTX_MACHO_GAS_H

#define FCTX_SYM(name) _##name

/* Statement separator inside macros: on arm64 Darwin ";" starts a comment
 * and "%%" separates statements; x86-64 uses ";". */
#if defined(__aarch64__) || defined(__arm64__)
#  define FCTX_SEP %%
#else
#  define FCTX_SEP ;
#endif

#define FCTX_MACHO_FUNC_BEGIN(name) \
    .text FCTX_SEP                  \
    .globl FCTX_SYM(name) FCTX_SEP  \
    .p2align 4 FCTX_SEP             \
FCTX_SYM(name):                     \
    .cfi_startproc

#define FCTX_MACHO_LOCAL_FUNC_BEGIN(name) \
    .text FCTX_SEP                        \
    .p2align 4 FCTX_SEP                   \
FCTX_SYM(name):                           \
    .cfi_startproc

#define FCTX_MACHO_FUNC_END(name) \
    .cfi_endproc

#define FCTX_MACHO_FILE_END .subsections_via_symbols

/* arm64 CFI of the saved/popped switch frame (frame_arm64_aapcs.h's macros
 * use ";", a comment on Darwin arm64). */
#if defined(__aarch64__) || defined(__arm64__)
#define FCTX_MACHO_CFI_FRAME_SAVED                         \
    .cfi_offset x29, FRAME_FP - FRAME_SIZE FCTX_SEP        \
    .cfi_offset x30, FRAME_LR - FRAME_SIZE FCTX_SEP        \
    .cfi_offset x19, FRAME_X19 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset x20, FRAME_X19 + 8 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x21, FRAME_X21 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset x22, FRAME_X21 + 8 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x23, FRAME_X23 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset x24, FRAME_X23 + 8 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x25, FRAME_X25 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset x26, FRAME_X25 + 8 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset x27, FRAME_X27 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset x28, FRAME_X27 + 8 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset d8, FRAME_D8 - FRAME_SIZE FCTX_SEP         \
    .cfi_offset d9, FRAME_D8 + 8 - FRAME_SIZE FCTX_SEP     \
    .cfi_offset d10, FRAME_D10 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset d11, FRAME_D10 + 8 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset d12, FRAME_D12 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset d13, FRAME_D12 + 8 - FRAME_SIZE FCTX_SEP   \
    .cfi_offset d14, FRAME_D14 - FRAME_SIZE FCTX_SEP       \
    .cfi_offset d15, FRAME_D14 + 8 - FRAME_SIZE

#define FCTX_MACHO_CFI_FRAME_POPPED                                    \
    .cfi_def_cfa_offset 0 FCTX_SEP                                     \
    .cfi_restore x29 FCTX_SEP .cfi_restore x30 FCTX_SEP                \
    .cfi_restore x19 FCTX_SEP .cfi_restore x20 FCTX_SEP                \
    .cfi_restore x21 FCTX_SEP .cfi_restore x22 FCTX_SEP                \
    .cfi_restore x23 FCTX_SEP .cfi_restore x24 FCTX_SEP                \
    .cfi_restore x25 FCTX_SEP .cfi_restore x26 FCTX_SEP                \
    .cfi_restore x27 FCTX_SEP .cfi_restore x28 FCTX_SEP                \
    .cfi_restore d8 FCTX_SEP .cfi_restore d9 FCTX_SEP                  \
    .cfi_restore d10 FCTX_SEP .cfi_restore d11 FCTX_SEP                \
    .cfi_restore d12 FCTX_SEP .cfi_restore d13 FCTX_SEP                \
    .cfi_restore d14 FCTX_SEP .cfi_restore d15
#endif

#endif
