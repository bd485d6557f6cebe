#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Set up a fresh Debian machine (as root) and either serve or test polychat.
#   scripts/debian.sh serve   install deps, build, install, run polychatd in the foreground
#   scripts/debian.sh test    install deps, build with warnings as errors, make check,
#                             the same under ASan+UBSan, then make distcheck
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# Build and test dependencies, by Debian package name.
packages=(
	build-essential autoconf automake libtool pkg-config
	libuv1-dev libyaml-dev libssl-dev libsqlite3-dev libltdl-dev libcrypt-dev
	libmariadb-dev libwslay-dev check
)
# Only for the tests, installed without starting their system services:
# the store-mariadb tests run private mariadbd servers of their own, and
# the benchmark's smoke starts a private ngIRCd (gnuplot draws its plots),
# and the fuzz harnesses build with clang and its libFuzzer runtime.
test_packages=(mariadb-server ngircd gnuplot-nox clang libclang-rt-14-dev)

# install_deps PACKAGE...: install those not installed yet.
install_deps() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "== installing: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		without_service_starts apt-get install -y -qq --no-install-recommends "${missing[@]}"
	fi
}

# without_service_starts COMMAND...: run it with invoke-rc.d told to start
# no service (policy-rc.d exit 101), so mariadb-server's package scripts
# neither start a system MariaDB nor fail where there is no init system (a
# container). An existing policy-rc.d is left as it is.
without_service_starts() {
	local policy=/usr/sbin/policy-rc.d rc=0
	if [ -e "$policy" ]; then
		"$@"
		return
	fi
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	"$@" || rc=$?
	rm -f "$policy"
	trap - EXIT
	return "$rc"
}

bootstrap() {
	(cd "$here" && autoreconf -fi)
}

# configure_in DIR ARGS...: a fresh out-of-tree build directory.
configure_in() {
	local dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$here/configure" -q "$@")
}

# demo_account CONFIG: a kylochat admin `demo` with a random password,
# printed once, made only if the account does not exist yet. The daemon
# itself never creates an account.
demo_account() {
	local config=$1 ctl=/usr/local/sbin/polychatctl password
	"$ctl" -c "$config" -l kylochat user show demo >/dev/null 2>&1 && return 0
	if password=$("$ctl" -c "$config" -l kylochat user add demo --admin --random); then
		echo "== kylochat account 'demo' (admin) created; its password, shown only now: $password"
		echo "   polychat --suite kylochat --port 5000 --user demo"
	else
		echo "== no demo account (the config has no kylochat listener?)"
	fi
}

serve() {
	install_deps "${packages[@]}"
	bootstrap
	configure_in "$here/build" --prefix=/usr/local --sysconfdir=/usr/local/etc
	make -C "$here/build" -j"$jobs"
	make -C "$here/build" install
	ldconfig
	local config=/usr/local/etc/polychat/polychatd.yaml
	mkdir -p /var/lib/polychat
	cd /var/lib/polychat
	demo_account "$config"
	echo "== pychat and fernet-hybrid need no account:"
	echo "   polychat --suite pychat --port 1234 --user NAME"
	echo "   polychat --suite fernet-hybrid --port 12345 --user NAME"
	echo "== e2ee-chat registers a 10-digit number; clients need the server's public key,"
	echo "   written at the first start to /var/lib/polychat/e2ee-chat-server-public.pem:"
	echo "   polychat --suite e2ee-chat --port 8080 --user 0501234567 \\"
	echo "       --opt server_key=/var/lib/polychat/e2ee-chat-server-public.pem"
	echo "== polychatd -c $config (state in /var/lib/polychat; Ctrl-C stops it)"
	exec /usr/local/sbin/polychatd -c "$config"
}

run_tests() {
	install_deps "${packages[@]}" "${test_packages[@]}"
	bootstrap
	echo "== build with -Werror, make check"
	configure_in "$here/build-check" --enable-werror
	make -C "$here/build-check" -j"$jobs"
	make -C "$here/build-check" -j"$jobs" check || { cat "$here"/build-check/tests/*/*.log; exit 1; }

	echo "== build with AddressSanitizer + UndefinedBehaviorSanitizer, make check"
	configure_in "$here/build-asan" --enable-werror --enable-asan --enable-ubsan
	make -C "$here/build-asan" -j"$jobs"
	make -C "$here/build-asan" -j"$jobs" check || { cat "$here"/build-asan/tests/*/*.log; exit 1; }

	echo "== libFuzzer harnesses (clang, ASan+UBSan): a short run over the seed corpora"
	configure_in "$here/build-fuzz" CC=clang --enable-fuzzing --enable-asan --enable-ubsan
	make -C "$here/build-fuzz" -j"$jobs"
	make -C "$here/build-fuzz" -j"$jobs" check TESTS=
	POLYCHAT_BUILDDIR="$here/build-fuzz" "$here/tests/fuzz/run.sh" 20000

	echo "== make distcheck"
	make -C "$here/build-check" -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror
	echo "== all tests passed"
}

case "${1:-}" in
serve) serve ;;
test) run_tests ;;
*)
	echo "usage: $0 serve|test" >&2
	exit 2
	;;
esac
