#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_rto_ageout - "set nsrp rto session ageout-ack", each of its answers
# end to end. The backup (fw2) hears no refresh of its copies while the
# sync frames are dropped on the HA link, so each reaches the end of its
# 8x lifetime and fw2 asks the master (fw1):
#
#   a UDP flow still sending (every 0.3 of its 1 s timeout): active; fw2
#       starts its copy over at 8 lifetimes;
#   a UDP flow that stopped, and that fw1 swept: deleted; fw2 drops its
#       copy;
#   a ping whose ICMP session (timeout 45 s) is alive on fw1 but idle for
#       longer than the data plane's refresh interval (10 s): idle; fw2
#       takes fw1's remaining lifetime, and both expire together;
#
# without ageout-ack the copy is let go without a question; with fw1 gone
# (peer absent) too. Last, a flow that stops is swept from the master once
# it expires, and its copy deleted on the backup with it.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2016,SC2034
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/san/nsrpctl && -x $BUILD/tests/ha_tool ]] ||
	skip "build first (make tests)"

TIMEOUT=1	# s, the UDP timeout of both units
ICMP_TIMEOUT=45	# s, longer than the refresh interval (10 s): it can idle
REFRESH=10	# s, NSRP_DEF_REFRESH_NS
# A sweep for expired sessions comes when the earliest expiry the agent
# knows of is due, but a sweep that took long (a loaded machine preempts
# it) puts the next one off by 49 times as long: the waits for one allow
# for SWEEP_LATE s.
SWEEP_LATE=12
start=$(date +%s%N)

# sessions NODE PORT FIELD: NODE's sessions to the server's PORT, local
# or from_peer. Fails, printing nothing, when NODE cannot be asked: a
# negated check must not pass on an error.
sessions() {
	local j
	j=$(cl_ctl "$1" get session summary port "$2" -j) || return 1
	jq -er ".$3 // 0" <<<"$j"
}
has() { local n; n=$(sessions "$@") && ((n >= 1)); }
lacks() { local n; n=$(sessions "$@") && ((n == 0)); }

# rto NODE FIELD: a counter of NODE's RTO sync (get nsrp -j .rto).
rto() {
	local j
	j=$(cl_ctl "$1" get nsrp -j) || return 1
	jq -er ".rto.$2" <<<"$j"
}
rose() { local n; n=$(rto "$1" "$2") && ((n > $3)); }

# timeout_of NODE PROTO [PORT]: the seconds left to NODE's session(s) of
# PROTO (to the server's PORT), one line each.
timeout_of() {
	local j
	j=$(cl_ctl "$1" get session proto "$2" ${3:+port "$3"} -j) || return 1
	jq -er '.sessions[].timeout' <<<"$j"
}

# expires_at NODE PROTO: when NODE's one session of PROTO expires, in
# whole seconds of the monotonic clock: the seconds left, added to the
# time read just after the answer came, so that two units read one after
# the other compare whatever the time between the reads.
expires_at() {
	local left
	left=$(timeout_of "$1" "$2") || return 1
	echo $((left + $(cl_mono) / 1000000000))
}

# The sync frames (type 2) fw2 receives are dropped while this is on; the
# ageout-ack queries and replies (type 4) still pass.
sync_cut() {
	lab exec fw2 nft -f - <<'NFT'
table inet rto_cut {
	chain in {
		type filter hook input priority -50; policy accept;
		udp dport 7060 @th,104,8 2 counter drop comment "sync"
	}
}
NFT
}
sync_restore() { lab exec fw2 nft delete table inet rto_cut; }

# flow PORT SECONDS: a datagram to the server's PORT every 0.3 of the
# timeout, from one source port, for SECONDS; in the background. (At 0.9,
# a loaded machine's hiccup let the session expire between two.)
# stop_flow PID ends one early.
flow() {
	# "$LAB", not lab(): $! is then the flow's own PID.
	"$LAB" exec client timeout $(($2 + 5)) python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[2]) + 1000))
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.3 * float(sys.argv[4]))
' "$CL_SERVER" "$1" "$2" "$TIMEOUT" &
	FLOW_PID=$!
	on_exit "kill $FLOW_PID 2>/dev/null"
}
stop_flow() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

echo "# ageout-ack on: active, and deleted"
check "lab up" lab_setup "rtoa$$"
lab exec server nft -f - <<'NFT'
table inet sink {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport { 6000, 6001, 6002, 6003, 6004 } drop
	}
}
NFT
for node in fw1 fw2; do
	cl_conf "$node"
	echo "set flow timeout udp $TIMEOUT" >>"$CL_DIR/$node.conf"
	echo "set flow timeout icmp $ICMP_TIMEOUT" >>"$CL_DIR/$node.conf"
done
check "the configuration with the short timeout passes --check-config" \
	eval "$BUILD/nsrpd --check-config $CL_DIR/fw2.conf >/dev/null"
cl_both_up
check "fw1 is master" cl_is_master fw1
check "ageout-ack is on" \
	eval 'cl_ctl fw2 get config | grepq -x "set nsrp rto session ageout-ack"'
# 6000 goes on until the checks are done; 6003 stops after 2 s, and fw1
# sweeps it, but the deletion never reaches fw2.
flow 6003 2
pid6003=$FLOW_PID
flow 6000 60
check "fw2 holds fw1's sessions to ports 6000 and 6003" \
	wait_for 5 eval 'has fw2 6000 from_peer && has fw2 6003 from_peer'
