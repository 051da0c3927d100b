# Cross toolchain: s390x-linux-gnu (Debian gcc-s390x-linux-gnu), tests under qemu-s390x.
#   cmake --toolchain toolchains/s390x-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(FCTX_CROSS_TRIPLE s390x-linux-gnu)
set(FCTX_CROSS_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
