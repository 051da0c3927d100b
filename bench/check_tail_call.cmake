# cmake -DOBJDUMP=... -DLIB=<libfctx> -P check_tail_call.cmake
#
# Checks the generated code of fctx_fiber_resume (x86-64, optimised build
# without compiled-in tool hooks): it must be a *checked tail call* of
# fctx_jump, exactly
#
#   test %rdi,%rdi            the handle test: NULL and shared handles
#   jle/jg ...                are not > 0 (src/fiber_internal.h)
#   cmpb $0x0,fctx_tools(%rip) the one byte "checked path" (tool hooks
#   je/jne ...                on, or a shared stack exists: src/hooks.h)
#   jmp fctx_jump             the tail call
#
# (an endbr64 first is allowed) and no call.  So a resume costs fctx_jump + 5
# instructions when no tool is present and no shared stack was created.
# Registered by tests/CMakeLists.txt.
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
set(seen "")
set(found OFF)
set(flag_ok OFF)
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
  # static archive: the instruction's relocation is on the next line;
  # shared library: objdump names the target in the line itself.
  string(FIND "${body}" "${l}" pos)
  string(SUBSTRING "${body}" ${pos} 200 after)
  if(l MATCHES "[ \t]jmp[ \t]")
    if(after MATCHES "^[^\n]*\n[ \t]*[0-9a-f]+:[ \t]+R_X86_64_[A-Z0-9]+[ \t]+fctx_jump[-+]" OR
       l MATCHES "<fctx_jump(@plt)?>")
      set(found ON)
      break()
    endif()
  endif()
  if(l MATCHES ":[ \t]+([a-z]+)[ \t]")
    list(APPEND seen ${CMAKE_MATCH_1})
  else()
    list(APPEND seen "?")
  endif()
  if(l MATCHES "[ \t]cmpb[ \t]+\\$0(x0)?, *[^ ]*\\(%rip\\)" AND
     (after MATCHES "^[^\n]*\n[ \t]*[0-9a-f]+:[ \t]+R_X86_64_[A-Z0-9]+[ \t]+fctx_tools[-+]" OR
      l MATCHES "<fctx_tools(\\+0x[0-9a-f]+)?>"))
    set(flag_ok ON)
  endif()
endforeach()
if(NOT found)
  message(FATAL_ERROR "fctx_fiber_resume has no tail jump to fctx_jump")
endif()
list(JOIN seen " " seen_s)
if(NOT seen_s MATCHES "^testq? j(le|g) cmpb jn?e$" OR NOT flag_ok)
  message(FATAL_ERROR "fctx_fiber_resume runs [${seen_s}] before its tail jump "
                      "(want: test, jle/jg, cmpb $0x0,fctx_tools(%rip), je/jne)")
endif()
message(STATUS "fctx_fiber_resume: ${seen_s} + jmp fctx_jump (checked tail call)")
