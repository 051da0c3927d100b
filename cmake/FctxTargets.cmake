# FctxTargets.cmake - the table of supported targets, one fctx_target() row
# per arch_abi_format_assembler.  The build compiles
# asm/{jump,make,ontop}_<ASM>_<assembler>.S (.asm for masm).  After
# fctx_select_target(<name>), FCTX_TARGET_<PROP> holds the selected row:
#   FORMAT            object format: elf, macho or pe (as in the row's name)
#   ASM               asm file stem <arch>_<abi>
#   FRAME             frame header in asm/
#   RESULT_IN_MEMORY  fctx_transfer_t comes back through a hidden pointer
#   BACK_CHAIN        the ABI keeps a stack back chain: OFF, ON (all code),
#                     or the compiler flag code needs to keep it (-mbackchain)
#   FP_CONTROL        FP control registers each context owns
#   REGS              register-test helper in tests/abi/regs/
#   EMULATOR          what runs the tests (qemu-<arch>, wine, none)
#   TESTED            run (tests run) or assemble (assemble-checked only)
#   FRAME_WALK        frame records a frame-pointer walk can follow through
#                     a switch (test_framewalk knows their layout)
#   PROPERTY_NOTE     the GNU property note features objects must carry
#                     when the C code is built for them: x86 (IBT, SHSTK),
#                     aarch64 (BTI, PAC) or none (test_elf_notes)
#   ABI_TESTS         tests only this target runs, by name (none: no such
#                     test); tests/CMakeLists.txt registers them
set(FCTX_SUPPORTED_TARGETS)
set(_fctx_target_props FORMAT ASM FRAME RESULT_IN_MEMORY BACK_CHAIN FP_CONTROL REGS EMULATOR TESTED FRAME_WALK
                        PROPERTY_NOTE ABI_TESTS)
