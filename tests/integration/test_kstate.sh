#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel state for a new master (agent/ctcommit.c, agent/neigh.c), in
# three namespaces: client -- router -- server.
#
# (a) The router runs a stateful forward policy. A TCP connection and a
#     UDP flow are set up through it; its conntrack table is flushed, as
#     on a unit that has just taken over: the next TCP data segment and
#     the server's next UDP datagram are dropped (the policy's drop
#     counter rises). The sessions are then committed by ctnetlink
#     (ct_commit_many) and the following segments and datagrams pass as
#     established.
# (b) After a ping, neigh_dump on the client's NIC finds the router's
#     IPv4 and IPv6 entries with the router's MAC; neigh_install puts them,
#     through the wire record, into the server's namespace as STALE; an
#     entry with a lladdr is left alone; a missing NIC is -ENODEV.

. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 nft conntrack ip ping

TOOL=$BUILD/tests/kstate_tool
# kt NS ARGS...: kstate_tool in NS, sanitizer reports to T_SANDIR.
kt() { local ns=$1; shift; san timeout 20 ip netns exec "$ns" "$TOOL" "$@"; }
[[ -x $TOOL ]] || skip "build $TOOL first (make tests)"
P=kstate-$$
NC=$P-c NR=$P-r NS=$P-s
R_LAN_MAC=02:4b:53:00:00:01
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

topology() {
	local n
	for n in $NC $NR $NS; do
		ip netns add "$n" || return 1
		on_exit "ip netns del $n"
		nsx "$n" ip link set lo up
	done
	ip -n "$NC" link add eth0 type veth peer name lan0 netns "$NR" address $R_LAN_MAC &&
	ip -n "$NR" link add wan0 type veth peer name eth0 netns "$NS" || return 1
	nsx "$NC" ip addr add 192.0.2.2/24 dev eth0
	nsx "$NC" ip addr add 2001:db8:1::2/64 dev eth0 nodad
	nsx "$NR" ip addr add 192.0.2.1/24 dev lan0
	nsx "$NR" ip addr add 2001:db8:1::1/64 dev lan0 nodad
	nsx "$NR" ip addr add 198.51.100.1/24 dev wan0
	nsx "$NS" ip addr add 198.51.100.2/24 dev eth0
	for n in "$NC eth0" "$NR lan0" "$NR wan0" "$NS eth0"; do
		set -- $n
		nsx "$1" ip link set "$2" up
	done
	nsx "$NC" ip route add default via 192.0.2.1
	nsx "$NS" ip route add default via 198.51.100.1
	nsx "$NR" sysctl -qw net.ipv4.ip_forward=1
	nsx "$NR" nft -f - <<-'NFT' || return 1
	table inet kstate {
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related counter accept comment "est"
			iifname "lan0" tcp flags & (fin | syn | rst | ack) == syn ct state new accept
			iifname "lan0" udp dport 5353 ct state new accept
			iifname "lan0" icmp type echo-request ct state new accept
			counter comment "drop"
		}
	}
	NFT
	# As in the lab: a mid-stream segment does not open an entry.
	nsx "$NR" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
}

# Endpoints, every wait bounded by a timeout.
cat >"$TMP/ep.py" <<'EOF_PY'
import os, socket, sys, time

def wait_file(path, secs):
    end = time.time() + secs
    while not os.path.exists(path):
        if time.time() > end:
            sys.exit(1)
        time.sleep(0.05)

def recv_until(s, want, secs):
    got, end = b"", time.time() + secs
    while want not in got:
        left = end - time.time()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            d = s.recv(4096)
        except socket.timeout:
            return False
        if not d:
            return False
        got += d
    return True

