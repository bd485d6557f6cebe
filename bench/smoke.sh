#!/bin/sh
# SPDX-License-Identifier: MIT
# CI smoke of polychat-bench: a seconds-long run that must finish and write
# its files. It checks no figure and no timing: those depend on the machine.
set -u
build=${POLYCHAT_BUILDDIR:-.}
out=$(mktemp -d "${TMPDIR:-/tmp}/polychat-bench-smoke-XXXXXX") || exit 99
trap 'rm -rf "$out"' EXIT INT TERM

peer=
if ! [ -x /usr/sbin/ngircd ]; then
	echo "SKIP peer part: ngircd is not installed (apt-get install ngircd)"
	peer=--no-peer
fi

"$build/bench/polychat-bench" --smoke $peer --out "$out" >"$out/table.txt" 2>"$out/log.txt"
rc=$?
cat "$out/table.txt"
if [ "$rc" -ne 0 ]; then
	cat "$out/log.txt"
	echo "FAIL: polychat-bench --smoke exited with status $rc"
	exit 1
fi
for f in results.csv results.json plots.gp idle.dat; do
	if ! [ -s "$out/$f" ]; then
		echo "FAIL: polychat-bench --smoke wrote no $f"
		exit 1
	fi
done
for part in '"handshakes"' '"fanout"' '"idle"'; do
	if ! grep -q "$part" "$out/results.json"; then
		echo "FAIL: results.json has no $part"
		exit 1
	fi
done
echo "polychat-bench --smoke: ran and wrote its files"
