#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_clean_start - a start that works logs no warning. Started as a new
# user would start them (a memlock limit of 64 KiB, as many systems give),
# both units of the lab elect, and their logs hold no warning, no error
# and none of libbpf's or libxdp's lines: no "try raising 'ulimit -l'", no
# "failed to load object", no "Exclusivity flag on". What an operator
# needs of it is one line: whether the NICs run the program in libxdp's
# dispatcher, and why not, which "get counters" shows too. Started with
# -d, the libraries' lines are there, at debug level.
# shellcheck disable=SC2317 # helpers run through check/wait_for
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

echo "# both units start, with a small memlock limit"
check "lab up" lab_setup "clean$$"
cl_conf fw1
cl_conf fw2
ulimit -l 64
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1
# A sweep, the sync, the pact: give the start its first seconds.
wait_for 5 grepq "coldstart sync done" "${CL_LOG[fw2]}"

for node in fw1 fw2; do
	log=${CL_LOG[$node]}
	check "$node logged no warning nor error" \
		test "$(grep -cE '^[0-9.]+ (warning|error): ' "$log")" -eq 0
	check "nor a line of libbpf or libxdp" \
		test "$(grep -cE 'libbpf:|libxdp:' "$log")" -eq 0
	check "nor of the memlock limit" test "$(grep -c 'ulimit' "$log")" -eq 0
done

echo "# the dispatcher, in one line"
mode=$(cl_ctl fw1 get counters -j | jq -r '.xdp_mode.lan0')
note=$(cl_ctl fw1 get counters -j | jq -r '.xdp_dispatcher')
if [[ $mode == *+dispatcher ]]; then
	check "in libxdp's dispatcher: get counters says so ($note)" \
		test "$note" = "libxdp's dispatcher"
	check "and the log says nothing of not using it" \
		test "$(grep -c "dispatcher is not used" "${CL_LOG[fw1]}")" -eq 0
else
	lines=$(grep -c "info: XDP: libxdp's dispatcher is not used (" "${CL_LOG[fw1]}")
	check "alone on the NIC ($mode): one info line says why ($lines)" \
		test "$lines" -eq 1
	why=$(sed -n "s/.*dispatcher is not used (\(.*\)): each NIC.*/\1/p" \
		"${CL_LOG[fw1]}")
	check "with a reason ($why)" test -n "$why"
	check "get counters says the same ($note)" test "$note" = "no dispatcher: $why"
	check "in its text too" \
		eval "cl_ctl fw1 get counters | grepq 'dispatcher .*no dispatcher: '"
fi

echo "# with -d, the libraries' lines at debug level"
kill -TERM "${CL_PID[fw1]}"
cl_reap fw1
check "fw1 stopped" test "$CL_RC" -eq 0
log=$CL_DIR/fw1.debug.log
"$LAB" exec fw1 "$BUILD/san/nsrpd" -d -f "$CL_DIR/fw1.conf" \
	-S "$(cl_sock fw1)" >"$log" 2>&1 &
CL_PID[fw1]=$!
CL_LOGS+=("$log")
check "fw1 starts again" wait_for 10 cl_is_master fw1
check "libxdp's and libbpf's lines are there, as debug" \
	grepq -E '^[0-9.]+ debug: lib(xdp|bpf): ' "$log"
check "and none as a warning" \
	test "$(grep -cE '^[0-9.]+ (warning|error): ' "$log")" -eq 0

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
t_done
