#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_manual - the manual pages (built by make into $BUILD/man) say what
# the tables say, and mandoc finds nothing wrong in them:
#  - mandoc -Tlint at warning level prints nothing (the style notes left
#    out say that a page another one refers to is not installed here);
#  - every keyword path of the parser's table (nsrpd-tables keywords) is
#    the tag of an entry of nsrpd.conf(5) whose "Sync:" is the table's;
#  - every row of the daemon's command table is an entry of nsrpctl(8)
#    that says who may run it, as the row's flags do;
#  - every option that nsrpd and nsrpctl print in --help is in their page.
# The check itself must fail on a page with an entry taken out.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}

PAGES=("$BUILD/man/nsrpd.8" "$BUILD/man/nsrpctl.8" "$BUILD/man/nsrpd.conf.5")
for p in "${PAGES[@]}" "$BUILD/nsrpd-tables" "$BUILD/nsrpd" "$BUILD/nsrpctl"; do
	[[ -e $p ]] || { echo "not ok: $p is missing (make)"; exit 1; }
done
command -v mandoc >/dev/null || { echo "not ok: mandoc is missing (make deps)"; exit 1; }

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if out=$(mandoc -Tlint -W warning "${PAGES[@]}" 2>&1) && [[ -z $out ]]; then
	echo "  ok: mandoc -Tlint -W warning finds nothing in ${#PAGES[@]} pages"
else
	echo "not ok: mandoc -Tlint:"
	sed 's/^/    /' <<<"$out"
	fail=1
fi

"$BUILD/nsrpd-tables" keywords >"$tmp/keywords"
"$BUILD/nsrpd-tables" commands >"$tmp/commands"

# check_pages CONF5 CTL8: prints each problem; exit 1 if any.
check_pages() {
	python3 - "$tmp/keywords" "$tmp/commands" "$1" "$2" <<'PY'
import re, sys

kw_file, cmd_file, conf5, ctl8 = sys.argv[1:5]
bad = 0

def tokens(line):
    out, depth = [], 0
    for t in line.split():
        opens, closes = t.count("["), t.count("]")
        w = t.strip("[]")
        skip = depth > 0 or opens > 0 or any(c.isupper() for c in w) \
            or '"' in w or "|" in w
        out.append((w, skip))
        depth += opens - closes
    return out

def documents(line, path):
    toks, i = tokens(line), 0
    for w in path.split():
        while i < len(toks) and toks[i][0] != w:
            if not toks[i][1]:
                return False
            i += 1
        if i == len(toks):
            return False
        i += 1
    return True

# nsrpd.conf(5): .It Li "set ..." then its text, with "Sync: X."
entries, cur = [], None
for line in open(conf5):
    m = re.match(r'\.It Li "(.*)"$', line.rstrip("\n"))
    if m:
        cur = [m.group(1).replace('""', '"').replace("\\e", "\\"), None]
        entries.append(cur)
        continue
    m = re.search(r"Sync: (\w+)\.", line)
    if m and cur and cur[1] is None:
        cur[1] = m.group(1)
paths = []
for line in open(kw_file):
    f = line.rstrip("\n").split("\t")
    paths.append((" ".join(w for w in f[1].split() if w != "<value>"), f[0]))
for path, sync in paths:
    docs = [e for e in entries if documents(e[0], path)]
    own = [e for e in docs if not any(q != path and q.startswith(path + " ")
                                      and documents(e[0], q) for q, _ in paths)]
    if not docs:
        print("  %s: no entry for '%s'" % (conf5, path)); bad = 1
    for e in own:
        if e[1] != sync:
            print("  %s: '%s' is %s, its entry says %s" % (conf5, path, sync, e[1]))
            bad = 1

# nsrpctl(8): .It Cm get Cm nsrp ..., then "For root ..."
page = open(ctl8).read()
for line in open(cmd_file):
    who, syntax, _ = line.rstrip("\n").split("\t")
    words = []
    for w in syntax.split():
        words.append("Ar " + (w[1:-1] if w.startswith("<") else w)
                     if w.startswith("<") or w == "..." else "Cm " + w)
    it = ".It " + " ".join(words) + "\n"
    at = page.find(it)
    if at < 0:
        print("  %s: no entry for '%s'" % (ctl8, syntax)); bad = 1
        continue
    body = page[at + len(it):].split(".It ", 1)[0]
    want = "read-only groups" if who == "read" else "root and the admin groups."
    if want not in " ".join(body.split()):
        print("  %s: '%s' does not say it is for %s" % (ctl8, syntax, who))
        bad = 1
sys.exit(bad)
PY
}

if check_pages "$BUILD/man/nsrpd.conf.5" "$BUILD/man/nsrpctl.8"; then
	echo "  ok: every keyword in nsrpd.conf(5), its sync as the parser's;" \
		"every command in nsrpctl(8), with who may run it"
else
	echo "not ok: the pages miss what the tables hold"
	fail=1
fi

# The check can fail: an entry of each page taken out, a sync changed.
sed '/^\.It Li "set nsrp arp N"$/,+1d' "$BUILD/man/nsrpd.conf.5" >"$tmp/conf.5"
sed 's/^\(\.It Cm save\)$/.It Cm saved/' "$BUILD/man/nsrpctl.8" >"$tmp/ctl.8"
if out=$(check_pages "$tmp/conf.5" "$tmp/ctl.8") ||
	! grep -q "no entry for 'set nsrp arp'" <<<"$out" ||
	! grep -q "no entry for 'save'" <<<"$out"; then
	echo "not ok: the check missed an entry taken out"
	fail=1
else
	echo "  ok: the check fails on pages with entries taken out"
fi

# Every option of --help, in the program's page.
for prog in nsrpd nsrpctl; do
	missing=()
	for opt in $("$BUILD/$prog" --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-z-]*' |
		sed 's/^[ ,]*//' | sort -u); do
		# mdoc writes -f as "Fl f" and --config as "Fl -config".
		grep -qE "Fl ${opt#-}( |\$)" "$BUILD/man/$prog.8" || missing+=("$opt")
	done
	if ((${#missing[@]})); then
		echo "not ok: $prog(8) lacks ${missing[*]}"
		fail=1
	else
		echo "  ok: every option of $prog --help is in $prog(8)"
	fi
done
exit "$fail"
