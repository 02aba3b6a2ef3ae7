#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_config_sync - one configuration for the pair: a run-time change of
# a replicated line reaches the peer, is saved there and survives its
# restart, while a local line stays home; a change the peer would refuse
# is refused; a pair out of sync says so on both units, raises the alarm,
# shows the differing lines, and is brought back by save; a synced
# nftables ruleset reaches the peer through its check, and a broken one
# is refused there, the old ruleset kept; an outdated replacement unit
# with a better priority and a lower MAC takes the configuration rather
# than its peer's master, and traffic never stops.
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
RULES=/run/nsrpd-lab/node/rules.nft	# each firewall's own, same path

# sync_conf NODE: config sync on, and the ruleset kept alike.
sync_conf() {
	cat >>"$CL_DIR/$1.conf" <<-EOF
	set nsrp config sync
	set nsrp config sync file $RULES check "nft -c -f %s" reload "nft -f %s"
	EOF
}

cs() { cl_json "$1" ".config_sync.$2"; }
running_has() { cl_ctl "$1" get config | grepq -x -- "$2"; }
saved_has() { grepq -x -- "$2" "$CL_DIR/$1.conf"; }
in_sync() { [[ $(cs fw1 in_sync) == true && $(cs fw2 in_sync) == true ]]; }

# ruleset NODE TAG: NODE's file holds a table "synced" marked TAG.
ruleset() {
	lab exec "$1" sh -c "cat >$RULES.new && mv $RULES.new $RULES" <<-EOF
	table inet synced
	flush table inet synced
	table inet synced {
		chain forward {
			type filter hook forward priority 10; policy accept;
			ip daddr 198.51.100.99 counter drop comment "$2"
		}
	}
	EOF
}
loaded() { lab exec "$1" nft list table inet synced 2>/dev/null | grepq "\"$2\""; }

echo "# set up: both units keep their configuration and ruleset alike"
check "lab up" lab_setup "cfgs$$"
cl_add_counters
cl_conf fw1
cl_conf fw2
echo "set interface wan0 manage-ip 2001:db8:2::2/64" >>"$CL_DIR/fw1.conf"
sync_conf fw1
sync_conf fw2
ruleset fw1 v1
ruleset fw2 v1
cl_both_up
check "fw1 is master" cl_is_master fw1
check "both run one configuration" wait_for 5 in_sync
check "check-sum says so" \
	eval 'cl_ctl fw1 exec nsrp sync global-config check-sum |
	      grepq "^configuration in sync (local checksum [0-9]* == remote checksum [0-9]*)$"'
check "get nsrp says config sync is enabled" \
	eval 'cl_ctl fw1 get nsrp | grepq "^config sync: enabled$"'

echo "# a replicated line changed on fw1 reaches fw2"
check "set nsrp arp 6 on fw1" cl_ctl fw1 set nsrp arp 6
check "fw2 runs it" wait_for 3 running_has fw2 "set nsrp arp 6"
check "fw2 saved it" saved_has fw2 "set nsrp arp 6"
check "the pair is in sync again" wait_for 3 in_sync
check "at one generation, higher than before" \
	eval '(( $(cs fw1 generation) == $(cs fw2 generation) &&
		 $(cs fw1 generation) > 1 ))'
check "a local line does not travel" \
	cl_ctl fw1 set nsrp vsd-group id 0 priority 60
check "fw2 keeps its priority" \
	eval 'sleep 1; running_has fw2 "set nsrp vsd-group id 0 priority 100"'
check "and is in sync: the priority is fw1's own" wait_for 3 in_sync
cl_ctl fw1 set nsrp vsd-group id 0 priority 50 >/dev/null

echo "# a line the peer would refuse is refused on both"
check_fails "a target fw2 has no manage-ip for is refused on fw1" \
	cl_ctl fw1 set nsrp track-ip ip 2001:db8:2::10
check "with the peer's reason" \
	eval '{ cl_ctl fw1 set nsrp track-ip ip 2001:db8:2::10 2>&1 || :; } |
	      grepq "the peer would refuse it: .*2001:db8:2::10"'
check "fw1 did not take it" \
	eval '! running_has fw1 "set nsrp track-ip ip 2001:db8:2::10.*"'

echo "# fw2 survives a restart with what it took"
cl_kill fw2
cl_start fw2
check "fw2 runs the synced line after its restart" \
	wait_for 5 running_has fw2 "set nsrp arp 6"
check "in sync" wait_for 5 in_sync

echo "# out of sync: seen on both, the alarm, the diff, then save"
check "config sync off on fw2" cl_ctl fw2 unset nsrp config sync
check "set nsrp arp 7 on fw1" cl_ctl fw1 set nsrp arp 7
check "fw2 does not take it" \
	eval 'sleep 1; running_has fw2 "set nsrp arp 6"'
