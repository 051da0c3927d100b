# cmake -DOBJDUMP=... -DLIB=<libfctx> -P check_tail_call.cmake
#
# Checks the generated code of fctx_fiber_resume (x86-64, optimised build
# without tool hooks): it must be a *checked tail call* of fctx_jump - at most
# two instructions (the NULL test and its branch) before a jmp to fctx_jump,
# and no call.  Registered by tests/CMakeLists.txt.
execute_process(COMMAND "${OBJDUMP}" -dr --no-show-raw-insn "${LIB}"
                OUTPUT_VARIABLE dis RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objdump failed on ${LIB}")
endif()
string(REGEX MATCH "<fctx_fiber_resume>:\n([^\n]+\n)+" body "${dis}")
if(body STREQUAL "")
  message(FATAL_ERROR "fctx_fiber_resume not found in ${LIB}")
endif()
message(STATUS "generated code:\n${body}")
string(REGEX REPLACE "\n" ";" lines "${body}")
set(before 0)
set(found OFF)
foreach(l IN LISTS lines)
  if(l MATCHES "R_X86_64_|<fctx_fiber_resume>:" OR l STREQUAL "")
    continue() # relocation annotations and the header are not instructions
  endif()
  if(l MATCHES "[ \t]endbr64")
    continue() # -fcf-protection's landing pad (a no-op), not part of the check
  endif()
  if(l MATCHES "[ \t]call")
    message(FATAL_ERROR "fctx_fiber_resume makes a call instead of a tail call")
  endif()
  if(l MATCHES "[ \t]jmp[ \t]")
    # static archive: the jmp carries a relocation against fctx_jump on the
    # next line; shared library: the jmp goes to fctx_jump@plt.
    string(FIND "${body}" "${l}" pos)
    string(SUBSTRING "${body}" ${pos} 200 after)
    if(after MATCHES "^[^\n]*\n[ \t]*[0-9a-f]+:[ \t]+R_X86_64_[A-Z0-9]+[ \t]+fctx_jump[-+]" OR
       l MATCHES "<fctx_jump(@plt)?>")
      set(found ON)
      break()
    endif()
  endif()
  math(EXPR before "${before} + 1")
endforeach()
if(NOT found)
  message(FATAL_ERROR "fctx_fiber_resume has no tail jump to fctx_jump")
endif()
if(before GREATER 2)
  message(FATAL_ERROR "fctx_fiber_resume runs ${before} instructions before its tail jump (want <= 2)")
endif()
message(STATUS "fctx_fiber_resume: ${before} instructions + jmp fctx_jump (checked tail call)")
