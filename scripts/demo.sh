#!/bin/bash
# Build fctx (optimised) and run the demo: the switch benchmark against
# Boost.Context and glibc swapcontext, then the epoll echo server under load
# (10,000 concurrent loopback connections, one fiber each).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --if-missing base boost
cmake --preset demo >/dev/null
cmake --build --preset demo -j"$(nproc)" >/dev/null
echo "== context switch: ns per one-way switch (median of many rounds, pinned to one CPU),"
echo "   in the clean FP state and with different FP exception flags on the two sides, as in"
echo "   a real program; the CPU and kernel are named in the table's header and last line"
build/demo/bench/bench --demo
echo
echo "== echo server: 10,000 concurrent connections on 127.0.0.1, one fiber per connection"
build/demo/examples/echo_server --selftest --connections 10000
