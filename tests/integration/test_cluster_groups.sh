#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_cluster_groups - two VSD groups, active/active: fw1 is master of
# group 0 (gateway 192.0.2.1 / 198.51.100.1), fw2 of group 1 (gateway
# 192.0.2.4 / 198.51.100.4). Each group's VSIs answer with their own VSI
# MAC from their own master only, traffic routed through either gateway
# pair flows through that group's master, a failed unit hands both groups
# to the other, and on its return preempt gives its group back while the
# other group stays where it is.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2016
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq python3 timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

G1_LAN=192.0.2.4
G1_WAN=198.51.100.4
G1_CLIENT=192.0.2.10

# groups_conf NODE PRIO1 [preempt]: group 1 with priority PRIO1 and its
# VSIs, added to NODE's configuration.
groups_conf() {
	local node=$1 prio=$2
	cl_conf "$node"
	{
		echo "set nsrp vsd-group id 1 priority $prio"
		[[ ${3:-} == preempt ]] &&
			echo "set nsrp vsd-group id 1 preempt hold-down 1"
		echo "set interface lan0:1 ip $G1_LAN/24"
		echo "set interface wan0:1 ip $G1_WAN/24"
	} >>"$CL_DIR/$node.conf"
}

# gstate NODE GROUP: the state of GROUP on NODE.
gstate() {
	cl_ctl "$1" get nsrp -j 2>/dev/null |
		jq -r --argjson g "$2" '.groups[] | select(.id == $g) | .state'
}

# masters M0 M1: M0 is master of group 0 and M1 of group 1, the other
# unit backup of each.
masters() {
	local g m b
	for g in 0 1; do
		m=$1; [[ $g == 1 ]] && m=$2
		b=$(cl_other "$m")
		[[ $(gstate "$m" "$g") == master && $(gstate "$b" "$g") == backup ]] ||
			return 1
	done
}

has_addr() {	# has_addr NODE DEV ADDR
	ip -n "$(lab ns "$1")" addr show dev "$2" | grepq "inet $3/"
}

# answers ADDR: the MACs that answer one ARP request for ADDR, one per
# line (one line per answer: two units answering are two lines).
answers() { arp_replies client eth0 "$1"; }

one_answer() {	# one_answer ADDR MAC
	[[ $(answers "$1") == "$2" ]]
}

# Route the client <-> server traffic through group 1's gateways.
via_group1() {
	lab exec client ip route replace "$CL_SERVER/32" via "$G1_LAN"
	lab exec server ip route replace "$G1_CLIENT/32" via "$G1_WAN"
}

echo "# two groups, one master each"
check "lab up" lab_setup "clgr$$"
cl_add_counters
groups_conf fw1 100
groups_conf fw2 50 preempt
check "both configurations pass --check-config" \
	eval "$BUILD/nsrpd --check-config $CL_DIR/fw1.conf >/dev/null &&
	      $BUILD/nsrpd --check-config $CL_DIR/fw2.conf >/dev/null"
cl_start fw1
cl_start fw2
check "fw1 is master of group 0, fw2 of group 1" wait_for 6 masters fw1 fw2
check "get nsrp lists both groups" \
	test "$(cl_json fw1 '.groups | length')" = 2
check "fw1 holds group 0's VSIs, not group 1's" \
	eval "has_addr fw1 lan0 $CL_VSI && ! has_addr fw1 lan0 $G1_LAN"
check "fw2 holds group 1's VSIs, not group 0's" \
	eval "has_addr fw2 lan0 $G1_LAN && has_addr fw2 wan0 $G1_WAN &&
	      ! has_addr fw2 lan0 $CL_VSI"
m0=$(answers "$CL_VSI")
m1=$(answers "$G1_LAN")
check "one answer for each gateway, its group's VSI MAC (${m0//$'\n'/ }; ${m1//$'\n'/ })" \
	eval '[[ $m0 == "$(cl_vsi_mac 0)" && $m1 == "$(cl_vsi_mac 1)" ]]'
check "traffic through group 0's gateway flows through fw1" cl_flows_via fw1
via_group1
check "traffic through group 1's gateway flows through fw2" cl_flows_via fw2

echo "# fw2 fails: fw1 carries both groups"
cl_kill fw2
check "fw1 becomes master of group 1 too" \
	wait_for 2 eval '[[ $(gstate fw1 1) == master && $(gstate fw1 0) == master ]]'
check "fw1 holds group 1's VSIs" \
	eval "has_addr fw1 lan0 $G1_LAN && has_addr fw1 wan0 $G1_WAN"
check "group 1's gateway answers with group 1's VSI MAC" \
	wait_for 2 one_answer "$G1_LAN" "$m1"
check "traffic through group 1's gateway flows through fw1" cl_flows_via fw1

echo "# fw2 returns: preempt gives group 1 back, group 0 stays"
cl_start fw2
check "fw2 is master of group 1 again, fw1 of group 0" \
	wait_for 8 masters fw1 fw2
# A hand-over ends with the leaving unit's VSIs going a moment after
# its role changed (README, "Planned hand-overs"): waited for, bounded.
check "fw1 gave up group 1's VSIs and kept group 0's" \
	wait_for 5 eval "! has_addr fw1 lan0 $G1_LAN && has_addr fw1 lan0 $CL_VSI"
# left_master NODE GROUP: NODE's history shows GROUP leaving master;
# fails apart (status 2) when NODE cannot be asked.
left_master() {
	local j
	j=$(cl_ctl "$1" get nsrp history -j) || return 2
	jq -e --argjson g "$2" \
		'any(.[]; .group == $g and .from == "master")' <<<"$j" >/dev/null
}
check "group 0 never left fw1" eval 'left_master fw1 0; (($? == 1))'
check "traffic through group 1's gateway flows through fw2" cl_flows_via fw2

cl_finish
