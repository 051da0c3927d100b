# MinGW-w64 (i386, Microsoft 32-bit cdecl, PE/COFF) cross build; asm in
# GAS syntax (asm/*_i386_ms_gas.S).  Tests run under 32-bit Wine (wine32,
# a WoW64 prefix).
#   cmake -S . -B b -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/i686-w64-mingw32.cmake
# Debian's i686 MinGW gcc unwinds C++ exceptions with DWARF-2 tables (dw2).
set(CMAKE_SYSTEM_PROCESSOR X86)
set(FCTX_MINGW_TRIPLE i686-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)
