#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_ha_auth - the HA link's passwords on a running pair that carries
# traffic. Authentication is enabled, its password rotated and encryption
# enabled, each one unit after the other with nsrpctl: no role changes,
# no frame is refused, no echo is lost. Then one unit restarts with
# another password: its frames cannot be verified, yet the pair never
# has two masters, and both units say why (get nsrp, log, notify hook);
# giving it the right password at run time heals the pair.
# The helpers below run through check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=cluster.sh
source "$(dirname "$0")/cluster.sh"

require_root
require_cmd ip nft jq timeout ping
[[ -x $BUILD/san/nsrpd && -x $BUILD/nsrpctl ]] || skip "build first (make tests)"

start=$(date +%s%N)
transitions() { cl_ctl "$1" get nsrp history -j | jq length; }
key_id() { cl_json "$1" .key_id; }
changing() { [[ $(cl_json "$1" .key_changing) == true ]]; }

# Frames either unit refused for a reason a password explains.
refused() {
	local node sum=0 n
	for node in fw1 fw2; do
		n=$(cl_ctl "$node" get counters -j | jq '.halink |
			(."auth-failed" // 0) + (."unknown-key" // 0) +
			(."security-mismatch" // 0)')
		sum=$((sum + n))
	done
	echo "$sum"
}

# set_pw NODE WORD...: a password line at run time; waits for its keys.
set_pw() {
	local node=$1 n
	shift
	n=$(grep -c "HA link keys ready" "${CL_LOG[$node]}")
	cl_ctl "$node" "$@" >/dev/null &&
		wait_for 30 eval "(( \$(grep -c 'HA link keys ready' \
			${CL_LOG[$node]}) > n ))"
}

# Both units seal with the same keys, no change left under way.
agreed() {
	! changing fw1 && ! changing fw2 &&
		[[ $(key_id fw1) == "$(key_id fw2)" ]]
}

echo "# set up"
check "lab up" lab_setup "auth$$"
cl_add_counters
cl_conf fw1
cl_conf fw2 no
HOOK_OUT=$CL_DIR/hook.out
printf '#!/bin/sh\necho "$*" >>%s\n' "$HOOK_OUT" >"$CL_DIR/hook"
chmod +x "$CL_DIR/hook"
echo "set nsrp notify $CL_DIR/hook" | tee -a "$CL_DIR/fw1.conf" \
	>>"$CL_DIR/fw2.conf"
cl_both_up
check "fw1 is master, fw2 backup" cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1
n1=$(transitions fw1)
n2=$(transitions fw2)
r0=$(refused)
clear_id=$(key_id fw1)

echo "# passwords change under traffic, one unit after the other"
lab exec client ping -c 400 -i 0.05 -W 1 -q "$CL_SERVER" \
	>"$CL_DIR/ping.out" 2>&1 &
ping_pid=$!
check "fw2 enables authentication" \
	set_pw fw2 set nsrp auth password first-secret
check "fw2 keeps sealing as before until fw1 has it" \
	eval '[[ $(cl_json fw2 .key_sending) == "$clear_id" ]] && changing fw2'
check "fw1 enables authentication" \
	set_pw fw1 set nsrp auth password first-secret
check "both seal with the new keys" wait_for 5 agreed
auth_id=$(key_id fw1)
check "which are not the old ones" test "$auth_id" != "$clear_id"
check "fw1 rotates the password" \
	set_pw fw1 set nsrp auth password second-secret
check "fw2 rotates it" set_pw fw2 set nsrp auth password second-secret
check "both seal with the rotated keys" wait_for 5 agreed
check "fw2 enables encryption" \
	set_pw fw2 set nsrp encrypt password hidden-too
check "fw1 enables encryption" \
	set_pw fw1 set nsrp encrypt password hidden-too
check "both seal with authentication and encryption" wait_for 5 agreed
check "get nsrp says so" \
	eval 'grepq "NSRP encryption: enabled" <<<"$(cl_ctl fw2 get nsrp)"'
check "the ping run ended" wait_for 40 cl_gone "$ping_pid"
wait "$ping_pid" 2>/dev/null
check "no echo was lost" grepq " 0% packet loss" "$CL_DIR/ping.out"
check "no frame was refused" test "$(refused)" = "$r0"
check "no transition on fw1" test "$(transitions fw1)" = "$n1"
check "nor on fw2" test "$(transitions fw2)" = "$n2"
check "neither lost the other" \
	eval '! grep -h "lost" "${CL_LOG[fw1]}" "${CL_LOG[fw2]}" | grepq peer'
check "the passwords stay out of the logs" \
	eval '! grep -h "secret\|hidden-too" "${CL_LOG[fw1]}" "${CL_LOG[fw2]}" |
		grepq .'

echo "# fw2 restarts with another password"
cl_kill fw2
sed -i -e 's/^set nsrp auth password.*//' "$CL_DIR/fw2.conf"
cat >>"$CL_DIR/fw2.conf" <<'EOF'
set nsrp auth password wrong-secret
set nsrp encrypt password hidden-too
EOF
cl_start fw2
check "fw2 hears fw1 and cannot verify it" \
	wait_for 10 cl_json_is fw2 .unverified_alarm true
check "fw1 says the same of fw2" \
	wait_for 10 cl_json_is fw1 .unverified_alarm true
bad=0
for _ in $(seq 30); do
	cl_not_both_master || bad=$((bad + 1))
	sleep 0.1
done
check "never two masters (30 samples over 3 s)" test "$bad" = 0
check "fw1 stays master, fw2 stays backup" \
	eval '[[ $(cl_state fw1) == master && $(cl_state fw2) == backup ]]'
check "only fw1 holds the VSI address" \
	eval 'cl_has_vsi fw1 && ! cl_has_vsi fw2'
check "traffic flows through fw1" cl_flows_via fw1
# On either path: the HA link or the secondary path (lan0).
alarm="ALARM: unit $(cl_json fw1 .local_unit_id) heard on (ha0|lan0), its"
alarm+=" frames sealed with another password; it counts as a live unit"
check "get nsrp raises the alarm, naming the unit and the path" \
	eval 'grepq -E "$alarm" <<<"$(cl_ctl fw2 get nsrp)"'
check "the frames are counted as of an unknown key" \
	eval '(( $(cl_ctl fw2 get counters -j |
		jq ".halink.\"unknown-key\"") > 0 ))'
check "the log says it plainly" \
	grepq "frames sealed with another password" "${CL_LOG[fw2]}"
check "the notify hook was told" \
	wait_for 5 grepq "^ha-auth ok failing unit" "$HOOK_OUT"

echo "# the right password, at run time"
check "fw2 gets it" set_pw fw2 set nsrp auth password second-secret
check "the alarm clears on both" \
	wait_for 10 eval 'cl_json_is fw1 .unverified_alarm false &&
		cl_json_is fw2 .unverified_alarm false'
check "the pair is whole: fw1 master, fw2 backup" wait_for 5 cl_is_master fw1
check "the notify hook was told" \
	wait_for 5 grepq "^ha-auth failing ok" "$HOOK_OUT"
check "no transition on fw1 all along" test "$(transitions fw1)" = "$n1"

echo "# sanitizers"
check "no sanitizer report in the logs" cl_logs_clean
((T_FAILED)) && cl_dump
echo "# took $((($(date +%s%N) - start) / 1000000)) ms"
t_done