check "fw1 says out of sync, with both checksums" \
	wait_for 3 eval 'cl_ctl fw1 get nsrp |
	  grepq "^configuration out of sync (local checksum [0-9]* != remote checksum [0-9]*)"'
check "fw2 too" \
	eval 'cl_ctl fw2 get nsrp | grepq "^configuration out of sync"'
check "after a while, the alarm on both" \
	wait_for 15 eval '[[ $(cs fw1 alarm) == true && $(cs fw2 alarm) == true ]]'
check "fw2's diff names the line each has" \
	eval 'cl_ctl fw2 exec nsrp sync global diff >"$CL_DIR/diff" &&
	      grepq -x "Local have 1 different cmd lines:" "$CL_DIR/diff" &&
	      grepq -x "set nsrp arp 6" "$CL_DIR/diff" &&
	      grepq -x "Peer have 1 different cmd lines:" "$CL_DIR/diff" &&
	      grepq -x "set nsrp arp 7" "$CL_DIR/diff"'
check "save on fw2 takes fw1's" \
	eval 'cl_ctl fw2 exec nsrp sync global-config save >"$CL_DIR/save" &&
	      grepq -x "load peer system config to save" "$CL_DIR/save" &&
	      grepq -x "Save global configuration successfully." "$CL_DIR/save" &&
	      grepq "^configuration in sync (local checksum \([0-9]*\) == remote checksum \1)$" "$CL_DIR/save"'
check "fw2 runs and saved it" \
	eval 'running_has fw2 "set nsrp arp 7" && saved_has fw2 "set nsrp arp 7"'
check "the alarm is gone" \
	wait_for 3 eval '[[ $(cs fw1 alarm) == false && $(cs fw2 alarm) == false ]]'
check "config sync back on fw2" cl_ctl fw2 set nsrp config sync

echo "# the ruleset, synced file"
ruleset fw1 v2
check "fw2's ruleset becomes v2, checked and loaded" wait_for 5 loaded fw2 v2
check "its file too" eval 'lab exec fw2 cat $RULES | grepq "\"v2\""'
lab exec fw1 sh -c "echo 'table inet synced { chain broken' >$RULES"
check "a broken ruleset on fw1 fails fw2's check" \
	wait_for 5 eval 'cs fw2 why | grepq "fails its check"'
check "fw2 keeps its file" eval 'lab exec fw2 cat $RULES | grepq "\"v2\""'
check "and its ruleset forwards still" cl_flows_via fw1
check "fw2's loaded ruleset is still v2" loaded fw2 v2
ruleset fw1 v3
check "a good one again goes through" wait_for 5 loaded fw2 v3
check "in sync" wait_for 5 in_sync

echo "# an outdated replacement unit with a better priority"
config_before=$(cl_ctl fw2 get config)
cl_kill fw1
check "fw2 takes over" wait_for 3 cl_state_is fw2 master
# fw1 comes back replaced: its old file, a better priority, fewer VSIs.
sed -i -e 's/^set nsrp vsd-group id 0 priority .*/set nsrp vsd-group id 0 priority 10/' \
       -e '/^set interface wan0:0/d' -e '/^set nsrp arp/d' "$CL_DIR/fw1.conf"
before=$(cl_forwarded fw2)
cl_start fw1
check "fw1 joins as backup" wait_for 5 cl_state_is fw1 backup
check "fw1 takes fw2's configuration and saves it" \
	wait_for 5 eval 'grepq "^set interface wan0:0 ip" "$CL_DIR/fw1.conf"'
check "it asks for a restart to run the VSIs" \
	wait_for 3 eval 'cs fw1 restart_for | grepq "VSI"'
check "fw1 does not preempt with an older configuration" \
	eval 'sleep 2; cl_state_is fw2 master && cl_state_is fw1 backup'
check "fw2's configuration is untouched" \
	test "$(cl_ctl fw2 get config)" = "$config_before"
check "traffic flows through fw2 all along" cl_flows_via fw2
check "fw2 forwarded throughout" eval '(( $(cl_forwarded fw2) > before ))'
cl_kill fw1
cl_start fw1
check "restarted with it, fw1 is in sync" wait_for 5 in_sync
check "and preempts, priority 10" wait_for 8 cl_is_master fw1
check "traffic flows through fw1" cl_flows_via fw1

echo "# sanitizers"
cl_kill fw1
cl_kill fw2
check "no sanitizer report in the logs" cl_logs_clean
echo "# took $(( ($(date +%s%N) - start) / 1000000 )) ms"
t_done
