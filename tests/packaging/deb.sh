#!/bin/bash
# The Debian package, end to end: cpack builds libfctx-dev_*.deb from the
# fctx build in $1 (configured with CMAKE_INSTALL_PREFIX=/usr), its contents
# are checked, apt-get installs it, consumers are built against /usr with
# find_package (each kind) and pkg-config (shared, and static with
# --static), then apt-get removes the package again.  Needs root and apt:
# without them this test fails, it does not skip.
# Usage: deb.sh <fctx build dir> <C compiler> <C++ compiler> <scratch dir>
set -eu
build=$1 cc=$2 cxx=$3 work=$4 cflags=""
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=consume.sh
. "$here/consume.sh"

if [ "$(id -u)" != 0 ]; then
  echo "FAIL: test_deb installs a package with apt-get: run it as root (CI does)"; exit 1
fi
for t in apt-get dpkg dpkg-deb cpack readelf pkg-config; do
  command -v $t >/dev/null || { echo "FAIL: test_deb needs $t (Debian 12 with apt)"; exit 1; }
done
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' libfctx-dev 2>/dev/null)" = installed ]; }
if installed; then
  echo "libfctx-dev is installed (an earlier run?): removing it first"
  apt-get remove -y -qq libfctx-dev >/dev/null
fi
if [ -e /usr/include/fctx ]; then
  echo "FAIL: /usr/include/fctx exists but no package owns it: another fctx install in /usr; remove it first"; exit 1
fi

rm -rf "$work" && mkdir -p "$work"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
debs=("$work"/pkg/libfctx-dev_*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || { echo "FAIL: no single libfctx-dev_*.deb:"; cat "$work/cpack.log"; exit 1; }
deb=${debs[0]}
echo "== $deb"
[ "$(dpkg-deb -f "$deb" Package)" = libfctx-dev ] || { echo "FAIL: package name"; dpkg-deb -f "$deb"; exit 1; }

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
lib=usr/lib/$ma
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||' >"$work/contents"
for f in usr/include/fctx/fctx.h usr/include/fctx/fiber.hpp \
         $lib/libfctx.a $lib/libfctx.so $lib/libfctx.so.0.1 \
         $lib/cmake/fctx/fctxConfig.cmake $lib/cmake/fctx/fctxConfigVersion.cmake \
         $lib/cmake/fctx/fctxTargets-static.cmake $lib/cmake/fctx/fctxTargets-shared.cmake \
         $lib/pkgconfig/fctx.pc usr/share/doc/fctx/LICENSE usr/share/doc/fctx/CHANGELOG.md; do
  grep -qx "$f" "$work/contents" || { echo "FAIL: $f is not in the package:"; cat "$work/contents"; exit 1; }
done
echo "ok: headers, libfctx.a, libfctx.so*, CMake package, fctx.pc, LICENSE in $lib and usr/"

cleanup() { apt-get remove -y -qq libfctx-dev >/dev/null 2>&1; dpkg --purge libfctx-dev >/dev/null 2>&1 || true; }
trap cleanup EXIT
apt-get install -y -qq "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; exit 1; }
echo "ok: apt-get install $deb"

soname=$(readelf -d "/$lib/libfctx.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libfctx.so.0.1 ] || { echo "FAIL: SONAME is '$soname', not libfctx.so.0.1"; exit 1; }
echo "ok: SONAME $soname"

# pkg-config: /usr is literal, so no -I/usr/include; a static link gets
# Libs.private.
cf=$(pkg-config --cflags fctx)
for f in $cf; do   # also -I/usr/lib/<multiarch>/pkgconfig/../../../include
  case $f in -I*) [ "$(realpath -m "${f#-I}")" != /usr/include ] ||
                    { echo "FAIL: pkg-config --cflags fctx printed '$cf' (/usr/include)"; exit 1; } ;; esac
done
libs=$(pkg-config --libs fctx)
slibs=$(pkg-config --static --libs fctx)
priv=$(pkg-config --variable=prefix fctx)
[ "$priv" = /usr ] || { echo "FAIL: the .pc prefix is '$priv', not /usr"; exit 1; }
[ "$slibs" != "$libs" ] || { echo "FAIL: pkg-config --static --libs adds nothing: '$slibs'"; exit 1; }
echo "ok: pkg-config --cflags '$cf', --libs '$libs', --static --libs '$slibs'"
w="$work/consumers"
mkdir -p "$w"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror "$here/consumer/main.c" $cf $libs -o "$w/pc-shared"
check_kind "$w/pc-shared" shared "pkg-config --libs, C"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror "$here/consumer/main.c" $cf -Wl,-Bstatic $slibs -Wl,-Bdynamic -o "$w/pc-static"
check_kind "$w/pc-static" static "pkg-config --static --libs (-Wl,-Bstatic), C"
# shellcheck disable=SC2086
"$cxx" -std=c++17 -Wall -Wextra -Werror "$here/consumer/main.cpp" $cf $libs -o "$w/pc-shared-cxx"
check_kind "$w/pc-shared-cxx" shared "pkg-config --libs, C++"

# The packaged library works under valgrind as it is (no rebuild): fiber
# stacks are registered when running under valgrind (docs/tools.md).
command -v valgrind >/dev/null || { echo "FAIL: valgrind is needed (apt-get install valgrind)"; exit 1; }
for exe in pc-shared pc-static; do
  valgrind --error-exitcode=9 "$w/$exe" >"$w/$exe.vg" 2>&1 ||
    { echo "FAIL: $exe under valgrind:"; cat "$w/$exe.vg"; exit 1; }
  ! grep -q 'client switching stacks' "$w/$exe.vg" ||
    { echo "FAIL: $exe under valgrind: the packaged library did not register its stacks:"; cat "$w/$exe.vg"; exit 1; }
done
echo "ok: the pkg-config consumers run clean under valgrind (no 'client switching stacks?')"

# find_package from /usr: no CMAKE_PREFIX_PATH.
consume "$w/default" C shared
consume "$w/hint-static" C static -Dfctx_SHARED_LIBS=OFF
consume "$w/comp-static" CXX static -DFCTX_COMPONENTS=static
consume "$w/comp-shared" CXX shared -DFCTX_COMPONENTS=shared
grep -q "from /usr/lib/$ma/cmake/fctx" "$w/default.log" ||
  { echo "FAIL: the consumer did not find fctx in /usr/lib/$ma/cmake/fctx:"; cat "$w/default.log"; exit 1; }

trap - EXIT
apt-get remove -y -qq libfctx-dev >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; exit 1; }
dpkg --purge libfctx-dev >>"$work/remove.log" 2>&1   # and forget it (dpkg keeps a config-files record)
! installed && [ ! -e /usr/include/fctx ] && [ ! -e "/$lib/libfctx.so" ] ||
  { echo "FAIL: libfctx-dev is still installed after apt-get remove"; exit 1; }
echo "ok: apt-get remove libfctx-dev; test_deb: all checks passed"
