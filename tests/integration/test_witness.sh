#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_witness - a split brain settled by a witness: with the server as
# the witness, fw1 (master) cut off from it, and then every HA path cut
# while both units live (the secondary path's heartbeats dropped, the HA
# link's cable pulled), fw1 stops answering for the VSIs and fw2 takes
# master, so that one unit answers the client's ARP requests (asked every
# 10 ms) throughout. When the paths heal, one master remains and it
# announces the VSIs again. fw1 has no preempt: the master after the heal
# is the one the split left.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"
# shellcheck source=traffic.sh
source "$(dirname "$0")/traffic.sh"

require_root
require_cmd ip nft jq timeout python3
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)
HA_PORT=7060	# proto.h: PROTO_PORT

# cut_secondary NODE: NODE drops the heartbeats of the secondary path.
cut_secondary() {
	lab exec "$1" nft -f - <<-EOF
	table inet wcut {
		chain in {
			type filter hook input priority -300; policy accept;
			iifname "lan0" udp dport $HA_PORT drop
		}
		chain out {
			type filter hook output priority -300; policy accept;
			oifname "lan0" udp dport $HA_PORT drop
		}
	}
	EOF
}
heal_secondary() { lab exec "$1" nft delete table inet wcut; }

# The server, the witness, does not answer fw1's manage-ip.
cut_witness() {
	lab exec server nft -f - <<-'EOF'
	table inet wcut {
		chain in {
			type filter hook input priority -300; policy accept;
			ip saddr 198.51.100.2 drop
		}
	}
	EOF
}

echo "# set up: the server is the witness of both"
check "lab up" lab_setup "wi$$"
cl_add_counters
cl_conf fw1 no
cl_conf fw2
for n in fw1 fw2; do
	echo "set nsrp witness $CL_SERVER" >>"$CL_DIR/$n.conf"
done
cl_both_up
check "fw1 is master" wait_for 8 cl_is_master fw1
check "the witness answers fw1" wait_for 5 cl_json_is fw1 .witness.ok true
check "the witness answers fw2" wait_for 5 cl_json_is fw2 .witness.ok true
check "get nsrp (text) shows the witness" \
	eval 'cl_ctl fw2 get nsrp | grepq "^witness $CL_SERVER: answers"'

echo "# fw1 loses the witness: nothing changes while the HA paths live"
cut_witness
check "fw1 sees the witness fail" wait_for 10 cl_json_is fw1 .witness.ok false
check "fw1 is still master" cl_is_master fw1

echo "# every HA path cut, both units alive"
tr_start 10
sleep 2
for n in fw1 fw2; do cut_secondary "$n"; done
lab exec fw1 ip link set dev ha0 down
check "fw2 sees a split brain" wait_for 5 cl_json_is fw2 .split true
check "fw1 sees a split brain" wait_for 5 cl_json_is fw1 .split true
check "fw1 does not answer for the VSIs" wait_for 5 cl_state_is fw1 backup
check "fw2 takes master" wait_for 5 cl_state_is fw2 master
check "fw1 says why" grep -q \
	"master -> backup (split brain: the witness does not answer)" \
	"${CL_LOG[fw1]}"
check "the VSI addresses only on fw2" \
	wait_for 5 eval '! cl_has_vsi fw1 && cl_has_vsi fw2'
check "traffic flows through fw2" cl_flows_via fw2
tr_wait
tr_report
check "the client's ARP watch ran ($(tr_json arp .requests) requests)" \
	eval '(( $(tr_json arp .requests) > 100 ))'
check "never two units answering ARP for the VSI" \
	test "$(tr_json arp .several_units)" = 0

echo "# the paths heal"
announced() { grep -c "the peer is back; staying master and announcing" \
	"${CL_LOG[fw2]}"; }
before=$(announced)
lab exec fw1 ip link set dev ha0 up
for n in fw1 fw2; do heal_secondary "$n"; done
check "the split is over on fw2" wait_for 5 cl_json_is fw2 .split false
check "fw2 stays the only master" wait_for 5 cl_is_master fw2
check "fw2 announces the VSIs again" \
	wait_for 5 eval '(( $(announced) > before ))'
check "traffic flows through fw2" cl_flows_via fw2

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
