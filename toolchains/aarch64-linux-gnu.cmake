# Cross toolchain: aarch64-linux-gnu (Debian gcc-aarch64-linux-gnu), tests run under qemu-user.
#   cmake --toolchain toolchains/aarch64-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
# Optional cache variable FCTX_QEMU_CPU selects the emulated CPU model
# (qemu -cpu <model>, e.g. "max"); empty = qemu's default.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(FCTX_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static REQUIRED)
set(FCTX_QEMU_CPU "" CACHE STRING "qemu -cpu model for running aarch64 tests (empty: qemu's default)")
# try_compile/try_run projects re-read this file; pass the choice on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FCTX_QEMU_CPU)
set(CMAKE_CROSSCOMPILING_EMULATOR ${FCTX_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
if(FCTX_QEMU_CPU)
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${FCTX_QEMU_CPU})
endif()
