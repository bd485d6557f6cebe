#!/bin/sh
# SPDX-License-Identifier: MIT
# The one benchmark command: polychat-bench, its table kept beside the
# CSV/JSON it writes, then the plots if gnuplot is installed.
#   bench/run.sh [--build DIR] [--out DIR] [polychat-bench options...]
# Defaults: the build in $POLYCHAT_BUILDDIR or the current directory, and
# docs/benchmarks/ of the source tree.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${POLYCHAT_BUILDDIR:-$(pwd)}
out=$here/docs/benchmarks
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) break ;;
	esac
done
bench=$build/bench/polychat-bench
if ! [ -x "$bench" ]; then
	echo "run.sh: no $bench: build first (make), or pass --build DIR" >&2
	exit 2
fi
mkdir -p "$out"
# The table goes to the terminal and into table.txt; progress to stderr.
status=0
POLYCHAT_SRCDIR=$here "$bench" --build "$build" --out "$out" "$@" >"$out/table.txt" || status=$?
cat "$out/table.txt"
if command -v gnuplot >/dev/null 2>&1; then
	(cd "$out" && gnuplot plots.gp) && echo "plots: $out/throughput.png latency.png rss.png"
else
	echo "gnuplot is not installed (apt-get install gnuplot-nox): no plots" >&2
fi
exit "$status"
