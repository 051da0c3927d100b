# Cross toolchain: aarch64-linux-gnu (Debian gcc-aarch64-linux-gnu), tests under qemu-aarch64.
#   cmake --toolchain toolchains/aarch64-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
# FCTX_QEMU_CPU selects the emulated CPU model (qemu -cpu <model>, e.g. "max").
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(FCTX_CROSS_TRIPLE aarch64-linux-gnu)
set(FCTX_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
