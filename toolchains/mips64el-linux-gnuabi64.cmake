# Cross toolchain: mips64el-linux-gnuabi64 (Debian gcc-mips64el-linux-gnuabi64), tests under qemu-mips64el.
#   cmake --toolchain toolchains/mips64el-linux-gnuabi64.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
# qemu's default CPU for mips64el (5KEf) ignores writes to the FCSR rounding
# mode (even glibc's fesetround() has no effect there); Debian's mips64el
# baseline is MIPS64 release 2, which qemu models as MIPS64R2-generic.
set(CMAKE_SYSTEM_PROCESSOR mips64)
set(FCTX_CROSS_TRIPLE mips64el-linux-gnuabi64)
set(FCTX_CROSS_QEMU qemu-mips64el)
set(FCTX_CROSS_QEMU_CPU MIPS64R2-generic)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
