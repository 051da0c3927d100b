# MinGW-w64 cross builds, the part every Windows toolchain file shares:
# included by toolchains/<triple>.cmake after it sets FCTX_MINGW_TRIPLE
# and CMAKE_SYSTEM_PROCESSOR.  Compilers <triple>-gcc/g++ (the Debian
# default, win32 thread model), static runtime, tests under Wine.
# Wine needs a warm server for a fast, hang-free ctest: see
# scripts/wine-run.sh (and docs/abi-x86.md).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_C_COMPILER ${FCTX_MINGW_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${FCTX_MINGW_TRIPLE}-g++)
set(CMAKE_ASM_COMPILER ${FCTX_MINGW_TRIPLE}-gcc)
set(CMAKE_RC_COMPILER ${FCTX_MINGW_TRIPLE}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${FCTX_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Link libgcc, libstdc++ and winpthread statically: Wine then finds no
# missing MinGW DLLs and the executables run from the build tree as is.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
# `wine` runs both PE32 and PE32+ programs (32-bit ones need wine32).
find_program(FCTX_WINE NAMES wine wine64 PATHS /usr/lib/wine)
if(FCTX_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR env WINEDEBUG=-all ${FCTX_WINE})
endif()
