# Cross toolchain: powerpc-linux-gnu (Debian gcc-powerpc-linux-gnu: 32-bit, big-endian, hard float), tests under qemu-ppc.
#   cmake --toolchain toolchains/powerpc-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
# No -cpu model is set: qemu-ppc's default 32-bit model has the hard-float
# FPU with every FPSCR control bit (RN, NI, the enables) that the port
# switches and the tests check.
set(CMAKE_SYSTEM_PROCESSOR ppc)
set(FCTX_CROSS_TRIPLE powerpc-linux-gnu)
set(FCTX_CROSS_QEMU qemu-ppc)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
