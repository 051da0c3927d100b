/*
 * Object-format conventions (ELF, Mach-O, PE/COFF), so that one source per
 * job and ABI serves every object format its architecture is built for,
 * and every port opens and closes its functions the same way.  Included by
 * the ABI's frame header (frame_<arch>_<abi>.h; for Win64 GAS, by the GAS
 * sources, since frame_x86_64_ms.h is shared with MASM), which may define
 * before including it:
 *  FCTX_FUNC_ALIGN  log2 of a function's alignment (default 4)
 *  FCTX_ENTRY_PAD   the landing pad an exported function starts with
 *                   (endbr64, endbr32, bti c; default nothing)
 *  FCTX_ELF_NOTES   ELF only: the GNU property note of the object
 *  FCTX_ELF_DESCRIPTORS  ELF only, 1: functions are called through
 *                   function descriptors (64-bit PowerPC ELFv1): a
 *                   function's symbol names its descriptor in .opd (entry
 *                   address, TOC base, environment 0) and its code starts
 *                   at the local label FCTX_CODE_SYM(name) = .L.<name>,
 *                   as gcc emits them; local functions get one too
 * and, each empty (the default) or ending in FCTX_SEP:
 *  FCTX_FUNC_PRE    right before a function's label (Thumb: .thumb_func;
 *                   MIPS: .set noreorder/nomacro)
 *  FCTX_FUNC_OPEN   right after it, before .cfi_startproc (Arm: .fnstart)
 *  FCTX_FUNC_CLOSE  before .cfi_endproc (Arm: .fnend; MIPS: .set
 *                   macro/reorder)
 *
 * What a source may use:
 *  FCTX_SEP                    statement separator inside a macro
 *  FCTX_SYM(name)              the assembler symbol of C name `name`
 *  FCTX_CODE_SYM(name)         the address of function `name`'s first
 *                              instruction (a branch target; the symbol
 *                              itself except with FCTX_ELF_DESCRIPTORS)
 *  FCTX_FUNC_BEGIN/END(name)   an exported function with its unwind info
 *                              (CFI; SEH on PE/COFF) and landing pad
 *  FCTX_LOCAL_FUNC_BEGIN(name) a file-local function with unwind info, no
 *                              landing pad (closed by FCTX_FUNC_END as well)
 *  FCTX_LOCAL_LABEL(name)      a file-local label inside a function,
 *                              referred to as FCTX_LOCAL_SYM(name)
 *  FCTX_FILE_END               the per-file trailer
 *  FCTX_MACHO, FCTX_COFF       1 when assembling for that format, else 0
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
 * PE/COFF (Windows, x64 and ARM64):
 *  - Unwinding is SEH, not DWARF: a function is a .seh_proc/.seh_endproc
 *    pair, and the source states its prologue with .seh_* directives.
 *  - .def/.scl 2/.type 32 marks an external function (without it a DLL
 *    exports the symbol as data); .scl 3 is a file-local one.
 *  - No underscore on x64/ARM64 symbols; no trailer.
 * PE/COFF on i386 (Windows, MinGW):
 *  - C symbols carry a leading underscore (cdecl decoration), as on Mach-O.
 *  - Unwind tables are DWARF CFI (.cfi_*, in .eh_frame): MinGW-w64 i686
 *    gcc unwinds C++ exceptions with DWARF-2 tables (x86 SEH has no
 *    tables: it is a chain of records on the stack).
 *  - .def marks functions as on x64; no .type/.size/.note.GNU-stack.
 */
#ifndef FCTX_FORMAT_H
#define FCTX_FORMAT_H

#if defined(__APPLE__) && defined(__MACH__)
#  define FCTX_MACHO 1
#else
#  define FCTX_MACHO 0
#endif
#if defined(_WIN32)
#  define FCTX_COFF 1
#else
#  define FCTX_COFF 0
#endif

#if FCTX_MACHO && (defined(__aarch64__) || defined(__arm64__))
#  define FCTX_SEP %%
#else
#  define FCTX_SEP ;
#endif

#ifndef FCTX_FUNC_ALIGN
#  define FCTX_FUNC_ALIGN 4
#endif
#ifndef FCTX_ENTRY_PAD
#  define FCTX_ENTRY_PAD
#endif
#ifndef FCTX_FUNC_PRE
#  define FCTX_FUNC_PRE
#endif
#ifndef FCTX_FUNC_OPEN
#  define FCTX_FUNC_OPEN
#endif
#ifndef FCTX_FUNC_CLOSE
#  define FCTX_FUNC_CLOSE
#endif
#ifndef FCTX_ELF_NOTES
#  define FCTX_ELF_NOTES
#endif
#ifndef FCTX_ELF_DESCRIPTORS
#  define FCTX_ELF_DESCRIPTORS 0
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

