# 32-bit Arm (AAPCS) port tests (docs/port-arm32.md): FP environment per
# context, Arm/Thumb interworking, EHABI unwinding and gdb backtraces at a
# context's first frame.  The core suite (test_registers, test_context,
# test_unwind, ...) covers the rest on this target.
if(FCTX_ARCH STREQUAL "arm")
  # The register helper leaves out the FPSCR word when the library does not
  # switch FP modes (FCTX_NO_FPU_CONTROL: shared by design).
  if(FCTX_NO_FPU_CONTROL)
    target_compile_definitions(test_registers PRIVATE FCTX_NO_FPU_CONTROL)
  endif()

  # Rounding mode per context (or shared with FCTX_NO_FPU_CONTROL),
  # exception flags per thread: the same contract as the AArch64 and RISC-V
  # ports, checked with <fenv.h> by their test (tests/ports/test_fpu_control.c).
  include(CheckCSourceCompiles)
  check_c_source_compiles("#if !defined(__ARM_FP) && !(defined(__VFP_FP__) && !defined(__SOFTFP__))\n#error soft-float\n#endif\nint main(void){return 0;}"
                          FCTX_ARM32_HAS_VFP)
  if(NOT FCTX_ARM32_HAS_VFP)
    message(STATUS "fctx tests: test_arm32_fpu_control not registered (soft-float: no FP environment)")
  else()
    fctx_add_test(test_arm32_fpu_control ports/test_fpu_control.c)
    if(FCTX_NO_FPU_CONTROL)
      target_compile_definitions(test_arm32_fpu_control PRIVATE FCTX_EXPECT_SHARED_FPU_CONTROL=1)
    else()
      target_compile_definitions(test_arm32_fpu_control PRIVATE FCTX_EXPECT_SHARED_FPU_CONTROL=0)
    endif()
  endif()

  if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU")
    message(STATUS "fctx tests: test_arm32_interwork not registered "
                   "(needs GCC's target(\"arm\")/target(\"thumb\") function attributes)")
  else()
    fctx_add_test(test_arm32_interwork ports/test_arm32_interwork.c)
  endif()
  if(NOT CMAKE_CXX_COMPILER OR NOT UNIX)
    message(STATUS "fctx tests: test_arm32_unwind not registered (needs C++ and POSIX fork)")
  elseif(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(STATUS "fctx tests: test_arm32_unwind not registered "
                   "(needs GCC's target(\"arm\")/target(\"thumb\") function attributes)")
  else()
    fctx_add_test(test_arm32_unwind ports/test_arm32_unwind.cpp)
    # dladdr() names the frames of the backtrace: export the test's symbols.
    set_target_properties(test_arm32_unwind PROPERTIES ENABLE_EXPORTS ON)
    target_link_libraries(test_arm32_unwind PRIVATE ${CMAKE_DL_LIBS})
    set_tests_properties(test_arm32_unwind PROPERTIES TIMEOUT 120)
  endif()
endif()

# gdb backtraces through qemu-arm's gdb stub (a unix socket: no port clashes).
if(FCTX_ARCH STREQUAL "arm" AND TARGET test_arm32_unwind)
  set(_arm32_qemu "")
  set(_arm32_sysroot "")
  if(CMAKE_CROSSCOMPILING_EMULATOR)
    list(GET CMAKE_CROSSCOMPILING_EMULATOR 0 _arm32_qemu)
    list(FIND CMAKE_CROSSCOMPILING_EMULATOR "-L" _arm32_l)
    if(_arm32_l GREATER_EQUAL 0)
      math(EXPR _arm32_l "${_arm32_l} + 1")
      list(GET CMAKE_CROSSCOMPILING_EMULATOR ${_arm32_l} _arm32_sysroot)
    endif()
  endif()
  find_program(FCTX_GDB_MULTIARCH gdb-multiarch)
  find_program(FCTX_BASH bash)
  if(NOT _arm32_qemu MATCHES "qemu-arm" OR NOT _arm32_sysroot)
    message(STATUS "fctx tests: test_arm32_gdb_backtrace not registered "
                   "(needs qemu-arm -L <sysroot> as the emulator)")
  elseif(NOT FCTX_GDB_MULTIARCH OR NOT FCTX_BASH)
    message(STATUS "fctx tests: test_arm32_gdb_backtrace not registered "
                   "(gdb-multiarch not found; Debian: apt-get install gdb-multiarch)")
  else()
    add_test(NAME test_arm32_gdb_backtrace
             COMMAND ${FCTX_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/ports/arm32_gdb_backtrace.sh
                     ${_arm32_qemu} ${_arm32_sysroot} ${FCTX_GDB_MULTIARCH}
                     $<TARGET_FILE:test_arm32_unwind>
                     ${CMAKE_CURRENT_BINARY_DIR}/arm32-gdb $<TARGET_FILE_DIR:fctx>)
    set_tests_properties(test_arm32_gdb_backtrace PROPERTIES TIMEOUT 180)
  endif()
endif()
