#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_ha_security - the HA link with "set nsrp auth password" and "set
# nsrp encrypt password" on both units: they elect and sync through it;
# then fw2 is sent what an attacker on the link could send, and must drop
# each frame under its reason in "get counters" and change nothing:
#
#   a heartbeat of fw1 captured off ha0 and sent again      replay
#   the same, built anew with the right passwords           replay
#   fw1 stepping down, sealed with a wrong auth password    auth-failed
#     and named with the key id of the right ones
#   the same with a wrong encrypt password                  auth-failed
#   the same, named with the id its own keys give           unknown-key
#   the same with authentication only, or in the clear      security-mismatch
#
# Accepted, the forged heartbeat would hand master to fw2 ("master peer
# steps down"): roles and both histories must stay as they were.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2016
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
TOOL=$BUILD/tests/ha_tool
[[ -x $BUILD/san/nsrpd && -x $BUILD/san/nsrpctl && -x $TOOL ]] ||
	skip "build first (make tests)"

AUTH=Auth-pw-1
ENC=Enc-pw-1
FW2_HA=203.0.113.2
start=$(date +%s%N)

# drops NODE REASON: NODE's count of HA frames dropped for REASON.
drops() {
	local j
	j=$(cl_ctl "$1" get counters -j) || return 1
	jq -er --arg r "$2" '.halink[$r]' <<<"$j"
}

# drops_rose NODE REASON BEFORE N: the count is BEFORE + N or more.
drops_rose() {
	local now
	now=$(drops "$1" "$2") && ((now >= $3 + $4))
}

# history NODE: NODE's transitions, one line each, as "get nsrp history"
# gives them.
history() {
	local j
	j=$(cl_ctl "$1" get nsrp history -j) || return 1
	jq -r '.[] | "\(.mono_ns) \(.from)>\(.to):\(.reason)"' <<<"$j"
}

# capture_replay COUNT: in fw1, takes the next heartbeat fw1 sends on
# ha0, waits until newer ones followed it, and sends it COUNT times more,
# byte for byte but for the UDP checksum, which a veth may leave for the
# NIC to fill. Prints the captured header's "unit epoch seq".
capture_replay() {
	lab exec fw1 timeout 10 python3 -c '
import socket, struct, sys, time
count = int(sys.argv[1])
# ETH_P_ALL: only such a socket sees the frames its host sends.
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("ha0", 3))
s.settimeout(5)
while True:
    f, addr = s.recvfrom(65535)
    ihl = (f[14] & 15) * 4
    u = 14 + ihl
    if addr[2] == socket.PACKET_OUTGOING and f[12:14] == b"\x08\x00" and \
       f[23] == 17 and \
       struct.unpack("!H", f[u + 2:u + 4])[0] == 7060 and f[u + 8 + 5] == 1:
        break
f = bytearray(f)
ulen = struct.unpack("!H", f[u + 4:u + 6])[0]
f[u + 6:u + 8] = b"\0\0"
ph = bytes(f[26:34]) + struct.pack("!BBH", 0, 17, ulen) + bytes(f[u:u + ulen])
if len(ph) % 2:
    ph += b"\0"
