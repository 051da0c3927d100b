# Cross toolchain: powerpc64-linux-gnu (Debian gcc-powerpc64-linux-gnu: big-endian, ELFv1), tests under qemu-ppc64.
#   cmake --toolchain toolchains/powerpc64-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
set(CMAKE_SYSTEM_PROCESSOR ppc64)
set(FCTX_CROSS_TRIPLE powerpc64-linux-gnu)
set(FCTX_CROSS_QEMU qemu-ppc64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
