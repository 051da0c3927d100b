#!/bin/bash
# gdb backtraces inside 32-bit Arm contexts, through qemu-arm's gdb stub:
#   arm32_gdb_backtrace.sh <qemu-arm> <sysroot> <gdb-multiarch> <test_arm32_unwind> <workdir>
#                          [<dir of libfctx.so, for shared builds>]
# Checks, on the test_arm32_unwind program:
#   1. in bt_leaf (called bt_entry -> bt_middle -> bt_leaf in a new context):
#      bt = bt_leaf, bt_middle, bt_entry, fctx_context_start - and nothing
#      after it (the stub's DWARF CFI marks the return address undefined);
#   2. in bt_ontop (an ontop function run on a new context, which "returns"
#      into the stub): bt = bt_ontop, fctx_context_start;
#   3. at every instruction of the next fctx_jump (from a context back to
#      main): a complete backtrace ending in fctx_context_start (before the
#      stack switch) or main (after it), never "??" or a corrupt stack.
set -u
qemu=$1 sysroot=$2 gdb=$3 exe=$4 work=$5 libdir=${6:-}
mkdir -p "$work"
sock="$work/gdb.sock"
rm -f "$sock"
"$qemu" -L "$sysroot" -g "$sock" "$exe" >"$work/qemu.out" 2>&1 &
qpid=$!
trap 'kill $qpid 2>/dev/null; wait $qpid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { echo "qemu's gdb socket did not appear"; exit 1; }

# Libraries outside the sysroot (a shared libfctx) are found through
# solib-search-path: gdb looks for them under the sysroot first.
cmds=(-ex "set sysroot $sysroot" -ex "set solib-search-path $libdir"
      -ex "set pagination off" -ex "file $exe"
      -ex "target remote $sock"
      -ex "break bt_leaf" -ex "continue" -ex "echo ==== leaf\n" -ex "bt"
      -ex "delete" -ex "break bt_ontop" -ex "continue" -ex "echo ==== ontop\n" -ex "bt"
      -ex "delete" -ex "break *fctx_jump" -ex "continue")
# `break *fctx_jump`: its first instruction.  A plain `break fctx_jump` lets
# gdb skip what it takes for a prologue, and without debug info (Release,
# MinSizeRel) its Thumb prologue analyser skips past the stack switch, so
# no step would be seen on the context's side.
steps=24   # fctx_jump is 13-19 instructions; stepi is slow (~0.4 s) under qemu
for i in $(seq $steps); do
  cmds+=(-ex "echo ==== step\n" -ex "bt" -ex "stepi")
done
cmds+=(-ex "kill")
timeout 120 "$gdb" -batch -nx "${cmds[@]}" >"$work/gdb.out" 2>&1
out="$work/gdb.out"

fail() { echo "FAIL: $*"; echo "---- gdb output:"; cat "$out"; exit 1; }

# Frame function names of the backtrace printed after marker $1 (nth: $2).
frames() {
  awk -v m="==== $1" -v want="$2" '
    $0 == m { n++; on = (n == want); next }
    /^====/ { on = 0 }
    on && /^#[0-9]/ { for (i = 2; i <= NF; i++) if ($i !~ /^0x/ && $i != "in") { print $i; break } }
  ' "$out"
}

grep -q "corrupt stack" "$out" && fail "gdb reports a corrupt stack"

leaf=$(frames leaf 1 | tr '\n' ' ')
[ "$leaf" = "bt_leaf bt_middle bt_entry fctx_context_start " ] ||
  fail "backtrace in bt_leaf: '$leaf'"
ontop=$(frames ontop 1 | tr '\n' ' ')
[ "$ontop" = "bt_ontop fctx_context_start " ] ||
  fail "backtrace in bt_ontop: '$ontop'"

in_context=0 in_main=0
for i in $(seq $steps); do
  f=$(frames step "$i")
  [ -n "$f" ] || fail "no backtrace at step $i"
  echo "$f" | grep -q '??' && fail "unknown frame at step $i: $(echo $f)"
  first=$(echo "$f" | head -1) last=$(echo "$f" | tail -1)
  [ "$first" = "fctx_jump" ] || break   # left fctx_jump: done
  case "$last" in
    fctx_context_start) in_context=$((in_context + 1)) ;;
    main) in_main=$((in_main + 1)) ;;
    *) fail "step $i: backtrace ends in '$last': $(echo $f)" ;;
  esac
done
[ $in_context -gt 0 ] && [ $in_main -gt 0 ] ||
  fail "fctx_jump not walked on both sides of the switch ($in_context before, $in_main after)"
echo "gdb: bt in bt_leaf: $leaf| in bt_ontop: $ontop"
echo "gdb: fctx_jump: $in_context instructions before the switch, $in_main after: complete backtraces"
