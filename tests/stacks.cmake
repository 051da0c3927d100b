# Stacks at scale (docs/stacks.md): pooled and arena allocators, 100,000
# guard-paged fibers, overflow diagnosis, stack usage, split stacks.
# Included by tests/CMakeLists.txt.

# The header on its own: strict C11, and C++.
fctx_add_test(test_headers_stack_ext headers_stack_ext.c)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(test_headers_stack_ext PRIVATE -std=c11 -pedantic-errors)
endif()
if(CMAKE_CXX_COMPILER)
  fctx_add_test(test_headers_stack_ext_cxx headers_stack_ext.cpp)
endif()

if(NOT UNIX)
  message(STATUS "fctx tests: test_pool, test_usage, test_million, test_overflow, test_split not "
                 "registered (they fork children and use POSIX memory APIs; arenas and overflow "
                 "diagnosis return ENOTSUP off POSIX)")
  return()
endif()

# Like fctx_add_test(), without registering: for tests run with arguments.
function(fctx_stacks_executable name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE fctx::fctx Threads::Threads m)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:C,CXX>:${FCTX_WARNINGS}>)
  set_target_properties(${name} PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
endfunction()

set(_fctx_sanitized OFF)
if("${CMAKE_C_FLAGS}" MATCHES "-fsanitize=(address|thread)")
  set(_fctx_sanitized ON)
endif()

fctx_add_test(test_pool test_pool.c)
fctx_add_test(test_usage test_usage.c)

# 100,000 parked guard-paged fibers: more than vm.max_map_count / 2.  Under an
# emulator (qemu, valgrind) 5,000: those are slow per fiber, and qemu ignores
# MADV_GUARD_INSTALL (fctx then uses the mprotect fallback, which caps the
# count).  The test itself scales down under sanitizers, saying why.
fctx_stacks_executable(test_million test_million.c)
if(CMAKE_CROSSCOMPILING_EMULATOR)
  message(STATUS "fctx tests: test_million runs 5,000 fibers, not 100,000 (emulator)")
  add_test(NAME test_million COMMAND test_million 5000)
  set_tests_properties(test_million PROPERTIES TIMEOUT 900)
else()
  add_test(NAME test_million COMMAND test_million)
endif()
# The mprotect fallback hits vm.max_map_count: ENOMEM, cleanly.
if(CMAKE_CROSSCOMPILING_EMULATOR OR _fctx_sanitized)
  message(STATUS "fctx tests: test_million_mprotect not registered (emulators and sanitizers add "
                 "mappings of their own, so the count at the vm.max_map_count limit is not ours)")
else()
  add_test(NAME test_million_mprotect COMMAND test_million --exhaust)
  set_tests_properties(test_million_mprotect PROPERTIES ENVIRONMENT FCTX_GUARD_METHOD=mprotect)
endif()

# Overflow diagnosis (children die on purpose), also with mprotect guards.
fctx_add_test(test_overflow test_overflow.c)
if(CMAKE_CROSSCOMPILING_EMULATOR)
  target_compile_definitions(test_overflow PRIVATE FCTX_TEST_EMULATED=1)
  target_compile_definitions(test_pool PRIVATE FCTX_TEST_EMULATED=1)
endif()
add_test(NAME test_overflow_mprotect COMMAND test_overflow)
set_tests_properties(test_overflow_mprotect PROPERTIES ENVIRONMENT FCTX_GUARD_METHOD=mprotect)

# Segmented stacks.  The test's own code runs on split stacks, so it is
# compiled with -fsplit-stack like the library.  Without the option, the
# same file checks the ENOTSUP contract.
if(FCTX_SPLIT_STACK)
  fctx_add_test(test_split test_split.c)
  target_compile_options(test_split PRIVATE -fsplit-stack)
  target_compile_definitions(test_split PRIVATE FCTX_TEST_SPLIT=1)
else()
  fctx_stacks_executable(test_split test_split.c)
  add_test(NAME test_split_unsupported COMMAND test_split)
endif()

# Demos (demos/, docs/stacks.md), built with the tests and run small here:
# million parks 1,000,000 guard-paged fibers by default; pool_vs_boost
# measures pooled fiber creation next to Boost.Context.
add_executable(fctx_demo_million ${PROJECT_SOURCE_DIR}/demos/million.c)
target_link_libraries(fctx_demo_million PRIVATE fctx::fctx)
target_compile_options(fctx_demo_million PRIVATE $<$<COMPILE_LANGUAGE:C>:${FCTX_WARNINGS}>)
set_target_properties(fctx_demo_million PROPERTIES OUTPUT_NAME million C_STANDARD 11
                      C_EXTENSIONS OFF RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/demos)
if(CMAKE_CROSSCOMPILING_EMULATOR OR _fctx_sanitized)
  add_test(NAME demo_million_small COMMAND fctx_demo_million 500)
else()
  add_test(NAME demo_million_small COMMAND fctx_demo_million 20000)
endif()
set_tests_properties(demo_million_small PROPERTIES TIMEOUT 900)

if(CMAKE_CXX_COMPILER AND NOT CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_package(Boost QUIET COMPONENTS context)
endif()
if(Boost_FOUND AND NOT CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR
   AND NOT _fctx_sanitized AND NOT FCTX_SPLIT_STACK) # (tests/boost.cmake may have found Boost)
  add_executable(fctx_demo_pool_vs_boost ${PROJECT_SOURCE_DIR}/demos/pool_vs_boost.cpp)
  target_link_libraries(fctx_demo_pool_vs_boost PRIVATE fctx::fctx Boost::context)
  target_compile_options(fctx_demo_pool_vs_boost PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${FCTX_WARNINGS}>)
  set_target_properties(fctx_demo_pool_vs_boost PROPERTIES OUTPUT_NAME pool_vs_boost
                        CXX_STANDARD 17 CXX_EXTENSIONS OFF
                        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/demos)
  add_test(NAME demo_pool_vs_boost_small COMMAND fctx_demo_pool_vs_boost 2000 1)
else()
  message(STATUS "fctx tests: demo pool_vs_boost not built (needs Boost.Context, a native build "
                 "without emulator, sanitizer or split stacks: Boost switches stacks unannounced)")
endif()
