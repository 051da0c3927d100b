#!/bin/bash
# Run a command (normally ctest, or a CMake workflow) with a warm Wine:
#   scripts/wine-run.sh cmake --workflow --preset mingw-gas
#   scripts/wine-run.sh ctest --test-dir build/mingw-gas
# Used by scripts/presets.d/mingw-*.sh, which scripts/test.sh wraps around
# the Windows presets.
#
# Why: every Windows test runs under Wine.  Without a persistent wineserver
# each test costs ~2.4 s, because ctest waits until the Wine services the
# test started (services.exe & co.) exit and close its stdout pipe.  A
# persistent server alone is worse: the first test then starts services
# that never exit, holding the pipe, and ctest hangs.  So: create the
# prefix, let that transient server go, start a persistent one, and start
# the services under it with their fds on /dev/null, before any test runs.
# Afterwards the server (and the services) are shut down.
#
# The prefix lives in build/wineprefix (about 700 MB, created on first use
# in 10-60 s), never in ~/.wine.  One run at a time per prefix: a lock
# serialises concurrent users (wineserver -k would kill the other's).
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$root/build"
export WINEPREFIX="${FCTX_WINEPREFIX:-$root/build/wineprefix}" WINEDEBUG=-all
WINE=$(command -v wine || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver64)

exec 9>"$WINEPREFIX.lock"
flock 9

# A server left running on this prefix (an interrupted run) would make the
# wait below hang and ignore -p: stop it first.  We hold the lock, so it is
# nobody else's.
"$WINESERVER" -k </dev/null >/dev/null 2>&1
"$WINESERVER" -w </dev/null >/dev/null 2>&1
"$WINE" cmd /c exit </dev/null >/dev/null 2>&1   # creates the prefix if missing
"$WINESERVER" -w </dev/null >/dev/null 2>&1      # wait for that transient server to go
"$WINESERVER" -p </dev/null >/dev/null 2>&1      # persistent server
"$WINE" cmd /c exit </dev/null >/dev/null 2>&1   # services start now, fds on /dev/null

"$@"
rc=$?
"$WINESERVER" -k </dev/null >/dev/null 2>&1
"$WINESERVER" -w </dev/null >/dev/null 2>&1
exit $rc
