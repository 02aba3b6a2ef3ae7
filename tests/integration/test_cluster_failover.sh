#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_cluster_failover - the backup takes over, and traffic flows through
# it, when the master's agent is killed (kill -9), when all the master's
# links go down, and when the master is stopped (SIGSTOP). A returning fw1
# (preempt, hold-down 1 s) takes master back after its hold-down; after
# SIGCONT the stale master steps down at once (never two masters), after
# its links come back exactly one master remains and re-announces the VSIs.
# A graceful stop (SIGTERM) hands master over before the daemon leaves.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq arping timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)

# last_reason NODE: the reason of NODE's latest transition.
last_reason() { cl_ctl "$1" get nsrp history -j | jq -r '.[-1].reason'; }

# reasons NODE: every transition of NODE, one "from>to:reason" a line.
reasons() {
	cl_ctl "$1" get nsrp history -j |
		jq -r '.[] | "\(.from)>\(.to):\(.reason)"'
}

# never_two_masters MS: samples both units for that long.
never_two_masters() {
	local end=$(( $(date +%s%N) + $1 * 1000000 ))
	while (( $(date +%s%N) < end )); do
		cl_not_both_master || return 1
	done
}

links() {	# links NODE up|down: all three NICs of NODE
	local dev
	for dev in lan0 wan0 ha0; do
		lab exec "$1" ip link set "$dev" "$2"
	done
}

# garp_watch SECONDS FILE: the gratuitous ARPs for the VSI address that the
# client sees for SECONDS, in the background: "COUNT SPREAD_MS" into FILE,
# SPREAD_MS from the first to the last.
garp_watch() {
	lab exec client timeout $(($1 + 2)) python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind(("eth0", 0))
s.settimeout(0.1)
vsi = socket.inet_aton(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
seen = []
while time.monotonic() < end:
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if len(f) >= 42 and struct.unpack("!H", f[20:22])[0] == 1 and \
       f[28:32] == vsi and f[38:42] == vsi:
        seen.append(time.monotonic())
spread = (seen[-1] - seen[0]) * 1000 if seen else 0
open(sys.argv[3], "w").write("%d %.0f\n" % (len(seen), spread))
' "$CL_VSI" "$1" "$2" &
	GARP_PID=$!
}

echo "# start"
check "lab up" lab_setup "clfo$$"
cl_add_counters
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1
vmac=$(cl_client_vsi_mac)
check "the client learnt the VSI MAC ($vmac)" test -n "$vmac"

echo "# kill -9 of the master"
garp_watch 2 "$CL_DIR/garp"
sleep 0.2
cl_kill fw1
check "fw2 becomes master" wait_for 2 cl_alone_master fw2
check "because it lost the peer" test "$(last_reason fw2)" = "peer lost"
wait "$GARP_PID"
read -r garps spread < "$CL_DIR/garp"
# set nsrp arp 4, one round a heartbeat (100 ms): 3 heartbeats apart.
check "fw2 sent 4 gratuitous ARPs, over 3 heartbeats ($garps, $spread ms)" \
	test "$garps" -eq 4 -a "$spread" -ge 200
check "fw2 holds the VSI addresses" cl_has_vsi fw2
check "traffic flows through fw2" cl_flows_via fw2
check "and over IPv6" cl_flows_via fw2 6
check "the VSI MAC still answers ARP" cl_vsi_mac_answers "$vmac"
check "the client still uses the same VSI MAC" test "$(cl_client_vsi_mac)" = "$vmac"

echo "# restart: preempt returns master to fw1 after its hold-down"
cl_start fw1
check "fw1 takes master back" wait_for 5 cl_is_master fw1
check "it first joined as backup" \
	eval 'reasons fw1 | grepq -x "initial>backup:peer is master"'
check "then preempted after the hold-down" \
	eval 'reasons fw1 | tail -n1 | grepq "^backup>master:preempt"'
check "fw2 handed over, and gave up the VSI addresses after its grace" \
	wait_for 2 eval '! cl_has_vsi fw2'
check "traffic flows through fw1" cl_flows_via fw1
check "and over IPv6" cl_flows_via fw1 6

echo "# all of the master's links go down"
links fw1 down
check "fw2 becomes master" wait_for 2 cl_state_is fw2 master
check "traffic flows through fw2" cl_flows_via fw2
check "the VSI MAC answers from fw2" cl_vsi_mac_answers "$vmac"
links fw1 up
check "after the links return exactly one master remains: fw1" \
	wait_for 3 cl_is_master fw1
check "fw2 stepped down at once" \
	eval 'reasons fw2 | tail -n1 | grepq "^master>backup:peer also master"'
check "fw2 gave up the VSI addresses" eval '! cl_has_vsi fw2'
check "fw1 re-announced its VSIs: traffic flows through fw1" cl_flows_via fw1
check "and over IPv6 (addresses reinstalled)" cl_flows_via fw1 6

echo "# a NIC down at the takeover is announced on once its link is up"
kill -STOP "${CL_PID[fw1]}"
check "fw2 takes over from the stopped fw1" wait_for 2 cl_state_is fw2 master
check "traffic flows through fw2" cl_flows_via fw2
lab exec fw1 ip link set wan0 down
kill -CONT "${CL_PID[fw1]}"
check "fw1 takes master back with its wan0 down" wait_for 4 cl_is_master fw1
check "its announcement on wan0 failed" \
	grep -q "wan0: gratuitous announcement failed" "${CL_LOG[fw1]}"
lab exec fw1 ip link set wan0 up
check "with wan0 up again it announces there" \
	wait_for 2 grep -q "VSIs announced on every NIC" "${CL_LOG[fw1]}"
check "traffic flows through fw1" cl_flows_via fw1

echo "# SIGSTOP of the master"
kill -STOP "${CL_PID[fw1]}"
check "fw2 becomes master" wait_for 2 cl_state_is fw2 master
check "traffic flows through fw2" cl_flows_via fw2
kill -CONT "${CL_PID[fw1]}"
check "after SIGCONT never two masters" never_two_masters 800
check "fw1 stepped down at once" \
	eval 'reasons fw1 | grepq "^master>backup:stalled"'
check "fw2 did not lose master to the stale unit" \
	eval 'reasons fw2 | tail -n1 | grepq "^backup>master:peer lost"'
# fw1 preempts back 1 s after SIGCONT: through either unit.
check "traffic keeps flowing" wait_for 3 cl_pings "$CL_SERVER"
check "fw1 takes master back after its hold-down" \
	wait_for 4 cl_is_master fw1
check "by preempt" \
	eval 'reasons fw1 | tail -n1 | grepq "^backup>master:preempt"'
check "traffic flows through fw1" cl_flows_via fw1

echo "# graceful stop (SIGTERM) of the master"
kill -TERM "${CL_PID[fw1]}"
check "fw2 becomes master at once" \
	wait_for 1 cl_state_is fw2 master
check "handed over, not lost" \
	eval 'reasons fw2 | tail -n1 | grepq "^backup>master:the master handed over"'
cl_reap fw1
check "fw1's nsrpd exits with status 0" test "$CL_RC" = 0
check "fw1 removed its VSI addresses" eval '! cl_has_vsi fw1'
check "traffic flows through fw2" cl_flows_via fw2
check "the VSI MAC answers from fw2" cl_vsi_mac_answers "$vmac"

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
t_done
