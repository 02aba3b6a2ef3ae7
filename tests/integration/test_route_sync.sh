#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_route_sync - route sync with a real routing daemon. FRR runs on an
# upstream router and on both firewalls; the master (fw1) peers over BGP
# with the upstream from the WAN VSI address, which the backup (fw2) does
# not have, so fw2's own bgpd cannot peer. With "set nsrp rto-mirror
# route":
#
# - what fw1's FRR learns appears on fw2 as nsrpd's routes, marked "eBB"
#   by get route (a static route "S", an OSPF one "OB"), behind fw2's
#   own: its zebra holds them as kernel routes of distance 254 and keeps
#   them; a route of fw2's own FRR for the same prefix is the one used;
#   a prefix the upstream withdraws disappears from fw2;
# - fw1 is powered off (links down, nsrpd and FRR killed) while a UDP
#   stream runs to a host behind the upstream, and fw2's own BGP is held
#   back (its TCP port 179 dropped): the stream carries on through fw2,
#   forwarded by XDP through the copies, losing no more than a stream to
#   a directly connected server; once fw2's own BGP peers, its routes
#   replace the copies.
#
# The same run without route sync breaks the stream to the upstream's
# host until fw2's own peering comes up: the test discriminates.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout vtysh
[[ -x /usr/lib/frr/zebra && -x /usr/lib/frr/bgpd ]] || skip "needs FRR (make deps)"
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)

UP=198.51.100.20
PFX=203.0.113.128/25		# reachable only through the upstream
PFX6=2001:db8:ff::/64
FAR=203.0.113.200		# a host there (the upstream itself)
FAR6=2001:db8:ff::200
EXTRA=203.0.113.192/26		# announced, then withdrawn
RATE=100			# datagrams a second, each stream
SECS=15

# iproute2 names the protocol of the copies, for this test's "ip route".
RTP=/etc/iproute2/rt_protos.d/nsrpd.conf
if [[ ! -e $RTP ]]; then
	cp "$TOP/examples/iproute2/rt_protos.d/nsrpd.conf" "$RTP"
	on_exit "rm -f $RTP"
fi

# conf NODE on|off: the cluster's configuration, route sync on or off.
conf() {
	cl_conf "$1"
	[[ $2 == on ]] && echo "set nsrp rto-mirror route" >>"$CL_DIR/$1.conf"
	return 0
}

frr() { lab frr "$@" >/dev/null; }
vty() { local n=$1; shift; lab vtysh "$n" "$@" 2>/dev/null; }

bgp_state() {
	vty "$1" -c "show bgp neighbors $UP json" | jq -r ".\"$UP\".bgpState"
}
bgp_up() { [[ $(bgp_state "$1") == Established ]]; }

# has_route NODE PREFIX PROTO: NODE's main table holds PREFIX from PROTO.
has_route() {
	local fam=-4
	[[ $2 == *:* ]] && fam=-6
	ip -n "$(lab ns "$1")" "$fam" route show "$2" proto "$3" | grepq .
}

# mark NODE PREFIX: the mark get route gives PREFIX's active route.
mark() {
	cl_ctl "$1" get route -j |
		jq -r --arg p "$2" '[.routes[] | select(.prefix == $p)] |
			(map(select(.active)) + .)[0].mark'
}
mark_is() { [[ $(mark "$1" "$2") == "$3" ]]; }
# text_marks NODE PREFIX: the marks of PREFIX's lines in get route's table
# (ID, prefix, interface, gateway, mark, metric; "*" before the active).
text_marks() {
	local out
	out=$(cl_ctl "$1" get route) || return 1
	awk -v p="$2" 'NF >= 6 && $(NF - 4) == p { print $(NF - 1) }' <<<"$out" | xargs
}

# Whether a route to the upstream's host goes through the upstream.
via_upstream() {
	ip -n "$(lab ns "$1")" route get "$FAR" | grepq "via $UP "
}

