# FctxTargets.cmake - the table of supported targets.
#
# One entry per supported combination: arch;abi;format;assembler.  The build
# then compiles asm/{jump,make,ontop}_<arch>_<abi>_<format>_<assembler>.S
# (.asm for masm).  Adding an ABI = three asm files, one toolchain file and
# one line here.
set(FCTX_SUPPORTED_TARGETS
  "x86_64_sysv_elf_gas"
  "x86_64_ms_pe_gas"
  "x86_64_ms_pe_masm"
  "arm_aapcs_elf_gas"
  "arm64_aapcs_elf_gas"
  "riscv64_lp64_elf_gas"
  "i386_sysv_elf_gas"
  "ppc64_elfv2_elf_gas"
  "s390x_sysv_elf_gas"
  "mips64_n64_elf_gas"
  # Assemble-checked only (no runner here): Mach-O (a universal build works:
  # each file dispatches per slice) and Windows on ARM64 (clang, GAS syntax).
  "x86_64_sysv_macho_gas"
  "arm64_aapcs_macho_gas"
  "arm64_ms_pe_gas"
)
