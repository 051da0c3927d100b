# Windows (PE) tests.  Included by tests/CMakeLists.txt.
#
# The portable tests test_context.c and test_fiber.c run here too: death.h
# has a Windows implementation (tests/win/death_win.h: the test re-runs
# itself as a child process) and test_fiber.c finds the small Win32-thread
# pthread subset in tests/win/compat.  test_stack.c checks POSIX traits
# (sysconf, rlimits) and exhaustion under RLIMIT_AS; its Windows
# counterpart is tests/win/test_win_stack.c.
if(NOT WIN32)
  return()
endif()

fctx_add_test(test_context test_context.c)
fctx_add_test(test_fiber test_fiber.c)
target_include_directories(test_fiber BEFORE PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/win/compat)
fctx_add_test(test_win_stack win/test_win_stack.c)
# The TEB test reuses the register helper (GAS or MASM, cmake/FctxTargets.cmake REGS).
fctx_add_test(test_win_teb win/test_win_teb.c regs/${FCTX_TARGET_REGS})
message(STATUS "fctx tests: test_stack and test_stack_mprotect not registered on Windows "
               "(POSIX traits, rlimits, mprotect); test_win_stack covers the Windows allocators. "
               "Not tested on Windows: ENOMEM on exhaustion (no address-space limit to impose)")