pings6() { lab exec client ping -6 -c1 -W1 -q "$FAR6" >/dev/null 2>&1; }

# fw2's own BGP held back: TCP port 179 dropped both ways.
hold_bgp() {
	lab exec fw2 nft -f - <<-'NFT'
	table inet rts_bgp {
		chain out {
			type filter hook output priority 0; policy accept;
			tcp dport 179 drop
			tcp sport 179 drop
		}
		chain in {
			type filter hook input priority 0; policy accept;
			tcp dport 179 drop
			tcp sport 179 drop
		}
	}
	NFT
}
release_bgp() { lab exec fw2 nft delete table inet rts_bgp; }

# Counts the far stream's datagrams that fw2's kernel forwards (not XDP).
count_kernel_path() {
	lab exec fw2 nft -f - <<-NFT
	table inet rts_count {
		chain counted {
			type filter hook forward priority -10; policy accept;
			ip daddr $FAR udp dport 20001 counter comment "far"
		}
	}
	NFT
}

# streams TAG: the client sends to the upstream's host (port 20001) and,
# for comparison, to the directly connected server (20002), SECS seconds
# each; the receivers' reports go to $CL_DIR/TAG.far and TAG.near, the
# senders' to TAG.far.tx and TAG.near.tx. stream_end waits for all four.
STREAM_PIDS=()
bound() { [[ -n $(ip netns exec "$(lab ns "$1")" ss -Hlun "sport = :$2") ]]; }
streams() {
	local t=$CL_DIR/$1
	lab exec upstream timeout $((SECS + 20)) python3 "$TOP/tools/seqstream" \
		recv "$FAR" 20001 $((SECS + 10)) --times "$t.far.times" >"$t.far" &
	STREAM_PIDS=($!)
	lab exec server timeout $((SECS + 20)) python3 "$TOP/tools/seqstream" \
		recv "$CL_SERVER" 20002 $((SECS + 10)) >"$t.near" &
	STREAM_PIDS+=($!)
	# A datagram that comes before its receiver is bound is lost.
	wait_for 20 bound upstream 20001
	wait_for 20 bound server 20002
	lab exec client timeout $((SECS + 15)) python3 "$TOP/tools/seqstream" \
		send "$FAR" 20001 "$RATE" "$SECS" >"$t.far.tx" &
	STREAM_PIDS+=($!)
	lab exec client timeout $((SECS + 15)) python3 "$TOP/tools/seqstream" \
		send "$CL_SERVER" 20002 "$RATE" "$SECS" >"$t.near.tx" &
	STREAM_PIDS+=($!)
	on_exit "kill ${STREAM_PIDS[*]} 2>/dev/null"
}
stream_end() {
	local pid rcs=()
	for pid in "${STREAM_PIDS[@]}"; do
		wait "$pid"
		rcs+=($?)
	done
	echo "  streams ended (receivers, senders): ${rcs[*]}"
}

# gaps TAG: the far stream's datagrams that never arrived, as ranges
# "first-last@s", s the time since the stream's first arrival.
gaps() {
	python3 - "$CL_DIR/$1.far.times" "$(jq -r .sent "$CL_DIR/$1.far.tx")" <<-'PY'
	import sys
	rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
	sent = int(sys.argv[2] or 0)
	got = {q: t for t, q in rows}
	t0 = min(got.values()) if got else 0
	out, q = [], 0
	while q < sent:
	    if q in got:
	        q += 1
	        continue
	    start = q
	    while q < sent and q not in got:
	        q += 1
	    before = got.get(start - 1, t0)
	    out.append("%d-%d@%.2fs" % (start, q - 1, (before - t0) / 1e9))
	print(" ".join(out[:12]) + (" ..." if len(out) > 12 else "") or "none")
	PY
}

# sessions NODE PORT: the ids of NODE's sessions to PORT.
sessions() {
	cl_ctl "$1" get session port "$2" -j |
		jq -r '.. | objects | select(has("dport")) | .id'
}

