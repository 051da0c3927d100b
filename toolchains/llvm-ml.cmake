# llvm-ml as the MASM assembler (CMake ASM_MASM), for the *-llvm-ml.cmake
# toolchain files, which set CMAKE_ASM_MASM_FLAGS_INIT for their machine.
find_program(FCTX_LLVM_ML NAMES llvm-ml llvm-ml-14 PATHS /usr/lib/llvm-14/bin REQUIRED)
set(CMAKE_ASM_MASM_COMPILER ${FCTX_LLVM_ML})
