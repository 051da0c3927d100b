# MinGW-w64 (i386, Microsoft 32-bit cdecl, PE/COFF) cross build; asm in
# GAS syntax (asm/*_i386_ms_gas.S).  Tests run under 32-bit Wine (wine32,
# a WoW64 prefix).
#   cmake -S . -B b -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/i686-w64-mingw32.cmake
# Debian's i686 MinGW gcc unwinds C++ exceptions with DWARF-2 tables (dw2).
set(CMAKE_SYSTEM_PROCESSOR X86)
set(FCTX_MINGW_TRIPLE i686-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)
# dw2 unwinding finds a module's unwind tables through the libgcc that
# registered them: with a static libgcc in the DLL and another in each
# program, a C++ exception cannot pass through the library's frames (a
# fiber's first frames are the library's), so std::terminate.  A DLL build
# links libgcc as a DLL (libgcc_s_dw2-1.dll), one unwinder for every
# module; the programs then take winpthread as a DLL too, and the tests
# find both through WINEPATH.
if(BUILD_SHARED_LIBS)
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-shared-libgcc -static-libstdc++")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "-shared-libgcc -static-libstdc++")
  set(_fctx_winepath "")
  foreach(_fctx_dll libgcc_s_dw2-1.dll libwinpthread-1.dll)
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=${_fctx_dll}
                    OUTPUT_VARIABLE _fctx_p OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(_fctx_p "${_fctx_p}" DIRECTORY)
    string(APPEND _fctx_winepath "Z:${_fctx_p}\\;")
  endforeach()
  if(FCTX_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR env WINEDEBUG=-all "WINEPATH=${_fctx_winepath}" ${FCTX_WINE})
  endif()
endif()
