#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_handover - planned hand-overs leave no instant with two masters
# and lose nothing: under a UDP stream and 200 long-lived TCP connections,
# with the client asking every 10 ms who answers ARP for the VSI gateway,
# "mode backup" on the master, its preempt back, a graceful stop
# (SIGTERM) and the return of the stopped unit with its preempt each hand
# master over in one exchange: never two units answering a request, no
# datagram lost, every connection alive.
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

# had NODE REASON: a transition of NODE's history since $since gave REASON.
since=0
had() {
	cl_ctl "$1" get nsrp history -j |
		jq -e --arg r "$2" --argjson t "$since" \
			'any(.[]; .mono_ns > $t and .reason == $r)' >/dev/null
}

# one_master_since T0: by both units' histories, never two masters of
# group 0 from T0 to now.
one_master_since() {
	local dm
	dm=$(cl_double_master "$1" "$(cl_mono)") || return 1
	((dm == 0)) || { echo "  two masters for $dm µs"; return 1; }
}

echo "# set up"
check "lab up" lab_setup "ho$$"
cl_add_counters
cl_conf fw1
cl_conf fw2
# fw1 preempts 6 s after it could: room to see fw2 master in between.
sed -i 's/^\(set nsrp vsd-group id 0 preempt\).*/\1 hold-down 6/' "$CL_DIR/fw1.conf"
cl_both_up
check "fw1 is master" wait_for 8 cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1

echo "# mode backup on the master, then its preempt, under traffic"
tr_start 18
sleep 3
since=$(cl_mono)
t0=$since
check "mode backup on fw1" \
	eval 'cl_ctl fw1 exec nsrp vsd-group 0 mode backup >/dev/null'
check "fw2 becomes master" wait_for 5 cl_state_is fw2 master
check "fw1 handed it over" had fw1 "manual: mode backup, handed over"
check "fw2 took it when handed over" had fw2 "the master handed over"
check "fw1 preempts after its hold-down" wait_for 12 cl_is_master fw1
check "fw1 took it when handed over" \
	had fw1 "preempt: the master handed over"
check "fw2 handed it over" had fw2 "peer preempts, handed over"
tr_wait
tr_checks "mode backup, preempt"
check "mode backup, preempt: never two masters by the histories" \
	one_master_since "$t0"

echo "# SIGTERM of the master, then its return and preempt, under traffic"
# The connections and the stream run through all three: fw1 stopping,
# fw2 alone, fw1 back with the sessions it was sent in bulk.
tr_start 24
sleep 3
since=$(cl_mono)
t0=$since
kill -TERM "${CL_PID[fw1]}"
check "fw2 becomes master" wait_for 5 cl_state_is fw2 master
check "fw2 took it when handed over" had fw2 "the master handed over"
cl_reap fw1
check "fw1's nsrpd exits with status 0" test "$CL_RC" = 0
check "fw1 handed over before it left" \
	grep -q "master -> ineligible (shutting down, handed over)" "${CL_LOG[fw1]}"
sleep 2
since=$(cl_mono)
cl_start fw1
check "fw1 returns and preempts" wait_for 15 cl_is_master fw1
check "fw1 took it when handed over" \
	had fw1 "preempt: the master handed over"
tr_wait
tr_checks "SIGTERM, return, preempt"
check "SIGTERM, return, preempt: never two masters by the histories" \
	one_master_since "$t0"

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
