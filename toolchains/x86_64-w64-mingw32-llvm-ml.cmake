# MinGW-w64 (x86-64, Microsoft x64 ABI, PE/COFF) cross build with the asm
# in MASM syntax (asm/*_x86_64_ms_masm.asm), assembled by llvm-ml: the
# same sources an MSVC build assembles with ml64.exe.  C/C++ still use
# MinGW gcc; tests run under Wine (see toolchains/x86_64-w64-mingw32.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/x86_64-w64-mingw32.cmake)
set(FCTX_ASSEMBLER masm CACHE STRING "fctx assembler dialect: gas or masm")
include(${CMAKE_CURRENT_LIST_DIR}/llvm-ml.cmake)
# Without -m64 llvm-ml assembles 32-bit x86.
set(CMAKE_ASM_MASM_FLAGS_INIT "-m64")
