# asm_check.cmake - assemble-only check of the fctx ports that cannot run
# here (no macOS or Windows-on-ARM64 machine, no SDK, no linker for them):
# Mach-O x86-64, Mach-O arm64 (separately and as one universal build) and
# Windows ARM64 (COFF, GAS syntax).  Run as
#   cmake -DSRC=<fctx source dir> -DWORK=<scratch dir> -DCLANG=<clang>
#         -DOBJDUMP=<llvm-objdump> -DNM=<llvm-nm> -DLIPO=<llvm-lipo>
#         -DREADOBJ=<llvm-readobj> -DLLVM_BIN=<dir of llvm-ar etc.>
#         -DGENERATOR=<cmake generator> -DMAKE_PROGRAM=<its program>
#         -P asm_check.cmake
# Checks, for every target and with and without FCTX_NO_FPU_CONTROL:
#  - each jump/make/ontop file assembles with `clang -target <triple> -c`;
#  - the object format (llvm-objdump -h);
#  - the symbols (llvm-nm): exactly the exported fctx_* functions with the
#    platform's prefix ("_" on Mach-O), the start stub as a LOCAL symbol,
#    and no undefined symbol but the library's hidden C handler;
#  - the sections: code in __TEXT,__text / .text, unwind info present
#    (__eh_frame or __compact_unwind / .pdata + .xdata), no ELF-only
#    section (.note.GNU-stack & co);
#  - universal macOS: the x86-64 files assembled for an arm64 slice (and
#    vice versa) give the other architecture's code (compared by
#    disassembly), and the REAL build does it: the project is configured
#    with CMAKE_OSX_ARCHITECTURES="x86_64;arm64" and its asm objects built
#    as fat objects with both slices;
#  - Windows ARM64: the project configured for aarch64-w64-mingw32 picks
#    asm/*_arm64_ms_gas.S and builds them.
# Linking and running are impossible here: no Apple SDK/ld64 libSystem and
# no Windows ARM64 runtime.  Prints "asm-check: N checks passed" at the end.

foreach(v SRC WORK CLANG OBJDUMP NM LIPO READOBJ LLVM_BIN GENERATOR)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "asm-check: -D${v}=... is required")
  endif()
endforeach()

set(checks 0)
macro(ok)
  math(EXPR checks "${checks} + 1")
endmacro()
function(fail msg)
  message(FATAL_ERROR "asm-check: FAILED: ${msg}")
endfunction()

