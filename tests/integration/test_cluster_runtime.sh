#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_cluster_runtime - configuration at run time through nsrpctl: a bad
# "set" is refused with a message and changes neither the configuration
# nor any role; lowering fw2's priority number below fw1's and giving it
# preempt moves master to fw2 after its hold-down; hb-interval re-arms the
# heartbeat timer at once; "unset" works; "save" writes a file that
# "nsrpd --check-config" accepts and a reload of it changes nothing. The
# notify hook, itself set at run time, runs on every transition with
# group, old state, new state and reason and no signal blocked; a missing
# hook and one that fails are logged and counted, and change nothing.
# The helpers below run through check/wait_for, which shellcheck cannot see,
# and so do the variables read in eval'd checks.
# shellcheck disable=SC2317,SC2034
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)

# transitions NODE: how many NODE recorded; fails when NODE cannot be
# asked, so that two failed reads are never found equal.
transitions() {
	local j
	j=$(cl_ctl "$1" get nsrp history -j) || return 1
	jq -e length <<<"$j"
}
# same_transitions NODE N: NODE recorded N, as before.
same_transitions() { local n; n=$(transitions "$1") && [[ $n == "$2" ]]; }
last_reason() { cl_ctl "$1" get nsrp history -j | jq -r '.[-1].reason'; }
counter() { cl_ctl "$1" get counters -j | jq -r "$2"; }
counter_ge() { (($(counter "$1" "$2") >= $3)); }

# refused NODE WHAT LINE...: nsrpctl exits 1 and its message says WHAT.
refused() {
	local node=$1 what=$2 msg rc; shift 2
	msg=$(cl_ctl "$node" "$@" 2>&1 >/dev/null)
	rc=$?
	((rc == 1)) && grep -qF -- "$what" <<<"$msg" && return 0
	echo "  exit $rc: $msg"
	return 1
}

# Each unit's hook records its arguments, one run a line, and the
# signals it found blocked.
for node in fw1 fw2; do
	cat >"$CL_DIR/notify-$node.sh" <<EOF
#!/bin/sh
sigblk=\$(awk '/^SigBlk:/ { print \$2 }' /proc/self/status)
echo "\$1|\$2|\$3|\$4|\$sigblk" >>$CL_DIR/notify-$node.log
EOF
	chmod +x "$CL_DIR/notify-$node.sh"
done
FAILING=$CL_DIR/notify-fail.sh
printf '#!/bin/sh\nexit 3\n' >"$FAILING"
chmod +x "$FAILING"

# hook_saw NODE LINE: NODE's hook ran with these arguments.
hook_saw() { grep -qxF -- "$2" "$CL_DIR/notify-$1.log" 2>/dev/null; }

# hb_rate NODE: heartbeats NODE sends in a second (every path counted),
# over 2 s timed from the answers: a query takes a while itself.
hb_rate() {
	local a b t1 t2
	a=$(cl_json "$1" .hb_tx) t1=$(cl_mono)
	sleep 2	# the time measured
	b=$(cl_json "$1" .hb_tx) t2=$(cl_mono)
	echo $(( (b - a) * 1000000000 / (t2 - t1) ))
}

echo "# set up"
check "lab up" lab_setup "runtime$$"
cl_add_counters
cl_conf fw1
cl_conf fw2
cl_both_up
check "fw1 (priority 50) is master, fw2 (100, no preempt) backup" \
	cl_is_master fw1
check "set nsrp notify on fw1" cl_ctl fw1 set nsrp notify "$CL_DIR/notify-fw1.sh"
check "set nsrp notify on fw2 (abbreviated)" \
	cl_ctl fw2 se ns notif "$CL_DIR/notify-fw2.sh"
check "get config shows it" \
	eval "cl_ctl fw2 get config | grepq -xF 'set nsrp notify $CL_DIR/notify-fw2.sh'"

echo "# refused changes change nothing"
cfg_before=$(cl_ctl fw2 get config)
n1=$(transitions fw1)
n2=$(transitions fw2)
check "priority 300 is refused and named" \
	refused fw2 "priority must be 1-254" set nsrp vsd-group id 0 priority 300
check "an unknown keyword is refused and named" \
	refused fw2 "unknown keyword 'priorty'" set nsrp vsd-group id 0 priorty 20
