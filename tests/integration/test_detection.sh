#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_detection - deaths that announce themselves are acted on at once,
# whatever the heartbeat interval (1000 ms x 3 here: 3 s by heartbeats):
# the master's agent killed (its pact with the peer ends, its data plane
# lets the VSIs go at the first frame), the master powered off (the HA
# cable goes dark); while an HA link that goes dark under a live peer
# changes no role.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip jq arping timeout python3 bpftool
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)
HB_DEAD_MS=3000		# hb-interval 1000 x hb-threshold 3

slow_timers() {
	sed -i 's/^set nsrp vsd-group hb-interval .*/set nsrp vsd-group hb-interval 1000/' \
		"$CL_DIR/$1.conf"
}

mono_ns() { python3 -c 'import time; print(time.monotonic_ns())'; }
last_at() { cl_ctl "$1" get nsrp history -j | jq -r '.[-1].mono_ns'; }
ms_since() { echo $(( ($(last_at "$1") - $2) / 1000000 )); }

# replies N: how many answers the client gets to N ARP requests for the VSI.
replies() {
	lab exec client arping -c "$1" -w "$(($1 + 2))" -i eth0 "$CL_VSI" 2>/dev/null |
		grep -c "bytes from"
}

echo "# set up: heartbeats every second"
check "lab up" lab_setup "det$$"
cl_add_counters
cl_conf fw1
cl_conf fw2
slow_timers fw1
slow_timers fw2
cl_both_up
check "fw1 is master" wait_for 8 cl_is_master fw1
check "each agent holds a pact with the other" \
	wait_for 5 eval 'lab exec fw2 ss -tn state established "( sport = :7060 or dport = :7060 )" |
			 grep -c 7060 | grepq -x 2'

echo "# kill -9 of the master's agent"
sleep 1
t0=$(mono_ns)
kill -9 "${CL_PID[fw1]}"
cl_reap fw1
check "fw2 becomes master" wait_for 3 cl_state_is fw2 master
took=$(ms_since fw2 "$t0")
check "before any heartbeat could be missed ($took ms < $HB_DEAD_MS)" \
	test "$took" -lt "$HB_DEAD_MS"
check "because the pact ended and nothing answered" \
	grep -q "lost: the peer's agent closed its pact, and no answer" "${CL_LOG[fw2]}"
check "one unit answers ARP for the VSI: 5 requests, 5 answers" \
	test "$(replies 5)" = 5
check "fw1's data plane let the VSIs go at the first frame" \
	eval 'lab exec fw1 bpftool -j map dump pinned /sys/fs/bpf/nsrpd/nsrp_role |
	      jq -e ".[0].formatted.value.role == \"NSRP_ROLE_BACKUP\"" >/dev/null'
check "traffic flows through fw2" cl_flows_via fw2

echo "# fw1 returns, then powers off"
cl_start fw1
check "fw1 takes master back" wait_for 15 cl_is_master fw1
sleep 1
lab exec fw1 timeout 20 python3 "$TOP/tools/bench/powercut" "$CL_DIR/cut" 15 \
	ha0,lan0,wan0 "${CL_PID[fw1]}" >"$CL_DIR/cut.ns" &
cut_pid=$!
touch "$CL_DIR/cut"
wait "$cut_pid"
t0=$(cat "$CL_DIR/cut.ns")
check "fw2 becomes master" wait_for 4 cl_state_is fw2 master
took=$(ms_since fw2 "$t0")
check "before any heartbeat could be missed ($took ms < $HB_DEAD_MS)" \
	test "$took" -lt "$HB_DEAD_MS"
check "because the HA link went dark and nothing answered" \
	grep -q "lost: HA path ha0: no carrier, and no answer" "${CL_LOG[fw2]}"
check "traffic flows through fw2" cl_flows_via fw2
kill -CONT "${CL_PID[fw1]}"
cl_kill fw1
for dev in ha0 lan0 wan0; do lab exec fw1 ip link set "$dev" up; done

echo "# the HA link goes dark under a live peer"
cl_start fw1
check "fw1 takes master back" wait_for 15 cl_is_master fw1
sleep 1
n1=$(cl_ctl fw1 get nsrp history -j | jq length)
n2=$(cl_ctl fw2 get nsrp history -j | jq length)
lab exec fw2 ip link set ha0 down
check "fw1 asks, and fw2 answers on the secondary path" \
	wait_for 3 grep -q "the peer answers on lan0: HA path ha0: no carrier, but it lives" \
		"${CL_LOG[fw1]}"
check "the alarm says the secondary path carries the cluster" \
	wait_for 5 cl_json_is fw1 .primary_alarm true
sleep 4
check "no role changed" \
	test "$(cl_ctl fw1 get nsrp history -j | jq length)/$(cl_ctl fw2 get nsrp history -j | jq length)" = "$n1/$n2"
check "fw1 is still master" cl_is_master fw1
lab exec fw2 ip link set ha0 up

echo "# sanitizers"
cl_kill fw1
cl_kill fw2
check "no sanitizer report in the logs" cl_logs_clean
echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
t_done
