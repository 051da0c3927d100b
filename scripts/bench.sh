#!/bin/bash
# Full benchmark run and its plot.
#
#   scripts/bench.sh [BENCH_BINARY]
#
# Default binary: build/demo/bench/bench, configured and built first with the
# "demo" preset (Release).  Writes
#   build/bench-results/bench.md   the Markdown tables printed by the run
#   build/bench-results/bench.csv  every row (group,id,label,median_ns,...,
#                                  vs_boost,vs_equal_state); its first line is a
#                                  "# ..." comment naming the CPU and kernel
#   docs/bench.svg                 one-way switch times (median; bars: 10th-90th
#                                  percentile of the rounds), the clean state and
#                                  the FP states (equal / status flags differ),
#                                  titled with the CPU and kernel
# Extra arguments for the benchmark go in BENCH_ARGS (e.g. "--cpu 1");
# PLOT_TERMINAL / PLOT_OUTPUT choose another gnuplot terminal and file.
set -eu
cd "$(dirname "$0")/.."

bench=${1:-}
if [ -z "$bench" ]; then
  cmake --preset demo >/dev/null
  cmake --build --preset demo --target fctx_bench >/dev/null
  bench=build/demo/bench/bench
fi
out=build/bench-results
mkdir -p "$out"
# shellcheck disable=SC2086  # BENCH_ARGS is a word list on purpose
"$bench" --csv "$out/bench.csv" ${BENCH_ARGS:-} | tee "$out/bench.md"

command -v gnuplot >/dev/null || { echo "bench.sh: gnuplot not installed, no plot (apt-get install gnuplot-nox)" >&2; exit 0; }

# Short labels and colours for the switch rows; swapcontext is two orders of
# magnitude slower, so it is named in the title instead of drawn.  Columns
# are counted from the end of the line (labels may contain commas):
# ...,median,min,max,p10,p90,vs_boost,vs_equal_state.
awk -F, '
  BEGIN {
    short["jump"] = "fctx\\njump";              col["jump"] = "0x1f77b4"
    short["jump_nofpu"] = "fctx jump\\nno FPU ctl"; col["jump_nofpu"] = "0x6baed6"
    short["fiber"] = "fctx\\nfiber resume";     col["fiber"] = "0x1f77b4"
    short["ontop"] = "fctx\\nontop";            col["ontop"] = "0x1f77b4"
    short["ontop_nofpu"] = "fctx ontop\\nno FPU ctl"; col["ontop_nofpu"] = "0x6baed6"
    short["boost_jump"] = "Boost\\njump_fcontext"; col["boost_jump"] = "0xd62728"
    short["boost_fiber"] = "Boost\\nfiber resume"; col["boost_fiber"] = "0xd62728"
    short["boost_ontop"] = "Boost\\nontop_fcontext"; col["boost_ontop"] = "0xd62728"
    short["jump_fp_equal"] = "fctx jump\\nFP equal";  col["jump_fp_equal"] = "0x1f77b4"
    short["jump_fp_status"] = "fctx jump\\nflags differ"; col["jump_fp_status"] = "0x1f77b4"
    short["boost_jump_fp_equal"] = "Boost jump\\nFP equal"; col["boost_jump_fp_equal"] = "0xd62728"
    short["boost_jump_fp_status"] = "Boost jump\\nflags differ"; col["boost_jump_fp_status"] = "0xd62728"
    short["fiber_fp_status"] = "fctx fiber\\nflags differ"; col["fiber_fp_status"] = "0x1f77b4"
    short["boost_fiber_fp_status"] = "Boost fiber\\nflags differ"; col["boost_fiber_fp_status"] = "0xd62728"
    order = "jump jump_nofpu boost_jump fiber boost_fiber ontop ontop_nofpu boost_ontop " \
            "jump_fp_equal boost_jump_fp_equal jump_fp_status boost_jump_fp_status " \
            "fiber_fp_status boost_fiber_fp_status"
    n = split(order, ids, " ")
  }
  /^#/ { sub(/^# */, ""); print "# machine " $0; next }
  $1 == "switch" || $1 == "fpstate" { med[$2] = $(NF-6); lo[$2] = $(NF-3); hi[$2] = $(NF-2) }
  END {
    i = 0
    for (k = 1; k <= n; k++) {
      id = ids[k]
      if (!(id in med)) continue
      printf "%d\t\"%s\"\t%s\t%s\t%s\t%s\n", i++, short[id], med[id], lo[id], hi[id], col[id]
    }
    if ("swapcontext" in med) printf "# swapcontext %s\n", med["swapcontext"]
  }' "$out/bench.csv" > "$out/plot.dat"

swap=$(sed -n 's/^# swapcontext //p' "$out/plot.dat")
# "fctx bench (full run), CPU: <model> (family F model M), kernel Linux <release>"
machine=$(sed -n 's/^# machine .*CPU: //p' "$out/plot.dat" | head -1)
[ -n "$machine" ] || machine="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1), kernel $(uname -sr)"
title="One-way context switch: median of interleaved rounds (bars: 10th-90th percentile)"
title="$title\\nclean FP state, then FP states: equal (inexact flag set on both sides) / flags differ (main's set, peer's clear)"
[ -n "$swap" ] && title="$title\\nglibc swapcontext: $(printf '%.0f' "$swap") ns (off scale)"
term=${PLOT_TERMINAL:-'svg size 1200,540 dynamic enhanced font "sans,12" background rgb "white"'}
plot_out=${PLOT_OUTPUT:-docs/bench.svg}

gnuplot <<GP
set terminal $term
set output "$plot_out"
set title "$title\\n$machine" noenhanced
set ylabel "ns per switch (lower is better)"
set style fill solid 0.85 border -1
set boxwidth 0.7
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set xtics nomirror scale 0 font ",8" noenhanced
set bmargin 5
set key off
plot "$out/plot.dat" using 1:3:6:xtic(2) with boxes lc rgb variable, \
     "" using 1:3:4:5 with yerrorbars lc rgb "black" pt 0, \
     "" using 1:5:(sprintf("%.1f", \$3)) with labels offset 0,0.7 tc rgb "black" font ",10"
GP
echo "bench.sh: wrote $out/bench.md, $out/bench.csv and $plot_out"
