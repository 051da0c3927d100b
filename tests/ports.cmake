# tests/ports.cmake - extra tests of the AArch64 (AAPCS64) and RISC-V 64
# (LP64D/LP64) ports; see docs/abi-arm.md and docs/abi-riscv.md.  Included by tests/CMakeLists.txt
# after the core tests are defined.  Every test that cannot run on this
# target is not registered, and the reason is printed here.

if(NOT (FCTX_ARCH STREQUAL "arm64" OR FCTX_ARCH STREQUAL "riscv64"))
  return()
endif()

set(_ports_dir "${CMAKE_CURRENT_SOURCE_DIR}/ports")

# FP modes and flags across switches: test_fpstate (tests/CMakeLists.txt).

# Every library object has a non-executable-stack note (and, in a
# branch-protection build, the BTI/PAC property note).
if(FCTX_BINARY_FORMAT STREQUAL "elf")
  if(NOT CMAKE_READELF)
    message(FATAL_ERROR "fctx ports: readelf not found (CMAKE_READELF); needed by test_object_notes")
  endif()
  check_c_source_compiles("#if !defined(__ARM_FEATURE_BTI_DEFAULT) || !__ARM_FEATURE_BTI_DEFAULT\n#error no\n#endif\nint main(void){return 0;}"
                          FCTX_PORTS_BTI_BUILD)
  check_c_source_compiles("#if !defined(__ARM_FEATURE_PAC_DEFAULT) || !__ARM_FEATURE_PAC_DEFAULT\n#error no\n#endif\nint main(void){return 0;}"
                          FCTX_PORTS_PAC_BUILD)
  set(_bti OFF)
  set(_pac OFF)
  if(FCTX_PORTS_BTI_BUILD)
    set(_bti ON)
  endif()
  if(FCTX_PORTS_PAC_BUILD)
    set(_pac ON)
  endif()
  add_test(NAME test_object_notes
           COMMAND ${CMAKE_COMMAND} -DREADELF=${CMAKE_READELF}
                   "-DOBJECTS=$<JOIN:$<TARGET_OBJECTS:fctx>,|>"
                   -DEXPECT_BTI=${_bti} -DEXPECT_PAC=${_pac}
                   -P ${_ports_dir}/check_notes.cmake)
endif()

# AArch64 branch protection, end to end: only meaningful when this build
# uses -mbranch-protection AND the CPU running the tests implements the
# feature (qemu -cpu max does).  FCTX_REQUIRE_BRANCH_PROTECTION_TESTS
# (set by the aarch64-bti preset) turns "not registered" into an error.
option(FCTX_REQUIRE_BRANCH_PROTECTION_TESTS
       "Fail configuration unless the AArch64 BTI and PAC tests can run" OFF)
if(FCTX_ARCH STREQUAL "arm64")
  set(_bp_defs)
  set(_bp_why)
  if(FCTX_PORTS_BTI_BUILD OR FCTX_PORTS_PAC_BUILD)
    include(CheckCSourceRuns)
    check_c_source_runs("#include <sys/auxv.h>\nint main(void){return (getauxval(AT_HWCAP2) & (1UL << 17)) ? 0 : 1;}"
                        FCTX_PORTS_CPU_HAS_BTI)  # HWCAP2_BTI
    check_c_source_runs("#include <sys/auxv.h>\nint main(void){return (getauxval(AT_HWCAP) & (1UL << 30)) ? 0 : 1;}"
                        FCTX_PORTS_CPU_HAS_PAC)  # HWCAP_PACA
  endif()
  if(NOT FCTX_PORTS_BTI_BUILD)
    list(APPEND _bp_why "BTI: not built with -mbranch-protection=bti/standard")
  elseif(NOT FCTX_PORTS_CPU_HAS_BTI)
    list(APPEND _bp_why "BTI: the CPU running the tests has no BTI (qemu: use -cpu max)")
  else()
    list(APPEND _bp_defs FCTX_TEST_BTI)
  endif()
  if(NOT FCTX_PORTS_PAC_BUILD)
    list(APPEND _bp_why "PAC: not built with -mbranch-protection=pac-ret/standard")
  elseif(NOT FCTX_PORTS_CPU_HAS_PAC)
    list(APPEND _bp_why "PAC: the CPU running the tests has no pointer authentication (qemu: use -cpu max)")
  else()
    list(APPEND _bp_defs FCTX_TEST_PAC)
  endif()
  if(_bp_why)
    list(JOIN _bp_why "; " _bp_msg)
    if(FCTX_REQUIRE_BRANCH_PROTECTION_TESTS)
      message(FATAL_ERROR "fctx ports: branch-protection tests required but cannot run: ${_bp_msg}")
    endif()
    message(STATUS "fctx ports: test_arm64_branch_protection: not checked: ${_bp_msg}")
  endif()
  if(_bp_defs)
    fctx_add_test(test_arm64_branch_protection ports/test_arm64_branch_protection.c)
    target_compile_definitions(test_arm64_branch_protection PRIVATE ${_bp_defs})
    target_include_directories(test_arm64_branch_protection PRIVATE "${PROJECT_SOURCE_DIR}/asm")
  endif()
