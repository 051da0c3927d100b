#!/bin/bash
# Static and shared fctx installed into one prefix, in both orders: both
# CMake export files survive, and a consumer gets the kind it asks for
# (checked in the linked executable, readelf -d).  The kind of the fctx
# build in $1 is installed with a build of the other kind made here.
# Usage: install_coexist.sh <fctx build dir> <its kind: static|shared>
#          <its CMAKE_INSTALL_LIBDIR> <fctx source dir> <generator>
#          <C compiler> <C++ compiler> <scratch dir> [C flags]
set -eu
build=$1 kind=$2 libdir=$3 src=$4 gen=$5 cc=$6 cxx=$7 work=$8 cflags=${9:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=consume.sh
. "$here/consume.sh"
case $kind in
  static) other=shared other_shared=ON ;;
  shared) other=static other_shared=OFF ;;
  *) echo "install_coexist: kind must be static or shared, not '$kind'"; exit 2 ;;
esac
rm -rf "$work" && mkdir -p "$work"

cmake -S "$src" -B "$work/build-$other" -G "$gen" -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$cflags" \
      -DCMAKE_INSTALL_LIBDIR="$libdir" -DBUILD_SHARED_LIBS=$other_shared -DFCTX_INSTALL=ON \
      -DFCTX_BUILD_TESTS=OFF -DFCTX_BUILD_BENCH=OFF -DFCTX_BUILD_EXAMPLES=OFF >"$work/build-$other.log" 2>&1 &&
  cmake --build "$work/build-$other" >>"$work/build-$other.log" 2>&1 ||
  { cat "$work/build-$other.log"; exit 1; }
declare -A dir=([$kind]=$build [$other]=$work/build-$other)

install_kind() {  # <kind> <prefix>
  cmake --install "${dir[$1]}" --prefix "$2" >>"$2.log" 2>&1 || { cat "$2.log"; exit 1; }
}

for order in "static shared" "shared static"; do
  prefix="$work/prefix-${order/ /-then-}"
  for k in $order; do install_kind "$k" "$prefix"; done
  echo "== installed $order into $prefix"
  cmakedir="$prefix/$libdir/cmake/fctx"
  for k in static shared; do
    [ -f "$cmakedir/fctxTargets-$k.cmake" ] || { echo "FAIL: $cmakedir/fctxTargets-$k.cmake is missing"; exit 1; }
  done
  [ -f "$prefix/$libdir/libfctx.a" ] && [ -f "$prefix/$libdir/libfctx.so" ] ||
    { echo "FAIL: libfctx.a or libfctx.so missing in $prefix/$libdir"; exit 1; }
  export LD_LIBRARY_PATH="$prefix/$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  w="$work/consumer-${order/ /-then-}"
  mkdir -p "$w"
  pp=-DCMAKE_PREFIX_PATH="$prefix"
  consume "$w/default" C shared "$pp"
  consume "$w/hint-static" C static "$pp" -Dfctx_SHARED_LIBS=OFF
  consume "$w/hint-shared" C shared "$pp" -Dfctx_SHARED_LIBS=ON
  consume "$w/comp-static" CXX static "$pp" -DFCTX_COMPONENTS=static
  consume "$w/comp-shared" CXX shared "$pp" -DFCTX_COMPONENTS=shared
  consume "$w/bsl-static" C static "$pp" -DBUILD_SHARED_LIBS=OFF
  consume "$w/bsl-shared" C shared "$pp" -DBUILD_SHARED_LIBS=ON
  consume_fails "$w/comp-both" "ask for one component" "$pp" "-DFCTX_COMPONENTS=static;shared"
  # Below 1.0 another minor version is another ABI (SameMinorVersion).
  consume_fails "$w/version" 'requested version "0.0"' "$pp" -DFCTX_WANT_VERSION=0.0
  # The .pc is relocatable outside /usr: it finds this prefix.
  inc=$(PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" pkg-config --cflags fctx)
  inc=${inc%% }
  [ "$(cd "${inc#-I}" && pwd)" = "$(cd "$prefix/include" && pwd)" ] ||
    { echo "FAIL: pkg-config --cflags in $prefix printed '$inc'"; exit 1; }
  echo "ok: pkg-config --cflags -> $inc"
done

# One kind only: a demand for the other fails, a preference falls back.
prefix="$work/prefix-static-only"
install_kind static "$prefix"
echo "== installed static only into $prefix"
w="$work/consumer-static-only"
mkdir -p "$w"
pp=-DCMAKE_PREFIX_PATH="$prefix"
consume "$w/default" C static "$pp"
consume "$w/bsl-shared" C static "$pp" -DBUILD_SHARED_LIBS=ON
consume_fails "$w/comp-shared" "shared library is not installed" "$pp" -DFCTX_COMPONENTS=shared
consume_fails "$w/hint-shared" "shared library is not installed" "$pp" -Dfctx_SHARED_LIBS=ON
echo "install_coexist: all checks passed"
