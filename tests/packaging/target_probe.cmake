# test_target_probe: the target probe (cmake/FctxDetect.cmake) sees what the
# compiler really targets.  Configures the project (configure only, no build)
# with the same native x86-64 gcc/clang:
#   1. -mx32 (an ILP32 x86-64 ABI fctx has no asm for): rejected, and the
#      error names the compiler's target triple;
#   2. plain, then reconfigured in the same build directory with -m32: the
#      second configure detects i386;
#   3. -DFCTX_ARCH=i386 on an x86-64 compiler: the override wins, with a
#      warning that names what the probe found.
# Usage: cmake -DSRC=<source dir> -DWORK=<scratch dir> -DCC=<C compiler>
#              -DGENERATOR=<generator> [-DMAKE_PROGRAM=<program>] -P target_probe.cmake
foreach(v SRC WORK CC GENERATOR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "target_probe: -D${v}= missing")
  endif()
endforeach()
# Compile-only checks: no 32-bit C library needs to be installed.
set(common -G "${GENERATOR}" -DCMAKE_C_COMPILER=${CC} -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY
           -DFCTX_BUILD_TESTS=OFF -DFCTX_BUILD_BENCH=OFF -DFCTX_BUILD_EXAMPLES=OFF -DFCTX_INSTALL=OFF)
if(MAKE_PROGRAM)
  list(APPEND common -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
set(failures 0)

# configure(<name> <expect: ok|fail> <regexes> <args...>): <regexes> is a
# list; each must match the output (stdout and stderr, lines joined).
function(configure name expect regexes)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${WORK}/${name} ${common} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX REPLACE "[ \n]+" " " all "${out}${err}")  # messages wrap lines
  set(ok TRUE)
  if(expect STREQUAL "ok" AND NOT rc EQUAL 0)
    set(ok FALSE)
  elseif(expect STREQUAL "fail" AND rc EQUAL 0)
    set(ok FALSE)
  endif()
  foreach(regex IN LISTS regexes)
    if(NOT all MATCHES "${regex}")
      set(ok FALSE)
    endif()
  endforeach()
  if(ok)
    message(STATUS "ok: ${name} (${ARGN})")
  else()
    message("FAILED: ${name} (${ARGN}): expected ${expect} matching '${regexes}', got exit ${rc}:\n${out}${err}")
    math(EXPR f "${failures} + 1")
    set(failures ${f} PARENT_SCOPE)
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK})
configure(x32 fail "unsupported target unknown_unknown_elf_gas.*target triple [^ ,]+" -DCMAKE_C_FLAGS=-mx32)
configure(redetect ok "arch=x86_64 abi=sysv")
configure(redetect ok "arch=i386 abi=sysv" -DCMAKE_C_FLAGS=-m32)
configure(override ok "FCTX_ARCH=i386 overrides the target probe, which found 'x86_64';arch=i386"
          -DFCTX_ARCH=i386)
if(failures GREATER 0)
  message(FATAL_ERROR "target_probe: ${failures} case(s) failed")
endif()
