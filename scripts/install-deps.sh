#!/bin/sh
# Install what fctx's build, tests, demo and CI need on Debian 12 (as root,
# or through sudo).  Usage:
#   scripts/install-deps.sh [group ...]        install the groups (default: all)
#   scripts/install-deps.sh --if-missing G...  only if a group's tools are absent
# Groups: base qemu cross mingw wine boost tools wasm
# (wine adds the i386 architecture for wine32: Windows i386 tests run under
# 32-bit Wine)
# Never add gcc-multilib: it conflicts with the gcc-<triple> cross compilers
# and apt would remove them.
set -eu

pkgs() {
  case $1 in
    base)  echo build-essential cmake ninja-build clang llvm pkg-config file binutils ;;
    qemu)  echo qemu-user ;;
    cross) echo gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross \
                gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf libc6-dev-armhf-cross \
                gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross \
                gcc-i686-linux-gnu g++-i686-linux-gnu libc6-dev-i386-cross \
                gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu libc6-dev-ppc64el-cross \
                gcc-s390x-linux-gnu g++-s390x-linux-gnu libc6-dev-s390x-cross \
                gcc-mips64el-linux-gnuabi64 g++-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross \
                gcc-powerpc64-linux-gnu g++-powerpc64-linux-gnu libc6-dev-ppc64-cross \
                gcc-powerpc-linux-gnu g++-powerpc-linux-gnu libc6-dev-powerpc-cross \
                gcc-mipsel-linux-gnu g++-mipsel-linux-gnu libc6-dev-mipsel-cross ;;
    mingw) echo gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 gcc-mingw-w64-i686 g++-mingw-w64-i686 ;;
    wine)  echo wine64 wine wine32:i386 ;;
    wasm)  echo emscripten nodejs ;;
    boost) echo libboost-context-dev ;;
    tools) echo valgrind gdb gdb-multiarch gnuplot-nox libclang-rt-14-dev ;;
    *) echo "install-deps: unknown group $1" >&2; exit 2 ;;
  esac
}

# A command whose presence shows the group is installed.
probe() {
  case $1 in
    base)  echo "cmake ninja clang cc c++ pkg-config" ;;
    qemu)  echo "qemu-aarch64" ;;
    cross) echo "aarch64-linux-gnu-g++ arm-linux-gnueabihf-g++ riscv64-linux-gnu-g++ i686-linux-gnu-g++ powerpc64le-linux-gnu-g++ s390x-linux-gnu-g++ mips64el-linux-gnuabi64-g++ powerpc64-linux-gnu-g++ powerpc-linux-gnu-g++ mipsel-linux-gnu-g++" ;;
    mingw) echo "x86_64-w64-mingw32-g++ i686-w64-mingw32-g++" ;;
    wine)  echo "wine /usr/lib/wine/wineserver32" ;;
    wasm)  echo "emcc node" ;;
    boost) echo "" ;;
    tools) echo "valgrind gdb gdb-multiarch gnuplot" ;;
  esac
}

missing() {
  [ "$1" = boost ] && { [ -f /usr/include/boost/context/fiber.hpp ] || return 0; return 1; }
  [ "$1" = tools ] && [ ! -d /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux ] && return 0
  for c in $(probe "$1"); do command -v "$c" >/dev/null 2>&1 || return 0; done
  return 1
}

only_missing=0
if [ "${1:-}" = "--if-missing" ]; then only_missing=1; shift; fi
groups=${*:-"base qemu cross mingw wine boost tools wasm"}

todo=""
for g in $groups; do
  if [ $only_missing = 0 ] || missing "$g"; then todo="$todo $(pkgs "$g")"; fi
done
[ -n "$todo" ] || exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing:$todo"
# wine32 is an i386 package.
case "$todo" in *:i386*) dpkg --print-foreign-architectures | grep -qx i386 || $SUDO dpkg --add-architecture i386 ;; esac
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 install -y -qq --no-install-recommends $todo >/tmp/fctx-install-deps.log 2>&1 || { tail -30 /tmp/fctx-install-deps.log; exit 1; }
