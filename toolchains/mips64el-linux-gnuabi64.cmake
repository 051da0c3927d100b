# Cross toolchain: mips64el-linux-gnuabi64 (Debian gcc-mips64el-linux-gnuabi64), tests run under qemu-mips64el.
#   cmake --toolchain toolchains/mips64el-linux-gnuabi64.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR mips64)
set(CMAKE_C_COMPILER mips64el-linux-gnuabi64-gcc)
set(CMAKE_CXX_COMPILER mips64el-linux-gnuabi64-g++)
set(CMAKE_ASM_COMPILER mips64el-linux-gnuabi64-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/mips64el-linux-gnuabi64)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(FCTX_QEMU_MIPS64EL NAMES qemu-mips64el qemu-mips64el-static REQUIRED)
# qemu's default CPU for mips64el (5KEf) ignores writes to the FCSR rounding
# mode (even glibc's fesetround() has no effect there); Debian's mips64el
# baseline is MIPS64 release 2, which qemu models as MIPS64R2-generic.
set(FCTX_QEMU_CPU "MIPS64R2-generic" CACHE STRING "qemu -cpu model for running mips64el tests (empty: qemu's default)")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FCTX_QEMU_CPU)
set(CMAKE_CROSSCOMPILING_EMULATOR ${FCTX_QEMU_MIPS64EL} -L /usr/mips64el-linux-gnuabi64)
if(FCTX_QEMU_CPU)
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${FCTX_QEMU_CPU})
endif()
