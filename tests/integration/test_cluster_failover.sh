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
# The helpers below run through check/wait_for, which shellcheck cannot see,
# and so do the variables read in eval'd checks.
# shellcheck disable=SC2317,SC2034
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)

# last_reason NODE: the reason of NODE's latest transition.
last_reason() { cl_ctl "$1" get nsrp history -j | jq -r '.[-1].reason'; }

# reasons NODE: every transition of NODE, one "from>to:reason" a line.
reasons() {
	cl_ctl "$1" get nsrp history -j |
		jq -r '.[] | "\(.from)>\(.to):\(.reason)"'
}

links() {	# links NODE up|down: all three NICs of NODE
	local dev
	for dev in lan0 wan0 ha0; do
		lab exec "$1" ip link set "$dev" "$2"
	done
}

# garp_watch FILE: counts the gratuitous ARPs for the VSI address that
# the client sees, in the background, until none came for a second (or
# 10 s passed): "COUNT SPREAD_MS" into FILE, SPREAD_MS from the first to
# the last. It writes FILE.ready once it listens: wait for that before
# the takeover, for on a loaded machine the watcher's start can lag the
# test by seconds.
garp_watch() {
	lab exec client timeout 15 python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind(("eth0", 0))
s.settimeout(0.1)
vsi = socket.inet_aton(sys.argv[1])
open(sys.argv[2] + ".ready", "w").close()
end = time.monotonic() + 10
seen = []
while time.monotonic() < end and not (seen and time.monotonic() - seen[-1] > 1):
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if len(f) >= 42 and struct.unpack("!H", f[20:22])[0] == 1 and \
       f[28:32] == vsi and f[38:42] == vsi:
        seen.append(time.monotonic())
spread = (seen[-1] - seen[0]) * 1000 if seen else 0
open(sys.argv[2], "w").write("%d %.0f\n" % (len(seen), spread))
' "$CL_VSI" "$1" &
	GARP_PID=$!
	wait_for 10 test -e "$1.ready"
}

echo "# start"
check "lab up" lab_setup "clfo$$"
cl_add_counters
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1
vmac=$(cl_client_vsi_mac)
check "the client learnt group 0's VSI MAC ($vmac)" \
	test "$vmac" = "$(cl_vsi_mac 0)"

echo "# kill -9 of the master"
check "the client listens for gratuitous ARPs" garp_watch "$CL_DIR/garp"
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
check "the VSI MAC still answers ARP, from fw2" \
	cl_vsi_mac_answers "$vmac" fw2
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
check "the VSI MAC answers from fw2" cl_vsi_mac_answers "$vmac" fw2
links fw1 up
check "after the links return exactly one master remains: fw1" \
	wait_for 3 cl_is_master fw1
check "fw2 stepped down at once" \
	eval 'reasons fw2 | tail -n1 | grepq "^master>backup:peer also master"'
check "fw2 gave up the VSI addresses" eval '! cl_has_vsi fw2'
check "fw1 re-announced its VSIs: traffic flows through fw1" cl_flows_via fw1
check "and over IPv6 (addresses reinstalled)" cl_flows_via fw1 6

echo "# a NIC down at the takeover is announced on once its link is up"
cl_signal STOP fw1 >/dev/null
check "fw2 takes over from the stopped fw1" wait_for 2 cl_state_is fw2 master
check "traffic flows through fw2" cl_flows_via fw2
lab exec fw1 ip link set wan0 down
cl_signal CONT fw1 >/dev/null
check "fw1 takes master back with its wan0 down" wait_for 4 cl_is_master fw1
check "its announcement on wan0 failed" \
	grep -q "wan0: gratuitous announcement failed" "${CL_LOG[fw1]}"
lab exec fw1 ip link set wan0 up
check "with wan0 up again it announces there" \
	wait_for 2 grep -q "VSIs announced on every NIC" "${CL_LOG[fw1]}"
check "traffic flows through fw1" cl_flows_via fw1

echo "# SIGSTOP of the master"
t_stop=$(cl_signal STOP fw1)
check "fw2 becomes master" wait_for 2 cl_state_is fw2 master
check "traffic flows through fw2" cl_flows_via fw2
t_cont=$(cl_signal CONT fw1)
# fw1 preempts back 1 s after SIGCONT: through either unit.
check "traffic keeps flowing" wait_for 3 cl_pings "$CL_SERVER"
check "fw1 takes master back after its hold-down" \
	wait_for 4 cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1
# What both did, from their histories: fw2 took over (A), fw1 stepped
# down (B) and later preempted (P), and fw2 gave master back (Q).
h1=$(cl_history_after fw1 "$t_cont")
h2=$(cl_history_after fw2 "$t_stop")
echo "$h1" | sed 's/^/  fw1 /'
echo "$h2" | sed 's/^/  fw2 /'
read -r B _ <<<"$(sed -n 1p <<<"$h1")"
read -r P _ <<<"$(sed -n 2p <<<"$h1")"
read -r Q _ <<<"$(sed -n 2p <<<"$h2")"
check "fw2 took over: the peer was lost" \
	grepq "^[0-9]* backup>master:peer lost$" <<<"$(sed -n 1p <<<"$h2")"
check "fw1's first act after SIGCONT: it stepped down, stalled" \
	grepq "^[0-9]* master>backup:stalled" <<<"$(sed -n 1p <<<"$h1")"
check "its next: preempt, after the hold-down" \
	grepq "^[0-9]* backup>master:preempt" <<<"$(sed -n 2p <<<"$h1")"
# The preempt is a hand-over: fw2 let the VSIs go (Q) before fw1 took
# them (P).
check "fw2 lost master to that preempt only, handing it over" \
	eval '[[ -n $P && -n $Q ]] && (( Q <= P )) &&
	      grepq "master>backup:peer preempts, handed over" <<<"$(sed -n 2p <<<"$h2")"'
# fw1 thought itself master until it woke and stepped down, before any
# heartbeat of its own: at most a heartbeat (100 ms) after its SIGCONT.
# Counted up to its preempt, or up to now if it never stepped down.
t_now=$(cl_mono)
dm=$(cl_double_master "$t_cont" "${P:-$t_now}")
check "after SIGCONT two masters for ${dm:-?} µs, less than a heartbeat" \
	eval '[[ -n $dm ]] && (( dm < 100000 ))'
[[ -n $P ]] &&
	echo "  (preempt, a hand-over: two masters for $(cl_double_master "$P" "$t_now") µs)"

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
check "the VSI MAC answers from fw2" cl_vsi_mac_answers "$vmac" fw2

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
