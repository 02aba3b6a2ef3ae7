# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# cluster.sh - shared by the test_cluster_*.sh tests: two nsrpd units (the
# sanitizer build) in the lab, with short timers so that every failover
# takes well under a second:
#
#   hb-interval 100 ms, hb-threshold 3   the peer is lost after 300 ms
#   init-hold 1, preempt hold-down 1     fw1 has priority 50 and preempt,
#                                        fw2 priority 100 and no preempt
#
# Source lib.sh first. Every wait is bounded (wait_for); every daemon this
# file starts is killed on exit, and only those.

CL_DIR=$(mktemp -d "/tmp/$T_NAME.XXXXXX")
on_exit "rm -rf $CL_DIR"
keep_on_failure "$CL_DIR"
on_exit cl_kill_all

declare -A CL_PID=()	# node -> PID of its nsrpd, while we have not reaped it
declare -A CL_LOG=()	# node -> the log of its latest nsrpd
CL_LOGS=()

# The VSI gateway the client routes through, and a host behind it.
CL_VSI=192.0.2.1
CL_SERVER=198.51.100.10
CL_SERVER6=2001:db8:2::10

# cl_conf NODE [PREEMPT]: writes NODE's configuration, derived from
# examples/NODE.conf with the short timers. PREEMPT (fw1 only, default yes)
# "no" leaves preempt out.
cl_conf() {
	local node=$1 preempt=${2:-yes}
	sed -e '/^set nsrp vsd-group hb-interval/s/[0-9][0-9]*$/100/' \
	    -e '/^set nsrp vsd-group hb-threshold/s/[0-9][0-9]*$/3/' \
	    -e '/^set nsrp vsd-group init-hold/s/[0-9][0-9]*$/1/' \
	    -e 's/^\(set nsrp vsd-group id 0 preempt\).*/\1 hold-down 1/' \
	    "$TOP/examples/$node.conf" >"$CL_DIR/$node.conf.new"
	if [[ $preempt == no ]]; then
		sed -i '/^set nsrp vsd-group id 0 preempt/d' \
			"$CL_DIR/$node.conf.new"
	fi
	mv "$CL_DIR/$node.conf.new" "$CL_DIR/$node.conf"
}

# cl_udp_sink: the server drops UDP to its ports 20000 and up quietly, so
# flows to them send no ICMP errors back.
cl_udp_sink() {
	lab exec server nft -f - <<-'NFT'
	table inet sink {
		chain in {
			type filter hook input priority 0; policy accept;
			udp dport >= 20000 drop
		}
	}
	NFT
}

cl_sock() { echo "/run/nsrpd-$NSRP_LAB-$1.sock"; }

