#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_rto_sync - what RTO sync is for: 200 long-lived TCP connections
# through fw1 carry on through fw2 after fw1 is powered off (links down,
# agent killed), with a fifth of the sync frames and acks lost on the HA
# link; 200 more carry on while fw1 returns, gets the table in bulk,
# preempts, and then has its agent killed (kill -9, links up). With sync
# disabled the same failover breaks them: the backup has
# neither the sessions nor the kernel's conntrack entries, and its policy
# drops their packets as mid-stream.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

CONNS=200
start=$(date +%s%N)

links() {	# links NODE up|down
	local dev
	for dev in lan0 wan0 ha0; do
		lab exec "$1" ip link set "$dev" "$2"
	done
}

# Drops 20% of the sync frames (type 2) and acks (type 3) each unit
# receives: the byte at offset 5 of the HA header, behind 8 of UDP.
lossy_sync() {
	local node
	for node in fw1 fw2; do
		lab exec "$node" nft -f - <<'NFT'
table inet rto_loss {
	chain in {
		type filter hook input priority -50; policy accept;
		udp dport 7060 @th,104,8 { 2, 3 } numgen random mod 100 < 20 counter drop comment "lost"
	}
}
NFT
	done
}

# from_peer NODE PORT: sessions to PORT NODE holds from its peer's sync.
from_peer() {
	cl_ctl "$1" get session summary port "$2" -j 2>/dev/null |
		jq -r '.from_peer // 0'
}
from_peer_at_least() { (( $(from_peer "$1" "$2") >= $3 )); }

# hold REPORT PORT SECONDS: the client holds CONNS connections to the
# server's PORT for SECONDS; its report goes to REPORT.
hold() {
	lab exec server timeout 60 python3 "$TOP/tools/tcphold" serve \
		0.0.0.0 "$2" 30 &
	on_exit "kill $! 2>/dev/null"
	sleep 0.3
	lab exec client timeout 60 python3 "$TOP/tools/tcphold" hold \
		"$CL_SERVER" "$2" "$CONNS" "$3" >"$1" &
	HOLD_PID=$!
}

# failover: powers fw1 off and waits for fw2 to take over.
failover() {
	links fw1 down
	cl_kill fw1
	wait_for 3 cl_state_is fw2 master
}

alive() { jq -r .alive "$1"; }

echo "# sync on, 20% of the sync frames lost"
check "lab up" lab_setup "rto$$"
lossy_sync
cl_both_up
check "fw1 is master" cl_is_master fw1
check "fw2 finished its cold start sync" \
	wait_for 5 cl_json_is fw2 .rto.coldstart_done true
hold "$CL_DIR/on.json" 5001 12
check "fw2 holds the $CONNS sessions from fw1" \
	wait_for 8 from_peer_at_least fw2 5001 "$CONNS"
check "some sync frames were lost on the way" \
	test "$(nft_count fw2 inet rto_loss in lost)" -gt 0
check "and retransmitted" \
	test "$(cl_json fw1 .rto.retransmitted)" -gt 0
check "fw2 has fw1's neighbours" \
	wait_for 6 eval '(( $(cl_json fw2 .rto.neigh_installed) > 0 ))'
check "get session lists them on fw2, marked as the peer's" \
	eval 'cl_ctl fw2 get session port 5001 | grep -c " peer" |
		grep -qx "$CONNS"' 
sleep 1
check "fw2 takes over from the powered-off fw1" failover
wait "$HOLD_PID"
cat "$CL_DIR/on.json"
check "all $CONNS connections opened" test "$(jq -r .opened "$CL_DIR/on.json")" = "$CONNS"
check "all $CONNS connections survived the failover" \
	test "$(alive "$CL_DIR/on.json")" = "$CONNS"
check "fw2 gave the kernel their conntrack entries" \
	test "$(cl_json fw2 .rto.ct_committed)" -ge "$CONNS"
check "fw2 took them over" \
	test "$(cl_ctl fw2 get session summary port 5001 -j | jq -r .local)" = "$CONNS"
check "fw2 carries them in XDP" \
	test "$(cl_ctl fw2 get counters -j | jq -r .dataplane.forwarded)" -gt 0
# A walk of the session map is answered off the agent's loop.
offloaded() {
	cl_ctl "$1" get counters -j |
		jq -r '"\(.control.offloaded >= 2) \(.control.offload_failed)"'
}
check "fw2 answered its get session queries from child processes" \
	test "$(offloaded fw2)" = "true 0"

echo "# fw1 returns: bulk sync before preempt; then kill -9 of its agent"
links fw1 up
hold "$CL_DIR/kill.json" 5003 14
check "fw2 holds the new connections" wait_for 5 eval \
	'(( $(cl_ctl fw2 get session summary port 5003 -j | jq -r .local) >= CONNS ))'
cl_start fw1
check "fw1 rejoins and preempts master back" wait_for 15 cl_is_master fw1
check "its cold start sync was done before it preempted" \
	eval "grep -m1 -e 'coldstart sync done' -e 'backup -> master' ${CL_LOG[fw1]} |
	      grepq 'coldstart sync done'"
# A session becomes the new master's own at its first packet (every
# connection sends one each 200 ms).
check "fw1 took fw2's sessions over" wait_for 3 eval \
	'(( $(cl_ctl fw1 get session summary port 5003 -j | jq -r .local) >= CONNS ))'
sleep 1
cl_kill fw1
check "fw2 takes over from the killed agent (links up)" \
	wait_for 3 cl_state_is fw2 master
wait "$HOLD_PID"
cat "$CL_DIR/kill.json"
check "all $CONNS connections survived both role changes and the kill" \
	test "$(alive "$CL_DIR/kill.json")" = "$CONNS"
cl_kill fw2

echo "# sync off: the same failover breaks them"
links fw1 up
for node in fw1 fw2; do
	sed -i '/^set nsrp rto-mirror sync/d' "$CL_DIR/$node.conf"
done
lab exec fw2 conntrack -F >/dev/null 2>&1
lab exec fw2 nft delete table inet rto_loss
lab exec fw1 nft delete table inet rto_loss
cl_both_up
check "fw1 is master again" cl_is_master fw1
check "sync is reported disabled" cl_json_is fw2 .rto.sync false
hold "$CL_DIR/off.json" 5002 10
sleep 2
check "fw2 holds none of these sessions" test "$(from_peer fw2 5002)" = 0
check "fw2 takes over" failover
wait "$HOLD_PID"
cat "$CL_DIR/off.json"
check "the connections did not survive" \
	test "$(alive "$CL_DIR/off.json")" -lt "$CONNS"

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
