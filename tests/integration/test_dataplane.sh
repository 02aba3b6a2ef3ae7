#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The data plane in the lab, with fixed roles (no election): fw1 master,
# fw2 backup. Proves that the client resolves the VSI gateway to the VSI
# MAC and reaches the server by TCP, UDP and ping through fw1; that XDP
# carries each flow after its first packet; that the backup neither
# answers for the VSI nor lets frames to the VSI MAC through; that a
# killed agent's node stops answering from its next frame on; and
# that the session table survives a restart of the agent.

# Variables read in eval'd checks, which shellcheck cannot see:
# shellcheck disable=SC2034
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 bpftool

NSRPD=$BUILD/san/nsrpd
CTL=$BUILD/san/nsrpctl
TOOL=$BUILD/tests/ha_tool
[[ -x $NSRPD && -x $CTL && -x $TOOL ]] || skip "build first (make tests)"
TMP=$(mktemp -d "/tmp/$T_NAME.XXXXXX")
on_exit "rm -rf $TMP"
keep_on_failure "$TMP"
lab_setup dpt$$

# fw1 master, fw2 backup; heartbeats every 100 ms, deadline 3 of them.
write_conf() {
	cat >"$TMP/$1.conf" <<-EOF
	set hostname $1
	set nsrp cluster id 1
	set nsrp standalone-role $2
	set nsrp vsd-group hb-interval 100
	set nsrp vsd-group hb-threshold 3
	set interface lan0:0 ip 192.0.2.1/24
	set interface lan0:0 ipv6 2001:db8:1::1/64
	set interface wan0:0 ip 198.51.100.1/24
	set interface wan0:0 ipv6 2001:db8:2::1/64
	EOF
}

declare -A PID
start_agent() {
	local fw=$1
	lab exec "$fw" true	# the lab's bpffs, before nsrpd mounts its own
	"$LAB" exec "$fw" "$NSRPD" -f "$TMP/$fw.conf" -S "$TMP/$fw.sock" \
		>>"$TMP/$fw.log" 2>&1 &
	PID[$fw]=$!
	on_exit "kill -9 ${PID[$fw]}"
	wait_for 5 test -S "$TMP/$fw.sock"
}

# stop_agent FW: SIGTERM, as a service manager stops it; it must exit
# within 5 s with status 0 (LeakSanitizer reports at that exit).
gone() {
	[[ ! -e /proc/$1/stat ]] ||
		[[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}
stop_agent() {
	local pid=${PID[$1]} rc
	kill -TERM "$pid"
	wait_for 5 gone "$pid" || return 1
	wait "$pid"
	rc=$?
	echo "  $1's nsrpd exited with status $rc"
	return "$rc"
}

ctl() { local fw=$1; shift; san lab exec "$fw" "$CTL" -S "$TMP/$fw.sock" "$@"; }

# A data plane counter of a node (its enum name without NSRP_CNT_), summed
# over CPUs, read from the pinned map itself so that it works after the
# agent is gone: the map's BTF names it (the member of that name in
# lower case, include/nsrpd.h).
counter() {
	local fw=$1 name=$2
	lab exec "$fw" bpftool -j map dump pinned /sys/fs/bpf/nsrpd/nsrp_cnt |
		python3 -c '
import json, sys
want = sys.argv[1].lower()
for e in json.load(sys.stdin):
    f = e["formatted"]
    if f["key"] == 0:
        print(sum(v["value"][want] for v in f["values"]))' "$name"
}

# Sessions in a node's pinned map; with PROTO, only those of it.
sessions() {
	lab exec "$1" bpftool -j map dump pinned /sys/fs/bpf/nsrpd/nsrp_sess |
		python3 -c '
import json, sys
want = int(sys.argv[1]) if len(sys.argv) > 1 else None
print(sum(1 for e in json.load(sys.stdin)
          if want is None or e["formatted"]["key"]["proto"] == want))' ${2:+"$2"}
}

# The answers to one ARP request for ADDR from the client: a MAC a line,
# one line per answer (both units answering with the VSI MAC are two).
arp_answers() { arp_replies client eth0 "$1"; }

# The VSI MAC of cluster 1, group 0 on the LAN, as the units derive it.
VSI_MAC=$("$TOOL" vsi-mac 1 0 lan0)

write_conf fw1 master
write_conf fw2 backup
start_agent fw1 || { not_ok "fw1 agent up"; t_done; }
start_agent fw2 || { not_ok "fw2 agent up"; t_done; }
check "the counter table knows every data plane counter" \
	test "$(ctl fw1 get counters | grep -c '^  ')" -ge 30

# --- The VSI gateway resolves to the VSI MAC, answered by fw1 only.
replies1=$(counter fw1 ARP_REPLY) replies2=$(counter fw2 ARP_REPLY)
ignored2=$(counter fw2 ND_IGNORED_BACKUP)
answers=$(arp_answers 192.0.2.1)
check "one ARP request for the VSI gets exactly one answer (${answers//$'\n'/ })" \
	test "$(grep -c . <<<"$answers")" -eq 1
check "the answer is the VSI MAC of cluster 1, group 0 ($VSI_MAC)" \
	test "$answers" = "$VSI_MAC"
check "fw1 sent it" test "$(counter fw1 ARP_REPLY)" -eq $((replies1 + 1))
check "fw2, the backup, saw the request and stayed silent" eval \
	'[[ $(counter fw2 ARP_REPLY) -eq $replies2 &&
	    $(counter fw2 ND_IGNORED_BACKUP) -gt $ignored2 ]]'