sync_cut
queries=$(rto fw2 ageout_queries) kept=$(rto fw2 ageout_kept)
deleted=$(rto fw2 ageout_deleted)
check "fw1 swept the stopped flow's session" wait_for 5 lacks fw1 6003 local
check "fw2 asked fw1 about its expired copies" \
	wait_for $((8 * TIMEOUT + SWEEP_LATE)) rose fw2 ageout_queries "$queries"
check "fw1 still carries the flow to 6000" has fw1 6000 local
check "active on fw1: fw2 kept that copy" \
	wait_for 3 rose fw2 ageout_kept "$kept"
# Kept as at creation, 8 lifetimes; an idle answer would give it at
# most one.
check "for 8 lifetimes again: $(timeout_of fw2 udp 6000) s left" \
	eval '(( $(timeout_of fw2 udp 6000) > 2 * TIMEOUT ))'
check "gone on fw1: fw2 deleted the copy of 6003" \
	wait_for 3 eval 'lacks fw2 6003 from_peer && rose fw2 ageout_deleted "$deleted"'
check "fw2 still holds the copy of 6000 past 8 lifetimes" has fw2 6000 from_peer
stop_flow "$FLOW_PID"
wait "$pid6003"
sync_restore

echo "# ageout-ack off"
check "unset nsrp rto session ageout-ack on fw2" \
	cl_ctl fw2 unset nsrp rto session ageout-ack
queries=$(rto fw2 ageout_queries)
flow 6001 60
check "fw2 holds fw1's session to port 6001" wait_for 5 has fw2 6001 from_peer
sync_cut
check "fw2 let its copy expire" \
	wait_for $((8 * TIMEOUT + SWEEP_LATE)) lacks fw2 6001 from_peer
check "while fw1 still carries the flow" has fw1 6001 local
check "without asking fw1" test "$(rto fw2 ageout_queries)" = "$queries"
stop_flow "$FLOW_PID"
sync_restore

echo "# an idle flow is swept from both units once it expires"
# The sweep is due when the earliest expiry the agent knows of comes.
# Once fw1 swept the last flow its table is empty, and the next sweep up
# to 10 s away: only the new session's event tells it of this one.
check "fw1 swept the last flow's session" wait_for 5 lacks fw1 6001 local
flow 6002 1
check "fw2 holds fw1's session to port 6002" wait_for 5 has fw2 6002 from_peer
check "within 4 s: fw1 swept it, and fw2 dropped its copy (8 s left)" \
	wait_for 4 eval 'lacks fw1 6002 local && lacks fw2 6002 from_peer'
wait "$FLOW_PID"

echo "# ageout-ack on: idle"
check "set nsrp rto session ageout-ack on fw2 again" \
	cl_ctl fw2 set nsrp rto session ageout-ack
check "a ping through fw1" \
	lab exec client ping -c 2 -i 0.2 -W 1 -q "$CL_SERVER"
t_ping=$(cl_mono)
check "fw2 holds fw1's ICMP session, for 8 of its lifetimes" \
	wait_for 3 eval '(( $(timeout_of fw2 icmp) > ICMP_TIMEOUT ))'
# Its copy is made due when fw1's session has been idle past the refresh
# interval (the clock both units and the test share); fw2 sees it at its
# next sweep, at most 10 s later (SWEEP_LATE on a loaded machine), while
# fw1's session still lives.
idle_at=$((t_ping + (REFRESH + 1) * 1000000000))
check "fw2's copy made to expire $((REFRESH + 1)) s after the ping" \
	test "$(san lab exec fw2 "$BUILD/tests/ha_tool" expire icmp 0 "$idle_at")" = 1
kept=$(rto fw2 ageout_kept)
check "fw2 asked, and kept the copy: the session lives on fw1" \
	wait_for $((REFRESH + 2 + SWEEP_LATE)) rose fw2 ageout_kept "$kept"
left2=$(timeout_of fw2 icmp)
at1=$(expires_at fw1 icmp) at2=$(expires_at fw2 icmp)
check "idle on fw1: fw2's copy ($left2 s left) expires with it (at $at2 s, fw1's at $at1 s)" \
	eval '[[ -n $at1 && -n $at2 && -n $left2 ]] &&
	      (( left2 <= ICMP_TIMEOUT - REFRESH &&
		 at2 >= at1 - 2 && at2 <= at1 + 2 ))'

echo "# ageout-ack on, the peer absent"
# The sync cut again: fw1's deletion of the session, once the flow
# stopped, must not reach fw2 before fw1 is gone.
flow 6004 2
check "fw2 holds fw1's session to port 6004" wait_for 5 has fw2 6004 from_peer
sync_cut
queries=$(rto fw2 ageout_queries) swept=$(rto fw2 swept)
for dev in lan0 wan0 ha0; do lab exec fw1 ip link set "$dev" down; done
cl_kill fw1
check "fw2 takes over" wait_for 3 cl_state_is fw2 master
check "its copy expires: fw2 deletes it without a question" \
	wait_for $((8 * TIMEOUT + SWEEP_LATE)) eval \
	'lacks fw2 6004 from_peer && rose fw2 swept "$swept"'
check "it asked nobody" test "$(rto fw2 ageout_queries)" = "$queries"
wait "$FLOW_PID"

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