mode, a = sys.argv[1], sys.argv[2:]
if mode == "tcp-server":		# ADDR PORT: echo one connection
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a[0], int(a[1]))); ls.listen(1); ls.settimeout(30)
    c, _ = ls.accept(); c.settimeout(60)
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(d)
elif mode == "tcp-client":		# SRC SPORT DST DPORT DIR
    d = a[4]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a[0], int(a[1]))); s.settimeout(5)
    s.connect((a[2], int(a[3])))
    # step: message, seconds to wait for its echo
    for step, secs in ((1, 3), (2, 1.5), (3, 15)):
        if step > 1:
            wait_file(f"{d}/go{step}", 60)
        s.sendall(b"m%d;" % step)
        ok = recv_until(s, b"m%d;" % step, secs)
        open(f"{d}/r{step}", "w").write("ok" if ok else "timeout")
    s.close()
elif mode == "udp-echo-once":		# ADDR PORT
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a[0], int(a[1]))); s.settimeout(10)
    d, peer = s.recvfrom(2048); s.sendto(d, peer)
elif mode == "udp-send":		# SRC SPORT DST DPORT [WAIT]: ok/timeout
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a[0], int(a[1])))
    s.sendto(b"x", (a[2], int(a[3])))
    if len(a) > 4:
        s.settimeout(float(a[4]))
        try:
            s.recv(2048); print("ok")
        except socket.timeout:
            print("timeout")
elif mode == "udp-recv":		# ADDR PORT SECS: ok/timeout
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a[0], int(a[1]))); s.settimeout(float(a[2]))
    open(a[3], "w").close()		# bound: ready
    try:
        s.recv(2048); print("ok")
    except socket.timeout:
        print("timeout")
EOF_PY
ep() { local ns=$1; shift; nsx "$ns" timeout 70 python3 "$TMP/ep.py" "$@"; }

count() {
	nsx "$NR" nft list chain inet kstate forward | awk -v c="comment \"$1\"" '
		index($0, c) { for (i = 1; i < NF; i++)
			if ($i == "packets") { print $(i + 1); exit } }'
}

# udp_push N SECS: the server pushes one datagram to the client's UDP port;
# "ok", or "timeout" when none came within SECS of the client being ready.
udp_push() {
	local ready=$TMP/ready.$1 out=$TMP/push.$1
	ep "$NC" udp-recv 192.0.2.2 40002 "$2" "$ready" >"$out" &
	local pid=$!
	wait_for 5 test -e "$ready"
	ep "$NS" udp-send 198.51.100.2 5353 192.0.2.2 40002
	wait "$pid"
	cat "$out"
}

# As root, with the namespaces made, a router that does not forward is a
# failure of the test's own set-up, not a missing feature: no skip.
check "the topology is set up" topology
check "the router forwards" \
	wait_for 5 nsx "$NC" ping -c1 -W1 -q 198.51.100.2 >/dev/null
((T_FAILED)) && t_done

# ------------------------------------------------------- (a) conntrack
listening() { [[ -n $(nsx "$NS" ss -Hln "sport = :$1") ]]; }
ep "$NS" tcp-server 198.51.100.2 7000 &
on_exit "kill $!"
wait_for 5 listening 7000
ep "$NC" tcp-client 192.0.2.2 40001 198.51.100.2 7000 "$TMP" &
on_exit "kill $!"
wait_for 10 test -e "$TMP/r1"
check "tcp: first segment echoed through the router" grep -qx ok "$TMP/r1"
ep "$NS" udp-echo-once 198.51.100.2 5353 &
wait_for 5 listening 5353
check "udp: first datagram answered through the router" \
	test "$(ep "$NC" udp-send 192.0.2.2 40002 198.51.100.2 5353 3)" = ok

nsx "$NR" conntrack -F 2>/dev/null
check "router conntrack table flushed" test "$(nsx "$NR" conntrack -C)" = 0
drop0=$(count drop)
touch "$TMP/go2"
wait_for 10 test -e "$TMP/r2"
check "tcp: next segment lost after the flush" grep -qx timeout "$TMP/r2"
check "udp: server's next datagram lost after the flush" \
	test "$(udp_push 1 3)" = timeout
drop1=$(count drop)
check "the policy counted the drops ($drop0 -> $drop1)" test "$drop1" -gt "$drop0"

out=$(kt "$NR" commit -t 120 \
	tcp,192.0.2.2,40001,198.51.100.2,7000,established \
	udp,192.0.2.2,40002,198.51.100.2,5353,udp_replied)