# new_pkts NODE PORT OLD: the most datagrams a session of NODE's own (not
# a copy of the peer's) to PORT carried, of those not in the list OLD
# (a restarted unit keeps its session table: an earlier run's are there).
new_pkts() {
	cl_ctl "$1" get session port "$2" -j |
		jq --argjson p "$2" --arg old "$3" \
		'[.. | objects | select(has("dport")) |
		  select(.dport == $p and .peer == false) |
		  select(.id as $i | $old | split(" ") | index($i) | not) |
		  .pkts[0]] | max // 0'
}

# Both streams run through fw1: the senders take a while to start on a
# busy machine, and fw1 must have carried some of each before it fails.
OLD_FAR= OLD_NEAR=
note_sessions() {
	OLD_FAR=$(sessions fw1 20001 | tr '\n' ' ')
	OLD_NEAR=$(sessions fw1 20002 | tr '\n' ' ')
}
flowing() {
	(($(new_pkts fw1 20001 "$OLD_FAR") >= 50 &&
	  $(new_pkts fw1 20002 "$OLD_NEAR") >= 50))
}

# missing TAG far|near: datagrams sent that never arrived.
missing() {
	echo $(( $(jq -r .sent "$CL_DIR/$1.$2.tx") - $(jq -r .received "$CL_DIR/$1.$2") ))
}

# stream_report NAME: ends both streams of run NAME and says what each got.
stream_report() {
	stream_end
	echo "  to the upstream's host: $(cat "$CL_DIR/$1.far.tx") $(cat "$CL_DIR/$1.far")"
	echo "    missing: $(gaps "$1")"
	echo "  to the server:          $(cat "$CL_DIR/$1.near.tx") $(cat "$CL_DIR/$1.near")"
}

# Powers fw1 off: links down, its nsrpd and FRR gone; fw2 takes over.
power_off_fw1() {
	# All its links at once, as a power cut takes them.
	printf 'link set %s down\n' lan0 wan0 ha0 |
		ip -n "$(lab ns fw1)" -batch -
	cl_kill fw1
	frr fw1 stop
	wait_for 3 cl_state_is fw2 master
}

# Both units and their FRR, fw1 master and peered with the upstream.
pair_up() {
	conf fw1 "$1"
	conf fw2 "$1"
	frr fw1 start
	frr fw2 start
	cl_both_up
	wait_for 20 bgp_up fw1
}

echo "# the lab, an upstream router, FRR everywhere"
check "lab up" lab_setup "rts$$"
lab upstream
frr upstream start

echo "# route sync on: fw1's BGP routes on fw2, marked and behind fw2's own"
check "fw1 master, peered with the upstream from the VSI" pair_up on
check "fw2's own BGP cannot peer while backup ($(bgp_state fw2))" \
	eval '! bgp_up fw2'
check "fw1 learned $PFX and $PFX6 over BGP" \
	wait_for 10 eval "has_route fw1 $PFX bgp && has_route fw1 $PFX6 bgp"
check "fw2 holds them as nsrpd's routes" \
	wait_for 5 eval "has_route fw2 $PFX nsrpd && has_route fw2 $PFX6 nsrpd"
check "get route on fw2 marks them eBB" \
	eval "mark_is fw2 $PFX eBB && mark_is fw2 $PFX6 eBB"
check "and fw1 its own eB" mark_is fw1 "$PFX" eB
check "get route's table says eBB on fw2, eB on fw1" \
	eval "[[ \$(text_marks fw2 $PFX) == eBB && \$(text_marks fw2 $PFX6) == eBB &&
		 \$(text_marks fw1 $PFX) == eB ]]"
check "get nsrp: route synchronization enabled" \
	eval 'cl_ctl fw2 get nsrp | grepq "^route synchronization: enabled"'
