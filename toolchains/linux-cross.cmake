# linux-cross.cmake - what every Debian cross toolchain file here shares; each
# <triple>.cmake sets these, then includes this file:
#   FCTX_CROSS_TRIPLE       the Debian triple: gcc prefix, sysroot /usr/<triple>
#   CMAKE_SYSTEM_PROCESSOR  as CMake names the processor
#   FCTX_CROSS_QEMU         the qemu-user binary (qemu-<name>) that runs tests
#   FCTX_CROSS_QEMU_CPU     optional: the default qemu -cpu model
#
# Deployment builds need only the cross compiler.  qemu runs the tests: when it
# is not installed the build still configures and builds (for deployment, or
# with -DFCTX_BUILD_TESTS=OFF), and tests/CMakeLists.txt says that they
# cannot run here.
#
# Finding an installed fctx (or anything else) for the target: the
# toolchain's sysroot /usr/<triple> is searched, plus every root given in
# CMAKE_FIND_ROOT_PATH on the command line (kept: this file appends), e.g.
#   cmake --toolchain toolchains/aarch64-linux-gnu.cmake -DCMAKE_FIND_ROOT_PATH=/opt/aarch64
# finds /opt/aarch64/lib/cmake/fctx; or name the package directly with
# -Dfctx_DIR=<prefix>/lib/cmake/fctx.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${FCTX_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${FCTX_CROSS_TRIPLE}-g++)
set(CMAKE_ASM_COMPILER ${FCTX_CROSS_TRIPLE}-gcc)
if(NOT "/usr/${FCTX_CROSS_TRIPLE}" IN_LIST CMAKE_FIND_ROOT_PATH)
  list(APPEND CMAKE_FIND_ROOT_PATH /usr/${FCTX_CROSS_TRIPLE})
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(FCTX_QEMU NAMES ${FCTX_CROSS_QEMU} ${FCTX_CROSS_QEMU}-static
             DOC "qemu-user for running the ${FCTX_CROSS_TRIPLE} tests")
set(FCTX_QEMU_CPU "${FCTX_CROSS_QEMU_CPU}" CACHE STRING
    "qemu -cpu model for running ${FCTX_CROSS_TRIPLE} tests (empty: qemu's default)")
# try_compile/try_run projects re-read this file; pass the choice on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FCTX_QEMU_CPU)
if(FCTX_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FCTX_QEMU} -L /usr/${FCTX_CROSS_TRIPLE})
  if(FCTX_QEMU_CPU)
    list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${FCTX_QEMU_CPU})
  endif()
endif()