t = sum(struct.unpack("!%dH" % (len(ph) // 2), ph))
while t >> 16:
    t = (t & 0xffff) + (t >> 16)
struct.pack_into("!H", f, u + 6, (~t & 0xffff) or 0xffff)
hdr = u + 8
unit = struct.unpack("!I", f[hdr + 16:hdr + 20])[0]
epoch, seq = struct.unpack("!QQ", f[hdr + 20:hdr + 36])
time.sleep(0.5)
for _ in range(count):
    s.send(bytes(f))
print(unit, epoch, seq)
' "$1"
}

# forge ARGS...: heartbeats from fw1's namespace to fw2's HA address.
forge() { san lab exec fw1 "$TOOL" hb --cluster 1 "$@" "$FW2_HA" >/dev/null; }

# unchanged: roles and histories as they were before the attack.
unchanged() {
	cl_is_master fw1 &&
		[[ $(history fw1) == "$HIST1" && $(history fw2) == "$HIST2" ]]
}

echo "# both units with authentication and encryption"
check "lab up" lab_setup "hasec$$"
cl_add_counters
# The peer is lost after 10 heartbeats (1 s), not 3: "nothing changed"
# is about the frames sent, and a loaded machine can stall an agent past
# 300 ms. A frame that got through would act at once all the same.
for node in fw1 fw2; do
	cl_conf "$node"
	sed -i 's/^\(set nsrp vsd-group hb-threshold\).*/\1 10/' \
		"$CL_DIR/$node.conf"
	printf 'set nsrp auth password %s\nset nsrp encrypt password %s\n' \
		"$AUTH" "$ENC" >>"$CL_DIR/$node.conf"
done
cl_both_up
check "fw1 is master, fw2 backup, through the protected link" \
	cl_is_master fw1
protected() {
	[[ $(cl_json "$1" '"\(.authentication) \(.encryption)"') == "true true" ]]
}
check "both say so in get nsrp" eval 'protected fw1 && protected fw2'
check "traffic flows through fw1" cl_flows_via fw1
check "and its sessions reach fw2" wait_for 3 eval \
	'(( $(cl_ctl fw2 get session summary -j | jq -r .from_peer) > 0 ))'
# "own-frames" are fw2's own broadcasts on the secondary path, not drops.
check "no frame was dropped so far" eval \
	'[[ $(cl_ctl fw2 get counters -j |
	      jq "[.halink | del(.\"own-frames\") | .[]] | add") == 0 ]]'
HIST1=$(history fw1)
HIST2=$(history fw2)
unit1=$(cl_json fw1 .local_unit_id)
replay0=$(drops fw2 replay)
auth0=$(drops fw2 auth-failed)
mism0=$(drops fw2 security-mismatch)
unknown0=$(drops fw2 unknown-key)
key=$(cl_json fw2 .key_id)

echo "# a captured heartbeat, sent again"
hdr=$(capture_replay 5)
read -r cunit cepoch cseq <<<"$hdr"
check "a heartbeat of fw1 was captured ($hdr)" test "$cunit" = "$unit1"
check "fw2 dropped the 5 copies as replays" \
	wait_for 3 drops_rose fw2 replay "$replay0" 5
# Sealed by the tool with the right passwords, the same numbers pass
# authentication and fall to the replay window: the tool seals as the
# agents do, and the frames below fail for their keys alone.
replay1=$(drops fw2 replay)
forge --auth "$AUTH" --enc "$ENC" --unit "$cunit" --epoch "$cepoch" \
	--seq "$cseq" --state master --prio 50 --count 3
check "the same numbers sealed anew with the right passwords: replays" \
	wait_for 3 drops_rose fw2 replay "$replay1" 3

echo "# forged: fw1 steps down, sealed with wrong passwords"
forge --auth wrong --enc "$ENC" --key-id "$key" --unit "$unit1" \
	--epoch "$cepoch" --seq $((cseq + 100000)) --state master --prio 50 \
	--yield --count 4
forge --auth "$AUTH" --enc wrong --key-id "$key" --unit "$unit1" \
	--epoch "$cepoch" --seq $((cseq + 200000)) --state master --prio 50 \
	--yield --count 4
check "fw2 dropped the 8 named with its key id as failing authentication" \
	wait_for 3 drops_rose fw2 auth-failed "$auth0" 8
forge --auth wrong --enc wrong --unit "$unit1" --epoch "$cepoch" \
	--seq $((cseq + 250000)) --state master --prio 50 --yield --count 4
check "and the 4 named with their own keys' id as an unknown key" \
	wait_for 3 drops_rose fw2 unknown-key "$unknown0" 4
forge --auth "$AUTH" --unit "$unit1" --epoch "$cepoch" \
	--seq $((cseq + 300000)) --state master --prio 50 --yield --count 3
forge --unit "$unit1" --epoch "$cepoch" \
	--seq $((cseq + 400000)) --state master --prio 50 --yield --count 3
check "and the 6 protected otherwise than configured" \
	wait_for 3 drops_rose fw2 security-mismatch "$mism0" 6

echo "# nothing changed"
check "roles and both histories are as before" unchanged
check "fw2 still hears fw1" cl_json_is fw2 .peer.present true
check "traffic flows through fw1" cl_flows_via fw1
check "fw2 counted nothing as from another unit" \
	eval '! grep -q "a different peer unit" "${CL_LOG[fw2]}"'

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