#if FCTX_ELF_DESCRIPTORS && !FCTX_MACHO && !FCTX_COFF
#  define FCTX_CODE_SYM(name) .L.name
/* The descriptor in .opd, then the code in .text, as gcc emits a
 * function. */
#  define FCTX_FUNC_DESCRIPTOR(name)             \
    .section .opd, "aw" FCTX_SEP                 \
    .p2align 3 FCTX_SEP                          \
name:                                            \
    .quad FCTX_CODE_SYM(name), .TOC.@tocbase, 0 FCTX_SEP \
    .text FCTX_SEP                               \
    FCTX_FUNC_TYPE(name)                         \
    .p2align FCTX_FUNC_ALIGN FCTX_SEP            \
    FCTX_FUNC_PRE                                \
FCTX_CODE_SYM(name):                             \
    FCTX_FUNC_OPEN                               \
    .cfi_startproc
#  undef FCTX_FUNC_SIZE
#  define FCTX_FUNC_SIZE(name) FCTX_SEP .size name, . - FCTX_CODE_SYM(name)
#else
#  define FCTX_CODE_SYM(name) FCTX_SYM(name)
#endif

#if FCTX_COFF && defined(__i386__)
#  undef FCTX_SYM
#  define FCTX_SYM(name) _##name
#  define FCTX_FUNC_BEGIN(name)                  \
    .text;                                       \
    .globl _##name;                              \
    .def _##name; .scl 2; .type 32; .endef;      \
    .p2align FCTX_FUNC_ALIGN;                    \
_##name:                                         \
    .cfi_startproc;                              \
    FCTX_ENTRY_PAD
#  define FCTX_LOCAL_FUNC_BEGIN(name)            \
    .text;                                       \
    .def name; .scl 3; .type 32; .endef;         \
    .p2align FCTX_FUNC_ALIGN;                    \
name:                                            \
    .cfi_startproc
#  define FCTX_FUNC_END(name) .cfi_endproc
#  undef FCTX_FILE_END
#  define FCTX_FILE_END
#elif FCTX_COFF
#  define FCTX_FUNC_BEGIN(name)                  \
    .text;                                       \
    .globl name;                                 \
    .def name; .scl 2; .type 32; .endef;         \
    .p2align FCTX_FUNC_ALIGN;                    \
    .seh_proc name;                              \
name:                                            \
    FCTX_ENTRY_PAD
#  define FCTX_LOCAL_FUNC_BEGIN(name)            \
    .text;                                       \
    .def name; .scl 3; .type 32; .endef;         \
    .p2align FCTX_FUNC_ALIGN;                    \
    .seh_proc name;                              \
name:
#  define FCTX_FUNC_END(name) .seh_endproc
#  undef FCTX_FILE_END
#  define FCTX_FILE_END
#elif FCTX_ELF_DESCRIPTORS
#  define FCTX_FUNC_BEGIN(name)                  \
    .globl name FCTX_SEP                         \
    FCTX_FUNC_DESCRIPTOR(name) FCTX_SEP          \
    FCTX_ENTRY_PAD
#  define FCTX_LOCAL_FUNC_BEGIN(name)            \
    FCTX_FUNC_DESCRIPTOR(name)
#  define FCTX_FUNC_END(name) \
    FCTX_FUNC_CLOSE .cfi_endproc FCTX_FUNC_SIZE(name)
#else
#  define FCTX_FUNC_BEGIN(name)                  \
    .text FCTX_SEP                               \
    .globl FCTX_SYM(name) FCTX_SEP               \
    FCTX_FUNC_TYPE(FCTX_SYM(name))               \
    .p2align FCTX_FUNC_ALIGN FCTX_SEP            \
    FCTX_FUNC_PRE                                \
FCTX_SYM(name):                                  \
    FCTX_FUNC_OPEN                               \
    .cfi_startproc FCTX_SEP                      \
    FCTX_ENTRY_PAD
#  define FCTX_LOCAL_FUNC_BEGIN(name)            \
    .text FCTX_SEP                               \
    FCTX_FUNC_TYPE(FCTX_SYM(name))               \
    .p2align FCTX_FUNC_ALIGN FCTX_SEP            \
    FCTX_FUNC_PRE                                \
FCTX_SYM(name):                                  \
    FCTX_FUNC_OPEN                               \
    .cfi_startproc
#  define FCTX_FUNC_END(name) \
    FCTX_FUNC_CLOSE .cfi_endproc FCTX_FUNC_SIZE(FCTX_SYM(name))
#endif

#endif