check "the cluster id needs a restart" \
	refused fw2 "the cluster id cannot change at run time" set nsrp cluster id 2
check "a new VSI needs a restart" \
	refused fw2 "the VSI addresses cannot change" set interface lan0:0 ip 192.0.2.9/24
check "an address twice is refused" \
	refused fw2 "address 192.0.2.1 is already set" set interface wan0 manage-ip 192.0.2.1
check "the running configuration is unchanged" \
	test "$(cl_ctl fw2 get config)" = "$cfg_before"
check "fw2 still has priority 100" \
	test "$(cl_json fw2 '.groups[0].priority')" = 100
check "no role changed" cl_is_master fw1
check "no transition on fw1" same_transitions fw1 "$n1"
check "nor on fw2" same_transitions fw2 "$n2"
check "the refusal is logged" \
	grep -q "config: 'set nsrp cluster id 2' refused" "${CL_LOGS[1]}"

echo "# priority and preempt at run time"
t0=$(cl_mono)
check "set fw2's priority to 20" cl_ctl fw2 set nsrp vsd-group id 0 priority 20
check "get nsrp shows it at once" \
	test "$(cl_json fw2 '.groups[0].priority')" = 20
check "the change is logged" \
	grep -q "config: set nsrp vsd-group id 0 priority 20" "${CL_LOGS[1]}"
sleep 1.2	# past fw2's would-be hold-down: the time in which nothing may happen
check "without preempt fw1 stays master, and neither unit moved" \
	eval 'cl_is_master fw1 &&
	      [[ -z $(cl_history_after fw1 "$t0")$(cl_history_after fw2 "$t0") ]]'
check "set preempt hold-down 1 on fw2" \
	cl_ctl fw2 set nsrp vsd-group id 0 preempt hold-down 1
check "fw2 takes master after its hold-down" wait_for 4 cl_is_master fw2
check "fw2's history says why" \
	eval 'last_reason fw2 | grepq preempt'
check "traffic flows through fw2" cl_flows_via fw2

echo "# the notify hook"
reason2=$(last_reason fw2)
reason1=$(last_reason fw1)
check "fw2's hook ran: 0 backup master, the reason, nothing blocked" \
	wait_for 2 hook_saw fw2 "0|backup|master|$reason2|0000000000000000"
check "fw1's hook ran: 0 master backup, the reason" \
	wait_for 2 hook_saw fw1 "0|master|backup|$reason1|0000000000000000"
check "fw2 counts its hook runs, none failed" \
	test "$(counter fw2 .notify.runs)/$(counter fw2 .notify.failed)" = 1/0

echo "# hb-interval, arp and unset at run time"
check "set hb-interval 200 on fw2" cl_ctl fw2 set nsrp vsd-group hb-interval 200
rate=$(hb_rate fw2)
check "fw2 sends at the new interval at once (2 paths x 5/s: $rate)" \
	test "$rate" -ge 7 -a "$rate" -le 13
check "set hb-interval back to 100" cl_ctl fw2 set nsrp vsd-group hb-interval 100
check "set nsrp arp 5" cl_ctl fw2 set nsrp arp 5
check "get nsrp shows 5 gratuitous ARPs" \
	test "$(cl_json fw2 .gratuitous_arps)" = 5
check "unset fw2's preempt" cl_ctl fw2 unset nsrp vsd-group id 0 preempt
check "get nsrp shows preempt off" \
	test "$(cl_json fw2 '.groups[0].preempt')" = false
check "roles stay: fw2 master" cl_is_master fw2

echo "# real-time scheduling"
sched() { chrt -p "${CL_PID[$1]}" | sed -n 's/.*scheduling policy: //p;s/.*scheduling priority: /prio /p' | tr '\n' ' '; }
check "set nsrp realtime-priority 10 on fw2" cl_ctl fw2 set nsrp realtime-priority 10
# What it forks (notify scripts, long control commands) starts at
# SCHED_OTHER, so that it cannot keep the agent from its CPU.
check "fw2's nsrpd runs SCHED_FIFO at priority 10, its children not ($(sched fw2))" \
	eval '[[ $(sched fw2) == "SCHED_FIFO|SCHED_RESET_ON_FORK prio 10 " ]]'
