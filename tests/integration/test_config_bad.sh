#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_config_bad - a bad configuration file under a running pair: each
# of its errors is named as FILE:LINE: problem, by "nsrpd --check-config"
# and in the log of a reload (SIGHUP); the reload changes nothing, not
# even the file's good lines, and no role; the next good file applies.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq timeout
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)
transitions() { cl_ctl "$1" get nsrp history -j | jq length; }

echo "# set up"
check "lab up" lab_setup "cfgbad$$"
cl_conf fw1
cl_conf fw2
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1
CONF=$CL_DIR/fw1.conf
cp "$CONF" "$CL_DIR/fw1.good"
good_lines=$(wc -l <"$CONF")
cfg_before=$(cl_ctl fw1 get config)
n1=$(transitions fw1)
n2=$(transitions fw2)

# The good file, a good change, then errors of every kind.
{
	cat "$CL_DIR/fw1.good"
	echo "set nsrp arp 9"
	echo "set nsrp vsd-group id 0 priority 300"
	echo "set nsrp vsd-group id 0 priorty 20"
	echo "set interface lan0:5 ip 192.0.2.77/24"
	echo "set interface wan0 manage-ip 192.0.2.1"
	echo "set nsrp cluster name \"unterminated"
	printf 'set nsrp arp 7\0 and more\n'
} >"$CL_DIR/fw1.bad"
L=$((good_lines + 1))	# the first added line
want=(
	"$((L + 1)): priority must be 1-254"
	"$((L + 2)): unknown keyword 'priorty'"
	"$((L + 3)): interface lan0:5: VSD group 5 is not defined"
	"$((L + 4)): address 192.0.2.1 is already set"
	"$((L + 5)): unterminated quote"
	"$((L + 6)): a NUL byte in the line"
)

echo "# --check-config"
out=$("$BUILD/nsrpd" --check-config "$CL_DIR/fw1.bad" 2>&1)
rc=$?
check "rejects the file (exit $rc)" test "$rc" -ne 0
for w in "${want[@]}"; do
	check "names $CL_DIR/fw1.bad:$w" grepq -F "$CL_DIR/fw1.bad:$w" <<<"$out"
done
check "and nothing else: one message per bad line, and the verdict" \
	test "$(grep -c . <<<"$out")" = $((${#want[@]} + 1))

echo "# a reload of it"
cp "$CL_DIR/fw1.bad" "$CONF"
kill -HUP "${CL_PID[fw1]}"
check "is rejected, and says so" \
	wait_for 3 grep -q "reload: $CONF rejected; the running configuration stays" \
	"${CL_LOG[fw1]}"
for w in "${want[@]}"; do
	check "the log names $CONF:$w" grepq -F "$CONF:$w" "${CL_LOG[fw1]}"
done
check "the running configuration is unchanged, the good lines too" \
	test "$(cl_ctl fw1 get config)" = "$cfg_before"
check "no role changed" cl_is_master fw1
check "no transition on fw1" test "$(transitions fw1)" = "$n1"
check "nor on fw2" test "$(transitions fw2)" = "$n2"

echo "# the next good file applies"
{ cat "$CL_DIR/fw1.good"; echo "set nsrp arp 9"; } >"$CONF"
kill -HUP "${CL_PID[fw1]}"
check "is applied" wait_for 3 grep -q "reload: $CONF applied" "${CL_LOG[fw1]}"
check "get nsrp shows 9 gratuitous ARPs" \
	test "$(cl_json fw1 .gratuitous_arps)" = 9
check "no role changed" cl_is_master fw1

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
echo "# took $((($(date +%s%N) - start) / 1000000)) ms"
t_done
