#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_check_config - "nsrpd --check-config FILE" refuses every file nsrpd
# refuses to start with, with the same messages and exit status: bad
# lines, lines that contradict each other, and a file that gives nsrpd
# nothing to run (no HA interface, no VSI), which --check-config once
# called OK. nsrpd itself runs in a network namespace of its own, with no
# interface to touch should it get past its configuration.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd unshare timeout
NSRPD=$BUILD/san/nsrpd
[[ -x $NSRPD ]] || skip "build first (make tests)"

TMP=$(mktemp -d "/tmp/$T_NAME.XXXXXX")
on_exit "rm -rf $TMP"

# The problems said of FILE, one per line, as "FILE..." lines of stderr.
problems() { grep "^$1" | grep -v ': configuration rejected$'; }

# parity NAME MESSAGE: the file NAME.conf is refused by both, each saying
# MESSAGE among the same problems, with the same exit status.
parity() {
	local f=$TMP/$1.conf want=$2 rc_check rc_start
	"$NSRPD" --check-config "$f" >/dev/null 2>"$TMP/check.err"
	rc_check=$?
	timeout 5 unshare -n "$NSRPD" -f "$f" -S "$TMP/$1.sock" \
		-P "/sys/fs/bpf/nsrpd-$T_NAME-$$" >/dev/null 2>"$TMP/start.err"
	rc_start=$?
	problems "$f" <"$TMP/check.err" >"$TMP/check.p"
	problems "$f" <"$TMP/start.err" >"$TMP/start.p"
	if [[ $rc_check == 3 && $rc_start == 3 && -s $TMP/check.p ]] &&
	   cmp -s "$TMP/check.p" "$TMP/start.p" &&
	   grep -qxF -- "$f$want" "$TMP/check.p"; then
		return 0
	fi
	echo "  --check-config: exit $rc_check"; sed 's/^/    /' "$TMP/check.err"
	echo "  nsrpd -f: exit $rc_start"; sed 's/^/    /' "$TMP/start.err"
	return 1
}

printf 'set nsrp cluster id 1\nset nsrp cluster name lab\n' >"$TMP/empty.conf"
check "nothing to run: both refuse it, alike" \
	parity empty ": no HA interface and no VSI: nothing to run"

printf 'set nsrp interface ha0\nset nsrp bogus 1\n' >"$TMP/bad-line.conf"
check "a bad line: both name it, alike" \
	parity bad-line ":2: unknown keyword 'bogus' (expected arp, auth, cluster, config, encrypt, interface, metrics, monitor, notify, realtime-priority, rto, rto-mirror, secondary-path, standalone-role, track-ip, vsd-group, witness)"

printf 'set nsrp interface ha0\nset interface lan0:3 ip 192.0.2.1/24\n' \
	>"$TMP/no-group.conf"
check "a VSI of an undefined group: both refuse it, alike" \
	parity no-group ":2: interface lan0:3: VSD group 3 is not defined (set nsrp vsd-group id 3)"

printf 'set nsrp interface ha0\nset nsrp vsd id 0 pri 500\nset nsrp arp x\n' \
	>"$TMP/two.conf"
check "two bad lines: both name each, alike" \
	parity two ":3: arp must be 0-255"

check "a good file is OK" \
	eval '"$NSRPD" --check-config "$TOP/examples/fw1.conf" |
	      grepq -x "$TOP/examples/fw1.conf: configuration OK"'
t_done
