#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_layering - the agent's modules depend on each other in one
# direction only. A module is a name (cluster: cluster.c and cluster.h);
# it depends on another when its .c or .h includes the other's header.
# Fails on any cycle among them, and when a module breaks the rules of
# docs/ARCHITECTURE.md: only main includes the daemon, and the cluster and
# the sync never include each other.
set -uo pipefail
cd "$(dirname "$0")/../.."

fail=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

# "FROM TO" for each include of an agent header by an agent file.
for f in agent/*.c agent/*.h; do
	from=$(basename "$f"); from=${from%.*}
	sed -n 's/^#include "\([a-z0-9_]*\)\.h".*/\1/p' "$f" | while read -r to; do
		[[ -f agent/$to.h && $to != "$from" ]] && echo "$from $to"
	done
done | sort -u >"$edges"

n=$(wc -l <"$edges")
if ((n < 20)); then
	echo "not ok: only $n include edges found: the scan is broken"
	exit 1
fi
echo "  ok: $n include edges among the agent's modules"

if out=$(tsort "$edges" 2>&1 >/dev/null) && [[ -z $out ]]; then
	echo "  ok: no include cycle"
else
	echo "not ok: include cycle:"
	sed 's/^/    /' <<<"$out"
	fail=1
fi

# forbid FROM TO WHY
forbid() {
	if grep -qx "$1 $2" "$edges"; then
		echo "not ok: $1 includes $2.h: $3"
		fail=1
	else
		echo "  ok: $1 does not include $2.h"
	fi
}

joiners=$(awk '$2 == "daemon" && $1 != "main" { print $1 }' "$edges")
if [[ -n $joiners ]]; then
	echo "not ok: only main includes daemon.h, but so do:" $joiners
	fail=1
else
	echo "  ok: nothing but main includes daemon.h"
fi
forbid cluster sync "cluster and sync are peers that only the daemon joins"
forbid sync cluster "cluster and sync are peers that only the daemon joins"
forbid hasess cluster "the session layer serves the cluster, not the reverse"
forbid hasess sync "the session layer serves the sync, not the reverse"

exit $fail
