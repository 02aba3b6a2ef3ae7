# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lib.sh - shared by the integration tests. A test sources it, builds its own
# topology, registers its teardown with on_exit, and calls the assertions;
# it exits 0 when every assertion held, 77 when it had to skip, 1 otherwise.

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
[[ $BUILD = /* ]] || BUILD=$TOP/$BUILD
T_NAME=$(basename "$0" .sh)
T_FAILED=0
T_CLEANUP=()

# Runs the registered teardown steps in reverse order on any exit.
t_teardown() {
	local i
	for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUP[i]}" >/dev/null 2>&1 || true
	done
}
trap t_teardown EXIT
trap 'exit 130' INT TERM

on_exit() { T_CLEANUP+=("$*"); }

skip() { echo "SKIP: $T_NAME: $*"; exit 77; }

require_root() { [[ $(id -u) -eq 0 ]] || skip "needs root"; }

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "needs $c"
	done
}

ok() { echo "  ok: $*"; }
not_ok() { echo "  not ok: $*"; T_FAILED=1; }

# check "what" cmd...: the command must succeed.
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# check_fails "what" cmd...: the command must fail.
check_fails() {
	local what=$1; shift
	if "$@"; then not_ok "$what"; else ok "$what"; fi
}

# wait_for SECONDS cmd...: polls every 0.1 s until the command succeeds.
wait_for() {
	local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
	until "$@"; do
		(( $(date +%s%N) < deadline )) || return 1
		sleep 0.1
	done
}

t_done() {
	if ((T_FAILED)); then echo "FAIL: $T_NAME"; exit 1; fi
	echo "PASS: $T_NAME"; exit 0
}
