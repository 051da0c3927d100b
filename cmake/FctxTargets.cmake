# FctxTargets.cmake - the one place that knows the ABIs fctx supports.
#
# fctx_abi(<arch> <abi> ...) rows: one per calling convention, the facts its
# asm and tests rely on.  Its asm files are asm/{jump,make,ontop}_<arch>_<abi>_
# <assembler>.S (.asm for masm), for every object format; a switch written
# in C (implementation c) is src/switch/<arch>_<abi>.c instead.
#   PROBE             C preprocessor condition, true exactly when the target
#                     compiler generates code for this ABI: the build's
#                     target probe is generated from these (FctxDetect.cmake)
#   FRAME             frame header in asm/
#   RESULT_IN_MEMORY  fctx_transfer_t comes back through a hidden pointer
#   BACK_CHAIN        the ABI keeps a stack back chain: OFF, ON (all code),
#                     or the compiler flag code needs to keep it (-mbackchain)
#   FP_CONTROL        FP control registers each context owns
#   FRAME_WALK        frame records a frame-pointer walk can follow through
#                     a switch (test_framewalk knows their layout)
#   LINK_OPTIONS      (optional) link options every program using the switch
#                     needs; the fctx target passes them on (INTERFACE)
#   SAVED_BELOW       (optional, default 0) bytes of a suspended context's
#                     saved state that lie below its context pointer (the
#                     frame header's save block): shared stacks copy them
#                     with the context's live bytes
#
# fctx_target(<arch>_<abi>_<format>_<impl> ...) rows: one per build the
# project supports; <format> is elf, macho, pe or wasm, <impl> the assembler
# of the asm files (gas or masm) or c (the switch is C code over the
# platform's own context API).
#   REGS              register-test helper in tests/abi/regs/ (none: no runner)
#   EMULATOR          what runs the tests (qemu-<arch>, wine, none)
#   TESTED            run (tests run) or assemble (assemble-checked only)
#   PROPERTY_NOTE     the GNU property note features objects must carry
#                     when the C code is built for them: x86 (IBT, SHSTK),
#                     aarch64 (BTI, PAC) or none (test_elf_notes)
#   ABI_TESTS         tests only this target runs, by name (none: no such
#                     test); tests/CMakeLists.txt registers them
#
# After fctx_select_target(<name>), FCTX_TARGET_<PROP> holds every property
# of the row and of its ABI, plus FCTX_TARGET_ASM (<arch>_<abi>, the asm file
# stem, or of the C switch) and FCTX_TARGET_FORMAT.  A row missing a property, or with one it
# does not know, is a configure error.
set(FCTX_SUPPORTED_ABIS)
set(FCTX_SUPPORTED_TARGETS)
set(_fctx_abi_props PROBE FRAME RESULT_IN_MEMORY BACK_CHAIN FP_CONTROL FRAME_WALK)
set(_fctx_target_props REGS EMULATOR TESTED PROPERTY_NOTE ABI_TESTS)

# _fctx_row(<kind> <name> <one-value props> <multi-value props> <args...>):
# parse a row, check it is complete, keep it as _FCTX_<kind>_<name>_<prop>.
macro(_fctx_row kind name one multi)
  cmake_parse_arguments(_R "" "${one}" "${multi}" ${ARGN})
  foreach(_p IN LISTS _fctx_${kind}_props)
    if(NOT DEFINED _R_${_p})
      message(FATAL_ERROR "fctx_${kind}(${name}): ${_p} missing")
    endif()
    set(_FCTX_${kind}_${name}_${_p} "${_R_${_p}}")
  endforeach()
  if(_R_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "fctx_${kind}(${name}): unknown arguments ${_R_UNPARSED_ARGUMENTS}")
  endif()
endmacro()

macro(fctx_abi arch abi)
  _fctx_row(abi ${arch}_${abi} "PROBE;FRAME;RESULT_IN_MEMORY;BACK_CHAIN;FRAME_WALK;SAVED_BELOW" "FP_CONTROL;LINK_OPTIONS" ${ARGN})
  set(_FCTX_abi_${arch}_${abi}_LINK_OPTIONS "${_R_LINK_OPTIONS}")
  if(NOT DEFINED _R_SAVED_BELOW)
    set(_R_SAVED_BELOW 0)
  endif()
  set(_FCTX_abi_${arch}_${abi}_SAVED_BELOW "${_R_SAVED_BELOW}")
  set(_FCTX_abi_${arch}_${abi}_ARCH ${arch})
  set(_FCTX_abi_${arch}_${abi}_ABI ${abi})
  list(APPEND FCTX_SUPPORTED_ABIS ${arch}_${abi})
