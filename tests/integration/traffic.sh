# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# traffic.sh - what a client sees through the cluster while something
# happens to it, for the tests that need it: a sequence-numbered UDP
# stream (tools/seqstream), long-lived TCP connections (tools/tcphold),
# and how many units answer an ARP request for the VSI gateway, asked
# every 10 ms (tools/bench/arpwatch). Source lib.sh and cluster.sh first.
#
#   tr_start SECONDS [UDP_RATE] [TCP_CONNS]   start it all, for SECONDS
#   tr_wait                                   wait for the end (bounded)
#   tr_json stream|tcp|arp JQ                 a figure of the results
#
# Every process runs under timeout, and only the PIDs started here are
# waited for or killed.

TR_DIR=$CL_DIR/traffic
TR_PIDS=()
TR_SERVER=	# the TCP server's PID: it ends when the clients have
TR_PORT_UDP=9000
TR_PORT_TCP=9001
mkdir -p "$TR_DIR"
on_exit tr_kill

tr_kill() {
	local p
	for p in "${TR_PIDS[@]}" $TR_SERVER; do kill "$p" 2>/dev/null; done
	TR_PIDS=()
	TR_SERVER=
}

# tr_bg NODE SECONDS OUT CMD...: CMD in NODE, bounded, its output to OUT.
tr_bg() {
	local node=$1 secs=$2 out=$3
	shift 3
	"$LAB" exec "$node" timeout "$secs" "$@" >"$out" 2>>"$TR_DIR/errors" &
	TR_PIDS+=("$!")
}

# tr_listening PROTO PORT: the server has a socket bound to it.
tr_listening() {
	lab exec server ss -Hln"${1:0:1}" "sport = :$2" | grepq .
}

tr_start() {
	local secs=$1 rate=${2:-500} conns=${3:-200}
	rm -f "$TR_DIR"/*.json
	# The receivers outlast the senders: a sender that starts late on a
	# loaded machine still has all its datagrams counted. They are up
	# before the senders start (a Python start-up takes seconds here).
	# The TCP server, whose end would close every connection, is stopped
	# only once its clients are done (tr_wait).
	tr_bg server $((secs + 40)) "$TR_DIR/stream.json" \
		"$TOP/tools/seqstream" recv "$CL_SERVER" "$TR_PORT_UDP" $((secs + 14))
	tr_bg server $((secs + 120)) /dev/null \
		"$TOP/tools/tcphold" serve "$CL_SERVER" "$TR_PORT_TCP" $((secs + 110))
	TR_SERVER=${TR_PIDS[-1]}
	unset 'TR_PIDS[-1]'
	wait_for 10 tr_listening udp "$TR_PORT_UDP"
	wait_for 10 tr_listening tcp "$TR_PORT_TCP"
	tr_bg client $((secs + 30)) "$TR_DIR/sent.json" \
		"$TOP/tools/seqstream" send "$CL_SERVER" "$TR_PORT_UDP" "$rate" "$secs"
	tr_bg client $((secs + 30)) "$TR_DIR/tcp.json" \
		"$TOP/tools/tcphold" hold "$CL_SERVER" "$TR_PORT_TCP" "$conns" "$secs" 1
	tr_bg client $((secs + 30)) "$TR_DIR/arp.json" \
		"$TOP/tools/bench/arpwatch" eth0 "$CL_VSI" "$secs" 10
}

# Waits for every process of the run: they end on their own, then the
# TCP server is stopped.
tr_wait() {
	local p
	for p in "${TR_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	TR_PIDS=()
	if [[ -n $TR_SERVER ]]; then
		kill "$TR_SERVER" 2>/dev/null
		wait "$TR_SERVER" 2>/dev/null
		TR_SERVER=
	fi
}

# tr_json stream|sent|tcp|arp JQ: a value of that result ("" if none).
tr_json() { jq -r "$2" "$TR_DIR/$1.json" 2>/dev/null; }

# tr_report: the results, for the log of the test.
tr_report() {
	local r
	for r in sent stream tcp arp; do
		echo "  $r: $(jq -c 'del(.last_answer_mono_ns?)' \
			"$TR_DIR/$r.json" 2>/dev/null)"
	done
}

# tr_lost: datagrams sent that never arrived (the stream's own count
# misses those after its last arrival).
tr_lost() {
	local sent recv
	sent=$(tr_json sent .sent)
	recv=$(tr_json stream .received)
	[[ $sent =~ ^[0-9]+$ && $recv =~ ^[0-9]+$ ]] || { echo unknown; return; }
	echo $((sent - recv))
}

# The checks every run makes: one unit at most answered each ARP request,
# no datagram lost, every TCP connection alive. A connection that a loaded
# machine failed to open (its SYN never answered before the run began)
# says nothing of the cluster: alive is counted of those opened.
tr_checks() {
	local what=$1 conns
	tr_report
	conns=$(tr_json tcp .opened)
	check "$what: the client's ARP watch ran ($(tr_json arp .requests) requests)" \
		eval '(( $(tr_json arp .requests) > 100 ))'
	check "$what: never two units answering ARP for the VSI" \
		test "$(tr_json arp .several_units)" = 0
	check "$what: no datagram lost ($(tr_lost) of $(tr_json sent .sent))" \
		test "$(tr_lost)" = 0
	check "$what: the TCP connections opened ($conns)" \
		eval '(( conns >= 180 ))'
	check "$what: every TCP connection alive ($(tr_json tcp .alive) of $conns)" \
		test "$(tr_json tcp .alive)" = "$conns"
}