endif()

# RISC-V: the same asm files built for the soft-float LP64 ABI and run.
# The system libraries are LP64D only, so the test is freestanding.
if(FCTX_ARCH STREQUAL "riscv64")
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU")
    message(STATUS "fctx ports: test_riscv64_lp64_softfloat not registered: needs gcc "
                   "(-march=rv64imac -mabi=lp64 -nostdlib), compiler is ${CMAKE_C_COMPILER_ID}")
  else()
    set(_lp64 -march=rv64imac -mabi=lp64)
    add_executable(test_riscv64_lp64_softfloat
      ports/test_riscv64_lp64_softfloat.c
      regs/regs_riscv64_lp64.S
      ${PROJECT_SOURCE_DIR}/asm/jump_riscv64_lp64_gas.S
      ${PROJECT_SOURCE_DIR}/asm/make_riscv64_lp64_gas.S
      ${PROJECT_SOURCE_DIR}/asm/ontop_riscv64_lp64_gas.S)
    target_include_directories(test_riscv64_lp64_softfloat PRIVATE
      "${PROJECT_SOURCE_DIR}/include" "${PROJECT_SOURCE_DIR}/asm")
    target_compile_options(test_riscv64_lp64_softfloat PRIVATE ${_lp64}
      -ffreestanding -fno-stack-protector -fno-tree-loop-distribute-patterns
      $<$<COMPILE_LANGUAGE:C>:${FCTX_WARNINGS}>)
    target_link_options(test_riscv64_lp64_softfloat PRIVATE ${_lp64} -nostdlib -static)
    set_target_properties(test_riscv64_lp64_softfloat PROPERTIES
      C_STANDARD 11 C_EXTENSIONS OFF POSITION_INDEPENDENT_CODE OFF)
    add_test(NAME test_riscv64_lp64_softfloat COMMAND test_riscv64_lp64_softfloat)
  endif()
endif()

# gdb (gdb-multiarch through qemu-user's gdb stub): backtraces end at the
# start stub, and are complete at every instruction of fctx_jump/fctx_ontop.
set(_gdb_emu "${CMAKE_CROSSCOMPILING_EMULATOR}")
list(LENGTH _gdb_emu _gdb_emu_n)
set(_gdb_emu0 "")
if(_gdb_emu_n GREATER 0)
  list(GET _gdb_emu 0 _gdb_emu0)
endif()
find_program(FCTX_GDB_MULTIARCH gdb-multiarch)
find_program(FCTX_BASH bash)
if(NOT _gdb_emu0 MATCHES "qemu-(aarch64|riscv64)")
  message(STATUS "fctx ports: test_ports_gdb_backtrace not registered (needs qemu-user as the emulator)")
elseif(FCTX_PORTS_PAC_BUILD)
  # qemu 7.2's gdb stub does not describe the pointer-authentication masks,
  # so gdb cannot strip signed return addresses: every pac-ret frame (the
  # compiler's too) unwinds to garbage.  Not an fctx property.
  message(STATUS "fctx ports: test_ports_gdb_backtrace not registered "
                 "(pac-ret build: gdb through qemu's stub cannot strip signed return addresses)")
elseif(NOT FCTX_GDB_MULTIARCH OR NOT FCTX_BASH)
  message(STATUS "fctx ports: test_ports_gdb_backtrace not registered "
                 "(gdb-multiarch not found; Debian: apt-get install gdb-multiarch)")
else()
  add_executable(gdb_ports ports/gdb_ports.c)
  target_link_libraries(gdb_ports PRIVATE fctx::fctx)
  target_compile_options(gdb_ports PRIVATE -g $<$<COMPILE_LANGUAGE:C>:${FCTX_WARNINGS}>)
  set_target_properties(gdb_ports PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
  add_test(NAME test_ports_gdb_backtrace
           COMMAND ${FCTX_BASH} ${_ports_dir}/gdb_qemu_backtrace.sh
                   ${FCTX_GDB_MULTIARCH} ${CMAKE_READELF} $<TARGET_FILE:gdb_ports>
                   ${CMAKE_CURRENT_BINARY_DIR}/ports-gdb ${_gdb_emu})
  set_tests_properties(test_ports_gdb_backtrace PROPERTIES TIMEOUT 300)
endif()
