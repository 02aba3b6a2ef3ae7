#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_lab - the two-firewall lab (tools/lab) is what the other tests assume:
# fw1 forwards client <-> server by plain kernel forwarding, its stateful
# policy drops mid-stream TCP without a session and new TCP from the WAN,
# the switch-side veth ends carry XDP, pinned BPF objects persist between
# two "exec fw1" calls, and up/down clean up after themselves and after a
# crashed run.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip nft python3 bpftool mountpoint timeout

P=labt$$
SW_PORTS=(client fw1-lan fw2-lan server fw1-wan fw2-wan)

# tcp_echo_server NODE ADDR PORT: serves one connection: replies "echo:"
# and what it received. Gone after 8 s at most.
tcp_echo_server() {
	lab exec "$1" timeout 8 python3 -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(7)
c, _ = s.accept()
c.settimeout(3)
c.sendall(b"echo:" + c.recv(100))
c.close()
' "$2" "$3"
}

# tcp_echo_client NODE ADDR PORT: prints the server's reply to "hello".
tcp_echo_client() {
	lab exec "$1" timeout 5 python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
c.sendall(b"hello")
print(c.recv(100).decode())
' "$2" "$3"
}

# tcp_connect NODE ADDR PORT: succeeds when a TCP connection opens in 1 s.
tcp_connect() {
	lab exec "$1" timeout 3 python3 -c '
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
' "$2" "$3" 2>/dev/null
}