function(run out)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    fail("command failed (${rc}): ${cmd}\n${o}${e}")
  endif()
  set(${out} "${o}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

# nm lines "address type name" / "type name" -> lists of defined globals,
# defined locals and undefined names.
function(symbols obj globals locals undefined)
  run(out "${NM}" "${obj}")
  string(REPLACE "\n" ";" lines "${out}")
  set(g) 
  set(l)
  set(u)
  foreach(line IN LISTS lines)
    if(line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) (.+)$")
      set(t "${CMAKE_MATCH_1}")
      set(n "${CMAKE_MATCH_2}")
      if(n MATCHES "^(ltmp[0-9]+|\\$.*|\\.L.*|L.*)$")
        continue() # assembler temporaries / section symbols, not ours
      endif()
      if(t STREQUAL "U")
        list(APPEND u "${n}")
      elseif(t MATCHES "^[A-Z]$")
        list(APPEND g "${n}")
      else()
        list(APPEND l "${n}")
      endif()
    endif()
  endforeach()
  foreach(x g l u)
    list(SORT ${x})
  endforeach()
  set(${globals} "${g}" PARENT_SCOPE)
  set(${locals} "${l}" PARENT_SCOPE)
  set(${undefined} "${u}" PARENT_SCOPE)
endfunction()

# One target: triple, file stem, expected object format, symbol prefix,
# kind (macho|coff).
function(check_target triple stem format prefix kind)
  foreach(variant default nofpu)
    set(defs)
    if(variant STREQUAL "nofpu")
      set(defs -DFCTX_NO_FPU_CONTROL)
    endif()
    foreach(job jump make ontop)
      set(src "${SRC}/asm/${job}_${stem}_gas.S")
      set(obj "${WORK}/${job}_${stem}_${triple}_${variant}.o")
      run(o "${CLANG}" -target ${triple} ${defs} -I "${SRC}/asm" -c "${src}" -o "${obj}")
      run(h "${OBJDUMP}" -h "${obj}")
      if(NOT h MATCHES "file format ${format}")
        fail("${obj}: expected format '${format}', llvm-objdump says:\n${h}")
      endif()
      symbols("${obj}" g l u)
      set(want_g "${prefix}fctx_${job}")
      set(want_l)
      set(want_u)
      if(job STREQUAL "make")
        list(APPEND want_l "${prefix}fctx_context_start")
        list(APPEND want_u "${prefix}fctx_internal_entry_returned")
        if(kind STREQUAL "coff")
          list(APPEND want_g "${prefix}fctx_internal_set_stack_allocation")
          list(APPEND want_l "fctx_context_start_resume")
        endif()
      endif()
      foreach(x want_g want_l want_u)
        list(SORT ${x})
      endforeach()
      if(NOT "${g}" STREQUAL "${want_g}")
        fail("${obj}: global symbols [${g}], expected [${want_g}]")
      endif()
      if(NOT "${l}" STREQUAL "${want_l}")
        fail("${obj}: local symbols [${l}], expected [${want_l}]")
      endif()
      if(NOT "${u}" STREQUAL "${want_u}")
        fail("${obj}: undefined symbols [${u}], expected [${want_u}]")
      endif()
      if(h MATCHES "note|GNU-stack|gnu\\.property")
        fail("${obj}: has an ELF-only section:\n${h}")
      endif()
      if(kind STREQUAL "macho")
        if(NOT h MATCHES "__text")
          fail("${obj}: no __TEXT,__text section:\n${h}")
        endif()
        if(NOT h MATCHES "__eh_frame|__compact_unwind")
          fail("${obj}: no unwind information (__eh_frame/__compact_unwind):\n${h}")
        endif()
        run(m "${OBJDUMP}" --macho --private-header "${obj}")
        if(NOT m MATCHES "SUBSECTIONS_VIA_SYMBOLS")
          fail("${obj}: not marked .subsections_via_symbols")
        endif()
      else()
        foreach(sec .text .pdata .xdata)
          string(REPLACE "." "\\." re "${sec}")
          if(NOT h MATCHES " ${re} ")
            fail("${obj}: no ${sec} section:\n${h}")
          endif()
        endforeach()
        run(un "${READOBJ}" --unwind "${obj}")
        if(NOT un MATCHES "Function: ${prefix}fctx_${job}")
          fail("${obj}: no unwind entry for fctx_${job}:\n${un}")
        endif()
      endif()
      ok()
    endforeach()
  endforeach()
  set(checks ${checks} PARENT_SCOPE)
endfunction()

check_target(x86_64-apple-macos10.15 x86_64_sysv "mach-o 64-bit x86-64" "_" macho)
check_target(arm64-apple-macos11 arm64_aapcs "mach-o arm64" "_" macho)
check_target(aarch64-w64-mingw32 arm64_ms "coff-arm64" "" coff)
check_target(aarch64-pc-windows-msvc arm64_ms "coff-arm64" "" coff)

# Universal: the same source gives each slice its own architecture's code.
function(disasm obj out)
  run(d "${OBJDUMP}" -d --no-show-raw-insn "${obj}")
  string(REGEX REPLACE "^[^\n]*\n" "" d "${d}")   # drop the file-name line
  set(${out} "${d}" PARENT_SCOPE)
endfunction()
foreach(pair "x86_64_sysv;arm64-apple-macos11;arm64_aapcs"
             "arm64_aapcs;x86_64-apple-macos10.15;x86_64_sysv")
  list(GET pair 0 from)
  list(GET pair 1 triple)
  list(GET pair 2 native)
  foreach(job jump make ontop)
    set(a "${WORK}/${job}_${from}_as_${triple}.o")
    run(o "${CLANG}" -target ${triple} -I "${SRC}/asm" -c "${SRC}/asm/${job}_${from}_gas.S" -o "${a}")
    disasm("${a}" da)
    disasm("${WORK}/${job}_${native}_${triple}_default.o" dn)
    if(NOT da STREQUAL dn)
      fail("${job}_${from}_gas.S built for ${triple} differs from ${job}_${native}_gas.S")
    endif()
    ok()
  endforeach()
endforeach()

# The real builds: configure the project for those platforms (compile-only
# try_compile, no SDK) and build just the asm objects.  Sets `built` to
# the object files and `picked` to the target the project selected.
function(configure_and_build name toolchain_template target_regex obj_suffix)
  set(dir "${WORK}/${name}")
  file(MAKE_DIRECTORY "${dir}")
  string(CONFIGURE "${toolchain_template}" tc @ONLY)
  file(WRITE "${dir}/toolchain.cmake" "${tc}")
  set(mp)
  if(MAKE_PROGRAM)
    set(mp "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  run(out "${CMAKE_COMMAND}" -S "${SRC}" -B "${dir}/build" -G "${GENERATOR}" ${mp}
      "-DCMAKE_TOOLCHAIN_FILE=${dir}/toolchain.cmake" ${ARGN}
      -DFCTX_BUILD_TESTS=OFF -DFCTX_BUILD_BENCH=OFF -DFCTX_BUILD_EXAMPLES=OFF -DFCTX_INSTALL=OFF)
  if(NOT out MATCHES "-> asm/\\*_([a-z0-9_]+)\\.S")
    fail("${name}: no fctx target line in the configure output:\n${out}")
  endif()
  set(picked "${CMAKE_MATCH_1}")
  if(NOT picked MATCHES "^(${target_regex})$")
    fail("${name}: configure picked asm/*_${picked}.S, expected ${target_regex}")
  endif()
  set(objs)
  foreach(job jump make ontop)
    set(o "CMakeFiles/fctx.dir/asm/${job}_${picked}.S${obj_suffix}")
    run(b "${CMAKE_COMMAND}" --build "${dir}/build" --target "${o}")
    list(APPEND objs "${dir}/build/${o}")
  endforeach()
  set(built "${objs}" PARENT_SCOPE)
  set(picked "${picked}" PARENT_SCOPE)
endfunction()

# macOS universal: clang -arch x86_64 -arch arm64 merges the slices with
# "lipo", which llvm-lipo stands in for; the SDK is not needed to assemble.
set(lipo_dir "${WORK}/lipo-bin")
file(MAKE_DIRECTORY "${lipo_dir}" "${WORK}/no-sdk")
file(CREATE_LINK "${LIPO}" "${lipo_dir}/lipo" SYMBOLIC)
configure_and_build(macos-universal [=[
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR arm64)
set(CMAKE_C_COMPILER "@CLANG@")
set(CMAKE_C_COMPILER_TARGET arm64-apple-macos11)
set(CMAKE_ASM_COMPILER "@CLANG@")
set(CMAKE_ASM_COMPILER_TARGET arm64-apple-macos11)
set(CMAKE_OSX_SYSROOT "@WORK@/no-sdk")
set(CMAKE_C_FLAGS_INIT "-B@lipo_dir@")
set(CMAKE_ASM_FLAGS_INIT "-B@lipo_dir@")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_INSTALL_NAME_TOOL "@LLVM_BIN@/llvm-install-name-tool")
set(CMAKE_AR "@LLVM_BIN@/llvm-ar")
set(CMAKE_RANLIB "@LLVM_BIN@/llvm-ranlib")
set(CMAKE_OSX_ARCHITECTURES "x86_64;arm64" CACHE STRING "universal: both slices")
]=] "x86_64_sysv_gas|arm64_aapcs_gas" ".o")
foreach(obj IN LISTS built)
  run(archs "${LIPO}" -archs "${obj}")
  string(STRIP "${archs}" archs)
  if(NOT archs STREQUAL "x86_64 arm64")
    fail("${obj}: universal object has slices '${archs}', expected 'x86_64 arm64'")
  endif()
  get_filename_component(job "${obj}" NAME)
  string(REGEX REPLACE "_.*" "" job "${job}")
  foreach(arch x86_64 arm64)
    run(syms "${NM}" --arch=${arch} "${obj}")
    if(NOT syms MATCHES " T _fctx_${job}\n")
      fail("${obj}: slice ${arch} does not define _fctx_${job}:\n${syms}")
    endif()
  endforeach()
  run(d "${OBJDUMP}" -d --arch=arm64 "${obj}")
  if(NOT d MATCHES "x19")
    fail("${obj}: the arm64 slice does not hold arm64 switch code")
  endif()
  run(d "${OBJDUMP}" -d --arch=x86_64 "${obj}")
  if(NOT d MATCHES "%r[a-z0-9]+")
    fail("${obj}: the x86_64 slice does not hold x86-64 switch code")
  endif()
  ok()
