# Performance contracts that can be checked without timing (area: bench/,
# docs/performance.md).  Timing itself is smoke-tested by bench_smoke
# (bench/CMakeLists.txt), which never fails on numbers.
#
# fctx_fiber_resume must compile to a checked tail call of fctx_jump
# (test + branch + jmp) in optimised x86-64 builds without tool hooks.
set(_fctx_tc_skip "")
if(NOT FCTX_TARGET STREQUAL "x86_64_sysv_elf_gas")
  set(_fctx_tc_skip "checks x86-64 SysV code only")
elseif(NOT CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  set(_fctx_tc_skip "needs gcc or clang")
elseif(NOT CMAKE_OBJDUMP)
  set(_fctx_tc_skip "no objdump")
elseif(CMAKE_BUILD_TYPE STREQUAL "Debug" OR CMAKE_BUILD_TYPE STREQUAL "")
  set(_fctx_tc_skip "unoptimised build (no tail calls at -O0)")
elseif(CMAKE_C_FLAGS MATCHES "-fsanitize" OR FCTX_VALGRIND OR FCTX_SPLIT_STACK)
  set(_fctx_tc_skip "tool hooks wrap every switch")
endif()
if(_fctx_tc_skip)
  message(STATUS "fctx tests: test_resume_tail_call not registered (${_fctx_tc_skip})")
else()
  add_test(NAME test_resume_tail_call
           COMMAND ${CMAKE_COMMAND} -DOBJDUMP=${CMAKE_OBJDUMP} -DLIB=$<TARGET_FILE:fctx>
                   -P ${PROJECT_SOURCE_DIR}/bench/check_tail_call.cmake)
endif()
