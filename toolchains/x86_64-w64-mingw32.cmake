# MinGW-w64 (x86-64, Microsoft x64 ABI, PE/COFF) cross build; asm in GAS
# syntax (asm/*_x86_64_ms_gas.S).  Tests run under Wine.
#   cmake -S . -B b -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/x86_64-w64-mingw32.cmake
# Wine needs a warm server for a fast, hang-free ctest: see
# scripts/presets.d/mingw-gas.sh (and docs/abi-x86.md).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++)
set(CMAKE_ASM_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Link libgcc, libstdc++ and winpthread statically: Wine then finds no
# missing MinGW DLLs and the executables run from the build tree as is.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
find_program(FCTX_WINE NAMES wine wine64 PATHS /usr/lib/wine)
if(FCTX_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR env WINEDEBUG=-all ${FCTX_WINE})
endif()
