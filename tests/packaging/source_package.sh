#!/bin/bash
# The source tarball: `cpack --config CPackSourceConfig.cmake` in the fctx
# build $1 makes fctx-<version>.tar.gz holding the sources and no build
# trees or version control, and fctx builds and installs from it.
# Usage: source_package.sh <fctx build dir> <C compiler> <scratch dir> <version>
set -eu
build=$1 cc=$2 work=$3 version=$4
rm -rf "$work" && mkdir -p "$work"
cpack --config "$build/CPackSourceConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
tgz="$work/pkg/fctx-$version.tar.gz"
[ -f "$tgz" ] || { echo "FAIL: no $tgz:"; cat "$work/cpack.log"; exit 1; }
tar -tzf "$tgz" >"$work/contents"
top="fctx-$version"
for f in CMakeLists.txt LICENSE CHANGELOG.md README.md include/fctx/config.h cmake/fctxConfig.cmake.in \
         cmake/fctx.pc.in tests/CMakeLists.txt tests/packaging/consumer/main.c; do
  grep -qx "$top/$f" "$work/contents" || { echo "FAIL: $top/$f is not in $tgz"; exit 1; }
done
if grep -E "^$top/(\.git|build[^/]*|Testing|CMakeFiles)(/|$)|^$top/CMakeCache\.txt$" "$work/contents" | head -5 | grep .; then
  echo "FAIL: $tgz holds build trees or version control (above)"; exit 1
fi
echo "ok: $tgz: $(wc -l <"$work/contents") entries, sources only"
tar -xzf "$tgz" -C "$work"
cmake -S "$work/$top" -B "$work/build" -DCMAKE_C_COMPILER="$cc" -DFCTX_BUILD_TESTS=OFF \
      -DFCTX_BUILD_BENCH=OFF -DFCTX_BUILD_EXAMPLES=OFF >"$work/build.log" 2>&1 &&
  cmake --build "$work/build" >>"$work/build.log" 2>&1 &&
  cmake --install "$work/build" --prefix "$work/prefix" >>"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; exit 1; }
echo "ok: fctx $version builds and installs from the tarball"
