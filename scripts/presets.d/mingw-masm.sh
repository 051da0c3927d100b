#!/bin/bash
# scripts/test.sh runs the mingw-masm workflow through this hook: Windows tests
# run under Wine, which needs a warm server (see scripts/wine-run.sh).
exec bash "$(dirname "$0")/../wine-run.sh" "$@"
