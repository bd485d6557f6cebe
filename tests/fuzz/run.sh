#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every libFuzzer harness of a build configured with
#   ./configure CC=clang --enable-fuzzing && make check TESTS=
# over its committed seed corpus, for RUNS executions each (default
# 100000; the long runs of docs/RELIABILITY.md use 10000000). New inputs go
# to a scratch directory; a crash, leak or timeout fails the run and leaves
# its reproducer (crash-*, leak-*, timeout-*) in the current directory.
#   tests/fuzz/run.sh [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${POLYCHAT_BUILDDIR:-$(pwd)}
runs=${1:-100000}
export POLYCHAT_BUILDDIR="$build"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
status=0
for harness in "$build"/tests/fuzz/fuzz-*; do
	[ -x "$harness" ] || continue
	name=${harness##*/fuzz-}
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/polychat-fuzz-$name-XXXXXX")
	echo "== $name: $runs executions"
	if ! "$harness" -runs="$runs" -max_len=4096 -timeout=10 -print_final_stats=1 \
			"$scratch" "$here/corpus/$name" 2>"$scratch.log"; then
		tail -40 "$scratch.log"
		status=1
	fi
	grep -E "^stat::(number_of_executed_units|new_units_added)|cov:" "$scratch.log" | tail -3
	rm -rf "$scratch" "$scratch.log"
done
exit "$status"
