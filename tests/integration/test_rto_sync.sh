#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_rto_sync - what RTO sync is for: 200 long-lived TCP connections
# through fw1 carry on through fw2 after fw1 is powered off (links down,
# agent killed), with a fifth of the sync frames and acks lost on the HA
# link: each is answered again after the takeover, as the connections'
# own timestamps and fw2's history show. fw2's kernel has their conntrack
# entries, and a segment with IP options, which XDP hands to the kernel,
# passes its policy. 200 more carry on while fw1 returns, waits for its
# bulk sync (held back past its hold-down) before it preempts, and then
# has its agent killed (kill -9, links up). With sync disabled the same
# failover breaks them: the backup has neither the sessions nor the
# kernel's conntrack entries, and its policy drops their packets as
# mid-stream.
# The variables read in eval'd checks too:
# shellcheck disable=SC2317,SC2034
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout conntrack
[[ -x $BUILD/san/nsrpd && -x $BUILD/san/nsrpctl && -x $BUILD/tests/ha_tool ]] ||
	skip "build first (make tests)"

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

listening() { [[ -n $(lab exec server ss -Hltn "sport = :$1") ]]; }

# hold REPORT PORT: the client holds CONNS connections to the server's
# PORT until "release REPORT"; tcphold's report goes to REPORT.
hold() {
	lab exec server timeout 120 python3 "$TOP/tools/tcphold" serve \
		0.0.0.0 "$2" 110 &
	on_exit "kill $! 2>/dev/null"
	wait_for 5 listening "$2"
	lab exec client timeout 120 python3 "$TOP/tools/tcphold" hold \
		"$CL_SERVER" "$2" "$CONNS" 100 0.2 "$1.stop" >"$1" &
	HOLD_PID=$!
}

# release REPORT SINCE: once 2 s have passed since SINCE (a failover,
# CLOCK_MONOTONIC), ends the hold and waits for its report.
release() {
	wait_for 10 eval "(( \$(cl_mono) > $2 + 2000000000 ))"
	touch "$1.stop"
	wait "$HOLD_PID"
	cat "$1"
}

# took_over NODE SINCE: when NODE next became master at or after SINCE,
# by its history (CLOCK_MONOTONIC, ns).
took_over() {
	cl_history_after "$1" "$2" | awk '/ backup>master:/ { print $1; exit }'
}

# answered_after REPORT T: the connections that had a line answered after
# T, by their own clock.
answered_after() {
	jq --argjson t "$2" '[.last_answer_mono_ns[] | select(. > $t)] | length' "$1"
}

# survived REPORT F: every connection had lines answered more than a
# second (5 exchanges) after the failover at F, and the hold went on
# long enough past F to tell: a failover late for the hold fails.
survived() {
	local n end
	end=$(jq -r .end_mono_ns "$1")
	n=$(answered_after "$1" $(($2 + 1000000000)))
	echo "  $n of $CONNS answered 1 s after the takeover; the hold ended $(( (end - $2) / 1000000 )) ms after it"
	(( end >= $2 + 2000000000 && n == CONNS ))
}

# failover: powers fw1 off and waits for fw2 to take over; F is when.
failover() {
	local t0
	t0=$(cl_mono)
	links fw1 down
	cl_kill fw1
	wait_for 3 cl_state_is fw2 master || return 1
	F=$(took_over fw2 "$t0")
	[[ -n $F ]]
}

# A connection to the server's port 5004 that, once go exists, sends a
# line with IP options (NOP NOP NOP EOL), which XDP does not forward: it
# passes such packets to the kernel. Prints ok when the line is echoed.
optconn() {
	lab exec client timeout 60 python3 -c '
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], 5004), timeout=5)
s.sendall(b"plain\n")
if s.recv(64) != b"plain\n":
    sys.exit(1)
open(sys.argv[2] + ".up", "w").close()
end = time.monotonic() + 50
while not os.path.exists(sys.argv[2] + ".go") and time.monotonic() < end:
    time.sleep(0.05)
s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, b"\x01\x01\x01\x00")
s.sendall(b"options\n")
s.settimeout(3)
try:
    print("ok" if s.recv(64) == b"options\n" else "wrong")
except socket.timeout:
    print("timeout")
' "$CL_SERVER" "$1" >"$1" &
	OPT_PID=$!
}

# ct_established NODE PORT: the kernel's established TCP conntrack
# entries to the server's PORT in NODE.
ct_established() {
	lab exec "$1" conntrack -L -p tcp --dport "$2" 2>/dev/null |
		grep -c " ESTABLISHED src="
}

dp_counter() {
	local j
	j=$(cl_ctl "$1" get counters -j) || return 1
	jq -er --arg c "$2" '.dataplane[$c]' <<<"$j"
}

# sync_blocked NODE on|off: every sync frame (type 2) NODE receives is
# dropped while on: a bulk cannot reach it.
sync_blocked() {
	if [[ $2 == on ]]; then
		lab exec "$1" nft -f - <<'NFT'
table inet rto_block {
	chain in {
		type filter hook input priority -50; policy accept;
		udp dport 7060 @th,104,8 2 counter drop comment "sync"
	}
}
NFT
	else
		lab exec "$1" nft delete table inet rto_block
	fi
}

echo "# sync on, 20% of the sync frames lost"
check "lab up" lab_setup "rto$$"
lossy_sync
cl_both_up
check "fw1 is master" cl_is_master fw1
check "fw2 finished its cold start sync" \
	wait_for 5 cl_json_is fw2 .rto.coldstart_done true
