#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_sess_evict - a session table smaller than the flows through it:
# the kernel's LRU map evicts the oldest sessions silently, and `get
# session summary` says how many. fw1 runs alone with "set flow
# max-sessions 1024"; 500 flows fit, none is evicted; 3000 more do not,
# and the summary's estimate accounts for every session learned.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2016
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

summary() { cl_ctl fw1 get session summary -j | jq -r ".$1"; }
learned() { cl_ctl fw1 get counters -j | jq -r '.dataplane.learned'; }

# flows FIRST N: one UDP datagram to each of N server ports from FIRST on.
flows() {
	lab exec client timeout 30 python3 -c '
import socket, sys, time
first, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(b"x", (sys.argv[3], first + i))
    if i % 256 == 255:
        time.sleep(0.002)   # within the backlog of the receiving NICs
' "$1" "$2" "$CL_SERVER"
}

check "lab up" lab_setup "evict$$"
check "the server drops UDP to ports 20000 and up" cl_udp_sink
cl_conf fw1
sed -i 's/^set flow max-sessions .*/set flow max-sessions 1024/' \
	"$CL_DIR/fw1.conf"
cl_start fw1
check "fw1 is master alone" wait_for 5 cl_state_is fw1 master

echo "# 500 flows: they fit"
flows 20000 500
check "fw1 learned them" wait_for 5 eval '(( $(learned) >= 500 ))'
check "the summary says none was evicted" test "$(summary evicted)" = 0

echo "# 3000 more: the table of 1024 overflows"
flows 20500 3000
check "fw1 learned them too" wait_for 5 eval '(( $(learned) >= 3400 ))'
# The stragglers of the burst, if the machine dropped none.
wait_for 3 eval '(( $(learned) >= 3500 ))'
n=$(learned) present=$(summary present) evicted=$(summary evicted)
echo "  learned $n, present $present, evicted $evicted"
check "the table is full" test "$present" -le 1024
check "at least the overflow was evicted" \
	test "$evicted" -ge $(( n - 1024 ))
# Nothing expired or was deleted in these seconds: every session learned
# is either in the table or was evicted.
check "learned = present + evicted" test "$evicted" -eq $(( n - present ))

cl_finish