# The client resolves its IPv6 gateway by neighbour solicitation; the
# answer must carry the VSI MAC.
lab exec client ping -6 -c 1 -W 2 2001:db8:2::10 >/dev/null
check "IPv6: the VSI gateway resolves to the VSI MAC" \
	grep -q "lladdr $VSI_MAC " <<<"$(lab exec client ip -6 neigh show 2001:db8:1::1)"
check "IPv6: the master answered the solicitation itself" \
	test "$(counter fw1 NS_REPLY)" -gt 0

# --- Flows through the VSIs; from the second packet on XDP carries them.
lab exec server timeout 30 python3 -c '
import socket, threading
def tcp(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 5001)); s.listen(4)
    while True:
        c, _ = s.accept()
        while True:
            d = c.recv(4096)
            if not d: break
            c.sendall(d)
        c.close()
def udp(fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 5002))
    while True:
        d, a = s.recvfrom(2048)
        s.sendto(d, a)
for f, a in ((socket.AF_INET, "198.51.100.10"), (socket.AF_INET6, "2001:db8:2::10")):
    threading.Thread(target=tcp, args=(f, a), daemon=True).start()
    threading.Thread(target=udp, args=(f, a), daemon=True).start()
threading.Event().wait(30)
' &
on_exit "kill $!"
# TCP on 5001 and UDP on 5002, each over IPv4 and IPv6.
listening() {
	[[ $(lab exec server ss -Hln '( sport = :5001 or sport = :5002 )' |
		wc -l) -ge 4 ]]
}
check "the server listens" wait_for 5 listening

# client_flow PROTO ADDR N: N request/response exchanges; prints how many
# came back intact.
client_flow() {
	lab exec client timeout 10 python3 -c '
import socket, sys
proto, addr, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
ok = 0
if proto == "tcp":
    s = socket.create_connection((addr, 5001), timeout=2)
    for i in range(n):
        m = b"seq %d\n" % i
        s.sendall(m)
        if s.recv(64) == m: ok += 1
    s.close()
else:
    s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(1)
    for i in range(n):
        m = b"seq %d" % i
        s.sendto(m, (addr, 5002))
        try:
            if s.recv(64) == m: ok += 1
        except socket.timeout: pass
print(ok)' "$@"
}

fwd0=$(counter fw1 FWD)
learned0=$(counter fw1 LEARN)
for flow in "tcp 198.51.100.10" "udp 198.51.100.10" "tcp 2001:db8:2::10" \
	    "udp 2001:db8:2::10"; do
	got=$(client_flow $flow 50)
	check "$flow: 50 of 50 exchanges through the master" test "${got:-0}" -eq 50
done
check "ping through the VSI gateway" \
	lab exec client ping -c 5 -i 0.2 -W 1 198.51.100.10
