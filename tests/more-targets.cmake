# tests/more-targets.cmake - extra tests of the i386, ppc64le (ELFv2),
# s390x and mips64el (n64) ports; see docs/abi-x86.md, abi-power.md, abi-s390x.md and abi-mips.md.  Included by
# tests/CMakeLists.txt after the core tests are defined.  Every test that
# cannot run on this target is not registered, and the reason is printed.

# Assemble-only check of the Mach-O (x86-64, arm64, universal) and Windows
# ARM64 ports, which cannot be linked or run here: opt in with
# FCTX_ASM_CHECK=ON (the asm-check workflow preset does); it needs clang
# and the LLVM binutils, and fails configuration if they are missing.
option(FCTX_ASM_CHECK "Register test_asm_check (Mach-O / Windows ARM64 assemble-only check)" OFF)
if(FCTX_ASM_CHECK)
  set(_mt_llvm_hints /usr/lib/llvm-14/bin /usr/lib/llvm-15/bin /usr/lib/llvm-16/bin)
  find_program(FCTX_ASM_CHECK_CLANG NAMES clang clang-14 HINTS ${_mt_llvm_hints})
  set(_mt_tools)
  foreach(_t objdump nm lipo readobj ar)
    string(TOUPPER "${_t}" _T)
    find_program(FCTX_ASM_CHECK_${_T} NAMES llvm-${_t} llvm-${_t}-14 HINTS ${_mt_llvm_hints})
    if(NOT FCTX_ASM_CHECK_${_T})
      list(APPEND _mt_tools llvm-${_t})
    endif()
  endforeach()
  if(NOT FCTX_ASM_CHECK_CLANG OR _mt_tools)
    message(FATAL_ERROR "fctx more-targets: FCTX_ASM_CHECK=ON needs clang and ${_mt_tools} "
                        "(Debian: apt-get install clang llvm)")
  endif()
  get_filename_component(_mt_llvm_bin "${FCTX_ASM_CHECK_AR}" DIRECTORY)
  add_test(NAME test_asm_check
           COMMAND ${CMAKE_COMMAND}
                   -DSRC=${PROJECT_SOURCE_DIR}
                   -DWORK=${CMAKE_CURRENT_BINARY_DIR}/asm-check
                   -DCLANG=${FCTX_ASM_CHECK_CLANG}
                   -DOBJDUMP=${FCTX_ASM_CHECK_OBJDUMP}
                   -DNM=${FCTX_ASM_CHECK_NM}
                   -DLIPO=${FCTX_ASM_CHECK_LIPO}
                   -DREADOBJ=${FCTX_ASM_CHECK_READOBJ}
                   -DLLVM_BIN=${_mt_llvm_bin}
                   -DGENERATOR=${CMAKE_GENERATOR}
                   -DMAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/more-targets/asm_check.cmake)
  set_tests_properties(test_asm_check PROPERTIES TIMEOUT 900)
  message(STATUS "fctx more-targets: test_asm_check registered (Mach-O x86-64/arm64/universal, "
                 "Windows ARM64: assembled and inspected, not linked or run)")
endif()

set(_mt_arches i386 ppc64 s390x mips64)
if(NOT FCTX_ARCH IN_LIST _mt_arches OR NOT FCTX_BINARY_FORMAT STREQUAL "elf")
  return()
endif()

# FP modes and flags across switches: test_fpstate (tests/CMakeLists.txt).

# Back-chain walks end at the start stub's zero link (ppc64 always; s390x
# code built with -mbackchain).  i386 and mips64 have no back chain (their
# frame-pointer chains end at the stub's zeroed fp: tests/test_backtrace.c).
if(FCTX_TARGET_BACK_CHAIN)
  fctx_add_test(test_backchain more-targets/test_backchain.c)
  if(FCTX_ARCH STREQUAL "s390x")
    target_compile_options(test_backchain PRIVATE -mbackchain)
  endif()
else()
  message(STATUS "fctx more-targets: test_backchain not registered: ${FCTX_TARGET} has no back chain (cmake/FctxTargets.cmake)")
endif()
