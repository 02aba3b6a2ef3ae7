#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_planes - the forwarding plane and the control plane are judged
# apart (hb-interval 100 ms x 3: the data plane's deadline 300 ms;
# control-deadline 3000 ms): the master's agent stopped (SIGSTOP) for a
# second under traffic changes no role and loses no datagram, its data
# plane answering the peer's probes meanwhile; the master whose agent is
# stopped and whose data plane is gone too (its XDP programs removed) is
# replaced at the data plane's deadline, not the control plane's; get
# nsrp shows both deadlines and each NIC's probes. And one unit's
# hb-interval changed at run time under traffic changes no role and
# raises the alarm on both.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"
# shellcheck source=traffic.sh
source "$(dirname "$0")/traffic.sh"

require_root
require_cmd ip nft jq timeout python3
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)
CTL_MS=3000

changes() { cl_ctl "$1" get nsrp history -j | jq length; }
kept_lines() { grep -c "but its data plane answers: kept" "${CL_LOG[fw2]}"; }

echo "# set up: heartbeats every 100 ms, a 3 s control plane deadline"
check "lab up" lab_setup "pl$$"
cl_add_counters
for n in fw1 fw2; do
	cl_conf "$n"
	echo "set nsrp vsd-group control-deadline $CTL_MS" >>"$CL_DIR/$n.conf"
done
cl_both_up
check "fw1 is master" wait_for 8 cl_is_master fw1
check "fw2 shows both deadlines, and the peer's" \
	eval '[[ $(cl_json fw2 "[.dp_deadline_ms, .ctl_deadline_ms, .peer_dp_deadline_ms, .peer_ctl_deadline_ms] | join(\" \")") == "300 3000 300 3000" ]]'
check "fw2's probes of fw1's data plane are answered on lan0 and wan0" \
	wait_for 5 eval '[[ $(cl_json fw2 "[.probes[] | select(.answered > 0 and .masters == 1) | .ifname] | sort | join(\" \")") == "lan0 wan0" ]]'
check "get nsrp (text) says the deadlines" \
	eval 'cl_ctl fw2 get nsrp | grepq -x "control plane deadline: 3000 ms, the peer.s 3000 ms"'
check "get nsrp (text) gives each NIC's probes: round trip and losses" \
	eval 'cl_ctl fw2 get nsrp | grepq -E "^ *lan0: sent [0-9]+, answered [0-9]+, lost [0-9]+, round trip [0-9]+ us, last answer [0-9]+ ms ago, it answers for groups: 0$"'

echo "# the master's agent stopped for 1 s, under traffic"
n1=$(changes fw1)
n2=$(changes fw2)
kept=$(kept_lines)
tr_start 9
sleep 3
kill -STOP "${CL_PID[fw1]}"
sleep 1
kill -CONT "${CL_PID[fw1]}"
tr_wait
check "fw2 kept fw1 by its data plane's answers" \
	test "$(kept_lines)" -gt "$kept"
check "no role changed" \
	test "$(changes fw1)/$(changes fw2)" = "$n1/$n2"
check "fw1 is still master" cl_is_master fw1
tr_checks "SIGSTOP 1 s"

echo "# the master's data plane gone, then its agent stopped"
kept=$(kept_lines)
for dev in lan0 wan0; do lab exec fw1 ip link set dev "$dev" xdp off; done
# Its agent stops once the last answer of its data plane is older than
# the data plane's deadline: an answer given just before the programs
# went may otherwise still vouch, rightly, for a heartbeat sent after it.
sleep 0.5
t0=$(cl_signal STOP fw1)
check "fw2 becomes master" wait_for 5 cl_state_is fw2 master
took=$(( ($(cl_ctl fw2 get nsrp history -j | jq -r '.[-1].mono_ns') - t0) / 1000000 ))
check "before the control plane deadline ($took ms < $CTL_MS ms)" \
	test "$took" -lt "$CTL_MS"
check "nothing vouched for fw1" test "$(kept_lines)" = "$kept"
check "traffic flows through fw2" cl_flows_via fw2
kill -CONT "${CL_PID[fw1]}"
check "fw1, awake, steps down" \
	wait_for 5 grep -q "master -> backup (stalled .*, the peer took over)" \
		"${CL_LOG[fw1]}"
cl_kill fw1
cl_start fw1
check "fw1 returns and preempts" wait_for 15 cl_is_master fw1

echo "# one unit's heartbeat timers changed at run time, under traffic"
n1=$(changes fw1)
n2=$(changes fw2)
tr_start 8
sleep 2
check "fw2 now sends a heartbeat every 200 ms" \
	eval 'cl_ctl fw2 set nsrp vsd-group hb-interval 200 >/dev/null'
check "the alarm on fw2" wait_for 3 cl_json_is fw2 .timer_alarm true
check "the alarm on fw1" wait_for 3 cl_json_is fw1 .timer_alarm true
tr_wait
check "no role changed" \
	test "$(changes fw1)/$(changes fw2)" = "$n1/$n2"
tr_checks "hb-interval changed"

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
