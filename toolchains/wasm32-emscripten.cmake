# Toolchain: wasm32 through Emscripten (Debian package emscripten), tests
# under node (docs/abi-wasm.md).
#   cmake --toolchain toolchains/wasm32-emscripten.cmake -S . -B build/w && cmake --build build/w && ctest --test-dir build/w
# Emscripten's own platform file does the compiler setup; this file adds:
#  - node as the test runner, with --no-experimental-fetch: node >= 18 has
#    fetch(), which emscripten 3.1.6's loader then takes for a browser and
#    fails to load the .wasm file with;
#  - C++ exceptions that can be caught (-fexceptions; Emscripten's default
#    only lets them terminate), as on every other fctx target;
#  - a heap that grows (-sALLOW_MEMORY_GROWTH=1): fiber stacks come from it,
#    and Emscripten's default is a fixed 16 MiB;
#  - NODE_PATH for emcc's own JavaScript tools when the node in use does
#    not see Debian's node modules (a node built outside Debian, e.g.
#    nodesource's, has no /usr/share/nodejs on its module path: emcc's
#    optimiser then cannot load acorn).
find_program(FCTX_NODE NAMES node nodejs REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${FCTX_NODE};--no-experimental-fetch" CACHE STRING
    "Runs the wasm test programs")

find_program(FCTX_EMCC emcc REQUIRED)
get_filename_component(_fctx_emcc "${FCTX_EMCC}" REALPATH)
get_filename_component(_fctx_em_root "${_fctx_emcc}" DIRECTORY)
include("${_fctx_em_root}/cmake/Modules/Platform/Emscripten.cmake")

set(CMAKE_CXX_FLAGS_INIT "-fexceptions")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fexceptions -sALLOW_MEMORY_GROWTH=1")

execute_process(COMMAND "${FCTX_NODE}" -e "require('acorn')" RESULT_VARIABLE _fctx_acorn
                OUTPUT_QUIET ERROR_QUIET)
if(NOT _fctx_acorn EQUAL 0 AND EXISTS /usr/share/nodejs/acorn)
  set(ENV{NODE_PATH} "/usr/share/nodejs")   # the configure step's own links
  foreach(_fctx_lang C CXX)
    set(CMAKE_${_fctx_lang}_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=/usr/share/nodejs")
  endforeach()
endif()
