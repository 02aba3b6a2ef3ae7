#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_rto_bulk - a backup that joins a master holding 100000 sessions
# gets them all in its cold start (bulk) sync, says "coldstart sync done",
# and when the master then fails it takes over every one of them: they
# stay in its session map, and the kernel gets their conntrack entries,
# a chunk per pass of the event loop. The HA link is a jumbo one (MTU
# 9000): the bulk fills its frames, and sends and receives them dozens
# per syscall (UDP segmentation and its receive side, GRO). Then the HA
# link goes back to MTU 1500 under the running agents, and a resync that
# fw2 forces fills frames of the new size.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2016
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

N=100000
start=$(date +%s%N)

# count NODE FIELD: NODE's sessions of the flows below (UDP to the server's
# ports 20000 and up), by origin: local or from_peer.
count() {
	cl_ctl "$1" get session summary proto udp -j 2>/dev/null |
		jq -r ".$2 // 0"
}
count_at_least() { (( $(count "$1" "$2") >= $3 )); }
# path NODE FIELD: a counter of NODE's primary HA path (get counters).
path() { cl_ctl "$1" get counters -j | jq -r ".ha_paths.primary.$2"; }

echo "# fw1 alone, with $N sessions"
check "lab up" lab_setup "rtob$$"
for n in fw1 fw2; do lab exec "$n" ip link set ha0 mtu 9000; done
check "the server drops UDP to ports 20000 and up" cl_udp_sink
cl_start fw1
check "fw1 is master alone" wait_for 5 cl_state_is fw1 master
# N flows: one datagram each, from 4 client ports to 25000 server ports.
lab exec client timeout 60 python3 -c '
import socket, sys, time
n = int(sys.argv[1])
socks = []
for _ in range(4):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    socks.append(s)
for i in range(n):
    socks[i % 4].sendto(b"x", (sys.argv[2], 20000 + i // 4))
    if i % 256 == 255:
        time.sleep(0.002)   # within the backlog of the receiving NICs
' "$N" "$CL_SERVER"
# A loaded machine may drop some of the burst: what counts is that the
# backup gets every session fw1 holds, M of them.
wait_for 10 count_at_least fw1 local "$N"
M=$(count fw1 local)
check "fw1 holds at least 90% of the $N sessions ($M)" \
	test "$M" -ge $((N * 9 / 10))

echo "# fw2 joins: bulk sync"
tx0=$(path fw1 tx) calls0=$(path fw1 tx_calls)
t0=$(date +%s%N)
cl_start fw2
check "fw2 joins as backup" wait_for 5 cl_state_is fw2 backup
check "fw2's cold start sync completes" \
	wait_for 20 cl_json_is fw2 .rto.coldstart_done true
echo "  cold start of $M sessions done $(( ($(date +%s%N) - t0) / 1000000 )) ms after fw2 started"
check "fw2 holds all $M from its peer" count_at_least fw2 from_peer "$M"
# fw1 heard fw2 first and asked for fw2's sessions a heartbeat before fw2
# heard it: fw2 answers that request, once, and does not read its map
# again while fw1's bulk fills it.
check "fw1's cold start from fw2 completes" \
	wait_for 5 cl_json_is fw1 .rto.coldstart_done true
check "fw2 sent its bulk once ($(cl_json fw2 .rto.resyncs))" \
	cl_json_is fw2 .rto.resyncs 1
tx=$(( $(path fw1 tx) - tx0 )) calls=$(( $(path fw1 tx_calls) - calls0 ))
echo "  fw1 sent $tx datagrams in $calls calls; fw2 received $(path fw2 rx) in $(path fw2 rx_calls)"
check "both read their HA link's MTU" \
	eval '[[ $(path fw1 mtu) == 9000 && $(path fw2 mtu) == 9000 ]]'
# 1472-byte frames would take M / 13 datagrams.
check "the bulk filled jumbo frames (at least 60 sessions per datagram)" \
	test "$tx" -le $(( M / 60 ))
check "and sent them several per syscall" test "$tx" -ge $(( calls * 3 ))
check "fw2 received them several per syscall" \
	eval '(( $(path fw2 rx) >= 3 * $(path fw2 rx_calls) ))'

echo "# the HA link back to MTU 1500 under the running agents; a forced resync"
for n in fw1 fw2; do lab exec "$n" ip link set ha0 mtu 1500; done
check "both read the new MTU within 3 s" \
	wait_for 3 eval '[[ $(path fw1 mtu) == 1500 && $(path fw2 mtu) == 1500 ]]'
tx0=$(path fw1 tx) bulks=$(cl_json fw2 .rto.bulk_received)
rxy0=$(path fw2 rx_yields)
check "exec nsrp sync rto session from peer on fw2" \
	cl_ctl fw2 exec nsrp sync rto session from peer
check "the resync completes" \
	wait_for 20 eval '(( $(cl_json fw2 .rto.bulk_received) > bulks ))'
check "fw2 still holds all $M from its peer" count_at_least fw2 from_peer "$M"
# A pass of the loop receives for a bounded time, then lets heartbeats
# and timers run and comes back for the rest: a resync of 100000 sessions
# comes in faster than it is applied, so fw2's passes were cut short.
check "fw2 received it in passes of bounded time ($(( $(path fw2 rx_yields) - rxy0 )) cut short)" \
	eval '(( $(path fw2 rx_yields) > rxy0 ))'
tx=$(( $(path fw1 tx) - tx0 ))
# Jumbo frames that the kernel fragmented would be one datagram per 85.
check "in frames that fit 1500 bytes (at most 13 sessions a datagram: $tx)" \
	test "$tx" -ge $(( M / 13 ))

echo "# fw1 fails: fw2 takes them over"
for dev in lan0 wan0 ha0; do lab exec fw1 ip link set "$dev" down; done
cl_kill fw1
check "fw2 becomes master" wait_for 3 cl_state_is fw2 master
total() { (( $(count fw2 local) + $(count fw2 from_peer) >= M )); }
check "fw2 still holds all $M" total
check "and gave the kernel a conntrack entry for each" \
	wait_for 10 eval '(( $(cl_json fw2 .rto.ct_committed) >= M ))'
check "without holding its heartbeats back" \
	eval "! grep -q 'one pass took.*election [0-9]\{3,\}' ${CL_LOG[fw2]}"

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
