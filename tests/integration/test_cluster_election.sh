#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_cluster_election - two nsrpd units in the lab elect a master: the
# lower priority number wins and both agree on it, traffic from the client
# flows through the master's VSIs (and only the master holds them), manual
# failover works both ways ("mode backup", "mode ineligible", "mode init"),
# preempt takes master back after the hold-down, a reload changes preempt
# without a role change, and losing the HA link alone raises an alarm but
# changes no role: the secondary path carries the heartbeats.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)

# ctl_exec NODE MODE: exec nsrp vsd-group 0 mode MODE on NODE.
ctl_exec() { cl_ctl "$1" exec nsrp vsd-group 0 mode "$2" >/dev/null; }

# transitions NODE: how many NODE recorded; fails when NODE cannot be
# asked, so that two failed reads are never found equal.
transitions() {
	local j
	j=$(cl_ctl "$1" get nsrp history -j) || return 1
	jq -e length <<<"$j"
}
# same_transitions NODE N: NODE recorded N, as before.
same_transitions() { local n; n=$(transitions "$1") && [[ $n == "$2" ]]; }

# stays SECONDS NODE STATE: NODE is in STATE, and by its history makes no
# transition for SECONDS (a sample every 0.2 s would miss a short flap).
stays() {
	local t0 moved
	t0=$(cl_mono)
	[[ $(cl_state "$2") == "$3" ]] || return 1
	sleep "$1"	# the time in which nothing may happen
	moved=$(cl_history_after "$2" "$t0") || return 1
	[[ -z $moved ]] || { echo "  $2: $moved"; return 1; }
}

alarm() { [[ $(cl_json "$1" .primary_alarm) == "$2" ]]; }

# one_master_between T0 T1: by both histories, never two masters from T0
# to T1: a manual failover hands over, the old master steps down first.
one_master_between() {
	local dm
	dm=$(cl_double_master "$1" "$2") || return 1
	((dm == 0)) || { echo "  two masters for $dm µs"; return 1; }
}

echo "# election"
check "lab up" lab_setup "clel$$"
cl_add_counters
cl_both_up
check "fw1 (priority 50) is master, fw2 (100) backup, both agree" \
	cl_is_master fw1
check "fw2 sees fw1's unit id as master and itself as PB" \
	test "$(cl_json fw2 .groups[0].pb)" = myself
check "fw1 has the VSI addresses on lan0" wait_for 3 cl_has_vsi fw1
check_fails "fw2 does not" cl_has_vsi fw2
check "client -> server flows through fw1" cl_flows_via fw1
check "client -> server over IPv6 flows through fw1" cl_flows_via fw1 6
vmac=$(cl_client_vsi_mac)
check "the client learnt group 0's VSI MAC ($vmac)" \
	test "$vmac" = "$(cl_vsi_mac 0)"
check "the VSI MAC answers ARP, from fw1" cl_vsi_mac_answers "$vmac" fw1
check "get nsrp (text) names fw1 master" \
	eval 'cl_ctl fw1 get nsrp | grepq -E "^ +0 +50 yes +1 no +myself"'

echo "# manual failover: mode backup on a master with preempt"
# fw1 preempts back after its hold-down: 5 s, then its preempt is off
# while fw2's mastership is checked, however long a loaded machine takes.
check "a run-time set lengthens fw1's hold-down to 5 s" \
	eval 'cl_ctl fw1 set nsrp vsd-group id 0 preempt hold-down 5 >/dev/null'
t0=$(cl_mono)
check "mode backup on fw1" ctl_exec fw1 backup
check "fw2 becomes master at once" wait_for 1 cl_is_master fw2
t1=$(cl_mono)
check "a run-time unset holds fw1's preempt back" \
	eval 'cl_ctl fw1 unset nsrp vsd-group id 0 preempt >/dev/null'
check "fw2 is still master" cl_is_master fw2
check "the VSI MAC still answers, now from fw2" \
	cl_vsi_mac_answers "$vmac" fw2
