# FctxDetect.cmake - find the target's architecture, ABI, binary format and
# assembler by compiling cmake/fctx_detect.c with the *target* C compiler and
# reading its predefined macros back out of the object (works when cross
# compiling and with MSVC; never looks at the host or CMAKE_SYSTEM_PROCESSOR).
#
# Results are cache variables the user may override:
#   FCTX_ARCH, FCTX_ABI, FCTX_BINARY_FORMAT, FCTX_ASSEMBLER

function(fctx_detect_target)
  if(FCTX_ARCH AND FCTX_ABI AND FCTX_BINARY_FORMAT)
    return()
  endif()
  set(dir "${CMAKE_BINARY_DIR}/CMakeFiles/fctx_detect")
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
  try_compile(ok "${dir}" SOURCES "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/fctx_detect.c"
              COPY_FILE "${dir}/detect.bin" OUTPUT_VARIABLE log)
  if(NOT ok)
    message(FATAL_ERROR "fctx: cannot compile the target probe with ${CMAKE_C_COMPILER}:\n${log}")
  endif()
  file(STRINGS "${dir}/detect.bin" info REGEX "FCTX_DETECT:[^:]*:[^:]*:[^:]*:END" LIMIT_COUNT 1)
  if(NOT info MATCHES "FCTX_DETECT:([^:]*):([^:]*):([^:]*):END")
    message(FATAL_ERROR "fctx: target probe produced no answer (${dir}/detect.bin)")
  endif()
  set(FCTX_ARCH "${CMAKE_MATCH_1}" CACHE STRING "fctx target architecture (detected)")
  set(FCTX_ABI "${CMAKE_MATCH_2}" CACHE STRING "fctx target calling convention (detected)")
  set(FCTX_BINARY_FORMAT "${CMAKE_MATCH_3}" CACHE STRING "fctx target object format (detected)")
endfunction()
