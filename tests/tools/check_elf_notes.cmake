# Checks the ELF notes of the fctx library's objects against the build flags.
#   cmake -DREADELF=<readelf> -DOBJECTS_FILE=<file: one object per line>
#         -DPROPERTY_NOTE=x86|aarch64|none -DEXPECT_IBT=0|1 -DEXPECT_SHSTK=0|1
#         -DEXPECT_BTI=0|1 -DEXPECT_PAC=0|1
#         [-DLINK_CC=<compiler> -DLINK_FLAGS=<flags> -DWORK_DIR=<dir>]
#         -P check_elf_notes.cmake
#
# Every assembly object must have a .note.GNU-stack section that is not
# executable (otherwise the linker makes the whole program's stack
# executable).  The GNU property note (.note.gnu.property) of every object
# must match the flags the C code was compiled with (PROPERTY_NOTE: the
# target table's, cmake/FctxTargets.cmake):
#   x86: IBT iff -fcf-protection=branch|full; SHSTK on C objects iff
#           -fcf-protection=return|full, and NEVER on assembly objects: fctx's
#           switch does not switch shadow stacks (docs/tools.md), so claiming
#           SHSTK would let a loader enable it and crash.
#   aarch64: BTI iff -mbranch-protection=bti|standard, PAC iff pac-ret|standard.
# With LINK_CC (x86 with IBT expected), the objects are also linked into
# one relocatable object with -z cet-report=warning: the linker must report
# exactly the missing SHSTK property of each assembly object and nothing
# else, and the result must be marked IBT (the linker ANDs the properties).
cmake_policy(VERSION 3.20)
foreach(v READELF OBJECTS_FILE PROPERTY_NOTE EXPECT_IBT EXPECT_SHSTK EXPECT_BTI EXPECT_PAC)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_elf_notes.cmake: -D${v}=... missing")
  endif()
endforeach()

file(STRINGS "${OBJECTS_FILE}" objects)
list(LENGTH objects nobj)
if(nobj LESS 3)
  message(FATAL_ERROR "only ${nobj} objects listed in ${OBJECTS_FILE}")
endif()

function(features obj out_var)
  execute_process(COMMAND "${READELF}" -n -W "${obj}" OUTPUT_VARIABLE o ERROR_VARIABLE e
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${READELF} -n ${obj} failed: ${e}")
  endif()
  set(f "")
  if(o MATCHES "(x86|AArch64) feature: ([^\n]*)")
    string(REPLACE "," ";" f "${CMAKE_MATCH_2}")
    list(TRANSFORM f STRIP)
  endif()
  set(${out_var} "${f}" PARENT_SCOPE)
endfunction()

set(errors "")
set(nasm 0)
foreach(obj IN LISTS objects)
  get_filename_component(name "${obj}" NAME)
  set(is_asm OFF)
  if(name MATCHES "\\.(S|s|asm)\\.o(bj)?$")
    set(is_asm ON)
    math(EXPR nasm "${nasm} + 1")
    execute_process(COMMAND "${READELF}" -S -W "${obj}" OUTPUT_VARIABLE sec RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${READELF} -S ${obj} failed")
    endif()
    if(NOT sec MATCHES "\\.note\\.GNU-stack +PROGBITS +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+ +([A-Za-z]*) +[0-9]+ +[0-9]+ +[0-9]+")
      string(APPEND errors "  ${name}: no .note.GNU-stack section\n")
    elseif(CMAKE_MATCH_1 MATCHES "X")
      string(APPEND errors "  ${name}: .note.GNU-stack asks for an executable stack (flags ${CMAKE_MATCH_1})\n")
    endif()
  endif()

  features("${obj}" f)
  set(want "")
  if(PROPERTY_NOTE STREQUAL "x86")
    if(EXPECT_IBT)
      list(APPEND want IBT)
    endif()
    if(EXPECT_SHSTK AND NOT is_asm)
      list(APPEND want SHSTK)
    endif()
  elseif(PROPERTY_NOTE STREQUAL "aarch64")
    if(EXPECT_BTI)
      list(APPEND want BTI)
    endif()
    if(EXPECT_PAC)
      list(APPEND want PAC)
    endif()
  else()
    set(want "${f}") # no property note defined for this target
  endif()
  list(SORT f)
  list(SORT want)
  if(is_asm AND "SHSTK" IN_LIST f)
    string(APPEND errors "  ${name}: claims SHSTK, but fctx does not switch shadow stacks\n")
  elseif(NOT f STREQUAL want)
    string(APPEND errors "  ${name}: features [${f}], expected [${want}]\n")
  endif()
  if(is_asm)
    set(kind asm)
  else()
    set(kind C)
  endif()
  message(STATUS "${kind} ${name}: [${f}]")
endforeach()

if(nasm LESS 3)
  string(APPEND errors "  only ${nasm} assembly objects found (jump, make, ontop expected)\n")
endif()

if(DEFINED LINK_CC AND NOT errors)
  separate_arguments(flags UNIX_COMMAND "${LINK_FLAGS}")
  set(out "${WORK_DIR}/fctx_relocatable.o")
  file(MAKE_DIRECTORY "${WORK_DIR}")
  execute_process(COMMAND "${LINK_CC}" ${flags} -r -nostdlib -Wl,-z,cet-report=warning
                          -o "${out}" ${objects}
                  OUTPUT_VARIABLE lo ERROR_VARIABLE le RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "relocatable link failed:\n${lo}${le}")
  endif()
  string(REPLACE "\n" ";" lines "${lo}${le}")
  set(reported 0)
  foreach(l IN LISTS lines)
    if(l MATCHES "([^ :/]+): warning: missing (.*) propert")
      set(who "${CMAKE_MATCH_1}")
      set(what "${CMAKE_MATCH_2}")
      if(who MATCHES "\\.(S|s|asm)\\.o$" AND what STREQUAL "SHSTK")
        math(EXPR reported "${reported} + 1")
      else()
        string(APPEND errors "  linker: ${who} is missing ${what}\n")
      endif()
    endif()
  endforeach()
  if(NOT reported EQUAL nasm)
    string(APPEND errors "  linker reported ${reported} objects without SHSTK, expected the ${nasm} assembly objects:\n${lo}${le}\n")
  endif()
  features("${out}" f)
  message(STATUS "relocatable link of all objects: [${f}]; cet-report: SHSTK missing in ${reported} asm objects, nothing else")
  if(NOT "IBT" IN_LIST f OR "SHSTK" IN_LIST f)
    string(APPEND errors "  the linked objects are marked [${f}], expected IBT without SHSTK\n")
  endif()
endif()

if(errors)
  message(FATAL_ERROR "ELF notes of the fctx objects do not match the build:\n${errors}")
endif()
message(STATUS "${nobj} objects checked (${nasm} assembly): notes match the build flags")
