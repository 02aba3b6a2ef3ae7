#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_monitor - device-based monitoring fails a unit over, as NSRP does:
# with 200 long-lived TCP connections through the VSIs, the master's
# monitored uplink losing its carrier, and separately set down, makes the
# backup master at once, and the connections carry on; the link's return
# gives master back by preempt after the monitors' hold-down; a link that
# flaps every 200 ms for 10 s changes roles once; a track-ip target made
# unreachable fails the unit over after interval x threshold, and its
# return brings it back; weights that stay below the threshold change
# nothing; with both units failed, master-always-exist keeps exactly one
# answering for the VSIs.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq arping timeout python3
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)
CONNS=200

# monitors NODE: the monitoring of the lab's units: wan0 (weight 255),
# a recovery hold-down of 1 s, the server as a track-ip target (off).
monitors() {
	cat >>"$CL_DIR/$1.conf" <<-EOF
	set nsrp monitor interface wan0
	set nsrp monitor hold-down 1
	set nsrp track-ip ip $CL_SERVER interval 1 threshold 3
	EOF
}

last_reason() { cl_ctl "$1" get nsrp history -j | jq -r '.[-1].reason'; }

# transitions NODE FROM_NS: how many role changes NODE made since FROM_NS.
transitions() {
	cl_ctl "$1" get nsrp history -j |
		jq --argjson t "$2" '[.[] | select(.mono_ns >= $t)] | length'
}

# The clock of the units' history (CLOCK_MONOTONIC).
mono_ns() { python3 -c 'import time; print(time.monotonic_ns())'; }

# carrier NODE up|down: the switch's end of NODE's wan0.
carrier() { lab exec switch ip link set "$1-wan" "$2"; }

# hold REPORT PORT SECONDS: CONNS connections to the server's PORT.
hold() {
	lab exec server timeout 60 python3 "$TOP/tools/tcphold" serve \
		0.0.0.0 "$2" 40 &
	on_exit "kill $! 2>/dev/null"
	sleep 0.3
	lab exec client timeout 60 python3 "$TOP/tools/tcphold" hold \
		"$CL_SERVER" "$2" "$CONNS" "$3" >"$1" &
	HOLD_PID=$!
}

from_peer_at_least() {
	(( $(cl_ctl "$1" get session summary port "$2" -j 2>/dev/null |
	     jq -r '.from_peer // 0') >= $3 ))
}

# held REPORT: every connection of the report answered to the end.
held() {
	wait "$HOLD_PID"
	cat "$1"
	[[ $(jq -r .opened "$1") == "$CONNS" && $(jq -r .alive "$1") == "$CONNS" ]]
}

arp_replies() {
	cl_ctl "$1" get counters -j | jq -r '.dataplane["arp-reply"]'
}

# one_answers NODE: the client's ARP requests for the VSI are answered
# by NODE's data plane alone.
one_answers() {
	local node=$1 other a0 b0
	other=$(cl_other "$node")
	a0=$(arp_replies "$node")
	b0=$(arp_replies "$other")
	lab exec client arping -c3 -w3 -i eth0 "$CL_VSI" >/dev/null 2>&1
	(( $(arp_replies "$node") >= a0 + 3 && $(arp_replies "$other") == b0 ))
}

echo "# set up: both units watch wan0"
check "lab up" lab_setup "mon$$"
cl_add_counters
cl_conf fw1
cl_conf fw2
monitors fw1
monitors fw2
cl_both_up
check "fw1 is master" cl_is_master fw1
check "get nsrp shows the monitor, with its weight and state" \
	eval 'cl_ctl fw1 get nsrp |
	      grepq "^device based nsrp monitor interface: wan0(weight 255, up)$"'
check "and the threshold, the sum, not failed" \
	eval 'cl_ctl fw1 get nsrp |
	      grepq "^device based nsrp monitoring threshold: 255, weighted sum: 0, not failed$"'
check "fw2 finished its cold start" \
	wait_for 5 cl_json_is fw2 .rto.coldstart_done true

echo "# the master's uplink loses its carrier"
hold "$CL_DIR/carrier.json" 5101 12
check "fw2 holds the sessions" wait_for 8 from_peer_at_least fw2 5101 "$CONNS"
carrier fw1 down
check "fw2 becomes master" wait_for 2 cl_state_is fw2 master
check "fw1 is inoperable" cl_state_is fw1 inoperable
check "because wan0 lost its carrier" \
	eval 'last_reason fw1 | grepq "monitors failed: wan0 no carrier"'
check "fw1's get nsrp says failed, sum 255" \
	eval 'cl_ctl fw1 get nsrp | grepq "weighted sum: 255, failed$"'