check "fw2's zebra holds the copy as a kernel route of distance 254" \
	eval "vty fw2 -c 'show ip route $PFX json' |
	      jq -e '.\"$PFX\"[] | select(.protocol == \"kernel\" and .distance == 254)' >/dev/null"

# A static route and an OSPF one of fw1's, set by hand: S and OB.
lab exec fw1 ip route add 203.0.113.64/26 via "$CL_SERVER" proto static
lab exec fw1 ip -6 route add 2001:db8:fd::/64 via 2001:db8:2::10 proto ospf
check "a static route of fw1's is a static route on fw2 (S)" \
	wait_for 5 mark_is fw2 203.0.113.64/26 S
check "an OSPF route of fw1's is OB on fw2" \
	wait_for 5 mark_is fw2 2001:db8:fd::/64 OB
lab exec fw1 ip route del 203.0.113.64/26
check "fw1 withdraws the static route: gone from fw2" \
	wait_for 5 eval '! has_route fw2 203.0.113.64/26 nsrpd'

# How soon a newly learned prefix is on fw2 (shown, not asserted): both
# firewalls' tables polled each 10 ms from the announcement on.
poll_route() {	# NODE PREFIX OUT: the time the prefix appeared
	local i
	for ((i = 0; i < 1000; i++)); do
		ip -n "$(lab ns "$1")" route show "$2" | grepq . && break
		sleep 0.01
	done
	date +%s%N >"$3"
}
t0=$(date +%s%N)
poll_route fw1 "$EXTRA" "$CL_DIR/t1" &
p1=$!
poll_route fw2 "$EXTRA" "$CL_DIR/t2" &
p2=$!
vty upstream -c 'conf t' -c 'router bgp 65001' -c 'address-family ipv4 unicast' \
	-c "network $EXTRA" >/dev/null
wait "$p1" "$p2"
check "an announced prefix reaches fw2 too" has_route fw2 "$EXTRA" nsrpd
echo "  $EXTRA announced: in fw1's table after $(( ($(cat "$CL_DIR/t1") - t0) / 1000000 )) ms, in fw2's after $(( ($(cat "$CL_DIR/t2") - t0) / 1000000 )) ms"
vty upstream -c 'conf t' -c 'router bgp 65001' -c 'address-family ipv4 unicast' \
	-c "no network $EXTRA" >/dev/null
check "the upstream withdraws it: gone from fw1" \
	wait_for 10 eval "! has_route fw1 $EXTRA bgp"
check "and from fw2" wait_for 5 eval "! has_route fw2 $EXTRA nsrpd"

# fw2's own FRR routes the prefix: its route is the one used.
vty fw2 -c 'conf t' -c "ip route $PFX $CL_SERVER" >/dev/null
# FRR's staticd installs its routes as protocol 196.
check "a route of fw2's own FRR for the prefix comes in" \
	wait_for 5 has_route fw2 "$PFX" 196
check "fw2 forwards by its own route, the copy beside it" \
	eval "ip -n $(lab ns fw2) route get $FAR | grepq 'via $CL_SERVER ' &&
	      has_route fw2 $PFX nsrpd"
vty fw2 -c 'conf t' -c "no ip route $PFX $CL_SERVER" >/dev/null
check "without it, by the copy again" wait_for 5 via_upstream fw2
check "fw2's zebra did not remove a copy" \
	eval "has_route fw2 $PFX nsrpd && has_route fw2 $PFX6 nsrpd"

# Nothing changes on fw1 meanwhile: only the cold start can bring them.
echo "# a joining unit gets the master's routes in its cold start"
kill -TERM "${CL_PID[fw2]}"
cl_reap fw2
check "fw2's nsrpd stopped: its copies went with it" \
	eval "! has_route fw2 $PFX nsrpd && ! has_route fw2 2001:db8:fd::/64 nsrpd"
cl_start fw2
check "fw2 joins as backup" wait_for 10 cl_is_master fw1
check "its cold start brings fw1's routes (BGP, OSPF)" \
	wait_for 5 eval "has_route fw2 $PFX nsrpd && has_route fw2 $PFX6 nsrpd &&
			 has_route fw2 2001:db8:fd::/64 nsrpd"
