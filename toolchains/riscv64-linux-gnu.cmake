# Cross toolchain: riscv64-linux-gnu (Debian gcc-riscv64-linux-gnu), tests under qemu-riscv64.
#   cmake --toolchain toolchains/riscv64-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
# FCTX_QEMU_CPU selects the emulated CPU model (qemu -cpu <model>, e.g. "max").
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(FCTX_CROSS_TRIPLE riscv64-linux-gnu)
set(FCTX_CROSS_QEMU qemu-riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
