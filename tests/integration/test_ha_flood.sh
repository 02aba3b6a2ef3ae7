#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_ha_flood - frames a unit must refuse, 100 000 a second for 10 s,
# at the HA link of a pair that carries traffic with passwords set and a
# 100 ms heartbeat: forged (the receiver's own key id, a MAC of random
# bytes), replayed (genuine frames captured as they went out), truncated,
# and of another cluster. No role changes, neither unit loses the other,
# no echo is lost, and each kind is counted under its reason. The loop's
# lateness under the flood (heartbeats queued behind the flood, sent
# late) is printed: a figure, not a verdict, on a shared machine.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq timeout ping
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl && -x $BUILD/tests/haflood ]] ||
	skip "build first (make tests)"

RATE=${FLOOD_RATE:-100000}
SECONDS_EACH=${FLOOD_S:-10}
start=$(date +%s%N)
transitions() { cl_ctl "$1" get nsrp history -j | jq length; }
drops() { cl_ctl fw2 get counters -j | jq -c .halink; }
drop() { jq ".\"$2\"" <<<"$1"; }
# The kernel's count of datagrams fw2's sockets had no room for.
rcvbuf_errors() {
	ip netns exec "$(lab ns fw2)" awk '/^Udp: [0-9]/ { print $6 }' \
		/proc/net/snmp
}

echo "# set up"
check "lab up" lab_setup "flood$$"
cl_add_counters
cl_conf fw1
cl_conf fw2 no
echo "set nsrp auth password flood-secret" | tee -a "$CL_DIR/fw1.conf" \
	>>"$CL_DIR/fw2.conf"
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1
key=$(cl_json fw2 .key_id)
n1=$(transitions fw1)
n2=$(transitions fw2)

flood() {	# KIND: floods fw2's HA link from fw1's side of it
	lab exec fw1 "$BUILD/tests/haflood" -i ha0 -d 203.0.113.2 -k "$1" \
		-r "$RATE" -t "$SECONDS_EACH" -c 1 -K "$key"
}

for kind in forged mixed; do
	echo "# $kind frames, $RATE a second for $SECONDS_EACH s"
	d0=$(drops)
	t0=$(cl_ctl fw2 get counters -j | jq -c .heartbeat)
	k0=$(rcvbuf_errors)
	rx0=$(cl_json fw2 .hb_rx)
	lab exec client ping -c $((SECONDS_EACH * 10 + 20)) -i 0.1 -W 1 -q \
		"$CL_SERVER" >"$CL_DIR/ping.$kind" 2>&1 &
	ping_pid=$!
	out=$(flood "$kind")
	echo "  $out"
	check "the flood ran" grepq "^sent " <<<"$out"
	check "the ping run ended" wait_for 20 cl_gone "$ping_pid"
	wait "$ping_pid" 2>/dev/null
	d1=$(drops)
	echo "  fw2 refused: $(jq -c --argjson a "$d0" \
		'with_entries(.value -= ($a[.key] // 0)) |
		 with_entries(select(.value > 0))' <<<"$d1")"
	echo "  kernel: $(($(rcvbuf_errors) - k0)) datagrams found fw2's socket full"
	echo "  heartbeats fw2 took from fw1 meanwhile: $(($(cl_json fw2 .hb_rx) - rx0))"
	echo "  fw2's heartbeat timing before: $t0"
	echo "                         after:  $(cl_ctl fw2 get counters -j |
		jq -c .heartbeat)"
	check "no echo was lost" grepq " 0% packet loss" "$CL_DIR/ping.$kind"
	check "fw1 is still master, fw2 backup" cl_is_master fw1
	if [[ $kind == forged ]]; then
		check "forged frames counted as auth-failed" \
			test $(($(drop "$d1" auth-failed) - $(drop "$d0" auth-failed))) -gt 0
	else
		for r in auth-failed replay truncated wrong-cluster; do
			check "$r frames counted as such" \
				test $(($(drop "$d1" $r) - $(drop "$d0" $r))) -gt 0
		done
	fi
done
check "no transition on fw1" test "$(transitions fw1)" = "$n1"
check "nor on fw2" test "$(transitions fw2)" = "$n2"
check "neither lost the other" \
	eval '! grep -h "lost" "${CL_LOG[fw1]}" "${CL_LOG[fw2]}" | grepq peer'

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
echo "# took $((($(date +%s%N) - start) / 1000000)) ms"
t_done
