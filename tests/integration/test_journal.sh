#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_journal - "journalctl -u nsrpd" tells the story of a failover, in
# order, with each role change's parts as fields of their own. systemd is
# not PID 1 here, so the test runs a journald of its own, in a mount
# namespace of its own (a tmpfs on /run/systemd, volatile storage), and
# starts each unit's agent as systemd would: in a cgroup named
# nsrpd.service (journald derives _SYSTEMD_UNIT from it), its stderr the
# journal's stream, JOURNAL_STREAM set. fw1 is master; its agent is killed;
# fw2's journal, read back with journalctl -u nsrpd, says: up, the peer
# heard, backup, the peer lost, master; the role changes carry NSRP_GROUP,
# NSRP_OLD_STATE, NSRP_NEW_STATE, NSRP_REASON and NSRP_PEER. Outside
# systemd, nsrpd -s logs to syslog: its lines reach the journal that way.
# shellcheck disable=SC2317 # helpers run through check/wait_for

# The journal's socket has one path, /run/systemd/journal/socket: a mount
# namespace of the test's own gives it a journald of its own there.
if [[ -z ${NSRP_JOURNAL_INNER-} ]]; then
	[[ $(id -u) -eq 0 ]] || { echo "SKIP: test_journal: needs root"; exit 77; }
	exec env NSRP_JOURNAL_INNER=1 unshare -m --propagation private \
		bash "$0" "$@"
fi
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq journalctl systemd-cat
JOURNALD=/lib/systemd/systemd-journald
[[ -x $JOURNALD ]] || skip "needs $JOURNALD"
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

# ----------------------------------------------------- a journald of our own
# Whatever this test creates outside its tmpfs mounts it removes again.
for d in /run/systemd /run/log; do
	if [[ ! -d $d ]]; then
		mkdir -p "$d" && on_exit "rmdir $d"
	fi
	mount -t tmpfs -o mode=0755 tmpfs "$d" || skip "cannot mount a tmpfs on $d"
	on_exit "umount -l $d"
done
mkdir -p /run/systemd/journal /run/systemd/journald.conf.d /run/log/journal
printf '[Journal]\nStorage=volatile\nRateLimitBurst=0\n' \
	>/run/systemd/journald.conf.d/test.conf
"$JOURNALD" >"$CL_DIR/journald.log" 2>&1 &
JPID=$!
on_exit "kill $JPID"
wait_for 10 test -S /run/systemd/journal/stdout ||
	skip "journald did not start: $(tail -n 3 "$CL_DIR/journald.log")"
JOURNAL=(journalctl -D /run/log/journal --no-pager)

# ------------------------------------------------ cgroups named as units
# journald takes _SYSTEMD_UNIT from the sender's cgroup: a cgroup of the
# test's own under each hierarchy that names the unit, nsrpd.service in a
# slice per node.
CG_ROOTS=()
if [[ -d /sys/fs/cgroup/systemd ]]; then
	CG_ROOTS+=(/sys/fs/cgroup/systemd)	# v1 or hybrid: name=systemd
	[[ -d /sys/fs/cgroup/unified ]] && CG_ROOTS+=(/sys/fs/cgroup/unified)