endmacro()

macro(fctx_target name)
  _fctx_row(target ${name} "REGS;EMULATOR;TESTED;PROPERTY_NOTE" "ABI_TESTS" ${ARGN})
  if(NOT "${name}" MATCHES "^(.+)_(elf|macho|pe|wasm)_(gas|masm|c)$")
    message(FATAL_ERROR "fctx_target(${name}): not <arch>_<abi>_<elf|macho|pe|wasm>_<gas|masm|c>")
  endif()
  if(NOT "${CMAKE_MATCH_1}" IN_LIST FCTX_SUPPORTED_ABIS)
    message(FATAL_ERROR "fctx_target(${name}): no fctx_abi() row for ${CMAKE_MATCH_1}")
  endif()
  set(_FCTX_target_${name}_ASM "${CMAKE_MATCH_1}")
  set(_FCTX_target_${name}_FORMAT "${CMAKE_MATCH_2}")
  list(APPEND FCTX_SUPPORTED_TARGETS ${name})
endmacro()

#        arch    abi    PROBE                                                               FRAME                 RESULT_IN_MEMORY BACK_CHAIN        FP_CONTROL        FRAME_WALK
fctx_abi(x86_64  sysv   PROBE "defined(__x86_64__) && !defined(__ILP32__) && !defined(_WIN32)" FRAME frame_x86_64_sysv.h  RESULT_IN_MEMORY OFF BACK_CHAIN OFF         FP_CONTROL x87cw mxcsr FRAME_WALK ON)
fctx_abi(x86_64  ms     PROBE "(defined(__x86_64__) || defined(_M_X64)) && defined(_WIN32)"     FRAME frame_x86_64_ms.h    RESULT_IN_MEMORY ON  BACK_CHAIN OFF         FP_CONTROL x87cw mxcsr FRAME_WALK OFF)
fctx_abi(arm64   aapcs  PROBE "defined(__aarch64__) && !defined(__ILP32__) && !defined(_WIN32)" FRAME frame_arm64_aapcs.h  RESULT_IN_MEMORY OFF BACK_CHAIN OFF         FP_CONTROL fpcr        FRAME_WALK ON)
fctx_abi(arm64   ms     PROBE "(defined(__aarch64__) || defined(_M_ARM64)) && defined(_WIN32)"  FRAME frame_arm64_ms.h     RESULT_IN_MEMORY OFF BACK_CHAIN OFF         FP_CONTROL fpcr        FRAME_WALK OFF)
fctx_abi(arm     aapcs  PROBE "defined(__arm__) && !defined(_WIN32)"                            FRAME frame_arm_aapcs.h    RESULT_IN_MEMORY ON  BACK_CHAIN OFF         FP_CONTROL fpscr       FRAME_WALK OFF)
fctx_abi(riscv64 lp64   PROBE "defined(__riscv) && __riscv_xlen == 64"                          FRAME frame_riscv64_lp64.h RESULT_IN_MEMORY OFF BACK_CHAIN OFF         FP_CONTROL frm         FRAME_WALK ON)
fctx_abi(i386    sysv   PROBE "defined(__i386__) && !defined(_WIN32)"                           FRAME frame_i386_sysv.h    RESULT_IN_MEMORY ON  BACK_CHAIN OFF         FP_CONTROL x87cw mxcsr FRAME_WALK ON)
fctx_abi(i386    ms     PROBE "(defined(__i386__) || defined(_M_IX86)) && defined(_WIN32)"     FRAME frame_i386_ms.h      RESULT_IN_MEMORY OFF BACK_CHAIN OFF         FP_CONTROL x87cw mxcsr FRAME_WALK ON)
fctx_abi(ppc64   elfv2  PROBE "defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2"  FRAME frame_ppc64_elfv2.h  RESULT_IN_MEMORY OFF BACK_CHAIN ON          FP_CONTROL fpscr vscr  FRAME_WALK OFF SAVED_BELOW 544)
fctx_abi(ppc64   elfv1  PROBE "defined(__powerpc64__) && (!defined(_CALL_ELF) || _CALL_ELF == 1) && !defined(_AIX)" FRAME frame_ppc64_elfv1.h RESULT_IN_MEMORY ON BACK_CHAIN ON FP_CONTROL fpscr vscr FRAME_WALK OFF SAVED_BELOW 544)
fctx_abi(s390x   sysv   PROBE "defined(__s390x__)"                                              FRAME frame_s390x_sysv.h   RESULT_IN_MEMORY ON  BACK_CHAIN -mbackchain FP_CONTROL fpc         FRAME_WALK OFF)
fctx_abi(mips64  n64    PROBE "defined(__mips64) && defined(_ABI64) && _MIPS_SIM == _ABI64"    FRAME frame_mips64_n64.h   RESULT_IN_MEMORY OFF BACK_CHAIN OFF         FP_CONTROL fcsr        FRAME_WALK OFF)
fctx_abi(ppc     sysv   PROBE "defined(__powerpc__) && !defined(__powerpc64__) && !defined(_SOFT_FLOAT) && !defined(__NO_FPRS__) && !defined(__ALTIVEC__) && !defined(__SPE__)" FRAME frame_ppc_sysv.h RESULT_IN_MEMORY ON BACK_CHAIN ON FP_CONTROL fpscr FRAME_WALK OFF)
fctx_abi(mips    o32    PROBE "defined(__mips__) && defined(_ABIO32) && _MIPS_SIM == _ABIO32"  FRAME frame_mips_o32.h     RESULT_IN_MEMORY ON  BACK_CHAIN OFF         FP_CONTROL fcsr        FRAME_WALK OFF)
# WebAssembly has no register file or stack pointer to switch: the C switch
# sits on Emscripten's fibers (docs/abi-wasm.md), which need Asyncify; static
# data from 64 KiB up, so that small integers passed as data never equal a
# static sentinel such as FCTX_FIBER_CANCELED (native: page zero is unmapped).
fctx_abi(wasm32  emscripten PROBE "defined(__EMSCRIPTEN__) && defined(__wasm32__)"           FRAME none                 RESULT_IN_MEMORY ON  BACK_CHAIN OFF         FP_CONTROL none        FRAME_WALK OFF LINK_OPTIONS -sASYNCIFY -sGLOBAL_BASE=65536)

