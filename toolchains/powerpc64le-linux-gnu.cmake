# Cross toolchain: powerpc64le-linux-gnu (Debian gcc-powerpc64le-linux-gnu), tests run under qemu-ppc64le.
#   cmake --toolchain toolchains/powerpc64le-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64le-linux-gnu-g++)
set(CMAKE_ASM_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/powerpc64le-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(FCTX_QEMU_PPC64LE NAMES qemu-ppc64le qemu-ppc64le-static REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${FCTX_QEMU_PPC64LE} -L /usr/powerpc64le-linux-gnu)
