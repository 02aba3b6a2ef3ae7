#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_ctl_abuse - a local user of the operators' group (a read-only admin
# group, not root) abuses the master's control socket while the pair runs
# at a 100 ms heartbeat: ten requests of a megabyte, then a thousand
# connections that ask nothing, held, and twenty that send requests and
# never read their answers, all at once. Throughout, root's "nsrpctl get
# nsrp" is answered; every connection is answered or told why it was let
# go (ctl_abuse.py sorts them out); the daemon's descriptors and memory
# stay bounded; no role changes on either unit; "get counters" counts
# what happened (evicted, timed out, oversized, stalled).
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq timeout setpriv
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"
# Debian's, which any user may run (root's PATH may lead to its own).
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || skip "needs $PYTHON"

start=$(date +%s%N)
ABUSE=$TOP/tests/integration/ctl_abuse.py

# The sockets live in a directory of the test's own; a group of its own
# (a number: no name needed) is given the sockets read-only: its members
# are operators.
CTL_GID=$((40000 + $$ % 20000))
CTL_DIR=/run/nsrpd-ctl-abuse-$$
mkdir -m 2770 "$CTL_DIR" && chgrp "$CTL_GID" "$CTL_DIR" || exit 1
on_exit "rm -rf $CTL_DIR"
cl_sock() { echo "$CTL_DIR/$1.sock"; }
# ASan keeps what is freed in quarantine, 256 MB of it by default: a
# small one, so that the daemon's memory says what it holds.
export ASAN_OPTIONS=quarantine_size_mb=8${ASAN_OPTIONS:+:$ASAN_OPTIONS}

# as_operator MODE ARGS...: ctl_abuse.py as nobody, in the group.
as_operator() {
	setpriv --reuid=65534 --regid="$CTL_GID" --clear-groups \
		"$PYTHON" - "$@" <"$ABUSE"
}

# probe SECONDS: root's "get nsrp" every 0.2 s, "rc ms" a line.
probe() {
	local end=$(($(date +%s) + $1)) t0 t1 rc
	while (($(date +%s) < end)); do
		t0=$(date +%s%N)
		timeout 5 "$BUILD/nsrpctl" -S "$(cl_sock fw1)" get nsrp \
			>/dev/null 2>&1
		rc=$?
		t1=$(date +%s%N)
		echo "$rc $(((t1 - t0) / 1000000))"
		sleep 0.2
	done
}

# sample PID SECONDS: the daemon's open descriptors and RSS (kB) every
# 0.2 s, "fds rss" a line.
sample() {
	local end=$(($(date +%s) + $2))
	while (($(date +%s) < end)); do
		echo "$(find "/proc/$1/fd" -mindepth 1 2>/dev/null | wc -l)" \
			"$(awk '/^VmRSS/ { print $2 }' "/proc/$1/status")"
		sleep 0.2
	done
}

transitions() { cl_ctl "$1" get nsrp history -j | jq length; }
counter() { cl_ctl fw1 get counters -j | jq -r ".control.$1"; }
js() { jq -r "$2" "$CL_DIR/$1.json"; }

echo "# set up"
check "lab up" lab_setup "ctlabuse$$"
cl_conf fw1
cl_conf fw2
for node in fw1 fw2; do
	echo "set admin group $CTL_GID privilege read-only" >>"$CL_DIR/$node.conf"
