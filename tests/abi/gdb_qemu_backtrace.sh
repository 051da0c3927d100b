#!/bin/bash
# gdb backtraces in contexts of the qemu-user ports (the rows of
# cmake/FctxTargets.cmake whose ABI_TESTS name test_ports_gdb_backtrace),
# through qemu-user's gdb stub (a unix socket: no port clashes), and natively
# under the host gdb when no
# emulator command is given (x86-64).  gdb_ports is built with frame pointers and
# calls the switches through wrappers built without (sw_jump, sw_ontop in
# gdb_ports_switch.c): on both sides of a switch a stack-pointer-based
# frame sits under a frame-pointer-based one, so a switch whose CFI leaves
# the caller's stack pointer or frame pointer undescribed at any
# instruction loses main or the context's frames.
#   gdb_qemu_backtrace.sh <gdb> <readelf> <gdb_ports exe> <workdir> [<emulator command...>]
# Checks on tests/abi/gdb_ports.c:
#   1. in bt_leaf (bt_entry -> bt_middle -> bt_leaf in a new context):
#      exactly bt_leaf bt_middle bt_entry fctx_context_start (the stub's CFI
#      marks the return address undefined: nothing after it);
#   2. in bt_ontop run on a new context: exactly bt_ontop fctx_context_start
#      (ports whose fctx_ontop calls fn through the frame fctx_ontop_call,
#      ppc64, ppc32 and s390x: bt_ontop fctx_ontop_call fctx_context_start);
#   3. at every instruction of one fctx_jump (context -> main) and one
#      fctx_ontop (main -> suspended context): a complete backtrace ending in
#      fctx_context_start or main, never "??" or a corrupt stack, with both
#      sides of the stack switch seen; and, once fctx_ontop has tail-called
#      bt_ontop: exactly bt_ontop bt_entry fctx_context_start (with
#      bt_ontop [fctx_ontop_call] sw_jump bt_entry fctx_context_start
#      (fctx_ontop_call where it exists: its instructions are stepped as
#      part of fctx_ontop's); fctx_jump returns to sw_ontop in main.
set -u
gdb=$1 readelf=$2 exe=$3 work=$4
shift 4
emu=("$@")
sysroot=""
for ((i = 0; i < ${#emu[@]}; i++)); do
  [ "${emu[$i]}" = "-L" ] && sysroot=${emu[$((i + 1))]}
done
mkdir -p "$work"
sock="$work/gdb.sock"
if [ ${#emu[@]} -gt 0 ]; then
  rm -f "$sock"
  "${emu[@]}" -g "$sock" "$exe" >"$work/qemu.out" 2>&1 &
  qpid=$!
  trap 'kill $qpid 2>/dev/null; wait $qpid 2>/dev/null' EXIT
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || { echo "qemu's gdb socket did not appear"; exit 1; }
fi

# Symbol sizes: gdb single-steps while the pc is inside the function.
size_of() {
  "$readelf" -sW "$exe" | awk -v f="$1" '$8 == f && $4 == "FUNC" { print $3; exit }'
}
jsize=$(size_of fctx_jump) osize=$(size_of fctx_ontop)
[ -n "$jsize" ] && [ -n "$osize" ] || { echo "fctx_jump/fctx_ontop not found in $exe"; exit 1; }
csize=$(size_of fctx_ontop_call) via=""
[ -n "$csize" ] && via="fctx_ontop_call "

# code_at <function>: a gdb expression for the address of its first
# instruction: the symbol's value & ~1 (a Thumb function's address has bit
# 0 set, its pc not), or, where the symbol names a function descriptor in
# .opd (ppc64 ELFv1), the entry address the descriptor's first doubleword
# holds.
opd=$("$readelf" -SW "$exe" | sed -n 's/^ *\[ *\([0-9]*\)\] \.opd .*/\1/p')
code_at() {
  local ndx
  ndx=$("$readelf" -sW "$exe" | awk -v f="$1" '$8 == f && $4 == "FUNC" { print $7; exit }')
  if [ -n "$opd" ] && [ "$ndx" = "$opd" ]; then
    echo "(*(unsigned long *) &$1)"
  else
    echo "(((unsigned long) &$1) & ~1)"
  fi
}

# step_through <function> <size> <marker> [<function2> <size2>]: a backtrace
# at every instruction until the pc leaves the function (and function2,
# which it branches to), and one more after it.
step_through() {
  local lo2=0 hi2=0 at
  at=$(code_at "$1")
  [ $# -ge 5 ] && lo2=$(code_at "$4") hi2="\$lo2 + $5"
  cat <<GDB
delete
break *$at
continue
set \$lo = $at
set \$hi = \$lo + $2
set \$lo2 = $lo2
set \$hi2 = $hi2
set \$n = 0
while ((\$pc >= \$lo && \$pc < \$hi) || (\$pc >= \$lo2 && \$pc < \$hi2)) && \$n < 500
  echo ==== $3\\n
  bt
  stepi
  set \$n = \$n + 1
end
echo ==== $3\\n
bt
GDB
}
cmdfile="$work/cmds.gdb"
{
  echo "set debuginfod enabled off"
  echo "set pagination off"
  echo "set width 0"
  echo "set print frame-arguments none"
  [ -n "$sysroot" ] && echo "set sysroot $sysroot"
  echo "file $exe"
  [ ${#emu[@]} -gt 0 ] && echo "target remote $sock"
  echo "break bt_leaf"
  if [ ${#emu[@]} -gt 0 ]; then echo "continue"; else echo "run"; fi
  echo 'echo ==== leaf\n'
  echo "bt"
  echo "delete"
  echo "break bt_ontop"
  echo "continue"
  echo 'echo ==== ontop\n'
  echo "bt"
  step_through fctx_jump "$jsize" jump
  if [ -n "$via" ]; then
    step_through fctx_ontop "$osize" ontop-step fctx_ontop_call "$csize"
  else
    step_through fctx_ontop "$osize" ontop-step
  fi
  echo "kill"
} >"$cmdfile"
timeout 300 "$gdb" -batch -nx -x "$cmdfile" >"$work/gdb.out" 2>&1
out="$work/gdb.out"

fail() { echo "FAIL: $*"; echo "---- gdb output:"; cat "$out"; exit 1; }

# Function names of the frames printed after the nth marker $1.
frames() {
  awk -v m="==== $1" -v want="$2" '
    $0 == m { n++; on = (n == want); next }
    /^====/ { on = 0 }
    on && /^#[0-9]/ { for (i = 2; i <= NF; i++) if ($i !~ /^0x/ && $i != "in") { print $i; break } }
  ' "$out"
}

grep -q "corrupt stack" "$out" && fail "gdb reports a corrupt stack"
grep -q "Backtrace stopped" "$out" && fail "gdb stopped a backtrace early"

leaf=$(frames leaf 1 | tr '\n' ' ')
[ "$leaf" = "bt_leaf bt_middle bt_entry fctx_context_start " ] ||
  fail "backtrace in bt_leaf: '$leaf'"
ontop=$(frames ontop 1 | tr '\n' ' ')
[ "$ontop" = "bt_ontop ${via}fctx_context_start " ] ||
  fail "backtrace in bt_ontop on a new context: '$ontop'"

# walk <marker> <function>: check the backtraces while inside <function>.
walk() {
  local marker=$1 fn=$2 ctx=0 main=0 i f first last
  after=""
  for i in $(seq 500); do
    f=$(frames "$marker" "$i")
    [ -n "$f" ] || fail "$fn: no backtrace at step $i"
    echo "$f" | grep -q '??' && fail "$fn: unknown frame at step $i: $(echo $f)"
    first=$(echo "$f" | head -1) last=$(echo "$f" | tail -1)
    if [ "$first" != "$fn" ] && { [ -z "$via" ] || [ "$first" != fctx_ontop_call ]; }; then
      after=$(echo "$f" | tr '\n' ' ')
      break
    fi
    case "$last" in
      fctx_context_start) ctx=$((ctx + 1)) ;;
      main) main=$((main + 1)) ;;
      *) fail "$fn step $i: backtrace ends in '$last': $(echo $f)" ;;
    esac
  done
  [ $ctx -gt 0 ] && [ $main -gt 0 ] ||
    fail "$fn not walked on both sides of the switch ($ctx/$main)"
  [ -n "$after" ] || fail "$fn: no backtrace after leaving it"
  echo "gdb: $fn: $((ctx + main)) instructions, complete backtraces ($ctx in the context, $main in main)"
}
walk jump fctx_jump
[ "$after" = "sw_ontop main " ] || fail "fctx_jump did not return to sw_ontop in main: $after"
walk ontop-step fctx_ontop
[ "$after" = "bt_ontop ${via}sw_jump bt_entry fctx_context_start " ] ||
  fail "backtrace in bt_ontop on a suspended context: '$after'"
echo "gdb: bt in bt_leaf: $leaf| bt_ontop (new context): $ontop| bt_ontop (suspended): $after"
