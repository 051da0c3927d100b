# Helpers sourced by the packaging tests (install_coexist.sh, deb.sh): build
# the consumer of tests/packaging/consumer/ against an installed fctx and
# check which library kind it really linked.
# Needs: $here (tests/packaging), $cc, $cxx, $cflags.

# has_libfctx_needed <exe>: true if <exe> links libfctx.so dynamically.
has_libfctx_needed() {
  readelf -d "$1" | grep -q 'NEEDED.*\[libfctx\.so'
}

# check_kind <exe> <static|shared> <what>: run <exe> and check its link.
check_kind() {
  local exe=$1 kind=$2 what=$3 out
  out=$("$exe") || { echo "FAIL: $what: $exe exited $?: $out"; return 1; }
  if [ "$kind" = shared ]; then
    has_libfctx_needed "$exe" ||
      { echo "FAIL: $what: expected the shared library, but $exe has no NEEDED libfctx.so:"; readelf -d "$exe"; return 1; }
  else
    ! has_libfctx_needed "$exe" ||
      { echo "FAIL: $what: expected the static library, but $exe needs libfctx.so:"; readelf -d "$exe" | grep NEEDED; return 1; }
  fi
  echo "ok: $what -> $kind ($out)"
}

# consume <dir> <C|CXX> <static|shared> <cmake args...>: configure and build
# the consumer with find_package (MODE=package), check the linked kind.
consume() {
  local dir=$1 lang=$2 kind=$3
  shift 3
  rm -rf "$dir"
  cmake -S "$here/consumer" -B "$dir" -DMODE=package -DLANG="$lang" \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_C_FLAGS="$cflags" -DCMAKE_CXX_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags" \
        "$@" >"$dir.log" 2>&1 || { echo "FAIL: configure $lang consumer $*:"; cat "$dir.log"; return 1; }
  cmake --build "$dir" >>"$dir.log" 2>&1 || { echo "FAIL: build $lang consumer $*:"; cat "$dir.log"; return 1; }
  local hints=("${@/#-DCMAKE_PREFIX_PATH=*/}")
  hints="${hints[*]}"
  hints="${hints# }"
  check_kind "$dir/consumer" "$kind" "find_package, $lang, ${hints:-no hint}"
}

# consume_fails <dir> <expected message> <cmake args...>: find_package must fail.
consume_fails() {
  local dir=$1 msg=$2
  shift 2
  rm -rf "$dir"
  if cmake -S "$here/consumer" -B "$dir" -DMODE=package -DLANG=C -DCMAKE_C_COMPILER="$cc" "$@" >"$dir.log" 2>&1; then
    echo "FAIL: find_package with $* should have failed:"; cat "$dir.log"; return 1
  fi
  grep -q "$msg" "$dir.log" || { echo "FAIL: find_package with $* failed without saying '$msg':"; cat "$dir.log"; return 1; }
  local hints=("${@/#-DCMAKE_PREFIX_PATH=*/}")
  hints="${hints[*]}"
  echo "ok: find_package with ${hints# } fails: $msg"
}