done
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1
SOCK=$(cl_sock fw1)
# The ACL's named group entry, as the kernel stores it: tag 8, rw, gid
# (with an ACL, the mode's group bits are its mask).
acl_has_group() {
	"$PYTHON" -c '
import os, struct, sys
acl = os.getxattr(sys.argv[1], "system.posix_acl_access")
ents = [struct.unpack_from("<HHI", acl, 4 + 8 * i) for i in range((len(acl) - 4) // 8)]
sys.exit(0 if (8, 6, int(sys.argv[2])) in ents else 1)' "$1" "$2"
}
check "nobody else may open fw1's socket (mode ..0)" \
	test "$(stat -c '%a' "$SOCK")" = 660
check "the operators' group may, by the socket's ACL" \
	acl_has_group "$SOCK" "$CTL_GID"
n1=$(transitions fw1)
n2=$(transitions fw2)
pid=${CL_PID[fw1]}
fds0=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")

# median FILE: the median latency of a probe's answers.
median() { sort -k2 -n "$1" | awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }'; }
probe 3 >"$CL_DIR/probe0.txt"
echo "  root's get nsrp before: median $(median "$CL_DIR/probe0.txt") ms"

echo "# abuse, root asking all along"
probe 36 >"$CL_DIR/probe.txt" &
probe_pid=$!
sample "$pid" 36 >"$CL_DIR/sample.txt" &
sample_pid=$!
# Megabyte requests and clients that never read, past their time limit
# (CTL_STALL_S, 10 s); then the flood, which would put those out first.
as_operator big "$SOCK" 10 1048576 >"$CL_DIR/big.json" &
big_pid=$!
as_operator noread "$SOCK" 20 13 >"$CL_DIR/noread.json"
wait "$big_pid"
as_operator hold "$SOCK" 1000 15 >"$CL_DIR/hold.json"
wait "$probe_pid" "$sample_pid"
for f in big noread hold; do echo "  $f: $(cat "$CL_DIR/$f.json")"; done

echo "# every client answered or told why"
check "ten 1 MB requests, each refused as too long" \
	test "$(js big '.told["EMSGSIZE: request too long"]')" = 10
check "a thousand connections made" test "$(js hold .n)" = 1000
check "none of them let go, or left unanswered, without a word" \
	test "$(js hold .silent)" = 0
check "each connected, and answered or told" \
	test "$(js hold '.answered + ([.told[]] | add // 0)')" = 1000
check "those put out to make room were told so" \
	test "$(js hold '.told["closed: the control socket is full, and this connection waited longest"] // 0')" -gt 0
check "those still held at the end are answered" \
	test "$(js hold .answered)" -gt 0
check "the 20 that never read were closed by the server" \
	test "$(js noread .closed)/$(js noread .silent)" = 20/0

echo "# the operator was never kept out"
probes=$(wc -l <"$CL_DIR/probe.txt")
failed=$(awk '$1 != 0' "$CL_DIR/probe.txt" | wc -l)
worst=$(sort -k2 -n "$CL_DIR/probe.txt" | tail -n1 | cut -d' ' -f2)
# How many fit in the time depends on the machine's load; that each was
# answered does not, and a few are enough to see it.
check "root's get nsrp answered every time ($probes asked, $failed not, median $(median "$CL_DIR/probe.txt") ms, worst $worst ms)" \
	test "$probes" -ge 10 -a "$failed" = 0

echo "# bounded, and counted"
fds_max=$(sort -k1 -n "$CL_DIR/sample.txt" | tail -n1 | cut -d' ' -f1)
rss_max=$(sort -k2 -n "$CL_DIR/sample.txt" | tail -n1 | cut -d' ' -f2)
check "descriptors: $fds0 before, at most $fds_max (64 clients, the listener, a few)" \
	test "$fds_max" -le $((fds0 + 64 + 8))
check "memory: $rss0 kB before, at most $rss_max kB (grows by less than 32 MB)" \
	test $((rss_max - rss0)) -lt 32768
evicted=$(counter evicted)
check "get counters: connections put out to make room ($evicted), as many as were told" \
	test "$evicted" = "$(js hold '[.told[]] | add')"
check "get counters: clients that never read timed out ($(counter timed_out))" \
	test "$(counter timed_out)" -ge 20
check "get counters: and stalled ($(counter stalled))" \
	test "$(counter stalled)" -ge 20
check "get counters: the megabyte requests ($(counter oversized))" \
	test "$(counter oversized)" = 10

echo "# heartbeats were not held back"
check "fw1 is still master, fw2 backup" cl_is_master fw1
check "no transition on fw1" test "$(transitions fw1)" = "$n1"
check "nor on fw2" test "$(transitions fw2)" = "$n2"
slow=$(grep -c "event loop: one pass took" "${CL_LOG[fw1]}")
echo "  fw1 logged $slow loop passes longer than half an interval"

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
echo "# took $((($(date +%s%N) - start) / 1000000)) ms"
t_done
