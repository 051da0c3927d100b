# tests/more-targets.cmake - extra tests of the i386, ppc64le (ELFv2),
# s390x and mips64el (n64) ports; see docs/more-targets.md.  Included by
# tests/CMakeLists.txt after the core tests are defined.  Every test that
# cannot run on this target is not registered, and the reason is printed.

set(_mt_arches i386 ppc64 s390x mips64)
if(NOT FCTX_ARCH IN_LIST _mt_arches OR NOT FCTX_BINARY_FORMAT STREQUAL "elf")
  return()
endif()

# With FCTX_NO_FPU_CONTROL the FP control register is shared by all
# contexts of a thread by design; the register helper then leaves those
# words out (it sees the library's define), and test_fenv_switch checks
# the sharing.
if(FCTX_NO_FPU_CONTROL)
  target_compile_definitions(test_registers PRIVATE FCTX_NO_FPU_CONTROL)
  message(STATUS "fctx more-targets: FCTX_NO_FPU_CONTROL=ON: test_registers checks no FP "
                 "control word (shared by design); test_fenv_switch checks that it is shared")
  set(_mt_shared 1)
else()
  set(_mt_shared 0)
endif()

include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_LIBRARIES m)   # glibc keeps fesetround in libm
check_c_source_compiles([=[
#include <fenv.h>
#if !defined(FE_UPWARD) || !defined(FE_DOWNWARD) || !defined(FE_TOWARDZERO)
#error no rounding modes
#endif
int main(void) { return fesetround(FE_UPWARD); }
]=] FCTX_MT_HAS_ROUNDING_MODES)
unset(CMAKE_REQUIRED_LIBRARIES)
if(FCTX_MT_HAS_ROUNDING_MODES)
  fctx_add_test(test_fenv_switch more-targets/test_fenv_switch.c)
  target_compile_definitions(test_fenv_switch PRIVATE FCTX_EXPECT_SHARED_FPU_CONTROL=${_mt_shared})
else()
  message(STATUS "fctx more-targets: test_fenv_switch not registered: <fenv.h> has no "
                 "FE_UPWARD/FE_DOWNWARD/FE_TOWARDZERO here (soft-float target?)")
endif()
