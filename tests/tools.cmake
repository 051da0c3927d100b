# Tests for users' tools (docs/tools.md): threads (ThreadSanitizer), unwinders,
# frame-pointer walks, gdb, and the ELF notes of the library's objects.
# Included by tests/CMakeLists.txt; helper files live in tests/tools/.

# ---- fibers handed between threads --------------------------------------------
if(CMAKE_USE_PTHREADS_INIT)
  fctx_add_test(test_threads test_threads.c)
else()
  message(STATUS "fctx tests: test_threads not registered (needs POSIX threads)")
endif()

# ---- raw contexts announced to ASan/TSan/valgrind by the user (docs/tools.md) ----
if(UNIX)
  fctx_add_test(test_raw_tools test_raw_tools.c)
else()
  message(STATUS "fctx tests: test_raw_tools not registered (runs its scenarios in fork()ed children)")
endif()

# ---- unwinders and frame-pointer walks inside contexts ------------------------
if(FCTX_BINARY_FORMAT STREQUAL "elf" AND CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  include(CheckIncludeFile)
  check_include_file(unwind.h FCTX_TEST_HAVE_UNWIND_H)
  check_include_file(execinfo.h FCTX_TEST_HAVE_EXECINFO_H)
  if(FCTX_TEST_HAVE_UNWIND_H)
    fctx_add_test(test_backtrace test_backtrace.c)
    if(FCTX_TEST_HAVE_EXECINFO_H)
      target_compile_definitions(test_backtrace PRIVATE FCTX_TEST_HAVE_EXECINFO)
    else()
      message(STATUS "fctx tests: test_backtrace checks _Unwind_Backtrace only (no execinfo.h: not glibc)")
    endif()
    # Unwind tables even where the target's default omits them.
    target_compile_options(test_backtrace PRIVATE -funwind-tables)
  else()
    message(STATUS "fctx tests: test_backtrace not registered (no unwind.h)")
  endif()

  # Frame-record layouts the walk knows (see the head of test_framewalk.c).
  if(FCTX_TARGET_FRAME_WALK)
    fctx_add_test(test_framewalk test_framewalk.c)
    include(CheckCCompilerFlag)
    check_c_compiler_flag(-mno-omit-leaf-frame-pointer FCTX_TEST_HAVE_NO_OMIT_LEAF_FP)
    target_compile_options(test_framewalk PRIVATE -fno-omit-frame-pointer
      $<$<BOOL:${FCTX_TEST_HAVE_NO_OMIT_LEAF_FP}>:-mno-omit-leaf-frame-pointer>)
    # The fiber case needs the library's own frames to keep the chain.
    if(CMAKE_C_FLAGS MATCHES "-fno-omit-frame-pointer")
      target_compile_definitions(test_framewalk PRIVATE FCTX_TEST_LIB_FRAME_POINTERS)
    endif()
  else()
    message(STATUS "fctx tests: test_framewalk not registered (${FCTX_TARGET}: FRAME_WALK OFF, no single frame-record layout "
                   "to walk; e.g. Arm32 gcc and Thumb differ, ppc64/s390x use back chains)")
  endif()
else()
  message(STATUS "fctx tests: test_backtrace, test_framewalk not registered "
                 "(${FCTX_BINARY_FORMAT}: unwinding there is not DWARF CFI / frame records)")
endif()

# ---- gdb ------------------------------------------------------------------------
if(CMAKE_CROSSCOMPILING)
  message(STATUS "fctx tests: test_gdb_backtrace not registered (cross build: gdb runs native binaries only)")
elseif(NOT FCTX_BINARY_FORMAT STREQUAL "elf")
  message(STATUS "fctx tests: test_gdb_backtrace not registered (not an ELF target)")
else()
  find_program(FCTX_GDB gdb)
  if(FCTX_GDB)
    fctx_add_executable(gdb_fiber tools/gdb_fiber.c)
    add_test(NAME test_gdb_backtrace
             COMMAND ${CMAKE_COMMAND} -DGDB=${FCTX_GDB} -DEXE=$<TARGET_FILE:gdb_fiber>
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/tools/gdb_backtrace.cmake)
  else()
    message(STATUS "fctx tests: test_gdb_backtrace not registered (gdb not found)")
  endif()
endif()

# ---- ELF notes of the library's objects -------------------------------------------
# (see tests/tools/check_elf_notes.cmake and docs/tools.md, "Control-flow protection")
if(FCTX_BINARY_FORMAT STREQUAL "elf")
  if(CMAKE_READELF)
    set(FCTX_TEST_READELF "${CMAKE_READELF}")
  else()
    find_program(FCTX_TEST_READELF NAMES readelf llvm-readelf)
  endif()
endif()
if(NOT FCTX_BINARY_FORMAT STREQUAL "elf")
  message(STATUS "fctx tests: test_elf_notes not registered (${FCTX_BINARY_FORMAT} objects have no ELF notes)")
elseif(NOT FCTX_TEST_READELF)
  message(STATUS "fctx tests: test_elf_notes not registered (no readelf or llvm-readelf)")
else()
  include(CheckCSourceCompiles)
  # What the C code is compiled for decides what every object must carry.
  foreach(feat IN ITEMS
      "IBT|defined(__CET__) && (__CET__ & 1)"
      "SHSTK|defined(__CET__) && (__CET__ & 2)"
      "BTI|defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT"
      "PAC|defined(__ARM_FEATURE_PAC_DEFAULT) && __ARM_FEATURE_PAC_DEFAULT")
    string(REPLACE "|" ";" feat "${feat}")
    list(GET feat 0 name)
    list(GET feat 1 cond)
    check_c_source_compiles("#if !(${cond})\n#error no\n#endif\nint main(void) { return 0; }"
                            FCTX_TEST_C_${name})
    if(FCTX_TEST_C_${name})
      set(_fctx_expect_${name} 1)
    else()
      set(_fctx_expect_${name} 0)
    endif()
  endforeach()
  file(GENERATE OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/fctx_objects_$<CONFIG>.txt"
       CONTENT "$<JOIN:$<TARGET_OBJECTS:fctx>,\n>\n")
  set(_fctx_link_args)
  if(FCTX_ARCH STREQUAL "x86_64" AND _fctx_expect_IBT AND CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    set(_fctx_link_args -DLINK_CC=${CMAKE_C_COMPILER} "-DLINK_FLAGS=${CMAKE_C_FLAGS}"
                        -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/elf_notes)
  endif()
  add_test(NAME test_elf_notes
           COMMAND ${CMAKE_COMMAND} -DREADELF=${FCTX_TEST_READELF}
                   "-DOBJECTS_FILE=${CMAKE_CURRENT_BINARY_DIR}/fctx_objects_$<CONFIG>.txt"
                   -DARCH=${FCTX_ARCH} -DEXPECT_IBT=${_fctx_expect_IBT}
                   -DEXPECT_SHSTK=${_fctx_expect_SHSTK} -DEXPECT_BTI=${_fctx_expect_BTI}
                   -DEXPECT_PAC=${_fctx_expect_PAC} ${_fctx_link_args}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_elf_notes.cmake)
endif()