check "traffic flows through fw2" cl_flows_via fw2
carrier fw1 up
check "fw1 takes master back: hold-down, then preempt" \
	wait_for 8 cl_is_master fw1
check "it recovered as backup first" \
	eval 'cl_ctl fw1 get nsrp history -j |
	      jq -r ".[-2].reason" | grepq "^monitors recovered"'
check "all $CONNS connections carried on" held "$CL_DIR/carrier.json"

echo "# the master's uplink is set down"
hold "$CL_DIR/admin.json" 5102 10
check "fw2 holds the sessions" wait_for 8 from_peer_at_least fw2 5102 "$CONNS"
lab exec fw1 ip link set wan0 down
check "fw2 becomes master" wait_for 2 cl_state_is fw2 master
check "because fw1's wan0 is down" \
	eval 'last_reason fw1 | grepq "wan0 admin down"'
lab exec fw1 ip link set wan0 up
check "fw1 takes master back" wait_for 8 cl_is_master fw1
check "all $CONNS connections carried on" held "$CL_DIR/admin.json"

echo "# a weight below the threshold fails nothing"
check "set wan0's weight to 100" \
	cl_ctl fw1 set nsrp monitor interface wan0 weight 100
t0=$(mono_ns)
carrier fw1 down
check "the sum says 100, not failed" \
	wait_for 2 eval 'cl_ctl fw1 get nsrp | grepq "weighted sum: 100, not failed$"'
sleep 0.5
check "fw1 stays master" cl_is_master fw1
check "no role changed" test "$(transitions fw1 "$t0")" = 0
carrier fw1 up
check "set the weight back" cl_ctl fw1 set nsrp monitor interface wan0

echo "# a track-ip target stops answering fw1"
check "enable track-ip" cl_ctl fw1 set nsrp track-ip
check "the target answers" \
	wait_for 4 cl_json_is fw1 '.monitoring.track_ip.targets[0].answered > 0' true
lab exec server nft -f - <<'EOF'
table inet mute {
	chain in {
		type filter hook input priority 0; policy accept;
		ip saddr 198.51.100.2 icmp type echo-request drop
	}
}
EOF
t0=$(date +%s%N)
check "fw2 becomes master" wait_for 8 cl_state_is fw2 master
t1=$(date +%s%N)
check "after interval x threshold, not sooner (3 s: $(( (t1 - t0) / 1000000 )) ms)" \
	test $(( (t1 - t0) / 1000000 )) -ge 2000
check "because of track-ip" \
	eval 'last_reason fw1 | grepq "track-ip 1 of 1 targets unreachable"'
check "get nsrp lists the target, failed" \
	eval 'cl_ctl fw1 get nsrp | grepq "^ip $CL_SERVER: method ping, .*, failed$"'
lab exec server nft delete table inet mute
check "it answers again: fw1 takes master back" wait_for 10 cl_is_master fw1
check "unset track-ip" cl_ctl fw1 unset nsrp track-ip

echo "# wan0 flaps every 200 ms for 10 s"
t0=$(mono_ns)
for ((i = 0; i < 25; i++)); do
	carrier fw1 down
	sleep 0.2
	carrier fw1 up
	sleep 0.2
done
check "fw2 took master once" test "$(transitions fw2 "$t0")" = 1
check "fw1 gave it up once" test "$(transitions fw1 "$t0")" = 1
check "get nsrp shows wan0 damped" \
	eval 'cl_ctl fw1 get nsrp | grepq "wan0(weight 255, .*damped"'

echo "# both units failed, master-always-exist"
cl_kill fw1
cl_kill fw2
for n in fw1 fw2; do
	echo "set nsrp vsd-group master-always-exist" >>"$CL_DIR/$n.conf"
done
cl_both_up
check "fw1 is master" cl_is_master fw1
carrier fw1 down
check "fw2 takes over from the failed fw1" wait_for 2 cl_state_is fw2 master
t0=$(mono_ns)
carrier fw2 down
check "fw2 fails too" \
	wait_for 2 eval 'cl_ctl fw2 get nsrp | grepq "weighted sum: 255, failed$"'
check "with both failed, fw2 stays master" \
	eval 'sleep 1; cl_state_is fw2 master && cl_state_is fw1 inoperable'
check "no role changed" \
	test "$(transitions fw1 "$t0")/$(transitions fw2 "$t0")" = 0/0
check "fw2 alone answers ARP for the VSI" one_answers fw2
carrier fw1 up
carrier fw2 up

echo "# sanitizers"
cl_kill fw1
cl_kill fw2
check "no sanitizer report in the logs" cl_logs_clean
echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
t_done