rc=$?
check "ct_commit_many: $out (exit $rc)" test "$out/$rc" = "committed 2 failed 0/0"
nsx "$NR" conntrack -L 2>/dev/null
check "tcp entry established and assured" bash -c \
	"ip netns exec $NR conntrack -L -p tcp --dport 7000 2>/dev/null | grep 'ESTABLISHED src=192.0.2.2 .*ASSURED' >/dev/null"
drop2=$(count drop) est2=$(count est)
touch "$TMP/go3"
wait_for 20 test -e "$TMP/r3"
check "tcp: segments pass once committed" grep -qx ok "$TMP/r3"
check "udp: server's datagram passes once committed" test "$(udp_push 2 15)" = ok
check "they passed as established ($est2 -> $(count est))" test "$(count est)" -gt "$est2"
check "no drop since the commit" test "$(count drop)" = "$drop2"

# A single commit of a session the kernel does not have, initiator b.
out=$(kt "$NR" commit icmp,198.51.100.2,99,192.0.2.2,99,icmp)
rc=$?
check "ct_commit icmp: $out (exit $rc)" test "$out/$rc" = "committed 1 failed 0/0"
check "icmp entry from the initiator" bash -c \
	"ip netns exec $NR conntrack -L -p icmp 2>/dev/null | grep 'src=198.51.100.2 dst=192.0.2.2 type=8 code=0 id=99' >/dev/null"
out=$(kt "$NR" commit-bulk 5000)
rc=$?
check "ct_commit_many of 5000: $out (exit $rc)" \
	test "$out/$rc" = "committed 5000 failed 0/0"
check "5000 entries in the table" test "$(nsx "$NR" conntrack -L -s 203.0.113.200 2>/dev/null | wc -l)" = 5000

# ------------------------------------------------------ (b) neighbours
nsx "$NC" ip neigh flush dev eth0
nsx "$NC" ping -c1 -W2 -q 192.0.2.1 >/dev/null
nsx "$NC" ping -6 -c1 -W2 -q 2001:db8:1::1 >/dev/null
nsx "$NC" ip neigh show dev eth0
dump=$(kt "$NC" neigh-dump eth0 nosuch0)
rc=$?
echo "$dump"
check "neigh_dump exits 0 (exit $rc)" test "$rc" = 0
check "neigh_dump: router's IPv4 entry" grep -qx "eth0 4 192.0.2.1 $R_LAN_MAC" <<<"$dump"
check "neigh_dump: router's IPv6 entry" grep -qx "eth0 6 2001:db8:1::1 $R_LAN_MAC" <<<"$dump"
check "neigh_dump: nothing from other NICs" test -z "$(kt "$NC" neigh-dump lo)"

while read -r ifn fam addr mac; do
	check "neigh_install $addr" kt "$NS" neigh-install "$ifn" "$addr" "$mac"
done <<<"$dump"
nsx "$NS" ip neigh show dev eth0
check "installed IPv4 entry is STALE with the lladdr" bash -c \
	"ip -n $NS neigh show 192.0.2.1 dev eth0 | grep 'lladdr $R_LAN_MAC STALE' >/dev/null"
check "installed IPv6 entry is STALE with the lladdr" bash -c \
	"ip -n $NS neigh show 2001:db8:1::1 dev eth0 | grep 'lladdr $R_LAN_MAC STALE' >/dev/null"
check "neigh_install over an entry with a lladdr succeeds" \
	kt "$NS" neigh-install eth0 192.0.2.1 02:00:00:00:00:99
check "an entry with a lladdr is left alone" bash -c \
	"ip -n $NS neigh show 192.0.2.1 dev eth0 | grep 'lladdr $R_LAN_MAC' >/dev/null"
kt "$NS" neigh-install nosuch0 192.0.2.1 $R_LAN_MAC 2>/dev/null
check "a missing NIC is ENODEV" test $? = 3

check "kstate_tool ran clean under ASan/UBSan" san_clean
t_done
