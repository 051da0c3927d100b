/*
 * Object-format conventions (ELF, Mach-O), so that one source per job and
 * ABI serves every object format its architecture is built for.  Included
 * by the ABI's frame header (frame_<arch>_<abi>.h), which defines before
 * any use:
 *  FCTX_ENTRY_PAD   the landing pad an exported function starts with
 *                   (endbr64, bti c, or nothing)
 *  FCTX_ELF_NOTES   ELF only: the GNU property note of the object, or nothing
 *
 * What a source may use:
 *  FCTX_SEP                    statement separator inside a macro
 *  FCTX_SYM(name)              the assembler symbol of C name `name`
 *  FCTX_FUNC_BEGIN/END(name)   an exported function with CFI and landing pad
 *  FCTX_LOCAL_FUNC_BEGIN(name) a file-local function with CFI, no landing
 *                              pad (closed by FCTX_FUNC_END as well)
 *  FCTX_LOCAL_LABEL(name)      a file-local label inside a function,
 *                              referred to as FCTX_LOCAL_SYM(name)
 *  FCTX_FILE_END               the per-file trailer
 *  FCTX_MACHO                  1 when assembling for Mach-O, else 0
 *
 * ELF: .type/.size give debuggers and profilers the function bounds; the
 * empty .note.GNU-stack section keeps the stack non-executable (without it
 * the linker makes the whole program's stack executable).
 * Mach-O (Apple):
 *  - C symbols carry a leading underscore: fctx_jump is _fctx_jump.
 *  - No .type/.size/.note.GNU-stack/GNU property notes (ELF only).  Hidden
 *    C functions of the library, such as fctx_internal_entry_returned, are
 *    .private_extern on the C side; nothing here needs to say so.
 *  - Labels inside a function are assembler-local (L-prefixed), so that
 *    they do not start a new atom (a piece the linker may move or strip).
 *  - Every file ends with .subsections_via_symbols, as compilers emit, so
 *    the linker may dead-strip unused functions.
 *  - On arm64 ";" starts a comment and "%%" separates statements.
 */
#ifndef FCTX_FORMAT_H
#define FCTX_FORMAT_H

#if defined(__APPLE__) && defined(__MACH__)
#  define FCTX_MACHO 1
#else
#  define FCTX_MACHO 0
#endif

#if FCTX_MACHO && (defined(__aarch64__) || defined(__arm64__))
#  define FCTX_SEP %%
#else
#  define FCTX_SEP ;
#endif

#if FCTX_MACHO
#  define FCTX_SYM(name) _##name
#  define FCTX_LOCAL_SYM(name) L##name
#  define FCTX_FUNC_TYPE(name)          /* ELF only */
#  define FCTX_FUNC_SIZE(name)
#  define FCTX_FILE_END .subsections_via_symbols
#else
#  define FCTX_SYM(name) name
#  define FCTX_LOCAL_SYM(name) name
#  define FCTX_FUNC_TYPE(name) .type name, %function FCTX_SEP
#  define FCTX_FUNC_SIZE(name) FCTX_SEP .size name, . - name
#  define FCTX_FILE_END \
    .section .note.GNU-stack, "", %progbits FCTX_SEP FCTX_ELF_NOTES
#endif

#define FCTX_LOCAL_LABEL(name) FCTX_LOCAL_SYM(name):

#define FCTX_FUNC_BEGIN(name)                \
    .text FCTX_SEP                           \
    .globl FCTX_SYM(name) FCTX_SEP           \
    FCTX_FUNC_TYPE(FCTX_SYM(name))           \
    .p2align 4 FCTX_SEP                      \
FCTX_SYM(name):                              \
    .cfi_startproc FCTX_SEP                  \
    FCTX_ENTRY_PAD

#define FCTX_LOCAL_FUNC_BEGIN(name)          \
    .text FCTX_SEP                           \
    FCTX_FUNC_TYPE(FCTX_SYM(name))           \
    .p2align 4 FCTX_SEP                      \
FCTX_SYM(name):                              \
    .cfi_startproc

#define FCTX_FUNC_END(name) \
    .cfi_endproc FCTX_FUNC_SIZE(FCTX_SYM(name))

#endif
