# 32-bit Arm (AAPCS) port tests (docs/abi-arm.md): FP environment per
# context, Arm/Thumb interworking, EHABI unwinding and gdb backtraces at a
# context's first frame.  The core suite (test_registers, test_context,
# test_unwind, ...) covers the rest on this target.
if(FCTX_ARCH STREQUAL "arm")
  # FP modes and flags across switches: test_fpstate (tests/CMakeLists.txt).

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
