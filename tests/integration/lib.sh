# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lib.sh - shared by the integration tests. A test sources it, builds its own
# topology, registers its teardown with on_exit, and calls the assertions;
# it exits 0 when every assertion held, 77 when it had to skip, 1 otherwise.

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
[[ $BUILD = /* ]] || BUILD=$TOP/$BUILD
T_NAME=$(basename "$0" .sh)
T_FAILED=0
T_CLEANUP=()

# Runs the registered teardown steps in reverse order on any exit.
t_teardown() {
	local i
	for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUP[i]}" >/dev/null 2>&1 || true
	done
}
trap t_teardown EXIT
trap 'exit 130' INT TERM

on_exit() { T_CLEANUP+=("$*"); }

# skip WHY: tests/run lists WHY among the skips (and STRICT=1 fails on it).
skip() {
	echo "SKIP: $T_NAME: $*"
	[[ -n ${T_SKIP_FILE:-} ]] && echo "$*" >"$T_SKIP_FILE"
	exit 77
}

require_root() { [[ $(id -u) -eq 0 ]] || skip "needs root"; }

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "needs $c"
	done
}

ok() { echo "  ok: $*"; }
T_NOT_OK=()
not_ok() { echo "  not ok: $*"; T_NOT_OK+=("$*"); T_FAILED=1; }

# check "what" cmd...: the command must succeed.
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# check_fails "what" cmd...: the command must fail.
check_fails() {
	local what=$1; shift
	if "$@"; then not_ok "$what"; else ok "$what"; fi
}

# wait_for SECONDS cmd...: polls every 0.1 s until the command succeeds.
# grepq ARGS...: "grep -q" that reads all of its input. grep -q stops at
# the first match; whatever writes into the pipe after that dies of
# SIGPIPE, and pipefail makes the whole pipeline fail, a match or not.
grepq() { command grep "$@" >/dev/null; }

wait_for() {
	local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
	until "$@"; do
		(( $(date +%s%N) < deadline )) || return 1
		sleep 0.1
	done
}

# ------------------------------------------------------------ sanitizers
# keep_on_failure DIR...: what a failed test leaves for its reader; t_done
# copies each DIR under $BUILD/test-logs/ before the teardown removes it.
T_KEEP=()
keep_on_failure() { T_KEEP+=("$@"); }

# The sanitized tools a test runs for a moment (nsrpctl, the test tools)
# write their reports into files here, one per process, for their stderr
# is often thrown away; the daemons write theirs into their logs. Run such
# a tool as "san CMD...".
T_SANDIR=$(mktemp -d "/tmp/$T_NAME.san.XXXXXX")
on_exit "rm -rf $T_SANDIR"
keep_on_failure "$T_SANDIR"
san() {
	ASAN_OPTIONS=log_path=$T_SANDIR/asan \
		UBSAN_OPTIONS=log_path=$T_SANDIR/ubsan "$@"
}

SAN_REPORT='ERROR: (Address|Leak)Sanitizer|runtime error|Sanitizer: '

# san_clean [LOG...]: fails, and shows the report, when any LOG or any
# file of T_SANDIR holds a sanitizer report. Call it once every sanitized
# process has exited: LeakSanitizer reports at the exit.
san_clean() {
	local f bad=0
	for f in "$@" "$T_SANDIR"/*; do
		[[ -f $f ]] || continue
		grep -qE "$SAN_REPORT" "$f" || continue
		echo "  sanitizer report in $f:"
		grep -E -A12 "$SAN_REPORT" "$f" | head -40
		bad=1
	done
	return "$bad"
}

t_keep() {
	local dest=$BUILD/test-logs/$T_NAME.$$ d
	((${#T_KEEP[@]})) || return 0
	mkdir -p "$dest" || return 0
	for d in "${T_KEEP[@]}"; do
		[[ -e $d ]] && cp -a "$d" "$dest/"
	done
	echo "logs kept in $dest"
}

t_done() {
	local what
	if ((T_FAILED)); then
		for what in "${T_NOT_OK[@]}"; do echo "not ok: $what"; done
		t_keep
		echo "FAIL: $T_NAME"; exit 1
	fi
	echo "PASS: $T_NAME"; exit 0
}

# ------------------------------------------------------------ the lab
# tools/lab, run with the test's own lab name (NSRP_LAB) set by lab_setup.
LAB=$TOP/tools/lab

# To start a daemon in a node and keep its PID, call "$LAB" exec NODE CMD &
# directly: $! is then CMD's own PID (a function such as lab() would run
# in a background subshell, and $! would be that subshell's).
lab() { "$LAB" "$@"; }

# lab_setup NAME: brings up a lab whose namespaces are NAME-fw1, NAME-fw2,
# NAME-client, NAME-server, NAME-switch, and tears it down on exit. Give
# each test run its own NAME (e.g. with $$): other labs may be up.
lab_setup() {
	export NSRP_LAB=$1
	on_exit "NSRP_LAB=$1 $LAB down"
	"$LAB" up
}

# tcp_raw NODE SRC DST SPORT DPORT FLAGS [COUNT]: sends COUNT (default 1)
# bare TCP segments from NODE, FLAGS a string of S A F R P (e.g. "A" for a
# mid-stream ACK, "S" for a SYN), with no socket behind them. SRC/DST are
# IPv4 or IPv6 addresses.
tcp_raw() {
	local node=$1; shift
	lab exec "$node" timeout 5 python3 -c '
import socket, struct, sys
src, dst, sport, dport, flags = sys.argv[1:6]
count = int(sys.argv[6]) if len(sys.argv) > 6 else 1
bits = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16}
f = sum(bits[c] for c in flags)
ack = 1 if f & 16 else 0
hdr = bytearray(struct.pack("!HHIIBBHHH", int(sport), int(dport),
                            1000, ack, 5 << 4, f, 64240, 0, 0))
if ":" in dst:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 16)
    s.bind((src, 0))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((src, 0))
    b = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, 6, len(hdr)) + bytes(hdr)
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    struct.pack_into("!H", hdr, 16, ~t & 0xffff)
for _ in range(count):
    s.sendto(bytes(hdr), (dst, 0))
' "$@"
}

# arp_replies NODE DEV ADDR: sends one ARP request for ADDR out of NODE's
# DEV and prints the sender MAC of every reply that comes within a second,
# one line each: two units answering are two lines, even with one MAC.
arp_replies() {
	lab exec "$1" timeout 5 python3 -c '
import socket, struct, sys, time
dev, target = sys.argv[1], sys.argv[2]
mac = bytes.fromhex(open("/sys/class/net/%s/address" % dev).read()
                    .strip().replace(":", ""))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect((target, 9))
src = socket.inet_aton(u.getsockname()[0])
tpa = socket.inet_aton(target)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((dev, 0x0806))
s.send(b"\xff" * 6 + mac + b"\x08\x06" +
       struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + src +
       b"\x00" * 6 + tpa)
end = time.monotonic() + 1
while True:
    left = end - time.monotonic()
    if left <= 0:
        break
    s.settimeout(left)
    try:
        f = s.recv(128)
    except socket.timeout:
        break
    if len(f) >= 42 and f[20:22] == b"\x00\x02" and f[28:32] == tpa and \
            f[32:38] == mac:
        print(":".join("%02x" % b for b in f[22:28]))
' "$2" "$3"
}

# nft_count NODE FAMILY TABLE CHAIN COMMENT: prints the packet count of the
# counter on the rule carrying that comment (nothing if there is none).
nft_count() {
	local node=$1 fam=$2 table=$3 chain=$4 comment=$5
	lab exec "$node" nft list chain "$fam" "$table" "$chain" | awk -v c="comment \"$comment\"" '
		index($0, c) {
			for (i = 1; i < NF; i++)
				if ($i == "packets") { print $(i + 1); exit }
		}'
}
