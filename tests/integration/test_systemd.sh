#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_systemd - what nsrpd tells systemd (Type=notify), read from a
# NOTIFY_SOCKET of the test's own, as systemd would read it, with the
# watchdog at 1 s (WATCHDOG_USEC): fw1 of a pair at a 100 ms heartbeat
#  - sends READY=1 once, with a STATUS= that already names its role
#    (master), the control socket answering;
#  - pings WATCHDOG=1 while its loop runs;
#  - sends a new STATUS= on each role change (mode backup, then preempt);
#  - stops pinging while its loop is stalled, and pings again once it
#    runs: a SIGHUP makes it re-read its configuration, which the test
#    has replaced by a FIFO, so that the loop waits in open() (a hang of
#    the loop, not of the process) until the test writes the file in;
#  - sends STOPPING=1 on SIGTERM.
# This machine has no systemd as PID 1: the unit file itself is verified
# offline (tests/static/test_dist.sh, test_package.sh).
# shellcheck disable=SC2317 # helpers run through check/wait_for
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq mkfifo
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || skip "needs $PYTHON"
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

NOTE=$CL_DIR/notify.sock
NLOG=$CL_DIR/notify.log

# The listener: each datagram a line, "MONOTONIC_NS MESSAGE", its
# newlines as "|". A datagram of the test's own marks a moment.
"$PYTHON" - "$NOTE" "$NLOG" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1)
end = time.monotonic() + 300
with open(sys.argv[2], "a", buffering=1) as log:
    while time.monotonic() < end:
        try:
            m = s.recv(4096)
        except socket.timeout:
            continue
        log.write("%d %s\n" % (time.monotonic_ns(),
                               m.decode(errors="replace").replace("\n", "|")))
PY
LISTENER=$!
on_exit "kill $LISTENER"
wait_for 5 test -S "$NOTE" || { echo "no notify socket"; exit 1; }

mark() {
	"$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(("X_TEST=" + sys.argv[2]).encode(), sys.argv[1])' "$NOTE" "$1"
	wait_for 5 grepq -F "X_TEST=$1" "$NLOG"
}
# pings_between A B: WATCHDOG=1 between the marks A and B.
pings_between() {
	awk -v a="X_TEST=$1" -v b="X_TEST=$2" '
		$2 == a { on = 1 } $2 == b { on = 0 }
		on && $2 == "WATCHDOG=1" { n++ } END { print n + 0 }' "$NLOG"
}
# pinged_after A: a WATCHDOG=1 came after mark A.
pinged_after() {
	awk -v a="X_TEST=$1" '$2 == a { on = 1 } on && $2 == "WATCHDOG=1" { f = 1 }
		END { exit !f }' "$NLOG"
}
# status_after A S: STATUS=S came after mark A.
status_after() {
	awk -v a="X_TEST=$1" -v s="STATUS=$2" '$2 == a { on = 1 }
		on && index($0, s) { f = 1 } END { exit !f }' "$NLOG"
}

echo "# start: READY once the role is taken"
check "lab up" lab_setup "sdn$$"
cl_conf fw1
cl_conf fw2
export NOTIFY_SOCKET=$NOTE WATCHDOG_USEC=1000000
cl_start fw1
unset NOTIFY_SOCKET WATCHDOG_USEC
cl_start fw2
check "fw1 is master, fw2 backup" wait_for 10 cl_is_master fw1
check "READY=1 came" wait_for 5 grepq -F "READY=1" "$NLOG"
ready=$(grep -F "READY=1" "$NLOG")
check "once" test "$(grep -cF "READY=1" "$NLOG")" -eq 1
check "with the role taken: STATUS=vsd 0 master ($ready)" \
	grepq -F "READY=1|STATUS=vsd 0 master" <<<"$ready"
check "nothing said READY before a role" \
	test "$(grep -c 'READY=1|STATUS=.*initial' "$NLOG")" -eq 0
check "fw1 logged its watchdog" grepq "systemd watchdog: 1000 ms" "${CL_LOG[fw1]}"
check "fw2, without NOTIFY_SOCKET, did not" \
	test "$(grep -c "systemd watchdog" "${CL_LOG[fw2]}")" -eq 0

echo "# the watchdog, from the loop"
mark w0
wait_for 5 pinged_after w0
sleep 2	# a window of time, to count what comes in it
mark w1
n=$(pings_between w0 w1)
# Every half second when idle; a loaded machine may delay them, so any
# ping in the window is enough: the stall below shows whose they are.
check "WATCHDOG=1 while the loop runs ($n in 2 s)" test "$n" -ge 1

echo "# STATUS on each role change"
mark s0
check "mode backup on fw1" cl_ctl fw1 exec nsrp vsd-group 0 mode backup
check "STATUS=vsd 0 backup" wait_for 5 status_after s0 "vsd 0 backup"
check "fw1 preempts back" wait_for 10 cl_is_master fw1
check "STATUS=vsd 0 master again" wait_for 5 status_after s0 "vsd 0 master"

echo "# a stalled loop stops the pings"
conf=$CL_DIR/fw1.conf
pid=${CL_PID[fw1]}
mv "$conf" "$conf.real"
mkfifo "$conf"
on_exit "rm -f $conf; [ -e $conf.real ] && mv $conf.real $conf"
kill -HUP "$pid"
# In open() of the FIFO (openat, 257 on x86_64) until a writer comes.
in_open() { [[ $(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null) == 257 ]]; }
check "fw1's loop waits in open() of the configuration" wait_for 5 in_open
mark stall0
sleep 2.5	# the stall, during which no ping may come
mark stall1
n=$(pings_between stall0 stall1)
check "no WATCHDOG=1 while the loop is stalled ($n in 2.5 s)" test "$n" -eq 0
check "the process lives on" test -e "/proc/$pid/stat"
mark fed
timeout 10 cat "$conf.real" >"$conf"
rm -f "$conf"
mv "$conf.real" "$conf"
check "the pings come back with the loop" wait_for 5 pinged_after fed
check "fw1 read its configuration" wait_for 5 grepq "reload: .* applied" "${CL_LOG[fw1]}"

echo "# STOPPING on SIGTERM"
kill -TERM "$pid"
check "STOPPING=1" wait_for 10 grepq -F "STOPPING=1" "$NLOG"
cl_reap fw1
check "fw1 stopped cleanly (exit $CL_RC)" test "$CL_RC" -eq 0

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && { cl_dump; echo "--- notifications"; tail -n 40 "$NLOG"; }
t_done
