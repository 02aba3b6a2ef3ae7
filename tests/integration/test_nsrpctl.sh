#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_nsrpctl - nsrpctl as a ScreenOS operator uses it, on two units of
# the lab: the shell in a pseudo-terminal (prompt, Tab, ?, filters, the
# prompt following the role); "help" and "?" without a daemon; each
# refusal printed once in nsrpd's words with its exit status; an
# ambiguous abbreviation refused, naming the candidates, and changing
# nothing; an access refusal naming the socket and who may use it, at
# the socket file and at the daemon's credential check; get nsrp with
# the seed's fields and columns; get config -j.
# The helpers below run through check/wait_for, and OUT, ERR and the
# like are read in eval'd checks, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2034,SC2016
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq timeout python3 setpriv
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

CTL=$BUILD/san/nsrpctl	# the sanitized build: the shell runs clean too

# ctl_rc NODE ARGS...: runs nsrpctl in NODE (on the host for "host");
# its stdout in OUT, stderr in ERR, exit status in RC.
ctl_rc() {
	local node=$1; shift
	if [[ $node == host ]]; then
		timeout 5 "$CTL" "$@" >"$CL_DIR/out" 2>"$CL_DIR/err"
	else
		"$LAB" exec "$node" timeout 5 "$CTL" -S "$(cl_sock "$node")" \
			"$@" >"$CL_DIR/out" 2>"$CL_DIR/err"
	fi
	RC=$?
	OUT=$(<"$CL_DIR/out")
	ERR=$(<"$CL_DIR/err")
}

# refused_once RC MESSAGE: the status, and the message on stderr as its
# only line.
refused_once() {
	[[ $RC == "$1" && $ERR == "$2" ]] && return 0
	echo "  exit $RC, stderr: $ERR"
	return 1
}

echo "# without a daemon"
ctl_rc host help
check "help lists the commands with their help" \
	eval '[[ $RC == 0 && $OUT == *"get nsrp history "*"every role change"* &&
	        $OUT == *"| include WORD"* ]]'
ctl_rc host get '?'
check "get ? lists what may follow 'get'" \
	eval '[[ $RC == 0 && $OUT == *"  counters "*"  session "*"  dataplane "* ]]'
ctl_rc host set nsrp vsd-group id 0 '?'
check "set ... ? lists the configuration's keywords" \
	eval '[[ $OUT == *"  priority "*"  preempt "*"<cr>"* ]]'

echo "# set up"
check "lab up" lab_setup "ctl$$"
cl_conf fw1 no		# no preempt: a mode backup stays
cl_conf fw2
cl_both_up
check "fw1 is master" cl_is_master fw1

ctl_rc fw1 -S /run/nsrpd-nonexistent-$$.sock get nsrp
check "no daemon on the socket: exit 3, said once" \
	refused_once 3 "nsrpctl: /run/nsrpd-nonexistent-$$.sock: no such socket: is nsrpd running, and with this socket (nsrpd -S, nsrpctl -S)?"

echo "# refusals, each once, in nsrpd's words"
n1=$(cl_ctl fw1 get nsrp history -j | jq length)
ctl_rc fw1 show nsrp
check "an unknown command: exit 1, no errno text" \
	refused_once 1 "unknown word 'show': get, exec, set, unset, save"
ctl_rc fw1 exec nsrp vsd-group 0 mode in
check "mode in is ambiguous: ineligible or init" \
	refused_once 1 "ambiguous 'in': ineligible, init"
ctl_rc fw1 get co
check "get co is ambiguous: counters or config" \
	refused_once 1 "ambiguous 'co': counters, config"
ctl_rc fw1 set nsrp c id 2
check "set nsrp c is ambiguous: cluster or config" \
	refused_once 1 "ambiguous 'c': cluster, config"
ctl_rc fw1 get session s
check "get session s is ambiguous: src or summary" \
	refused_once 1 "get session: ambiguous 's': src, summary"
check "none of them changed a role" \
	eval 'cl_is_master fw1 && [[ $(cl_ctl fw1 get nsrp history -j | jq length) == "$n1" ]]'
ctl_rc fw1 get nsrp '|' frobnicate x
check "a bad filter is a usage error" \
	refused_once 2 "nsrpctl: a filter is '| include WORD' or '| exclude WORD'"