elif [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
	CG_ROOTS+=(/sys/fs/cgroup)
fi
((${#CG_ROOTS[@]})) || skip "no cgroup hierarchy to name a unit in"
slice() { echo "nsrpdtest$$-$1.slice"; }
CGS=()
for node in fw1 fw2; do
	for root in "${CG_ROOTS[@]}"; do
		CGS+=("$root/$(slice "$node")")
	done
done
# A cgroup goes only once empty: the agents go first.
cg_empty() { ! grepq . "$1/nsrpd.service/cgroup.procs" 2>/dev/null; }
cg_cleanup() {
	local cg
	cl_kill_all
	for cg in "${CGS[@]}"; do
		[[ -d $cg ]] || continue
		wait_for 5 cg_empty "$cg"
		rmdir "$cg/nsrpd.service" "$cg"
	done
}
on_exit cg_cleanup
for cg in "${CGS[@]}"; do
	mkdir -p "$cg/nsrpd.service" || skip "cannot create the cgroup $cg"
done

# Starts NODE's agent as systemd starts a unit: in its cgroup (joined
# here: "ip netns exec" hides /sys/fs/cgroup), with the journal's stream
# as stdout and stderr (systemd-cat) and JOURNAL_STREAM naming it. exec
# all the way, so that $! is the agent.
jl_start() {
	local node=$1 cgs=""
	for root in "${CG_ROOTS[@]}"; do
		cgs+=" $root/$(slice "$node")/nsrpd.service/cgroup.procs"
	done
	((${#CL_LOGS[@]})) || on_exit "rm -f $(cl_sock fw1) $(cl_sock fw2)"
	bash -c 'for f in '"$cgs"'; do echo $$ >"$f" || exit 1; done
		exec "$@"' jl "$LAB" exec "$node" systemd-cat -t nsrpd bash -c '
		export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2)
		exec "$@"' nsrpd "$BUILD/san/nsrpd" -f "$CL_DIR/$node.conf" \
		-S "$(cl_sock "$node")" &
	CL_PID[$node]=$!
	wait_for 10 cl_ctl "$node" get nsrp >/dev/null 2>&1
}
# The lines of NODE's unit, as "journalctl -u nsrpd" gives them. (jq's
# -e passes on no input at all: the checks slurp the lines, -s, and ask
# whether any matches.)
unit_log() {
	"${JOURNAL[@]}" -u nsrpd -o cat \
		"_SYSTEMD_CGROUP=/$(slice "$1")/nsrpd.service"
}

echo "# a pair, each agent in its unit's cgroup, logging to the journal"
check "lab up" lab_setup "jrnl$$"
cl_conf fw1
cl_conf fw2
jl_start fw1
jl_start fw2
check "fw1 is master, fw2 backup" wait_for 10 cl_is_master fw1
check "journalctl -u nsrpd has fw2's lines" \
	wait_for 10 eval 'unit_log fw2 | grepq "vsd-group 0: initial -> backup"'
check "with the unit's name" eval '"${JOURNAL[@]}" -u nsrpd -o json |
	jq -s -e "any(.[]; ._SYSTEMD_UNIT == \"nsrpd.service\")" >/dev/null'
check "nothing went to stderr instead (no timestamp prefix)" \
	eval '! unit_log fw2 | grepq -E "^[0-9]+\.[0-9]{3} (info|warning)"'

echo "# the failover"
fw1_id=$(cl_json fw1 .local_unit_id)
cl_kill fw1
check "fw2 takes over" wait_for 5 cl_alone_master fw2
took_over() { unit_log fw2 | grepq "vsd-group 0: backup -> master"; }
check "the takeover is in fw2's journal" wait_for 10 took_over

echo "# journalctl -u nsrpd tells it in order"
unit_log fw2 >"$CL_DIR/story.txt"
story=(
	"unit [0-9]+ \(fw2, cluster 1\) up"
	"peer unit $fw1_id heard on ha0"
	"vsd-group 0: initial -> backup \(peer is master\)"
	"peer unit $fw1_id lost"
	"vsd-group 0: backup -> master \(peer lost\)"
)
# in_order FILE PATTERNS...: each pattern on a later line than the one before.
in_order() {
	local file=$1 at=0 p n
	shift
	for p in "$@"; do
		n=$(awk -v from="$at" -v re="$p" 'NR > from && $0 ~ re { print NR; exit }' "$file")
		[[ -n $n ]] || { echo "  missing after line $at: $p"; return 1; }
		at=$n
	done
}
check "up, the peer heard, backup, the peer lost, master" \
	in_order "$CL_DIR/story.txt" "${story[@]}"

echo "# each role change with its fields"
"${JOURNAL[@]}" -u nsrpd -o json NSRP_NEW_STATE=master \
	"_SYSTEMD_CGROUP=/$(slice fw2)/nsrpd.service" | tail -n 1 >"$CL_DIR/change.json"
field() { jq -r ".$1" "$CL_DIR/change.json"; }
check "NSRP_GROUP=0" test "$(field NSRP_GROUP)" = 0
check "NSRP_OLD_STATE=backup" test "$(field NSRP_OLD_STATE)" = backup
check "NSRP_REASON=peer lost" test "$(field NSRP_REASON)" = "peer lost"
check "NSRP_PEER=$fw1_id (the unit lost)" test "$(field NSRP_PEER)" = "$fw1_id"
check "MESSAGE_ID of a role change" \
	test "$(field MESSAGE_ID)" = 520394afa7664de8bec175cb1e7acc35
check "PRIORITY=6 (info)" test "$(field PRIORITY)" = 6
check "a warning is a warning (PRIORITY=4)" eval '"${JOURNAL[@]}" -u nsrpd \
	-o json -p warning..warning | jq -s -e "any(.[]; .MESSAGE | test(\"lost\"))" >/dev/null'

echo "# outside systemd, -s: syslog"
# syslog(3) writes to /dev/log, which journald serves as
# /run/systemd/journal/dev-log: a mount namespace of the agent's own gets
# a /dev holding that link alone (it needs no device to refuse a start).
unshare -m --propagation private bash -c '
	mount -t tmpfs -o mode=0755 tmpfs /dev &&
	ln -s /run/systemd/journal/dev-log /dev/log &&
	exec "$@"' syslog "$BUILD/san/nsrpd" -s \
	-f "$CL_DIR/none.conf" >"$CL_DIR/syslog.out" 2>&1
rc=$?
check "a start with no configuration fails (exit $rc)" test "$rc" -ne 0
syslog_line() {
	"${JOURNAL[@]}" -o json -t nsrpd -p err..err |
		jq -s -e "any(.[]; (.MESSAGE | test(\"none.conf: configuration rejected\"))
			and ._TRANSPORT == \"syslog\")" >/dev/null
}
check "its error reached syslog, as nsrpd, at err" wait_for 10 syslog_line
check "and not stderr" eval '! grepq "configuration rejected" "$CL_DIR/syslog.out"'

echo "# sanitizers"
sanitizers() { ! "${JOURNAL[@]}" -u nsrpd -o cat | grepq -E "ERROR: (Address|Leak)Sanitizer|runtime error"; }
check "no sanitizer report in the journal" sanitizers
((T_FAILED)) && { echo "--- the journal"; "${JOURNAL[@]}" -o short-monotonic |
	grep -v kernel | tail -n 60; }
t_done