check "unset it" cl_ctl fw2 unset nsrp realtime-priority
check "fw2's nsrpd runs SCHED_OTHER again ($(sched fw2))" \
	eval '[[ $(sched fw2) == "SCHED_OTHER prio 0 " ]]'
check "set it again, for the save below" cl_ctl fw2 set nsrp realt 20
check "roles stay: fw2 master" cl_is_master fw2

echo "# save"
cp "$CL_DIR/fw2.conf" "$CL_DIR/fw2.conf.before"
comments=$(grep -c '^#' "$CL_DIR/fw2.conf")
check "save on fw2" eval "cl_ctl fw2 save >/dev/null"
check "the saved file passes nsrpd --check-config" \
	eval "$BUILD/nsrpd --check-config $CL_DIR/fw2.conf >/dev/null"
check "it holds the new priority" \
	grep -qx 'set nsrp vsd-group id 0 priority 20' "$CL_DIR/fw2.conf"
check "and the arp count, and no preempt" \
	eval "grep -qx 'set nsrp arp 5' $CL_DIR/fw2.conf &&
	      ! grep -q 'vsd-group id 0 preempt' $CL_DIR/fw2.conf"
check "and the real-time priority" \
	grep -qx 'set nsrp realtime-priority 20' "$CL_DIR/fw2.conf"
check "it keeps the file's $comments comment lines" \
	test "$(grep -c '^#' "$CL_DIR/fw2.conf")" = "$comments"
check "the previous file is fw2.conf.bak, whole" \
	cmp -s "$CL_DIR/fw2.conf.before" "$CL_DIR/fw2.conf.bak"
check "no temporary file left" \
	test "$(find "$CL_DIR" -name 'fw2.conf.*' ! -name '*.bak' ! -name '*.before' | wc -l)" = 0
config_saved=$(cl_ctl fw2 get config)
n2=$(transitions fw2)
kill -HUP "${CL_PID[fw2]}"
check "a reload of the saved file is applied" \
	wait_for 2 grep -q "reload: .*fw2.conf applied" "${CL_LOGS[1]}"
check "it is what ran: get config is unchanged" \
	test "$(cl_ctl fw2 get config)" = "$config_saved"
check "and changes no role" cl_is_master fw2
check "no transition on fw2" same_transitions fw2 "$n2"

echo "# a missing hook and a failing one change nothing"
check "fw1's hook: a missing file" cl_ctl fw1 set nsrp notify /nonexistent/notify
check "fw2's hook: one that exits 3" cl_ctl fw2 set nsrp notify "$FAILING"
check "mode backup on fw2" cl_ctl fw2 exec nsrp vsd-group 0 mode backup
check "fw1 becomes master all the same" wait_for 2 cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1
check "fw1 counts the missing hook as failed" \
	wait_for 2 counter_ge fw1 .notify.failed 1
check "and logs it" \
	grep -q "notify /nonexistent/notify: No such file" "${CL_LOGS[0]}"
check "fw2 counts the failing hook" \
	wait_for 2 counter_ge fw2 .notify.failed 1
check "and logs its exit status" \
	wait_for 2 grep -q "notify $FAILING (pid [0-9]*) exited with status 3" \
	"${CL_LOGS[1]}"

echo "# a new password on both units, one after the other"
n1=$(transitions fw1)
n2=$(transitions fw2)
lost=$(cat "${CL_LOGS[@]}" | grep -c "peer unit .* lost")
check "set on fw2" cl_ctl fw2 set nsrp auth pass Sekr1t
check "it stays out of the log" \
	eval "grep -q 'set nsrp auth pass \*\*\*' ${CL_LOGS[1]} &&
	      ! grep -q Sekr1t ${CL_LOGS[1]}"
check "set on fw1" cl_ctl fw1 set nsrp auth password Sekr1t
check "both send with the new key" \
	wait_for 5 eval '[[ $(cl_json fw1 .key_sending) == $(cl_json fw2 .key_sending) &&
			   $(cl_json fw1 .key_changing) == false &&
			   $(cl_json fw2 .key_changing) == false ]]'
check "the peer was never lost" \
	eval '[[ $(cat "${CL_LOGS[@]}" | grep -c "peer unit .* lost") == "$lost" ]]'
check "and no role changed" \
	eval 'same_transitions fw1 "$n1" && same_transitions fw2 "$n2"'

echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cl_finish