# pings NODE DST: one echo answered within a second.
pings() { lab exec "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1; }

# gone PID: the process has ended (a zombie our shell has not reaped counts).
gone() {
	[[ ! -e /proc/$1/stat ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat") == Z ]]
}

listening() {
	[[ -n $(lab exec "$1" ss -Hltn "sport = :$2") ]]
}

# Counts TCP segments to port 6000 arriving at NODE, before any policy.
add_tcp_counters() {
	lab exec "$1" nft -f - <<'EOF'
table inet labt_count {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		tcp dport 6000 tcp flags & (syn | ack) == ack counter comment "ack"
		tcp dport 6000 tcp flags & (syn | ack) == syn counter comment "syn"
	}
}
EOF
}

count() { nft_count "$1" inet labt_count pre "$2"; }
fw1_count() { nft_count fw1 inet nsrp_lab forward "$1"; }

xdp_on_switch_port() {
	ip -n "$(lab ns switch)" link show dev "$1" | grepq 'prog/xdp id'
}

# At least N (default 1) packets counted by "CMD...".
count_at_least() {
	local n=$1; shift
	(( $("$@") >= n ))
}

pinned_in() {
	lab exec "$1" bpftool map lookup pinned /sys/fs/bpf/labt_pin \
		key 0 0 0 0 2>/dev/null | grepq '2a 00 00 00'
}

no_leftovers() {
	local n
	for n in fw1 fw2 client server switch; do
		[[ ! -e /run/netns/$P-$n ]] || return 1
	done
	! grep -q "/run/nsrpd-lab/$P/" /proc/self/mountinfo &&
		[[ ! -e /run/nsrpd-lab/$P ]]
}

start=$(date +%s%N)

echo "# up"
check "lab up" lab_setup "$P"
for port in "${SW_PORTS[@]}"; do
	check "XDP_PASS attached on switch port $port" xdp_on_switch_port "$port"
done
check "status lists the XDP attachments" \
	test "$(lab status | grep -c '^  xdp .* prog/xdp id')" -eq 6
check "fw1 reaches fw2 over ha0" \
	wait_for 3 pings fw1 203.0.113.2

echo "# plain kernel forwarding through fw1"
# Without nsrpd there is no VSI gateway: route through fw1's own addresses.
lab exec client ip route replace default via 192.0.2.2
lab exec client ip -6 route replace default via 2001:db8:1::2
lab exec server ip route replace default via 198.51.100.2
lab exec server ip -6 route replace default via 2001:db8:2::2
check "client pings server (IPv4)" \
	wait_for 3 pings client 198.51.100.10
check "client pings server (IPv6)" \
	wait_for 3 pings client 2001:db8:2::10
for dst in 198.51.100.10 2001:db8:2::10; do
	tcp_echo_server server "$dst" 5001 &
	srv=$!
	on_exit "kill $srv"
	wait_for 3 listening server 5001
	reply=$(tcp_echo_client client "$dst" 5001)
	check "TCP exchange client -> server ($dst)" test "$reply" = "echo:hello"
	wait "$srv"
done

echo "# stateful policy on fw1"
add_tcp_counters server
add_tcp_counters client
for dst in 198.51.100.10 2001:db8:2::10; do
	[[ $dst == *:* ]] && src=2001:db8:1::10 || src=192.0.2.10
	inv0=$(fw1_count invalid)
	syn0=$(count server syn)
	# Three mid-stream ACKs, then a SYN on the same path: once the SYN
	# has arrived, the ACKs would have too.
	tcp_raw client "$src" "$dst" 40001 6000 A 3
	tcp_raw client "$src" "$dst" 40002 6000 S
	check "a SYN from the LAN passes ($dst)" \
		wait_for 3 count_at_least $((syn0 + 1)) count server syn
	check "mid-stream ACKs without a session do not arrive ($dst)" \
		test "$(count server ack)" -eq 0
	check "fw1 counted them as invalid ($dst)" \
		count_at_least $((inv0 + 3)) fw1_count invalid
done

drop0=$(fw1_count "policy drop")
tcp_raw server 198.51.100.10 192.0.2.10 40003 6000 S
check "fw1 drops a new TCP connection from the WAN" \
	wait_for 3 count_at_least $((drop0 + 1)) fw1_count "policy drop"
check "the WAN's SYN did not reach the client" test "$(count client syn)" -eq 0
lab exec client timeout 5 python3 -c '
import socket, time
s = socket.socket(); s.bind(("192.0.2.10", 6001)); s.listen(1); time.sleep(4)
' &
cl=$!
on_exit "kill $cl"
wait_for 3 listening client 6001
check_fails "server cannot connect to a listening client" \
	tcp_connect server 192.0.2.10 6001
kill "$cl" 2>/dev/null; wait "$cl" 2>/dev/null

echo "# exec"
check "pin a map in fw1" lab exec fw1 bpftool map create \
	/sys/fs/bpf/labt_pin type array key 4 value 4 entries 1 name labt_pin
check "update it in a second exec" lab exec fw1 bpftool map update \
	pinned /sys/fs/bpf/labt_pin key 0 0 0 0 value 42 0 0 0
check "read it back in a third exec" pinned_in fw1
check_fails "fw2 has a bpffs of its own" pinned_in fw2
lab exec fw1 sh -c 'exit 7'
check "exec propagates the exit status" test $? -eq 7
# "$LAB" itself, not the lab function: a function in the background runs
# in a subshell, and $! would be that subshell.
"$LAB" exec fw1 sleep 20 &
bg=$!
on_exit "kill $bg"
check "a background exec's PID is the command itself" \
	wait_for 2 grep -qx sleep /proc/$bg/comm
check "it runs in fw1's namespace" \
	test "$(ip netns identify "$bg")" = "$P-fw1"

echo "# crash and cleanup"
# A crashed run leaves everything behind, a process included: up again.
check "up over the leftovers of a previous run" lab up
check "it ended the process left in fw1" \
	wait_for 2 gone "$bg"
wait "$bg" 2>/dev/null
check "the new lab forwards to fw1" \
	wait_for 3 pings client 192.0.2.2
check_fails "the pinned map is gone with the old bpffs" pinned_in fw1
ip netns del "$P-switch"
check "up after a partial teardown" lab up
check "down" lab down
check "down leaves no namespace, mount or directory" no_leftovers
check "down twice is harmless" lab down
check "up again after down" lab up
check "and down" lab down
check "nothing left" no_leftovers

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
t_done
