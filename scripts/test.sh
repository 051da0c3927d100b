#!/bin/bash
# Run the whole fctx test suite: every CMake workflow preset (configure,
# build, ctest) - native gcc/clang/shared builds, every cross target under
# qemu or wine, and the sanitizer/valgrind builds.  Installs missing
# packages first (Debian 12).
#   scripts/test.sh              all workflow presets
#   scripts/test.sh gcc clang    only these
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh --if-missing base qemu cross mingw wine boost tools wasm || exit 1

if [ $# -gt 0 ]; then
  presets=("$@")
else
  mapfile -t presets < <(cmake --list-presets=workflow | sed -n 's/^  "\([^"]*\)".*/\1/p')
fi

mkdir -p build/logs
# Two cores: run two tests at a time (none is timing-sensitive).
export CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-$(nproc)}
total_pass=0 total_fail=0 failed_presets=()
printf '%-24s %8s %8s %8s\n' preset passed failed seconds
for p in "${presets[@]}"; do
  start=$(date +%s)
  hook="scripts/presets.d/$p.sh"
  log="build/logs/$p.log"
  if [ -f "$hook" ]; then
    # A preset may need a service around ctest (e.g. a warm Wine server).
    bash "$hook" cmake --workflow --preset "$p" --fresh >"$log" 2>&1
  else
    cmake --workflow --preset "$p" --fresh >"$log" 2>&1
  fi
  rc=$?
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  pass=0 fail=0
  if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    fail=${BASH_REMATCH[1]}
    pass=$(( BASH_REMATCH[2] - fail ))
  fi
  if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi   # configure/build failure
  [ $rc -ne 0 ] && failed_presets+=("$p")
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  printf '%-24s %8d %8d %8d\n' "$p" "$pass" "$fail" $(( $(date +%s) - start ))
done

for p in "${failed_presets[@]}"; do
  echo "---- $p failed; last lines of build/logs/$p.log:"
  tail -40 "build/logs/$p.log"
done
echo "${#presets[@]} presets, ${#failed_presets[@]} failed"
echo "$total_pass passed, $total_fail failed"
[ ${#failed_presets[@]} -eq 0 ]
