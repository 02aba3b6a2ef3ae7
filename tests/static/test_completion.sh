#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_completion - nsrpctl's bash completion ($BUILD/nsrpctl.bash, built
# from the tables) offers every word of every command of the daemon's
# table and, after "set" and "unset", of every keyword path of the
# parser's table (nsrpd-tables prints both), one word at a time, a value
# typed where the syntax has one; options of a line are offered again
# after another, but not once given; and nothing is offered after a word
# no table has.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
COMP=$BUILD/nsrpctl.bash
for f in "$COMP" "$BUILD/nsrpd-tables"; do
	[[ -e $f ]] || { echo "not ok: $f is missing (make)"; exit 1; }
done
# shellcheck source=/dev/null
source "$COMP" || { echo "not ok: $COMP does not load"; exit 1; }

fail=0
# offered WORDS...: what completion offers after WORDS, for an empty word.
offered() {
	COMP_WORDS=(nsrpctl "$@" "")
	COMP_CWORD=$(($# + 1))
	COMPREPLY=()
	_nsrpctl
	printf '%s\n' "${COMPREPLY[@]}"
}

# walk SYNTAX: each literal word of SYNTAX is offered after those before
# (what a list of words is offered is asked once).
declare -A seen=()
walk() {
	local -a syn words=()
	local w key
	read -ra syn <<<"$1"
	for w in "${syn[@]}"; do
		case $w in
		...) return 0 ;;
		\<*\>) words+=(0); continue ;;
		esac
		key="> ${words[*]}"
		[[ -v seen[$key] ]] ||
			seen[$key]=" $(offered "${words[@]}" | tr '\n' ' ')"
		if [[ ${seen[$key]} != *" $w "* ]]; then
			echo "  '${words[*]}' does not offer '$w' (of '$1')"
			return 1
		fi
		words+=("$w")
	done
}

n=0 bad=0
while IFS=$'\t' read -r _ syntax _; do
	n=$((n + 1))
	walk "$syntax" || bad=$((bad + 1))
done < <("$BUILD/nsrpd-tables" commands; "$BUILD/nsrpd-tables" keywords)
if ((bad || n < 60)); then
	echo "not ok: $bad of $n syntaxes not completed"
	fail=1
else
	echo "  ok: every word of $n commands and keyword paths is offered"
fi

# Unset as set, abbreviations as ScreenOS takes them.
if offered unset nsrp vsd-group id 0 | grep -x priority >/dev/null &&
	offered se ns vsd | grep -x hb-interval >/dev/null &&
	offered g | grep -x nsrp >/dev/null; then
	echo "  ok: unset completes as set, abbreviated words as whole"
else
	echo "not ok: unset or abbreviations not completed"
	fail=1
fi

# Options again, those not given yet.
opts=$(offered set nsrp track-ip ip 192.0.2.9 interval 1 | tr '\n' ' ')
if [[ $opts == *threshold* && $opts == *weight* && $opts != *interval* ]]; then
	echo "  ok: options offered again, not one given ($opts)"
else
	echo "not ok: after an option: '$opts'"
	fail=1
fi

# It can fail: nothing after a word no table has.
if [[ -z $(offered set nsrp bogus) && -z $(offered get nothing) ]]; then
	echo "  ok: nothing offered after an unknown word"
else
	echo "not ok: words offered after an unknown one"
	fail=1
fi
exit "$fail"
