# test_cross_consumer: a cross build of fctx is installed to a prefix and
# consumed by a cross project through the same toolchain file, the two ways
# docs name (README, "Cross consumers"):
#   1. -DCMAKE_FIND_ROOT_PATH=<prefix>   (C consumer)
#   2. -Dfctx_DIR=<prefix>/lib/cmake/fctx (C++-only consumer)
# each built and run under the emulator; and
#   3. the toolchain file configures and builds fctx with no qemu on PATH
#      (deployment builds need only the cross compiler), saying that the
#      tests cannot run.
# Usage: cmake -DBUILD=<fctx build dir> -DSRC=<fctx source> -DWORK=<scratch>
#   -DTOOLCHAIN=<toolchain file> -DEMU=<emulator;args> -DGENERATOR=<gen>
#   -DCC=<cross C compiler> -P cross_consumer.cmake
foreach(v BUILD SRC WORK TOOLCHAIN EMU GENERATOR CC)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "cross_consumer: -D${v}= missing")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cross_consumer: ${what} failed (${rc}): ${ARGN}\n${out}${err}")
  endif()
  set(out "${out}${err}" PARENT_SCOPE)
endfunction()

run("install" ${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})
foreach(case "root;C;-DCMAKE_FIND_ROOT_PATH=${prefix}"
             "dir;CXX;-Dfctx_DIR=${prefix}/lib/cmake/fctx")
  list(GET case 0 name)
  list(GET case 1 lang)
  list(GET case 2 how)
  set(dir ${WORK}/${name})
  run("configure (${how})" ${CMAKE_COMMAND} -S ${SRC}/tests/packaging/consumer -B ${dir}
      -G ${GENERATOR} --toolchain ${TOOLCHAIN} -DMODE=package -DLANG=${lang} ${how})
  run("build (${how})" ${CMAKE_COMMAND} --build ${dir})
  run("run (${how})" ${EMU} ${dir}/consumer)
  if(NOT out MATCHES "sum of squares 1..10 = 385")
    message(FATAL_ERROR "cross_consumer: ${how}: unexpected output: ${out}")
  endif()
  message(STATUS "ok: ${lang} consumer, ${how}: ${out}")
endforeach()

# 3. No qemu: a PATH holding only the cross tools, cmake and the build tool.
get_filename_component(ccdir ${CC} DIRECTORY)
get_filename_component(ccname ${CC} NAME)
string(REGEX REPLACE "gcc$" "" tprefix "${ccname}")
file(GLOB tools "${ccdir}/${tprefix}*")
find_program(build_tool NAMES ninja make)
set(bin ${WORK}/bin)
file(MAKE_DIRECTORY ${bin})
foreach(t IN LISTS tools ITEMS ${CMAKE_COMMAND} ${build_tool})
  get_filename_component(n ${t} NAME)
  file(CREATE_LINK ${t} ${bin}/${n} SYMBOLIC)
endforeach()
run("configure without qemu" ${CMAKE_COMMAND} -E env PATH=${bin}
    ${CMAKE_COMMAND} -S ${SRC} -B ${WORK}/noqemu -G ${GENERATOR} --toolchain ${TOOLCHAIN}
    -DFCTX_BUILD_BENCH=OFF -DFCTX_BUILD_EXAMPLES=OFF)
string(REGEX REPLACE "[ \n]+" " " said "${out}")
if(NOT said MATCHES "no emulator")
  message(FATAL_ERROR "cross_consumer: a build without qemu does not say its tests cannot run:\n${out}")
endif()
run("build without qemu" ${CMAKE_COMMAND} -E env PATH=${bin} ${CMAKE_COMMAND} --build ${WORK}/noqemu
    --target fctx)
message(STATUS "ok: configured and built with no qemu on PATH")
