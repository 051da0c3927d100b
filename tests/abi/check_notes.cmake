# Object-file hygiene of the library (test_object_notes, tests/CMakeLists.txt):
#  - every object has a .note.GNU-stack section without the X flag, so no
#    object asks for an executable stack;
#  - with -DEXPECT_BTI=ON / -DEXPECT_PAC=ON (AArch64 branch-protection
#    builds), every object carries the GNU property note with that feature:
#    a single object without it turns the protection off for the whole image.
# -DREADELF=<readelf> -DOBJECTS=<obj>|<obj>|... [-DEXPECT_BTI=ON] [-DEXPECT_PAC=ON]
string(REPLACE "|" ";" objs "${OBJECTS}")
list(LENGTH objs n)
if(n EQUAL 0)
  message(FATAL_ERROR "no objects given")
endif()
set(bad "")
foreach(o IN LISTS objs)
  get_filename_component(name "${o}" NAME)
  execute_process(COMMAND "${READELF}" -S -W "${o}" OUTPUT_VARIABLE sec RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${READELF} -S failed on ${o}")
  endif()
  # [Nr] Name Type Address Off Size ES Flg Lk Inf Al
  if(NOT sec MATCHES "\\.note\\.GNU-stack +PROGBITS +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+ +([A-Z]*) ")
    string(APPEND bad "  ${name}: no .note.GNU-stack\n")
  elseif(CMAKE_MATCH_1 MATCHES "X")
    string(APPEND bad "  ${name}: .note.GNU-stack asks for an executable stack\n")
  endif()
  if(EXPECT_BTI OR EXPECT_PAC)
    execute_process(COMMAND "${READELF}" -n "${o}" OUTPUT_VARIABLE notes RESULT_VARIABLE rc)
    if(NOT notes MATCHES "AArch64 feature: ([^\n]*)")
      string(APPEND bad "  ${name}: no AArch64 GNU property note\n")
    else()
      set(feat "${CMAKE_MATCH_1}")
      if(EXPECT_BTI AND NOT feat MATCHES "BTI")
        string(APPEND bad "  ${name}: property note lacks BTI (${feat})\n")
      endif()
      if(EXPECT_PAC AND NOT feat MATCHES "PAC")
        string(APPEND bad "  ${name}: property note lacks PAC (${feat})\n")
      endif()
    endif()
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "object notes:\n${bad}")
endif()
message(STATUS "${n} objects: .note.GNU-stack ok; BTI expected: ${EXPECT_BTI}; PAC expected: ${EXPECT_PAC}")
