/*
 * fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
 *                                        x86-64 SysV / arm64 AAPCS64, Mach-O
 *
 * Universal builds (CMAKE_OSX_ARCHITECTURES="x86_64;arm64") compile this
 * ONE file once per slice.  The x86-64 slice assembles the same source as
 * ELF (make_x86_64_sysv_elf_gas.S; frame_x86_64_sysv.h switches to the
 * Mach-O conventions of macho_gas.h); the arm64 slice gets the arm64 code.
 */
#if defined(__aarch64__) || defined(__arm64__)
#  include "make_arm64_aapcs_macho_gas.S"
#elif defined(__x86_64__)
#  include "make_x86_64_sysv_elf_gas.S"
#else
#  error "make_x86_64_sysv_macho_gas.S: not an x86-64 or arm64 Mach-O slice"
#endif