endforeach()
message(STATUS "asm-check: macOS universal build picked asm/*_${picked}.S; fat objects hold x86_64 + arm64")

# Windows on ARM64 with clang (mingw-w64 triple).
configure_and_build(windows-arm64 [=[
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR ARM64)
set(CMAKE_C_COMPILER "@CLANG@")
set(CMAKE_C_COMPILER_TARGET aarch64-w64-mingw32)
set(CMAKE_ASM_COMPILER "@CLANG@")
set(CMAKE_ASM_COMPILER_TARGET aarch64-w64-mingw32)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_AR "@LLVM_BIN@/llvm-ar")
set(CMAKE_RANLIB "@LLVM_BIN@/llvm-ranlib")
set(CMAKE_RC_COMPILER "@LLVM_BIN@/llvm-rc")
]=] "arm64_ms_gas" ".obj")
foreach(obj IN LISTS built)
  run(f "${OBJDUMP}" -h "${obj}")
  if(NOT f MATCHES "file format coff-arm64")
    fail("${obj}: not a COFF ARM64 object:\n${f}")
  endif()
  ok()
endforeach()
message(STATUS "asm-check: Windows ARM64 build picked asm/*_${picked}.S")

message("asm-check: ${checks} checks passed (assembled and inspected; linking and "
        "running need a macOS / Windows-on-ARM64 machine)")