# cl_start NODE: starts nsrpd in NODE; its log goes to $CL_DIR/NODE.N.log.
cl_start() {
	local node=$1 log
	[[ -f $CL_DIR/$node.conf ]] || cl_conf "$node"
	log=$CL_DIR/$node.${#CL_LOGS[@]}.log
	# A daemon killed with -9 leaves its control socket behind.
	((${#CL_LOGS[@]})) || on_exit "rm -f $(cl_sock fw1) $(cl_sock fw2)"
	CL_LOGS+=("$log")
	# shellcheck disable=SC2034 # CL_LOG is read by the tests
	CL_LOG[$node]=$log
	"$LAB" exec "$node" "${CL_NSRPD:-$BUILD/san/nsrpd}" -f "$CL_DIR/$node.conf" \
		-S "$(cl_sock "$node")" >"$log" 2>&1 &
	CL_PID[$node]=$!
	wait_for 5 cl_ctl "$node" get nsrp >/dev/null 2>&1
}

# cl_reap NODE: waits (bounded) for NODE's nsrpd to end; its exit status
# goes to CL_RC (124: still running). Not in $(...): a subshell cannot reap.
# shellcheck disable=SC2034 # CL_RC is read by the tests
cl_reap() {
	local node=$1 pid=${CL_PID[$1]}
	CL_RC=124
	wait_for 5 cl_gone "$pid" || return 1
	{ wait "$pid"; } 2>/dev/null
	CL_RC=$?
	unset "CL_PID[$node]"
}

# cl_kill NODE: kill -9 NODE's nsrpd and reap it.
cl_kill() {
	kill -9 "${CL_PID[$1]}"
	cl_reap "$1"
}

# Our children stay ours until reaped: kill only those.
cl_kill_all() {
	local node
	for node in "${!CL_PID[@]}"; do
		kill -CONT "${CL_PID[$node]}" 2>/dev/null
		kill -9 "${CL_PID[$node]}" 2>/dev/null
	done
}

cl_gone() {
	[[ ! -e /proc/$1/stat ]] ||
		[[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

# The sanitized nsrpctl: its reports go to T_SANDIR (lib.sh).
cl_ctl() {
	local node=$1; shift
	san "$LAB" exec "$node" timeout 3 "$BUILD/san/nsrpctl" \
		-S "$(cl_sock "$node")" "$@"
}

# cl_json NODE JQ: the value of JQ in NODE's "get nsrp -j".
cl_json() { cl_ctl "$1" get nsrp -j 2>/dev/null | jq -r "$2"; }

# cl_state NODE: the local state of group 0 ("none" if nsrpd is gone).
cl_state() {
	local s
	s=$(cl_json "$1" '.groups[0].state') || s=
	echo "${s:-none}"
}

# cl_state_is NODE STATE, cl_json_is NODE JQ VALUE: for wait_for, which
# must run the query again on every poll.
cl_state_is() { [[ $(cl_state "$1") == "$2" ]]; }
cl_json_is() { [[ $(cl_json "$1" "$2") == "$3" ]]; }

cl_other() { [[ $1 == fw1 ]] && echo fw2 || echo fw1; }

# cl_is_master NODE: NODE is master, the other backup, and both agree on
# who the master is (by unit id).
cl_is_master() {
	local m=$1 b mj bj id
	b=$(cl_other "$m")
	mj=$(cl_ctl "$m" get nsrp -j 2>/dev/null) || return 1
	bj=$(cl_ctl "$b" get nsrp -j 2>/dev/null) || return 1
	id=$(jq -r .local_unit_id <<<"$mj")
	[[ $(jq -r '"\(.groups[0].state) \(.groups[0].master)"' <<<"$mj") == \
	   "master myself" &&
	   $(jq -r '"\(.groups[0].state) \(.groups[0].master)"' <<<"$bj") == \
	   "backup $id" ]]
}

# cl_alone_master NODE: NODE is master, the other unit runs no nsrpd.
cl_alone_master() { [[ $(cl_state "$1") == master ]]; }

# cl_not_both_master: never two masters at once.
cl_not_both_master() {
	[[ $(cl_state fw1) != master || $(cl_state fw2) != master ]]
}

# cl_has_vsi NODE: the VSI addresses are on NODE's lan0.
cl_has_vsi() {
	ip -n "$(lab ns "$1")" addr show dev lan0 | grepq "inet $CL_VSI/24"
}

# Counts the client's echo requests each firewall forwards.
cl_add_counters() {
	local node
	for node in fw1 fw2; do
		lab exec "$node" nft -f - <<'EOF'
table inet cl_count {
	chain counted {
		type filter hook forward priority -10; policy accept;
		ip saddr 192.0.2.10 icmp type echo-request counter comment "echo4"
		ip6 saddr 2001:db8:1::10 icmpv6 type echo-request counter comment "echo6"
	}
}
EOF
	done
}

cl_forwarded() { nft_count "$1" inet cl_count counted "${2:-echo4}"; }

# cl_pings DST: one echo from the client answered within a second.
cl_pings() { lab exec client ping -c1 -W1 -q "$1" >/dev/null 2>&1; }

# cl_flows_via NODE [6]: within 5 s a client ping to the server is answered
# and NODE is the firewall that forwarded it (v4, or v6 with "6"). Pinging
# until both hold lets a unit that a starved CPU made flap settle first.
cl_flows_via() {
	local node=$1 fam=${2:-4} dst=$CL_SERVER before
	[[ $fam == 6 ]] && dst=$CL_SERVER6
	before=$(cl_forwarded "$node" "echo$fam")
	wait_for 5 cl_ping_via "$node" "$fam" "$dst" "$before"
}

cl_ping_via() {	# NODE FAM DST BEFORE
	cl_pings "$3" && (($(cl_forwarded "$1" "echo$2") > $4))
}

# cl_vsi_mac VSD [IFNAME]: the VSI MAC of group VSD on IFNAME (default
# lan0), as the units derive it.
cl_vsi_mac() { "$BUILD/tests/ha_tool" vsi-mac 1 "$1" "${2:-lan0}"; }

# cl_arp_replies NODE: NODE's count of ARP requests its XDP answered.
cl_arp_replies() {
	local j
	j=$(cl_ctl "$1" get counters -j) || return 1
	jq -er '.dataplane["arp-reply"]' <<<"$j"
}

# cl_vsi_mac_answers MAC [NODE]: one ARP request for the VSI gets exactly
# one answer, MAC; with NODE, that unit sent it.
cl_vsi_mac_answers() {
	local before answers
	if [[ -n ${2:-} ]]; then
		before=$(cl_arp_replies "$2") || return 1
	fi
	answers=$(arp_replies client eth0 "$CL_VSI")
	[[ $answers == "$1" ]] || { echo "  answers: ${answers:-none}"; return 1; }
	[[ -z ${2:-} ]] || (( $(cl_arp_replies "$2") > before ))
}

# The VSI MAC as the client learnt it.
cl_client_vsi_mac() {
	ip -n "$(lab ns client)" neigh show "$CL_VSI" dev eth0 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

# cl_both_up: starts both units, fw1 first, and waits for the election.
cl_both_up() {
	cl_start fw1
	cl_start fw2
	wait_for 5 cl_is_master fw1
}

# cl_stop_all: SIGTERM to every nsrpd still running (after a SIGCONT), as
# a service manager stops it: each must exit within 5 s with status 0.
# LeakSanitizer reports at that exit, and makes the status non-zero.
cl_stop_all() {
	local node nodes=("${!CL_PID[@]}") bad=0
	for node in "${nodes[@]}"; do
		kill -CONT "${CL_PID[$node]}" 2>/dev/null
		kill -TERM "${CL_PID[$node]}" 2>/dev/null
	done
	for node in "${nodes[@]}"; do
		if ! cl_reap "$node"; then
			echo "  $node's nsrpd still runs 5 s after SIGTERM"
			cl_kill "$node"
			bad=1
		elif ((CL_RC != 0)); then
			echo "  $node's nsrpd exited with status $CL_RC"
			bad=1
		fi
	done
	return "$bad"
}

# Fails when a log of ours, or a report of the sanitized nsrpctl, shows
# a sanitizer report.
cl_logs_clean() { san_clean "${CL_LOGS[@]}"; }

# cl_finish: how every cluster test ends. The daemons are stopped first,
# so that the leak reports of their exits are read too; the logs are shown
# on failure, and kept (lib.sh).
cl_finish() {
	echo "# stop; sanitizers"
	check "each nsrpd still running stops on SIGTERM, status 0" \
		cl_stop_all
	check "no sanitizer report in the logs" cl_logs_clean
	((T_FAILED)) && cl_dump
	t_done
}

# ------------------------------------------------------------- histories
# Both units run on this machine and share its CLOCK_MONOTONIC, the clock
# of "get nsrp history"'s mono_ns: their histories, and the test's own
# acts, go on one time line.

# cl_mono: CLOCK_MONOTONIC in ns.
cl_mono() { "$BUILD/tests/ha_tool" mono; }

# cl_signal SIG NODE: sends SIG (a name: STOP, CONT...) to NODE's nsrpd;
# prints CLOCK_MONOTONIC read just before.
cl_signal() { "$BUILD/tests/ha_tool" kill "$(kill -l "$1")" "${CL_PID[$2]}"; }

# cl_history NODE: NODE's transitions of group 0, one a line:
# "MONO_NS FROM>TO:REASON".
cl_history() {
	local j
	j=$(cl_ctl "$1" get nsrp history -j) || return 1
	jq -r '.[] | select(.group == 0) |
		"\(.mono_ns) \(.from)>\(.to):\(.reason)"' <<<"$j"
}

# cl_history_after NODE T: NODE's transitions at or after T.
cl_history_after() {
	local h
	h=$(cl_history "$1") || return 1
	awk -v t="$2" '$1 >= t' <<<"$h"
}

# cl_double_master FROM TO: how long, in µs, both units were master of
# group 0 within [FROM, TO), by their histories. A unit is master from
# its transition to master until its next transition; before its
# history's first transition (its daemon started then) it was not.
cl_double_master() {
	local h1 h2
	h1=$(cl_history fw1) && h2=$(cl_history fw2) || return 1
	{ sed 's/^/1 /' <<<"$h1"; sed 's/^/2 /' <<<"$h2"; } |
		awk -v lo="$1" -v hi="$2" '
		# Each line: UNIT MONO_NS FROM>TO:REASON. awk keeps numbers
		# as doubles: ns since boot need 53 bits for 104 days.
		NF >= 3 {
			split($3, m, ":"); split(m[1], ft, ">")
			n[$1]++; t[$1, n[$1]] = $2; master[$1, n[$1]] = ft[2] == "master"
		}
		function spans(u,   i, since, k) {
			k = 0; since = -1
			for (i = 1; i <= n[u]; i++) {
				if (master[u, i] && since < 0)
					since = t[u, i]
				else if (!master[u, i] && since >= 0) {
					a[u, ++k] = since; b[u, k] = t[u, i]; since = -1
				}
			}
			if (since >= 0) { a[u, ++k] = since; b[u, k] = hi }
			ns[u] = k
		}
		END {
			spans(1); spans(2); both = 0
			for (i = 1; i <= ns[1]; i++)
				for (j = 1; j <= ns[2]; j++) {
					s = a[1, i] > a[2, j] ? a[1, i] : a[2, j]
					e = b[1, i] < b[2, j] ? b[1, i] : b[2, j]
					s = s > lo ? s : lo; e = e < hi ? e : hi
					if (e > s) both += e - s
				}
			printf "%d\n", both / 1000
		}'
}

# cl_dump: both units' logs as one timeline, latest last (a failing run).
cl_dump() {
	local log
	echo "--- nsrpd logs, by time"
	for log in "${CL_LOGS[@]}"; do
		grep -vE 'libbpf|libxdp' "$log" |
			sed "s/^/$(basename "$log" .log) /"
	done | sort -s -k2,2n | tail -n 60
}