function(fctx_target name)
  cmake_parse_arguments(PARSE_ARGV 1 R "" "FORMAT;ASM;FRAME;RESULT_IN_MEMORY;BACK_CHAIN;REGS;EMULATOR;TESTED;FRAME_WALK;PROPERTY_NOTE"
                        "FP_CONTROL;ABI_TESTS")
  foreach(p IN LISTS _fctx_target_props)
    if(NOT DEFINED R_${p})
      message(FATAL_ERROR "fctx_target(${name}): ${p} missing")
    endif()
    set(_FCTX_ROW_${name}_${p} "${R_${p}}" PARENT_SCOPE)
  endforeach()
  if(R_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "fctx_target(${name}): unknown arguments ${R_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "_${R_FORMAT}_[^_]+$")
    message(FATAL_ERROR "fctx_target(${name}): FORMAT ${R_FORMAT} is not the format in the name")
  endif()
  set(FCTX_SUPPORTED_TARGETS ${FCTX_SUPPORTED_TARGETS} ${name} PARENT_SCOPE)
endfunction()

fctx_target(x86_64_sysv_elf_gas   FORMAT elf   ASM x86_64_sysv   FRAME frame_x86_64_sysv.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF        FP_CONTROL x87cw mxcsr REGS regs_x86_64_sysv.S       EMULATOR none          TESTED run      FRAME_WALK ON  PROPERTY_NOTE x86     ABI_TESTS test_resume_tail_call)
fctx_target(x86_64_ms_pe_gas      FORMAT pe    ASM x86_64_ms     FRAME frame_x86_64_ms.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF        FP_CONTROL x87cw mxcsr REGS regs_x86_64_ms_pe.S      EMULATOR wine          TESTED run      FRAME_WALK OFF PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(x86_64_ms_pe_masm     FORMAT pe    ASM x86_64_ms     FRAME frame_x86_64_ms.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF        FP_CONTROL x87cw mxcsr REGS regs_x86_64_ms_pe.asm    EMULATOR wine          TESTED run      FRAME_WALK OFF PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(arm_aapcs_elf_gas     FORMAT elf   ASM arm_aapcs     FRAME frame_arm_aapcs.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF        FP_CONTROL fpscr       REGS regs_arm_aapcs.S         EMULATOR qemu-arm      TESTED run      FRAME_WALK OFF PROPERTY_NOTE none    ABI_TESTS test_arm32_interwork test_arm32_unwind test_arm32_gdb_backtrace)
fctx_target(arm64_aapcs_elf_gas   FORMAT elf   ASM arm64_aapcs   FRAME frame_arm64_aapcs.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF        FP_CONTROL fpcr        REGS regs_arm64_aapcs.S       EMULATOR qemu-aarch64  TESTED run      FRAME_WALK ON  PROPERTY_NOTE aarch64 ABI_TESTS test_object_notes test_arm64_branch_protection test_ports_gdb_backtrace)
fctx_target(riscv64_lp64_elf_gas  FORMAT elf   ASM riscv64_lp64  FRAME frame_riscv64_lp64.h  RESULT_IN_MEMORY OFF BACK_CHAIN OFF        FP_CONTROL frm         REGS regs_riscv64_lp64.S      EMULATOR qemu-riscv64  TESTED run      FRAME_WALK ON  PROPERTY_NOTE none    ABI_TESTS test_object_notes test_riscv64_lp64_softfloat test_ports_gdb_backtrace)
fctx_target(i386_sysv_elf_gas     FORMAT elf   ASM i386_sysv     FRAME frame_i386_sysv.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF        FP_CONTROL x87cw mxcsr REGS regs_i386_sysv.S         EMULATOR qemu-i386     TESTED run      FRAME_WALK ON  PROPERTY_NOTE x86     ABI_TESTS none)
fctx_target(ppc64_elfv2_elf_gas   FORMAT elf   ASM ppc64_elfv2   FRAME frame_ppc64_elfv2.h   RESULT_IN_MEMORY OFF BACK_CHAIN ON         FP_CONTROL fpscr vscr  REGS regs_ppc64_elfv2.S       EMULATOR qemu-ppc64le  TESTED run      FRAME_WALK OFF PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(s390x_sysv_elf_gas    FORMAT elf   ASM s390x_sysv    FRAME frame_s390x_sysv.h    RESULT_IN_MEMORY ON  BACK_CHAIN -mbackchain FP_CONTROL fpc         REGS regs_s390x_sysv.S        EMULATOR qemu-s390x    TESTED run      FRAME_WALK OFF PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(mips64_n64_elf_gas    FORMAT elf   ASM mips64_n64    FRAME frame_mips64_n64.h    RESULT_IN_MEMORY OFF BACK_CHAIN OFF        FP_CONTROL fcsr        REGS regs_mips64_n64.S        EMULATOR qemu-mips64el TESTED run      FRAME_WALK OFF PROPERTY_NOTE none    ABI_TESTS none)
# Assemble-checked only (no runner here): Mach-O (a universal build works:
# each file dispatches per slice) and Windows on ARM64 (clang, GAS syntax).
fctx_target(x86_64_sysv_macho_gas FORMAT macho ASM x86_64_sysv   FRAME frame_x86_64_sysv.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF        FP_CONTROL x87cw mxcsr REGS regs_x86_64_sysv.S       EMULATOR none          TESTED assemble FRAME_WALK ON  PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(arm64_aapcs_macho_gas FORMAT macho ASM arm64_aapcs   FRAME frame_arm64_aapcs.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF        FP_CONTROL fpcr        REGS regs_arm64_aapcs.S       EMULATOR none          TESTED assemble FRAME_WALK ON  PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(arm64_ms_pe_gas       FORMAT pe    ASM arm64_ms      FRAME frame_arm64_ms.h      RESULT_IN_MEMORY OFF BACK_CHAIN OFF        FP_CONTROL fpcr        REGS none                     EMULATOR none          TESTED assemble FRAME_WALK OFF PROPERTY_NOTE none    ABI_TESTS none)

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
