#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_dist - what make install puts beside the binaries:
#  - dist/nsrpd.service passes "systemd-analyze verify" with no message,
#    its ExecStart= pointed at the build's nsrpd (the installed unit is
#    verified as it is by test_package); one with an unknown setting is
#    caught, so the check can fail. systemd-analyze reads unit files
#    offline: it needs no systemd running.
#  - dist/nsrpd.conf, the commented example, is a valid configuration as
#    it is, and with every "#set" line taken in.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
[[ $BUILD = /* ]] || BUILD=$PWD/$BUILD
[[ -x $BUILD/nsrpd ]] || { echo "not ok: $BUILD/nsrpd is missing (make)"; exit 1; }
command -v systemd-analyze >/dev/null ||
	{ echo "not ok: systemd-analyze is missing (make deps)"; exit 1; }

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify UNIT: systemd-analyze's messages; fails when there are any.
verify() {
	local out
	out=$(systemd-analyze verify --man=no "$1" 2>&1) && [[ -z $out ]] &&
		return 0
	printf '%s\n' "$out"
	return 1
}

sed "s|^ExecStart=/usr/sbin/nsrpd|ExecStart=$BUILD/nsrpd|" dist/nsrpd.service \
	>"$tmp/nsrpd.service"
if out=$(verify "$tmp/nsrpd.service"); then
	echo "  ok: systemd-analyze verify accepts nsrpd.service"
else
	echo "not ok: systemd-analyze verify nsrpd.service:"
	sed 's/^/    /' <<<"$out"
	fail=1
fi
mkdir "$tmp/bad"
sed 's/^NoNewPrivileges=yes/NoNewPrivilege=yes/' "$tmp/nsrpd.service" \
	>"$tmp/bad/nsrpd.service"
if verify "$tmp/bad/nsrpd.service" >/dev/null; then
	echo "not ok: a misspelt setting passed"
	fail=1
else
	echo "  ok: a misspelt setting is caught"
fi
if grep -q '^Type=notify$' dist/nsrpd.service &&
	grep -q '^WatchdogSec=' dist/nsrpd.service &&
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' dist/nsrpd.service; then
	echo "  ok: Type=notify, a watchdog, reload by SIGHUP"
else
	echo "not ok: the unit lacks Type=notify, WatchdogSec= or ExecReload="
	fail=1
fi

sed 's/^#set /set /' dist/nsrpd.conf >"$tmp/all.conf"
if ! grep -q '^set ' "$tmp/all.conf"; then
	echo "not ok: dist/nsrpd.conf has no example line"
	fail=1
elif "$BUILD/nsrpd" --check-config "$tmp/all.conf" >/dev/null; then
	echo "  ok: the example configuration checks, uncommented"
else
	echo "not ok: the example configuration does not check"
	"$BUILD/nsrpd" --check-config "$tmp/all.conf"
	fail=1
fi
# As installed, nothing is set: a start would refuse it, and so does the
# check, in the start's words.
out=$("$BUILD/nsrpd" --check-config dist/nsrpd.conf 2>&1)
rc=$?
if [[ $rc -eq 3 && $out == *"nothing to run"* ]]; then
	echo "  ok: as it is, it is refused: nothing to run (exit 3)"
else
	echo "not ok: as it is, --check-config says (exit $rc): $out"
	fail=1
fi
exit "$fail"