#           target                REGS                       EMULATOR               TESTED            PROPERTY_NOTE         ABI_TESTS
fctx_target(x86_64_sysv_elf_gas   REGS regs_x86_64_sysv.S    EMULATOR none          TESTED run      PROPERTY_NOTE x86     ABI_TESTS test_resume_tail_call test_target_probe test_sigprof_backtrace test_ports_gdb_backtrace)
fctx_target(x86_64_ms_pe_gas      REGS regs_x86_64_ms_pe.S   EMULATOR wine          TESTED run      PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(x86_64_ms_pe_masm     REGS regs_x86_64_ms_pe.asm EMULATOR wine          TESTED run      PROPERTY_NOTE none    ABI_TESTS test_masm_twin)
fctx_target(arm_aapcs_elf_gas     REGS regs_arm_aapcs.S      EMULATOR qemu-arm      TESTED run      PROPERTY_NOTE none    ABI_TESTS test_arm32_interwork test_arm32_unwind test_arm32_gdb_backtrace test_ports_gdb_backtrace)
fctx_target(arm64_aapcs_elf_gas   REGS regs_arm64_aapcs.S    EMULATOR qemu-aarch64  TESTED run      PROPERTY_NOTE aarch64 ABI_TESTS test_object_notes test_arm64_branch_protection test_ports_gdb_backtrace)
fctx_target(riscv64_lp64_elf_gas  REGS regs_riscv64_lp64.S   EMULATOR qemu-riscv64  TESTED run      PROPERTY_NOTE none    ABI_TESTS test_object_notes test_riscv64_lp64_softfloat test_ports_gdb_backtrace)
fctx_target(i386_sysv_elf_gas     REGS regs_i386_sysv.S      EMULATOR qemu-i386     TESTED run      PROPERTY_NOTE x86     ABI_TESTS test_sigprof_backtrace test_ports_gdb_backtrace)
fctx_target(i386_ms_pe_gas        REGS regs_i386_ms_pe.S     EMULATOR wine          TESTED run      PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(i386_ms_pe_masm       REGS regs_i386_ms_pe.S     EMULATOR wine          TESTED run      PROPERTY_NOTE none    ABI_TESTS test_masm_twin)
fctx_target(ppc64_elfv2_elf_gas   REGS regs_ppc64_elfv2.S    EMULATOR qemu-ppc64le  TESTED run      PROPERTY_NOTE none    ABI_TESTS test_ports_gdb_backtrace)
fctx_target(ppc64_elfv1_elf_gas   REGS regs_ppc64_elfv1.S    EMULATOR qemu-ppc64    TESTED run      PROPERTY_NOTE none    ABI_TESTS test_ports_gdb_backtrace)
fctx_target(s390x_sysv_elf_gas    REGS regs_s390x_sysv.S     EMULATOR qemu-s390x    TESTED run      PROPERTY_NOTE none    ABI_TESTS test_ports_gdb_backtrace)
fctx_target(mips64_n64_elf_gas    REGS regs_mips64_n64.S     EMULATOR qemu-mips64el TESTED run      PROPERTY_NOTE none    ABI_TESTS test_ports_gdb_backtrace)
fctx_target(ppc_sysv_elf_gas      REGS regs_ppc_sysv.S       EMULATOR qemu-ppc      TESTED run      PROPERTY_NOTE none    ABI_TESTS test_ports_gdb_backtrace)
fctx_target(mips_o32_elf_gas      REGS regs_mips_o32.S       EMULATOR qemu-mipsel   TESTED run      PROPERTY_NOTE none    ABI_TESTS test_ports_gdb_backtrace)
fctx_target(wasm32_emscripten_wasm_c REGS none               EMULATOR node          TESTED run      PROPERTY_NOTE none    ABI_TESTS none)
# Assemble-checked only (no runner here): Mach-O (a universal build works:
# each file dispatches per slice) and Windows on ARM64 (clang, GAS syntax).
fctx_target(x86_64_sysv_macho_gas REGS regs_x86_64_sysv.S    EMULATOR none          TESTED assemble PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(arm64_aapcs_macho_gas REGS regs_arm64_aapcs.S    EMULATOR none          TESTED assemble PROPERTY_NOTE none    ABI_TESTS none)
fctx_target(arm64_ms_pe_gas       REGS none                  EMULATOR none          TESTED assemble PROPERTY_NOTE none    ABI_TESTS none)

# fctx_select_target(<name>): FCTX_TARGET_<PROP> for that row, or an error
# that lists the table.
macro(fctx_select_target _fctx_sel)
  if(NOT "${_fctx_sel}" IN_LIST FCTX_SUPPORTED_TARGETS)
    list(JOIN FCTX_SUPPORTED_TARGETS "\n    " _fctx_sup)
    fctx_compiler_description(_fctx_cc)
    message(FATAL_ERROR
      "fctx: unsupported target ${_fctx_sel}.\n"
      "  detected: arch=${FCTX_ARCH} abi=${FCTX_ABI} format=${FCTX_BINARY_FORMAT} assembler=${FCTX_ASSEMBLER}\n"
      "  (\"unknown\": no fctx_abi() PROBE condition holds, e.g. an ILP32 x86-64/AArch64 build)\n"
      "  compiler: ${_fctx_cc}\n"
      "  supported (cmake/FctxTargets.cmake):\n    ${_fctx_sup}\n"
      "Override FCTX_ARCH/FCTX_ABI/FCTX_BINARY_FORMAT/FCTX_ASSEMBLER if detection is wrong.")
  endif()
  foreach(_fctx_p IN LISTS _fctx_target_props ITEMS ASM FORMAT)
    set(FCTX_TARGET_${_fctx_p} "${_FCTX_target_${_fctx_sel}_${_fctx_p}}")
  endforeach()
  foreach(_fctx_p IN LISTS _fctx_abi_props ITEMS LINK_OPTIONS SAVED_BELOW)
    set(FCTX_TARGET_${_fctx_p} "${_FCTX_abi_${FCTX_TARGET_ASM}_${_fctx_p}}")
  endforeach()
endmacro()
