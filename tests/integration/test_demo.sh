#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A smoke run of "make demo", the README's first command, so that it cannot
# rot: it must finish, fail over both ways and write its report. No timing
# is asserted here; the benchmarks measure. What the demo claims is: the
# long-lived TCP connections carry on across both role changes.
. "$(dirname "$0")/lib.sh"
require_root

out=$(NSRP_LAB=demo$$ BUILD=$BUILD "$TOP/tools/demo" 2>&1)
rc=$?
report=$BUILD/demo/report.txt
check "the demo finishes" test "$rc" -eq 0
check "fw2 took over when fw1 was powered off" \
	grep -q "fw2 is master after" <<<"$out"
check "fw1 preempted back after its return" \
	grep -q "fw1 master again after" <<<"$out"
check "the report is written" test -s "$report"
check "traffic flowed through the cluster" \
	eval '[[ $(sed -n "s/.*received : \([0-9]*\) of.*/\1/p" "$report") -gt 20000 ]]'
tcp_alive() { sed -n "s/^TCP connections *: \([0-9]*\) of \([0-9]*\) .*/\1 \2/p" "$report"; }
check "the report counts the TCP connections" test -n "$(tcp_alive)"
check "every TCP connection survived both role changes (RTO sync)" \
	eval 'read -r a w <<<"$(tcp_alive)"; [[ $w -gt 0 && $a -eq $w ]]'
check "the timeline picture is written" test -s "$BUILD/demo/timeline.png"
((T_FAILED)) && echo "$out" | tail -40
t_done
