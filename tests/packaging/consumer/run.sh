#!/bin/bash
# Install the fctx build in $1 to a temporary prefix and build a consumer
# against it with find_package, pkg-config, add_subdirectory and FetchContent,
# once as a C project and once as a C++-only project (no C language enabled).
# Usage: run.sh <fctx build dir> <fctx source dir> <C compiler> <C++ compiler>
#               <scratch dir> [C flags]
# (the C flags of the fctx build, e.g. -fsanitize=..., are used for the
# consumers too)
set -eu
build=$1 src=$2 cc=$3 cxx=$4 work=$5 cflags=${6:-}
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
export LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
here=$(cd "$(dirname "$0")" && pwd)

for lang in C CXX; do
  for mode in package subdirectory fetchcontent; do
    dir="$work/$mode-$lang"
    # add_subdirectory/FetchContent build fctx itself, so they need the C
    # compiler even in a C++-only project.
    cmake -S "$here" -B "$dir" -DMODE=$mode -DLANG=$lang \
          -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
          -DCMAKE_C_FLAGS="$cflags" -DCMAKE_CXX_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags" \
          -DCMAKE_PREFIX_PATH="$prefix" -DFCTX_SOURCE_DIR="$src" >"$dir.log" 2>&1 ||
      { cat "$dir.log"; exit 1; }
    cmake --build "$dir" >>"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
    echo "[$mode, $lang] $("$dir/consumer")"
  done
done

pcdir=$(dirname "$(find "$prefix" -name fctx.pc | head -1)")
export PKG_CONFIG_PATH="$pcdir"
flags=$(pkg-config --cflags --libs fctx)
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror $cflags "$here/main.c" $flags -o "$work/pkgconfig-consumer"
echo "[pkg-config, C: $flags] $("$work/pkgconfig-consumer")"
# shellcheck disable=SC2086
"$cxx" -std=c++17 -Wall -Wextra -Werror $cflags "$here/main.cpp" $flags -o "$work/pkgconfig-consumer-cxx"
echo "[pkg-config, CXX: $flags] $("$work/pkgconfig-consumer-cxx")"
