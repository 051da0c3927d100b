# FctxSplitStack.cmake - the FCTX_SPLIT_STACK option: segmented stacks on
# libgcc's split-stack runtime (see src/stacks/splitstack.c, docs/stacks.md).
#
# fctx_enable_split_stack(<target>) checks that the toolchain can build and
# (natively) run a split-stack program with fctx's requirements, and fails
# the configuration with a clear message where it cannot:
#   - the compiler must accept -fsplit-stack for the target (gcc: x86, s390x,
#     ppc64; not aarch64, arm, riscv64, mips64el);
#   - libgcc must provide __splitstack_makecontext & co;
#   - linking must be dynamic (static split-stack programs crash at start);
#   - the gold linker must be available: it gives calls from split-stack
#     code into code compiled without it (libc) a 16 KiB stack; other
#     linkers let such calls run off the end of a small segment.

function(fctx_enable_split_stack target)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "fctx: FCTX_SPLIT_STACK=ON needs gcc or clang (-fsplit-stack); "
                        "the C compiler is ${CMAKE_C_COMPILER_ID}")
  endif()
  foreach(_v CMAKE_EXE_LINKER_FLAGS CMAKE_C_FLAGS)
    if(" ${${_v}} " MATCHES " -static ")
      message(FATAL_ERROR "fctx: FCTX_SPLIT_STACK=ON cannot be used with static linking "
                          "(${_v} has -static): split-stack programs linked statically crash")
    endif()
  endforeach()

  set(_dir "${CMAKE_BINARY_DIR}/CMakeFiles/fctx_split_stack_check")
  file(WRITE "${_dir}/check.c" [=[
#include <stddef.h>
void *__splitstack_makecontext(size_t, void *[10], size_t *);
void __splitstack_releasecontext(void *[10]);
static volatile int sink;
__attribute__((noinline)) static int deep(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    sink = pad[0];
    return n == 0 ? 0 : deep(n - 1) + 1;
}
int main(void)
{
    void *ctx[10];
    size_t size = 0;
    if (__splitstack_makecontext(16384, ctx, &size) == NULL || size == 0)
        return 1;
    __splitstack_releasecontext(ctx);
    /* About 12 MiB of frames: more than the default 8 MiB thread stack,
     * so this only returns if the stack grows by segments. */
    return deep(20000) == 20000 ? 0 : 2;
}
]=])
  set(_flags -fsplit-stack)
  set(_link -fsplit-stack -fuse-ld=gold)
  if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
    try_compile(_ok "${_dir}/build" SOURCES "${_dir}/check.c"
                COMPILE_DEFINITIONS ${_flags} LINK_OPTIONS ${_link}
                OUTPUT_VARIABLE _out)
    set(_ran 0)
  else()
    try_run(_ran _ok "${_dir}/build" "${_dir}/check.c"
            COMPILE_DEFINITIONS ${_flags} LINK_OPTIONS ${_link}
            COMPILE_OUTPUT_VARIABLE _out RUN_OUTPUT_VARIABLE _run_out)
  endif()
  if(NOT _ok)
    string(REGEX MATCH "[^\n]*(error|not supported)[^\n]*" _why "${_out}")
    message(FATAL_ERROR
      "fctx: FCTX_SPLIT_STACK=ON is not supported by this toolchain/target "
      "(arch=${FCTX_ARCH}, ${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER_VERSION}): a program "
      "compiled with -fsplit-stack and linked with -fuse-ld=gold did not build.\n"
      "  ${_why}\n"
      "Split stacks need gcc or clang for x86 (also s390x, ppc64 with gcc), libgcc's "
      "__splitstack_* functions, dynamic linking and the gold linker (binutils).")
  endif()
  if(NOT _ran EQUAL 0)
    message(FATAL_ERROR
      "fctx: FCTX_SPLIT_STACK=ON: the split-stack check program built but failed when run "
      "(exit ${_ran}): segmented stacks do not work here.")
  endif()

  target_compile_definitions(${target} PRIVATE FCTX_SPLIT_STACK=1)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:-fsplit-stack>
    "$<$<COMPILE_LANGUAGE:ASM>:SHELL:-include ${PROJECT_SOURCE_DIR}/src/split_note.h>")
  # The library's own calls into libc, and those of every program linking
  # it, need gold's fix-ups.
  target_link_options(${target} PUBLIC -fuse-ld=gold)
  message(STATUS "fctx: split stacks on (-fsplit-stack, gold linker)")
endfunction()
