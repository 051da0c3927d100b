#!/bin/bash
# Runs one test binary under valgrind memcheck: the valgrind preset sets this
# script as CMAKE_CROSSCOMPILING_EMULATOR, so ctest prefixes every test that
# runs a built executable with it.
#
#   valgrind-test.sh <test binary> [args...]
#
# Fails (exit 99) on any memcheck error or definitely-lost block in the test
# process, and (exit 98) if valgrind printed a "client switching stacks?"
# warning in the test or in any child it forked: that warning means a stack
# switch valgrind was not told about (an unregistered stack), after which
# memcheck's view of the stack is wrong even if no error follows.
#
# Children forked by death tests (they die of SIGSEGV by design) get their own
# log file (%p); their memcheck findings about the intended crash do not fail
# the test (the parent checks how they died), but the stack warning does.
set -u
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind-test.sh: valgrind not found" >&2
  exit 97
fi
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/fctx-valgrind.XXXXXX") || exit 97
trap 'rm -rf "$log_dir"' EXIT

valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
         --log-file="$log_dir/vg.%p" "$@" &
pid=$!
wait "$pid"
rc=$?

# The test's own report, then a one-line summary per forked child.
if [ -f "$log_dir/vg.$pid" ]; then
  cat "$log_dir/vg.$pid" >&2
fi
for f in "$log_dir"/vg.*; do
  [ "$f" = "$log_dir/vg.$pid" ] && continue
  [ -f "$f" ] || continue
  why=$(grep -m1 -E 'Process terminating|ERROR SUMMARY' "$f" | sed 's/^==[0-9]*== *//')
  echo "valgrind-test.sh: forked child ${f##*.}: ${why:-exited}" >&2
done

if grep -l 'client switching stacks' "$log_dir"/vg.* >/dev/null 2>&1; then
  echo "valgrind-test.sh: FAIL: valgrind saw an unannounced stack switch:" >&2
  grep -h -A3 'client switching stacks' "$log_dir"/vg.* >&2
  exit 98
fi
exit "$rc"