# fw1 handed over: it keeps its addresses for the grace (vsi.h).
check "fw2 now holds the VSIs, fw1 not once its grace is over" \
	wait_for 2 eval 'cl_has_vsi fw2 && ! cl_has_vsi fw1'
check "traffic flows through fw2" cl_flows_via fw2
check "never two masters in the hand-over" one_master_between "$t0" "$t1"
check "a run-time set gives fw1 its preempt back" \
	eval 'cl_ctl fw1 set nsrp vsd-group id 0 preempt hold-down 1 >/dev/null'
check "fw1 preempts master back after its hold-down" \
	wait_for 8 cl_is_master fw1
check "fw1's history says why" \
	eval 'cl_ctl fw1 get nsrp history | tail -n1 | grepq "preempt"'
check "traffic flows through fw1 again" cl_flows_via fw1

echo "# manual failover: mode ineligible, then mode init"
t0=$(cl_mono)
check "mode ineligible on fw1" ctl_exec fw1 ineligible
check "fw2 becomes master at once" wait_for 1 cl_state_is fw2 master
check "never two masters meanwhile" one_master_between "$t0" "$(cl_mono)"
check "fw1 is ineligible" test "$(cl_state fw1)" = ineligible
check "get nsrp says inelig yes" \
	eval 'cl_ctl fw1 get nsrp | grepq -E "^ +0 +50 yes +1 yes "'
check "fw2 stays master past the hold-down" stays 2 fw2 master
check "traffic flows through fw2" cl_flows_via fw2
check "mode init on fw1" ctl_exec fw1 init
check "fw1 rejoins and preempts master back" wait_for 5 cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1

echo "# manual failover both ways without preempt"
cl_conf fw1 no
kill -HUP "${CL_PID[fw1]}"
check "reload turns fw1's preempt off" \
	wait_for 2 cl_json_is fw1 '.groups[0].preempt' false
check "the reload changed no role" cl_is_master fw1
t0=$(cl_mono)
check "mode backup on fw1" ctl_exec fw1 backup
check "fw2 becomes master at once" wait_for 1 cl_is_master fw2
check "fw2 stays master (fw1 has no preempt)" stays 2 fw2 master
check "traffic flows through fw2" cl_flows_via fw2
check "mode backup on fw2" ctl_exec fw2 backup
check "fw1 becomes master at once" wait_for 1 cl_is_master fw1
check "fw1 stays master" stays 1 fw1 master
check "never two masters in both hand-overs" \
	one_master_between "$t0" "$(cl_mono)"
check "traffic flows through fw1" cl_flows_via fw1
cl_conf fw1
kill -HUP "${CL_PID[fw1]}"
check "reload turns preempt back on" \
	wait_for 2 cl_json_is fw1 '.groups[0].preempt' true

echo "# the secondary path keeps the cluster when the HA link goes down"
n1=$(transitions fw1)
n2=$(transitions fw2)
lab exec fw1 ip link set ha0 down
check "fw1 raises the HA link alarm" wait_for 2 alarm fw1 true
check "fw2 raises it too" wait_for 2 alarm fw2 true
check "get nsrp shows the alarm" \
	eval 'cl_ctl fw1 get nsrp | grepq "^ALARM: control channel lost"'
check "the secondary path is heard" \
	test "$(cl_json fw1 '.links[1].peer_heard')" = true
check "no role change for 2 s" stays 2 fw1 master
check "fw1 master, fw2 backup" cl_is_master fw1
check "no transition was recorded on fw1" same_transitions fw1 "$n1"
check "nor on fw2" same_transitions fw2 "$n2"
check "traffic flows through fw1" cl_flows_via fw1
lab exec fw1 ip link set ha0 up
check "the alarm clears when ha0 is back" wait_for 3 alarm fw1 false
check "on fw2 too" wait_for 3 alarm fw2 false
check "still no role change" cl_is_master fw1

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