fwd=$(( $(counter fw1 FWD) - fwd0 ))
learned=$(( $(counter fw1 LEARN) - learned0 ))
echo "  fw1: $learned sessions learned, $fwd packets forwarded by XDP"
check "the learner recorded each flow" test "$learned" -ge 5
# 4 flows x 100 packets + 10 pings; the first packets of each direction
# may go to the kernel while neighbours resolve.
check "XDP carried the flows after their first packets" test "$fwd" -ge 350
check "the backup learned nothing" test "$(counter fw2 LEARN)" -eq 0

# --- The maps read as bpftool prints them: a session's addresses and
# ports as bytes in network order, its family and state by name.
readable_session() {
	lab exec fw1 bpftool -j map dump pinned /sys/fs/bpf/nsrpd/nsrp_sess |
		python3 -c '
import json, sys
server = [198, 51, 100, 10] + [0] * 12
for e in json.load(sys.stdin):
    k, v = e["formatted"]["key"], e["formatted"]["value"]
    if k["family"] != "NSRP_AF_INET" or server not in (k["addr_a"], k["addr_b"]):
        continue
    port = k["port_b"] if k["addr_b"] == server else k["port_a"]
    if port in ([19, 137], [19, 138]) and v["state"].startswith("NSRP_SS_"):
        sys.exit(0)        # 5001 (tcp) or 5002 (udp) to the server
sys.exit(1)'
}
check "bpftool prints a session's addresses, ports, family and state legibly" \
	readable_session
check "bpftool prints the counters by name" \
	eval 'lab exec fw1 bpftool map dump pinned /sys/fs/bpf/nsrpd/nsrp_cnt |
	      grepq "\"sess_hit\": [1-9]"'
check "the VSI addresses' keys too" \
	eval 'lab exec fw1 bpftool map dump pinned /sys/fs/bpf/nsrpd/nsrp_vsi_addr |
	      grepq "\"addr\": \[192,0,2,1,0"'
check "get dataplane vsi-mac shows the NICs that carry VSIs, not the array" \
	eval '[[ $(ctl fw1 get dataplane vsi-mac | grep -c " 02:4e:01:00:") -eq 2 ]]'
check "get dataplane vsi-addr lists the VSI addresses with their MACs" \
	eval '[[ $(ctl fw1 get dataplane vsi-addr -j |
		   jq "[.vsi_addr[] | select(.address == \"192.0.2.1\")] | length") -eq 1 ]]'
check "get dataplane role says master, with a deadline ahead" \
	eval '[[ $(ctl fw1 get dataplane role -j | jq -r ".roles[0].role") == master &&
	        $(ctl fw1 get dataplane role -j | jq ".roles[0].deadline_in_ms > 0") == true ]]'

# --- Frames to the VSI MAC reach the backup too: it must drop them.
# Ageing 0 turns the LAN bridge into a hub: every unicast is flooded.
lab exec switch ip link set lan type bridge ageing_time 0
drop0=$(counter fw2 VSI_DROP_BACKUP)
out=$(lab exec client ping -c 5 -i 0.2 -W 1 198.51.100.10)
check "flooded: ping still answered, once each" \
	eval '[[ $out == *" 0% packet loss"* && $out != *DUP* ]]'
check "the backup dropped the frames to the VSI MAC" \
	test "$(counter fw2 VSI_DROP_BACKUP)" -gt "$drop0"
lab exec switch ip link set lan type bridge ageing_time 30000

# --- Sessions survive the agent; a dead agent's node stops answering.
# Counted: the UDP sessions, which live 60 s; the closed TCP ones may
# expire meanwhile (time-wait lasts 2 s), and the agent sweeps them.
before=$(sessions fw1 17)
kill -9 "${PID[fw1]}"
wait "${PID[fw1]}" 2>/dev/null
# Past the 300 ms deadline; a request then gets no answer.
check "killed agent: no ARP answer for the VSI any more" \
	wait_for 3 eval 'test -z "$(arp_answers 192.0.2.1)"'
# The gate finds the agent gone (nsrp_alive) and releases its groups.
check "killed agent: the data plane released the groups" \
	test "$(counter fw1 ORPHANED)" -gt 0
check "killed agent: and ignored the ARP requests as a backup" \
	test "$(counter fw1 ND_IGNORED_BACKUP)" -gt 0
