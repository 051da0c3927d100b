# FctxTargets.cmake - the table of supported targets.
#
# One entry per supported combination: arch;abi;format;assembler.  The build
# then compiles asm/{jump,make,ontop}_<arch>_<abi>_<format>_<assembler>.S
# (.asm for masm).  Adding an ABI = three asm files, one toolchain file and
# one line here.
set(FCTX_SUPPORTED_TARGETS
  "x86_64_sysv_elf_gas"
  "arm_aapcs_elf_gas"
)
