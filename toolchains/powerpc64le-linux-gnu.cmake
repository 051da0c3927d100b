# Cross toolchain: powerpc64le-linux-gnu (Debian gcc-powerpc64le-linux-gnu), tests under qemu-ppc64le.
#   cmake --toolchain toolchains/powerpc64le-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(FCTX_CROSS_TRIPLE powerpc64le-linux-gnu)
set(FCTX_CROSS_QEMU qemu-ppc64le)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