echo "# access"
SOCK=$(cl_sock fw1)
ctl_rc_as_nobody() {
	"$LAB" exec fw1 timeout 5 setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$CTL" -S "$SOCK" get nsrp \
		>"$CL_DIR/out" 2>"$CL_DIR/err"
	RC=$?
	ERR=$(<"$CL_DIR/err")
}
ctl_rc_as_nobody
# No admin group is configured: the socket is root's alone (0600).
check "the socket file refuses nobody: exit 4, the socket and who may use it" \
	refused_once 4 "nsrpctl: $SOCK: permission denied: only root may use it"
chmod 0666 "$SOCK"
ctl_rc_as_nobody
chmod 0600 "$SOCK"
check "opened to all, nsrpd itself refuses nobody, and says who may" \
	refused_once 4 "nsrpctl: $SOCK: permission denied: only root may use this socket"
check "and counts it" \
	test "$(cl_ctl fw1 get counters -j | jq .control.denied)" -ge 1

echo "# get nsrp: the seed's fields"
text=$(cl_ctl fw1 get nsrp)
for line in '^nsrp version: 2.0$' '^index: 0, unit id: +[0-9]+, ctrl mac: [0-9a-f]{12} , data mac: ffffffffffff$' \
	    '^index: 1, unit id: +[0-9]+, ctrl mac: [0-9a-f]{12} , data mac: ffffffffffff$' \
	    '^total number of units: 2$' \
	    '^Total iteration=[0-9]+,time=[0-9]+,max=[0-9]+,min=[0-9]+,average=[0-9]+$' \
	    '^run time object sync:   enabled$' \
	    '^route synchronization: disabled$' \
	    '^ping session sync: enabled$' \
	    '^coldstart sync (not )?done$' \
	    '^nsrp data packet forwarding is not available$' \
	    '^control   channel: ha0 \(ifnum: [0-9]+\)  mac: [0-9a-f]{12} state: up$' \
	    '^ha data link not available$' \
	    '^secondary path channel: lan0 \(ifnum: [0-9]+\)  mac: [0-9a-f]{12} state: up$' \
	    '^device based nsrp monitor zone: $' \
	    '^config sync: disabled$'; do
	check "get nsrp has /$line/" grepq -E "$line" <<<"$text"
done
# The columns: the seed's header, and its row measured against it.
seed_row='    0       50 yes            3 no       myself   413691 '
columns() {	# master and PB end where the header's "master" and "PB" do
	awk -v h="group priority preempt holddown inelig   master       PB other members" '
		$0 == h { head = 1; next }
		head && /^ +[0-9]+ / {
			ok = substr($0, 1, 5) ~ /^ +0$/ && substr($0, 39, 9) ~ /^ +myself$/ &&
			     substr($0, 48, 9) ~ /^ +[0-9]+$/ && substr($0, 6, 9) ~ /^ +[0-9]+$/
			exit !ok
		}
		END { if (!head) exit 1 }'
}
check "the column test holds for the seed's own table" \
	columns <<<"group priority preempt holddown inelig   master       PB other members
$seed_row"
check "get nsrp's group table has the seed's columns" columns <<<"$text"
check "nsrpd's own lines follow the seed's" \
	eval 'grep -A100 "^track ip: " <<<"$text" | grepq "^heartbeats sent: "'

echo "# JSON"
jq_is() {	# NODE "COMMAND WORDS" JQ VALUE
	local words
	read -ra words <<<"$2"
	[[ $(cl_ctl "$1" "${words[@]}" -j | jq -c "$3") == "$4" ]]
}
check "get config -j: the lines, as JSON" \
	jq_is fw1 "get config" '[.schema_version, (.lines | length > 10)]' '[1,true]'
check "get nsrp -j: the loop's iterations, the seed's fields" \
	jq_is fw1 "get nsrp" '[.loop.iterations > 0, .data_mac, .rto.route_sync]' \
	'[true,"ffffffffffff",false]'

echo "# the shell, in a pseudo-terminal"
mkdir -p "$CL_DIR/home"
HOME=$CL_DIR/home python3 "$TOP/tests/integration/nsrpctl_pty.py" \
	"$LAB" exec fw1 "$CTL" -S "$SOCK" >"$CL_DIR/pty.out" 2>&1
rc=$?
sed 's/^/  /' "$CL_DIR/pty.out"
check "the shell session went as an operator expects" test "$rc" = 0
check "fw2 took over from the shell's mode backup" wait_for 3 cl_is_master fw2
# libedit's file writes a blank as \040.
check "the shell kept its history" \
	grepq 'mode\\040backup' "$CL_DIR/home/.nsrpctl_history"

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
t_done