check "killed agent: its sessions stay in the pinned map" \
	test "$(sessions fw1 17)" -eq "$before" -a "$before" -gt 0
start_agent fw1 || not_ok "fw1 agent restarted"
check "restarted agent re-uses the session table" \
	test "$(sessions fw1 17)" -ge "$before"
check "restarted agent answers for the VSI again" \
	test -n "$(arp_answers 192.0.2.1)"
check "restarted agent forwards again" \
	lab exec client ping -c 2 -i 0.2 -W 1 198.51.100.10

# --- A restart with a new session table size, and a pinned map of an old
# layout: both are replaced, and the sessions carried over.
before=$(sessions fw1 17)
kill "${PID[fw1]}"
wait "${PID[fw1]}" 2>/dev/null
lab exec fw1 sh -c 'rm /sys/fs/bpf/nsrpd/nsrp_cnt &&
	bpftool map create /sys/fs/bpf/nsrpd/nsrp_cnt type percpu_array \
		key 4 value 8 entries 33 name nsrp_cnt'
cp "$TMP/fw1.conf" "$TMP/fw1.sized"
echo "set flow max-sessions 131072" >>"$TMP/fw1.conf"
start_agent fw1 || not_ok "fw1 agent restarted with a new table size"
cp "$TMP/fw1.sized" "$TMP/fw1.conf"
check "the resized session table holds the sessions it had" \
	test "$(sessions fw1 17)" -ge "$before"
check "the session table has the new size" \
	grep -q '"max_entries": 131072' <<<"$(lab exec fw1 bpftool -j -p map show pinned /sys/fs/bpf/nsrpd/nsrp_sess)"
check "the agent says what it replaced" \
	eval 'grep -q "nsrp_cnt: pinned with another layout" "$TMP/fw1.log" &&
	      grep -q "sessions carried over" "$TMP/fw1.log"'
check "the replaced counter map counts again" \
	eval 'lab exec client ping -c 2 -i 0.2 -W 1 198.51.100.10 >/dev/null &&
	      [[ $(counter fw1 FWD) -gt 0 ]]'

# --- The running configuration reads back as a valid file of the same lines.
ctl fw1 get config >"$TMP/running.conf"
check "get config prints a file that --check-config accepts" \
	"$NSRPD" --check-config "$TMP/running.conf"
check "get config keeps the standalone role and the VSIs" \
	eval 'grep -q "standalone-role master" "$TMP/running.conf" &&
	      [[ $(grep -c "^set interface .*:0 ipv\?6\? " "$TMP/running.conf") -eq 4 ]]'

# --- A reload with a broken file changes nothing.
cp "$TMP/fw1.conf" "$TMP/fw1.good"
echo "set nsrp vsd-group id 0 priority 999" >>"$TMP/fw1.conf"
kill -HUP "${PID[fw1]}"
check "a rejected reload names the file and line" \
	wait_for 3 grep -q "fw1.conf:10:" "$TMP/fw1.log"
check "a rejected reload keeps the agent and the master role" \
	eval 'kill -0 ${PID[fw1]} && [[ -n $(arp_answers 192.0.2.1) ]]'
cp "$TMP/fw1.good" "$TMP/fw1.conf"

# --- A start that fails half-way says why and tears down cleanly: the
# HA interface exists, the data NIC does not.
printf '%s\n' "set nsrp cluster id 1" "set nsrp interface eth0" \
	"set interface nosuch0:0 ip 192.0.2.1/24" >"$TMP/bad.conf"
bad=$(lab exec client "$NSRPD" -f "$TMP/bad.conf" -S "$TMP/bad.sock" 2>&1)
rc=$?
check "a failed start exits with status 1" test "$rc" -eq 1
check "a failed start names the missing interface" grep -q nosuch0 <<<"$bad"
check "a failed start leaves no control socket" test ! -e "$TMP/bad.sock"
echo "$bad" >"$TMP/bad.log"

# Last: the agents stopped, for LeakSanitizer reports when they exit.
check "fw1's agent stops on SIGTERM, status 0" stop_agent fw1
check "fw2's agent stops on SIGTERM, status 0" stop_agent fw2
check "the agents and nsrpctl ran clean under ASan/UBSan" \
	san_clean "$TMP"/*.log
t_done
