#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_rto_ageout - "set nsrp rto session ageout-ack": a UDP flow that
# sends a datagram every 0.9 of its timeout stays alive on the master; its
# copy on the backup, which hears no refresh of it (the sync frames are
# dropped on the HA link once the copy is there), reaches the end of its
# 8x lifetime. With ageout-ack the backup asks the master, learns that
# the session is active and keeps its copy; without it the copy is gone.
# Last, a flow that stops is swept from the master once it expires, and
# its copy deleted on the backup with it, where nothing else in the table
# was due to expire.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2016
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

TIMEOUT=1	# s, the UDP timeout of both units
start=$(date +%s%N)

# sessions NODE PORT FIELD: NODE's sessions to the server's PORT, local
# or from_peer.
sessions() {
	cl_ctl "$1" get session summary port "$2" -j 2>/dev/null |
		jq -r ".$3 // 0"
}
has() { [[ $(sessions "$1" "$2" "$3") -ge 1 ]]; }

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

# flow PORT SECONDS: a datagram to the server's PORT every 0.9 of the
# timeout, from one source port, for SECONDS; in the background.
flow() {
	lab exec client timeout $(($2 + 5)) python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[2]) + 1000))
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.9 * float(sys.argv[4]))
' "$CL_SERVER" "$1" "$2" "$TIMEOUT" &
	FLOW_PID=$!
	on_exit "kill $FLOW_PID 2>/dev/null"
}

# run PORT: the flow through fw1 for 8 lifetimes of the backup's copy
# (8 x TIMEOUT) and 4 s more; its copy on fw2 cut off from refreshes.
run() {
	flow "$1" $((8 * TIMEOUT + 4))
	check "fw2 holds fw1's session to port $1" wait_for 3 has fw2 "$1" from_peer
	sync_cut
	sleep $((8 * TIMEOUT + 3))
	check "fw1 still carries the flow" has fw1 "$1" local
}

echo "# ageout-ack on"
check "lab up" lab_setup "rtoa$$"
lab exec server nft -f - <<'NFT'
table inet sink {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport { 6000, 6001, 6002 } drop
	}
}
NFT
for node in fw1 fw2; do
	cl_conf "$node"
	echo "set flow timeout udp $TIMEOUT" >>"$CL_DIR/$node.conf"
done
check "the configuration with the short timeout passes --check-config" \
	eval "$BUILD/nsrpd --check-config $CL_DIR/fw2.conf >/dev/null"
cl_both_up
check "fw1 is master" cl_is_master fw1
check "ageout-ack is on" \
	eval 'cl_ctl fw2 get config | grepq -x "set nsrp rto session ageout-ack"'
run 6000
check "fw2 asked fw1 about its expired copy" \
	test "$(cl_json fw2 .rto.ageout_queries)" -ge 1
check "and kept it: the session is active on fw1" \
	test "$(cl_json fw2 .rto.ageout_kept)" -ge 1
check "fw2 still holds the copy past 8 lifetimes" has fw2 6000 from_peer
wait "$FLOW_PID"
sync_restore

echo "# ageout-ack off"
check "unset nsrp rto session ageout-ack on fw2" \
	cl_ctl fw2 unset nsrp rto session ageout-ack
queries=$(cl_json fw2 .rto.ageout_queries)
run 6001
check_fails "fw2 let its copy expire" has fw2 6001 from_peer
check "without asking fw1" test "$(cl_json fw2 .rto.ageout_queries)" = "$queries"
wait "$FLOW_PID"
sync_restore

echo "# an idle flow is swept from both units once it expires"
# The sweep is due when the earliest expiry the agent knows of comes.
# Once fw1 swept the last flow its table is empty, and the next sweep up
# to 10 s away: only the new session's event tells it of this one.
check "fw1 swept the last flow's session" wait_for 5 eval '! has fw1 6001 local'
flow 6002 1
check "fw2 holds fw1's session to port 6002" wait_for 3 has fw2 6002 from_peer
check "within 4 s: fw1 swept it, and fw2 dropped its copy (8 s left)" \
	wait_for 4 eval '! has fw1 6002 local && ! has fw2 6002 from_peer'
wait "$FLOW_PID"

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
