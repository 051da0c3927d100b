# Cross toolchain: i686-linux-gnu (Debian gcc-i686-linux-gnu), tests under qemu-i386.
#   cmake --toolchain toolchains/i686-linux-gnu.cmake -S . -B build/x && cmake --build build/x && ctest --test-dir build/x
# (i686 binaries would also run natively through the kernel's IA32 emulation, but
# only with libc6-i386 installed; qemu-i386 with the cross sysroot needs nothing else.)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(FCTX_CROSS_TRIPLE i686-linux-gnu)
set(FCTX_CROSS_QEMU qemu-i386)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)

# Executables are linked statically: under qemu-i386 (7.2) the child of fork()
# in a DYNAMICALLY linked i386 glibc 2.36 program spins forever right after
# fork (glibc's post-fork walk of the thread-stack list never ends), so every
# test that observes a crash in a child process would hang.  Statically
# linked programs fork correctly.  The library itself is unaffected.  A
# shared-library build (BUILD_SHARED_LIBS=ON) cannot link static programs:
# its fork-based tests then time out under qemu-i386 (they pass natively).
if(NOT BUILD_SHARED_LIBS)
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
endif()
