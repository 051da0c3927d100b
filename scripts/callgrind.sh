#!/bin/bash
# Instructions per one-way switch, counted with valgrind's callgrind (stable
# from run to run and machine to machine, unlike times; many VMs have no
# hardware PMU for `perf stat -e instructions`).
#
#   scripts/callgrind.sh [BENCH_BINARY]
#   CALLGRIND_GROUP=alt scripts/callgrind.sh    the alternative switch codes
#                                               of `bench --alternatives`
#   CALLGRIND_GROUP=fpstate scripts/callgrind.sh  the FP-state cases (equal,
#                                               status flags differ, control
#                                               differs); altfp: alternatives
#                                               with status flags differing
#
# Default binary: build/demo/bench/bench (configured and built with the
# "demo" preset first).  For every ping-pong case of the benchmark it runs
# `bench --only ID --iters N` and --iters 2N under callgrind and prints:
#   - per switch (loop incl.): (total Ir at 2N - total Ir at N) / (2N): all
#     instructions one one-way switch costs, the benchmark's loop included
#     (setup and teardown cancel out);
#   - switch function: instructions executed inside the switch function
#     itself per call (fctx_jump, jump_fcontext, ...), summed per
#     instruction address (scripts/callgrind_count.py);
#   - resume wrapper: the same for fctx_fiber_resume (fiber cases only:
#     fiber, fiber_hpp, fiber_fp_*).
# Output is a Markdown table.
set -eu
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 1; }

bench=${1:-}
if [ -z "$bench" ]; then
  cmake --preset demo >/dev/null
  cmake --build --preset demo --target fctx_bench >/dev/null
  bench=build/demo/bench/bench
fi
N=${CALLGRIND_ITERS:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case id -> switch function symbol (the C++ fiber's resume is inlined into
# the benchmark; it calls jump_fcontext underneath).
declare -A fn=([jump]=fctx_jump [jump_nofpu]=fctx_nofpu_jump [fiber]=fctx_jump [fiber_hpp]=fctx_jump
               [ontop]=fctx_ontop [ontop_nofpu]=fctx_nofpu_ontop
               [boost_jump]=jump_fcontext [boost_fiber]=jump_fcontext
               [boost_ontop]=ontop_fcontext [swapcontext]=-)

count() { # id iters -> writes $tmp/<id>.<iters>.out
  valgrind --tool=callgrind --dump-instr=yes --dump-line=no \
    --callgrind-out-file="$tmp/$1.$2.out" "$bench" --only "$1" --iters "$2" >/dev/null 2>"$tmp/$1.$2.log" \
    || { echo "callgrind.sh: $bench --only $1 failed:" >&2; tail -5 "$tmp/$1.$2.log" >&2; exit 1; }
  sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/$1.$2.out" | head -1
}

echo "| case | per switch (loop incl.) | switch function | resume wrapper |"
echo "|---|---:|---:|---:|"
group=${CALLGRIND_GROUP:-switch}
mapfile -t ids < <("$bench" --list | awk -v g="$group" '$2 == g {print $1}')
for id in "${ids[@]}"; do
  a=$(count "$id" "$N")
  b=$(count "$id" $((2 * N)))
  per=$(awk -v a="$a" -v b="$b" -v n="$N" 'BEGIN { printf "%.2f", (b - a) / (2 * n) }')
  case $id in                 # FP-state cases (group fpstate): the same switches
    alt_*_fp_*) sym=${id%_fp_*}_jump ;;   # alt_<name>_fp_status -> alt_<name>_jump
    boost_*_fp_*) sym=jump_fcontext ;;
    *_fp_*) sym=fctx_jump ;;
    *) sym=${fn[$id]:-${id}_jump} ;;   # alternatives: alt_<name> -> alt_<name>_jump
  esac
  in_fn="-"
  wrapper="-"
  if [ "$sym" != "-" ]; then
    # Per call, from the 2N run minus the N run (setup/teardown switches cancel).
    read -r _ fa ca < <(python3 scripts/callgrind_count.py "$tmp/$id.$N.out" "$bench" "$sym")
    read -r _ fb cb < <(python3 scripts/callgrind_count.py "$tmp/$id.$((2 * N)).out" "$bench" "$sym")
    in_fn=$(awk -v a="$fa" -v b="$fb" -v ca="$ca" -v cb="$cb" 'BEGIN { if (cb > ca) printf "%.2f", (b - a) / (cb - ca); else print "-" }')
  fi
  if [ "$id" = fiber ] || [ "$id" = fiber_hpp ] || [[ $id == fiber_fp_* ]]; then
    read -r _ fa ca < <(python3 scripts/callgrind_count.py "$tmp/$id.$N.out" "$bench" fctx_fiber_resume)
    read -r _ fb cb < <(python3 scripts/callgrind_count.py "$tmp/$id.$((2 * N)).out" "$bench" fctx_fiber_resume)
    wrapper=$(awk -v a="$fa" -v b="$fb" -v ca="$ca" -v cb="$cb" 'BEGIN { if (cb > ca) printf "%.2f", (b - a) / (cb - ca); else print "-" }')
  fi
  label=$("$bench" --list | awk -v id="$id" '$1 == id { $1 = ""; $2 = ""; sub(/^ +/, ""); print }')
  echo "| $label | $per | $in_fn (${sym}) | $wrapper |"
done
