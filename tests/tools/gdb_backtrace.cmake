# Debugs tests/tools/gdb_fiber.c with `gdb -batch` and checks the three
# backtraces it stops for: each must show the context's frames in order and
# end at the start stub fctx_context_start, cleanly (gdb prints no warning
# about a stopped or corrupt backtrace or unreadable memory), and the program
# must then exit normally.
#   cmake -DGDB=<gdb> -DEXE=<gdb_fiber binary> -P gdb_backtrace.cmake
cmake_policy(VERSION 3.20)
foreach(v GDB EXE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "gdb_backtrace.cmake: -D${v}=... missing")
  endif()
endforeach()

set(stops stop_in_fiber probe_on_top stop_in_raw)
set(args -batch -nx -iex "set debuginfod enabled off" -ex "set pagination off"
         -ex "set width 0" -ex "set print frame-arguments none")
foreach(s IN LISTS stops)
  list(APPEND args -ex "break ${s}")
endforeach()
list(APPEND args -ex "run")
foreach(s IN LISTS stops)
  # `bt 40`: gdb says "(More stack frames follow...)" if it is longer.
  list(APPEND args -ex "echo @@BT ${s}\\n" -ex "bt 40" -ex "echo @@END\\n" -ex "continue")
endforeach()

# LeakSanitizer cannot run under ptrace (ASan builds); the rest of ASan can.
if(DEFINED ENV{ASAN_OPTIONS} AND NOT "$ENV{ASAN_OPTIONS}" STREQUAL "")
  set(ENV{ASAN_OPTIONS} "$ENV{ASAN_OPTIONS}:detect_leaks=0")
else()
  set(ENV{ASAN_OPTIONS} "detect_leaks=0")
endif()
execute_process(COMMAND "${GDB}" ${args} --args "${EXE}"
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 300)
set(all "${out}\n${err}")
message("${all}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gdb exited with ${rc}")
endif()

foreach(bad "Backtrace stopped" "Cannot access memory" "previous frame identical"
            "previous frame inner" "corrupt stack" "More stack frames follow")
  string(FIND "${all}" "${bad}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "gdb printed \"${bad}\"")
  endif()
endforeach()
if(NOT all MATCHES "exited normally")
  message(FATAL_ERROR "the program did not exit normally under gdb")
endif()

# Expected frames, in order (library frames in between are allowed: fiber_main,
# the fiber layer's switch functions, the hooks of sanitizer builds).
set(expect_stop_in_fiber stop_in_fiber stop_then_park gdb_depth3 gdb_depth2 gdb_depth1
                         gdb_fiber_entry)
set(expect_probe_on_top probe_on_top stop_then_park gdb_depth3 gdb_depth2 gdb_depth1
                        gdb_fiber_entry)
set(expect_stop_in_raw stop_in_raw gdb_depth3 gdb_depth2 gdb_depth1 gdb_raw_entry)

foreach(s IN LISTS stops)
  if(NOT all MATCHES "@@BT ${s}\n(.*)")
    message(FATAL_ERROR "no backtrace for ${s} (breakpoint not hit?)")
  endif()
  set(rest "${CMAKE_MATCH_1}")
  string(FIND "${rest}" "@@END" end)
  string(SUBSTRING "${rest}" 0 ${end} bt)
  string(REPLACE "\n" ";" lines "${bt}")
  set(frames)
  foreach(l IN LISTS lines)
    # every frame line counts, "?? ()" (no symbol: junk past the stub) too
    if(l MATCHES "^#([0-9]+) +(0x[0-9a-fA-F]+ in )?([^ (]+)")
      list(APPEND frames "${CMAKE_MATCH_3}")
    endif()
  endforeach()
  list(LENGTH frames n)
  if(n EQUAL 0)
    message(FATAL_ERROR "${s}: no frames parsed")
  endif()
  list(GET frames 0 first)
  list(GET frames -1 last)
  if(NOT first STREQUAL s)
    message(FATAL_ERROR "${s}: frame #0 is ${first}")
  endif()
  if(NOT last STREQUAL "fctx_context_start")
    message(FATAL_ERROR "${s}: the backtrace ends in ${last}, not in the start stub fctx_context_start")
  endif()
  list(FIND frames fctx_context_start stub_at)
  math(EXPR last_index "${n} - 1")
  if(NOT stub_at EQUAL last_index)
    message(FATAL_ERROR "${s}: fctx_context_start appears before the end: ${frames}")
  endif()
  set(pos 0)
  foreach(f IN LISTS expect_${s})
    list(SUBLIST frames ${pos} -1 tail)
    list(FIND tail "${f}" i)
    if(i EQUAL -1)
      message(FATAL_ERROR "${s}: ${f} missing or out of order in ${frames}")
    endif()
    math(EXPR pos "${pos} + ${i} + 1")
  endforeach()
  # The user's frames are adjacent (no junk between them).
  list(FIND frames gdb_depth3 d3)
  list(SUBLIST frames ${d3} 3 three)
  if(NOT three STREQUAL "gdb_depth3;gdb_depth2;gdb_depth1")
    message(FATAL_ERROR "${s}: gdb_depth3..1 not adjacent: ${frames}")
  endif()
  string(REPLACE ";" " <- " pretty "${frames}")
  message(STATUS "${s}: ${n} frames: ${pretty}")
endforeach()
