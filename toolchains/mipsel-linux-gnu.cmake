# Cross toolchain: mipsel-linux-gnu (Debian gcc-mipsel-linux-gnu, o32, FPXX), tests under qemu-mipsel.
#   cmake --toolchain toolchains/mipsel-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
# 24Kf is qemu's default for o32 programs, pinned here: MIPS32 release 2
# (Debian's mipsel baseline) with a 64-bit FPU and writable FCSR modes, so
# an FPXX program (gcc's default) runs with FR=1 and an -mfp32 one with
# FR=0 (docs/abi-mips.md).
set(CMAKE_SYSTEM_PROCESSOR mips)
set(FCTX_CROSS_TRIPLE mipsel-linux-gnu)
set(FCTX_CROSS_QEMU qemu-mipsel)
set(FCTX_CROSS_QEMU_CPU 24Kf)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
