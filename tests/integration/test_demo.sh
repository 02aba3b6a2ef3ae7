#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A smoke run of "make demo", the README's first command, so that it cannot
# rot: it must finish, fail over both ways and write its report. No timing
# is asserted here; the benchmarks measure. What the demo claims is: the
# long-lived TCP connections carry on across both role changes. It runs
# the sanitized agent and nsrpctl, whose reports are read once the demo
# has stopped them.
. "$(dirname "$0")/lib.sh"
require_root
[[ -x $BUILD/san/nsrpd && -x $BUILD/san/nsrpctl ]] || skip "build first (make tests)"

export BUILD
out=$(NSRP_LAB=demo$$ NSRPD=$BUILD/san/nsrpd NSRPCTL=$BUILD/san/nsrpctl \
	san "$TOP/tools/demo" 2>&1)
rc=$?
report=$BUILD/demo/report.txt
keep_on_failure "$BUILD/demo"
check "the demo finishes" test "$rc" -eq 0
check "fw2 took over when fw1 was powered off" \
	grep -q "fw2 is master after" <<<"$out"
check "fw1 preempted back after its return" \
	grep -q "fw1 master again after" <<<"$out"
check "the report is written" test -s "$report"
check "traffic flowed through the cluster" \
	eval '[[ $(sed -n "s/.*received : \([0-9]*\) of.*/\1/p" "$report") -gt 20000 ]]'
tcp_alive() { sed -n "s/^TCP connections *: \([0-9]*\) of \([0-9]*\) .*/\1 \2/p" "$report"; }
tcp_after() { sed -n "s/^ *answered after the last one: \([0-9]*\) of \([0-9]*\)$/\1 \2/p" "$report"; }
check "the report counts the TCP connections" test -n "$(tcp_alive)"
check "every TCP connection survived both role changes (RTO sync)" \
	eval 'read -r a w <<<"$(tcp_alive)"; [[ $w -gt 0 && $a -eq $w ]]'
check "every one was answered after the last of them ($(tcp_after))" \
	eval 'read -r a w <<<"$(tcp_after)"; [[ $w -gt 0 && $a -eq $w ]]'
check "the timeline picture is written" test -s "$BUILD/demo/timeline.png"
check "both agents exited with status 0 when the demo stopped them" \
	eval '! grep -q "nsrpd exited with status" <<<"$out"'
check "the agents and nsrpctl ran clean under ASan/UBSan" \
	san_clean "$BUILD"/demo/*.log
((T_FAILED)) && echo "$out" | tail -40
t_done
