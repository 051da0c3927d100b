# MinGW-w64 (x86-64, Microsoft x64 ABI, PE/COFF) cross build; asm in GAS
# syntax (asm/*_x86_64_ms_gas.S).  Tests run under Wine.
#   cmake -S . -B b -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/x86_64-w64-mingw32.cmake
# Wine needs a warm server for a fast, hang-free ctest: see
# scripts/presets.d/mingw-gas.sh (and docs/abi-x86.md).
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(FCTX_MINGW_TRIPLE x86_64-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)