check "and is done" wait_for 5 cl_json_is fw2 .rto.coldstart_done true

echo "# power-off of fw1, fw2's own BGP held back"
check "the upstream's host answers through fw1" wait_for 10 cl_pings "$FAR"
count_kernel_path
hold_bgp
note_sessions
streams on
check "both streams run through fw1" wait_for 10 flowing
check "fw2 takes over from the powered-off fw1" power_off_fw1
check "fw2 still holds fw1's routes" \
	eval "has_route fw2 $PFX nsrpd && has_route fw2 $PFX6 nsrpd"
check "the upstream's host answers through fw2, over IPv4" \
	wait_for 5 cl_pings "$FAR"
check "and over IPv6" wait_for 5 pings6
check "while fw2's own BGP has not peered ($(bgp_state fw2))" \
	eval '! bgp_up fw2'
sleep 2
release_bgp
check "fw2's own BGP peers once let" wait_for 30 bgp_up fw2
check "its routes replace the copies" \
	wait_for 10 eval "has_route fw2 $PFX bgp && ! has_route fw2 $PFX nsrpd &&
			  has_route fw2 $PFX6 bgp && ! has_route fw2 $PFX6 nsrpd"
check "get nsrp counts them superseded" \
	eval '(( $(cl_json fw2 .route.superseded) >= 2 ))'
stream_report on
far=$(missing on far) near=$(missing on near)
check "the stream to the upstream's host carried on: $far lost, no more than to the server ($near) and 20" \
	test "$far" -le $((near + 20))
kpath=$(nft_count fw2 inet rts_count counted far)
check "fw2 forwarded it in XDP by the copies: its kernel saw $kpath datagrams" \
	test "${kpath:-0}" -lt $((RATE / 2))

echo "# a stopping agent takes its copies with it"
check "fw2 holds a copy still (fw1's OSPF route, never replaced)" \
	has_route fw2 2001:db8:fd::/64 nsrpd
kill -TERM "${CL_PID[fw2]}"
cl_reap fw2
check "fw2's nsrpd stopped cleanly" test "$CL_RC" = 0
check "and left no copy behind" \
	eval "! ip -n $(lab ns fw2) route show proto nsrpd | grepq . &&
	      ! ip -n $(lab ns fw2) -6 route show proto nsrpd | grepq ."

echo "# the same without route sync"
frr fw2 stop
lab exec fw2 nft delete table inet rts_count
for dev in lan0 wan0 ha0; do
	lab exec fw1 ip link set "$dev" up
done
check "fw1 master again, peered" pair_up off
check "fw2 holds no route of fw1's" \
	eval "! has_route fw2 $PFX nsrpd && ! via_upstream fw2"
check "get nsrp: route synchronization disabled" \
	eval 'cl_ctl fw2 get nsrp | grepq "^route synchronization: disabled"'
check "the upstream's host answers through fw1" wait_for 10 cl_pings "$FAR"
hold_bgp
note_sessions
streams off
check "both streams run through fw1" wait_for 10 flowing
check "fw2 takes over from the powered-off fw1" power_off_fw1
check "the upstream's host does not answer through fw2" \
	eval '! cl_pings $FAR && ! cl_pings $FAR && ! cl_pings $FAR'
check "fw2 has no route through the upstream" eval '! via_upstream fw2'
release_bgp
check "fw2's own BGP peers once let" wait_for 30 bgp_up fw2
check "then the host answers" wait_for 10 cl_pings "$FAR"
stream_report off
far=$(missing off far) near=$(missing off near)
# Three pings of a second each failed while fw2 had no route.
check "the stream to the upstream's host broke: $far lost, $((3 * RATE)) more than to the server ($near) at least" \
	test "$far" -ge $((near + 3 * RATE))

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