lab exec server timeout 120 python3 "$TOP/tools/tcphold" serve 0.0.0.0 5004 110 &
on_exit "kill $! 2>/dev/null"
wait_for 5 listening 5004
optconn "$CL_DIR/opt"
hold "$CL_DIR/on.json" 5001
check "fw2 holds the $CONNS sessions from fw1" \
	wait_for 8 from_peer_at_least fw2 5001 "$CONNS"
check "and the connection that will send IP options" \
	eval 'wait_for 5 test -e "$CL_DIR/opt.up" &&
	      wait_for 5 from_peer_at_least fw2 5004 1'
check "some sync frames were lost on the way" \
	test "$(nft_count fw2 inet rto_loss in lost)" -gt 0
check "and retransmitted" \
	test "$(cl_json fw1 .rto.retransmitted)" -gt 0
check "fw2 has fw1's neighbours" \
	wait_for 6 eval '(( $(cl_json fw2 .rto.neigh_installed) > 0 ))'
check "get session lists them on fw2, marked as the peer's" \
	eval 'cl_ctl fw2 get session port 5001 | grep -c " peer" |
		grepq -x "$CONNS"'
check "fw2 takes over from the powered-off fw1" failover
# A session becomes the new master's own at its first packet.
check "fw2 took them over" wait_for 3 eval \
	'[[ $(cl_ctl fw2 get session summary port 5001 -j | jq -r .local) == "$CONNS" ]]'
check "fw2 carries them in XDP" \
	test "$(dp_counter fw2 forwarded)" -gt 0
release "$CL_DIR/on.json" "$F"
check "all $CONNS connections opened" test "$(jq -r .opened "$CL_DIR/on.json")" = "$CONNS"
check "every one was answered after the takeover" survived "$CL_DIR/on.json" "$F"
check "fw2 gave the kernel their conntrack entries" \
	test "$(cl_json fw2 .rto.ct_committed)" -ge "$CONNS"
n=$(ct_established fw2 5001)
check "fw2's kernel lists them as established ($n)" test "$n" -ge "$CONNS"
opts0=$(dp_counter fw2 fallback-ip-options)
touch "$CL_DIR/opt.go"
wait "$OPT_PID"
check "a segment with IP options passed fw2's kernel policy ($(cat "$CL_DIR/opt"))" \
	grepq -x ok "$CL_DIR/opt"
check "XDP had handed it to the kernel" \
	eval '(( $(dp_counter fw2 fallback-ip-options) > opts0 ))'
# A walk of the session map is answered off the agent's loop.
offloaded() {
	cl_ctl "$1" get counters -j |
		jq -r '"\(.control.offloaded >= 2) \(.control.offload_failed)"'
}
check "fw2 answered its get session queries from child processes" \
	test "$(offloaded fw2)" = "true 0"

echo "# fw1 returns: no preempt before its bulk sync; then kill -9 of its agent"
links fw1 up
hold "$CL_DIR/kill.json" 5003
check "fw2 holds the new connections" wait_for 5 eval \
	'(( $(cl_ctl fw2 get session summary port 5003 -j | jq -r .local) >= CONNS ))'
# fw1's hold-down is 1 s: while no sync frame reaches it for twice that
# after it joined, its preempt must wait.
sync_blocked fw1 on
t0=$(cl_mono)
cl_start fw1
check "fw1 joins as backup" wait_for 5 cl_state_is fw1 backup
J=$(cl_history_after fw1 "$t0" | awk '/>backup:/ { print $1; exit }')
wait_for 10 eval "(( \$(cl_mono) > ${J:-0} + 2000000000 ))"
check "2 s after it joined, its bulk not through, it is backup still" \
	cl_state_is fw1 backup
t_open=$(cl_mono)
sync_blocked fw1 off
check "with the bulk let through, fw1 preempts master back" \
	wait_for 15 cl_is_master fw1
P=$(took_over fw1 "$t0")
check "only after the bulk could reach it" \
	eval '[[ -n $P ]] && (( P > t_open ))'
check "and after its cold start sync was done" \
	eval "grep -m1 -e 'coldstart sync done' -e 'backup -> master' ${CL_LOG[fw1]} |
	      grepq 'coldstart sync done'"
# A session becomes the new master's own at its first packet (every
# connection sends one each 200 ms); fw2 then holds it as the peer's.
check "fw1 took fw2's sessions over" wait_for 3 eval \
	'(( $(cl_ctl fw1 get session summary port 5003 -j | jq -r .local) >= CONNS ))'
check "fw2 holds them as fw1's" \
	wait_for 5 from_peer_at_least fw2 5003 "$CONNS"
t0=$(cl_mono)
cl_kill fw1
check "fw2 takes over from the killed agent (links up)" \
	wait_for 3 cl_state_is fw2 master
F=$(took_over fw2 "$t0")
release "$CL_DIR/kill.json" "${F:-$t0}"
check "every connection was answered after both role changes and the kill" \
	survived "$CL_DIR/kill.json" "${F:-$t0}"
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
hold "$CL_DIR/off.json" 5002
check "fw1 carries the connections" wait_for 5 eval \
	'(( $(cl_ctl fw1 get session summary port 5002 -j | jq -r .local) >= CONNS ))'
check "fw2 holds none of these sessions" test "$(from_peer fw2 5002)" = 0
check "fw2 takes over" failover
release "$CL_DIR/off.json" "$F"
check "the connections were not answered after it" \
	test "$(answered_after "$CL_DIR/off.json" $((F + 1000000000)))" -lt "$CONNS"

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
