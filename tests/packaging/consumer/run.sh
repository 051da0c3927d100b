#!/bin/bash
# Install the fctx build in $1 to a temporary prefix and build a consumer
# against it with find_package, pkg-config, add_subdirectory and FetchContent.
# Usage: run.sh <fctx build dir> <fctx source dir> <C compiler> <scratch dir> [C flags]
# (the C flags of the fctx build, e.g. -fsanitize=..., are used for the consumer too)
set -eu
build=$1 src=$2 cc=$3 work=$4 cflags=${5:-}
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
export LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
here=$(cd "$(dirname "$0")" && pwd)

for mode in package subdirectory fetchcontent; do
  cmake -S "$here" -B "$work/$mode" -DMODE=$mode -DCMAKE_C_COMPILER="$cc" \
        -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags" \
        -DCMAKE_PREFIX_PATH="$prefix" -DFCTX_SOURCE_DIR="$src" >"$work/$mode.log" 2>&1 ||
    { cat "$work/$mode.log"; exit 1; }
  cmake --build "$work/$mode" >>"$work/$mode.log" 2>&1 || { cat "$work/$mode.log"; exit 1; }
  echo "[$mode] $("$work/$mode/consumer")"
done

pcdir=$(dirname "$(find "$prefix" -name fctx.pc | head -1)")
export PKG_CONFIG_PATH="$pcdir"
flags=$(pkg-config --cflags --libs fctx)
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror $cflags "$here/main.c" $flags -o "$work/pkgconfig-consumer"
echo "[pkg-config: $flags] $("$work/pkgconfig-consumer")"
