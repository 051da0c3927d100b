# 32-bit Arm (AAPCS) port tests: Arm/Thumb interworking and EHABI
# unwinding at a context's first frame.  The core suite (test_registers,
# test_context, test_unwind, ...) covers the rest on this target.
if(FCTX_ARCH STREQUAL "arm")
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
