#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_privileges - least privilege, on a pair at a 100 ms heartbeat:
#  - a running agent's capabilities (/proc/PID/status) are the ones the
#    README states, in its effective, permitted and bounding sets alike,
#    none inheritable or ambient, and no_new_privs is set;
#  - with only those, it does its work: a kill -9 of the master hands the
#    VSIs and the traffic to the other, and a clean stop takes its XDP and
#    tc programs off its NICs;
#  - the control socket: a member of a read-only group (set admin group G
#    privilege read-only) runs "get nsrp" and is refused "set", "get
#    config", "save" and "exec"; a member of an admin group (privilege all)
#    runs them; a user in neither group cannot connect; root can.
# The clients run as nobody (65534) with the group alone (setpriv).
# shellcheck disable=SC2317 # helpers run through check/wait_for
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq setpriv
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

# Groups of the test's own: numbers, no name needed.
RO_GID=$((40000 + $$ % 10000))
ADMIN_GID=$((RO_GID + 10000))

# The capabilities the README says the agent keeps, as /proc shows them.
readme_caps() {
	grep -oE 'keeps only `CAP_[A-Z_]+`(, `CAP_[A-Z_]+`)* and `CAP_[A-Z_]+`' \
		"$TOP/README.md" | grep -oE 'CAP_[A-Z_]+'
}
cap_mask() {
	local c bit mask=0
	for c in "$@"; do
		bit=$(awk -v c="$c" '$1 == "#define" && $2 == c { print $3 }' \
			/usr/include/linux/capability.h)
		[[ -n $bit ]] || return 1
		mask=$((mask | (1 << bit)))
	done
	printf '%016x\n' "$mask"
}
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# as GID CMD...: CMD as nobody, with the group GID alone.
as() {
	local gid=$1; shift
	setpriv --reuid=65534 --regid="$gid" --clear-groups "$@"
}
# ctl_as GID WORDS...: nsrpctl to fw1 as nobody of group GID (a socket
# file reaches the daemon from any network namespace); its output in
# $CL_DIR/out, its exit status returned.
ctl_as() {
	local gid=$1; shift
	as "$gid" timeout 5 "$BUILD/nsrpctl" -S "$(cl_sock fw1)" "$@" \
		>"$CL_DIR/out" 2>&1
}

echo "# set up"
check "lab up" lab_setup "privs$$"
cl_add_counters
cl_conf fw1
cl_conf fw2
for node in fw1 fw2; do
	{
		echo "set admin group $RO_GID privilege read-only"
		echo "set admin group $ADMIN_GID privilege all"
	} >>"$CL_DIR/$node.conf"
done
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1

echo "# capabilities"
mapfile -t caps < <(readme_caps)
want=$(cap_mask "${caps[@]}")
check "the README states the kept capabilities (${caps[*]})" \
	test "${#caps[@]}" -ge 2 -a -n "$want"
pid=${CL_PID[fw1]}
for set in CapEff CapPrm CapBnd; do
	got=$(status_of "$pid" "$set")
	check "$set of the running agent is the README's ($got = $want)" \
		test "$got" = "$want"
done
check "nothing inheritable" test "$(status_of "$pid" CapInh)" = 0000000000000000
check "nothing ambient" test "$(status_of "$pid" CapAmb)" = 0000000000000000
check "no_new_privs is set" test "$(status_of "$pid" NoNewPrivs)" = 1
check "fw2's too" test "$(status_of "${CL_PID[fw2]}" CapEff)" = "$want"
# Capabilities are a thread's: none of the agent's keeps more.
threads_alike() {
	local t
	for t in /proc/"$pid"/task/*; do
		[[ $(status_of "$pid/task/${t##*/}" CapEff) == "$want" &&
		   $(status_of "$pid/task/${t##*/}" NoNewPrivs) == 1 ]] || return 1
	done
}
check "every thread of it alike ($(ls /proc/"$pid"/task | wc -l))" threads_alike

echo "# the control socket: read-only and admin groups"
check "a read-only member runs get nsrp" ctl_as "$RO_GID" get nsrp
check "it shows the cluster" grepq "local unit id" "$CL_DIR/out"
check "and get counters" ctl_as "$RO_GID" get counters
check_fails "it may not set a line" ctl_as "$RO_GID" set nsrp arp 5
check "refused: permission denied, for root and the admin groups" \
	grepq "permission denied: this command is for root and the admin groups" \
	"$CL_DIR/out"
check "nothing changed" eval "! cl_ctl fw1 get config | grepq 'set nsrp arp 5'"
check_fails "nor read the configuration (passwords)" ctl_as "$RO_GID" get config
check_fails "nor save" ctl_as "$RO_GID" save
check_fails "nor exec a failover" ctl_as "$RO_GID" exec nsrp vsd-group 0 mode backup
check "fw1 is still master" cl_is_master fw1
check "an admin member sets a line" ctl_as "$ADMIN_GID" set nsrp arp 5
check "and reads it back" ctl_as "$ADMIN_GID" get config
check "with the change" grepq "set nsrp arp 5" "$CL_DIR/out"
ctl_as "$((ADMIN_GID + 1))" get nsrp
rc=$?
check "a user in neither group cannot connect: exit 4 (not allowed)" test "$rc" -eq 4
# The groups as the socket's ACL names them (numbers: no names here).
check "told so, with the socket and the groups that may use it" \
	grepq -Fx "nsrpctl: $(cl_sock fw1): permission denied: only root and members of gid $RO_GID or gid $ADMIN_GID may use it" \
	"$CL_DIR/out"
check "root can" cl_ctl fw1 unset nsrp arp
forbidden=$(cl_ctl fw1 get counters -j | jq -r .control.forbidden)
check "get counters counts the refused commands ($forbidden)" test "$forbidden" -eq 4

echo "# with these capabilities it does its work"
check "traffic flows through fw1" cl_flows_via fw1
cl_kill fw1
check "fw2 takes over from the killed fw1" wait_for 5 cl_alone_master fw2
check "fw2 holds the VSI addresses" wait_for 2 cl_has_vsi fw2
check "traffic flows through fw2" cl_flows_via fw2
pid=${CL_PID[fw2]}
kill -TERM "$pid"
cl_reap fw2
check "fw2 stopped cleanly (exit $CL_RC)" test "$CL_RC" -eq 0
ns2=$(lab ns fw2)
check "its XDP programs are off its NICs" \
	eval "! ip -n $ns2 -d link show lan0 | grepq 'prog/xdp' && ! ip -n $ns2 -d link show wan0 | grepq 'prog/xdp'"
check "its tc programs too" \
	eval "! tc -n $ns2 filter show dev lan0 egress | grepq bpf"
check "and said nothing of it (no detach failed)" \
	test "$(grep -c 'detach' "${CL_LOG[fw2]}")" -eq 0

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
t_done
