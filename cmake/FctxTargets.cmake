# FctxTargets.cmake - the table of supported targets, one fctx_target() row
# per arch_abi_format_assembler.  The build compiles
# asm/{jump,make,ontop}_<ASM>_<assembler>.S (.asm for masm).  After
# fctx_select_target(<name>), FCTX_TARGET_<PROP> holds the selected row:
#   ASM               asm file stem <arch>_<abi>
#   FRAME             frame header in asm/
#   RESULT_IN_MEMORY  fctx_transfer_t comes back through a hidden pointer
#   BACK_CHAIN        the ABI keeps a stack back chain
#   FP_CONTROL        FP control registers each context owns
#   REGS              register-test helper in tests/regs/
#   EMULATOR          what runs the tests (qemu-<arch>, wine, none)
#   TESTED            run (tests run) or assemble (assemble-checked only)
#   FRAME_WALK        frame records a frame-pointer walk can follow through
#                     a switch (test_framewalk knows their layout)
set(FCTX_SUPPORTED_TARGETS)
set(_fctx_target_props ASM FRAME RESULT_IN_MEMORY BACK_CHAIN FP_CONTROL REGS EMULATOR TESTED FRAME_WALK)
function(fctx_target name)
  cmake_parse_arguments(PARSE_ARGV 1 R "" "ASM;FRAME;RESULT_IN_MEMORY;BACK_CHAIN;REGS;EMULATOR;TESTED;FRAME_WALK" "FP_CONTROL")
  foreach(p IN LISTS _fctx_target_props)
    if(NOT DEFINED R_${p})
      message(FATAL_ERROR "fctx_target(${name}): ${p} missing")
    endif()
    set(_FCTX_ROW_${name}_${p} "${R_${p}}" PARENT_SCOPE)
  endforeach()
  set(FCTX_SUPPORTED_TARGETS ${FCTX_SUPPORTED_TARGETS} ${name} PARENT_SCOPE)
endfunction()

fctx_target(x86_64_sysv_elf_gas   ASM x86_64_sysv   FRAME frame_x86_64_sysv.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF FP_CONTROL x87cw mxcsr REGS regs_x86_64_sysv.S       EMULATOR none          TESTED run FRAME_WALK ON)
fctx_target(x86_64_ms_pe_gas      ASM x86_64_ms     FRAME frame_x86_64_ms.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF FP_CONTROL x87cw mxcsr REGS regs_x86_64_ms_pe.S      EMULATOR wine          TESTED run FRAME_WALK OFF)
fctx_target(x86_64_ms_pe_masm     ASM x86_64_ms     FRAME frame_x86_64_ms.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF FP_CONTROL x87cw mxcsr REGS regs_x86_64_ms_pe.asm    EMULATOR wine          TESTED run FRAME_WALK OFF)
fctx_target(arm_aapcs_elf_gas     ASM arm_aapcs     FRAME frame_arm_aapcs.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF FP_CONTROL fpscr       REGS regs_arm_aapcs.S         EMULATOR qemu-arm      TESTED run FRAME_WALK OFF)
fctx_target(arm64_aapcs_elf_gas   ASM arm64_aapcs   FRAME frame_arm64_aapcs.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF FP_CONTROL fpcr        REGS regs_arm64_aapcs.S       EMULATOR qemu-aarch64  TESTED run FRAME_WALK ON)
fctx_target(riscv64_lp64_elf_gas  ASM riscv64_lp64  FRAME frame_riscv64_lp64.h  RESULT_IN_MEMORY OFF BACK_CHAIN OFF FP_CONTROL frm         REGS regs_riscv64_lp64.S      EMULATOR qemu-riscv64  TESTED run FRAME_WALK ON)
fctx_target(i386_sysv_elf_gas     ASM i386_sysv     FRAME frame_i386_sysv.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF FP_CONTROL x87cw mxcsr REGS regs_i386_sysv.S         EMULATOR qemu-i386     TESTED run FRAME_WALK ON)
fctx_target(ppc64_elfv2_elf_gas   ASM ppc64_elfv2   FRAME frame_ppc64_elfv2.h   RESULT_IN_MEMORY OFF BACK_CHAIN ON  FP_CONTROL fpscr vscr  REGS regs_ppc64_elfv2.S       EMULATOR qemu-ppc64le  TESTED run FRAME_WALK OFF)
fctx_target(s390x_sysv_elf_gas    ASM s390x_sysv    FRAME frame_s390x_sysv.h    RESULT_IN_MEMORY ON  BACK_CHAIN ON  FP_CONTROL fpc         REGS regs_s390x_sysv.S        EMULATOR qemu-s390x    TESTED run FRAME_WALK OFF)
fctx_target(mips64_n64_elf_gas    ASM mips64_n64    FRAME frame_mips64_n64.h    RESULT_IN_MEMORY OFF BACK_CHAIN OFF FP_CONTROL fcsr        REGS regs_mips64_n64.S        EMULATOR qemu-mips64el TESTED run FRAME_WALK OFF)
# Assemble-checked only (no runner here): Mach-O (a universal build works:
# each file dispatches per slice) and Windows on ARM64 (clang, GAS syntax).
fctx_target(x86_64_sysv_macho_gas ASM x86_64_sysv   FRAME frame_x86_64_sysv.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF FP_CONTROL x87cw mxcsr REGS regs_x86_64_sysv.S       EMULATOR none          TESTED assemble FRAME_WALK ON)
fctx_target(arm64_aapcs_macho_gas ASM arm64_aapcs   FRAME frame_arm64_aapcs.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF FP_CONTROL fpcr        REGS regs_arm64_aapcs.S       EMULATOR none          TESTED assemble FRAME_WALK ON)
fctx_target(arm64_ms_pe_gas       ASM arm64_ms      FRAME frame_arm64_ms.h      RESULT_IN_MEMORY OFF BACK_CHAIN OFF FP_CONTROL fpcr        REGS none                     EMULATOR none          TESTED assemble FRAME_WALK OFF)

# fctx_select_target(<name>): FCTX_TARGET_<PROP> for that row, or an error
# that lists the table.
macro(fctx_select_target _fctx_sel)
  if(NOT "${_fctx_sel}" IN_LIST FCTX_SUPPORTED_TARGETS)
    list(JOIN FCTX_SUPPORTED_TARGETS "\n    " _fctx_sup)
    message(FATAL_ERROR
      "fctx: unsupported target ${_fctx_sel}.\n"
      "  detected: arch=${FCTX_ARCH} abi=${FCTX_ABI} format=${FCTX_BINARY_FORMAT} assembler=${FCTX_ASSEMBLER}\n"
      "  supported (cmake/FctxTargets.cmake):\n    ${_fctx_sup}\n"
      "Override FCTX_ARCH/FCTX_ABI/FCTX_BINARY_FORMAT/FCTX_ASSEMBLER if detection is wrong.")
  endif()
  foreach(_fctx_p IN LISTS _fctx_target_props)
    set(FCTX_TARGET_${_fctx_p} "${_FCTX_ROW_${_fctx_sel}_${_fctx_p}}")
  endforeach()
endmacro()
