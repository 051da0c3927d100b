# MinGW-w64 (i386, Microsoft 32-bit cdecl, PE/COFF) cross build with the
# asm in MASM syntax (asm/*_i386_ms_masm.asm), assembled by llvm-ml: the
# same sources an MSVC build assembles with ml.exe.  C/C++ still use
# MinGW gcc; tests run under Wine (see toolchains/i686-w64-mingw32.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/i686-w64-mingw32.cmake)
set(FCTX_ASSEMBLER masm CACHE STRING "fctx assembler dialect: gas or masm")
include(${CMAKE_CURRENT_LIST_DIR}/llvm-ml.cmake)
# -m32: 32-bit x86 (also the default).  -safeseh marks the objects SafeSEH
# compatible (they register no exception handler): MSVC link /SAFESEH
# rejects an x86 object without the mark.  FCTX_LLVM_ML: the sources leave
# out what llvm-ml 14 cannot parse but ml.exe needs (ASSUME fs:NOTHING).
set(CMAKE_ASM_MASM_FLAGS_INIT "-m32 -safeseh -DFCTX_LLVM_ML")
