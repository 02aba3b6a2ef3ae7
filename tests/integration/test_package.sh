#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_package - the Debian package, as an operator gets it: make deb
# builds it, lintian finds neither error nor warning, "apt-get install
# ./nsrpd_*.deb" installs it without starting anything, and then
#  - the unit, the pages, the completion and the configuration are where
#    Debian puts them; the unit passes systemd-analyze verify, the pages
#    mandoc -Tlint, the completion completes from where bash-completion
#    loads it; /usr/sbin/nsrpd --version is the package's version;
#  - "apt-get purge nsrpd" removes it, leaving nothing of it behind: no
#    file it installed, no /etc/nsrpd, no state of deb-systemd-helper.
# It installs on this machine: it skips when an nsrpd package is already
# there, holds a lock against other checkouts running it, and purges what
# it installed however it ends. No service starts meanwhile: policy-rc.d
# says no, as tools/deps.sh does, unless a policy is there already.
# shellcheck disable=SC2317 # helpers run through check/wait_for
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
require_cmd dpkg-buildpackage lintian apt-get dpkg-deb systemd-analyze mandoc flock

LOCK=/run/lock/nsrpd-test-package.lock
exec {lockfd}>"$LOCK"
flock -w 900 "$lockfd" || skip "another run holds $LOCK"
if dpkg-query -W -f='${Status}' nsrpd 2>/dev/null | grepq "install ok"; then
	skip "an nsrpd package is installed here: not touching it"
fi

TMP=$(mktemp -d /tmp/nsrpd-package.XXXXXX)
on_exit "rm -rf $TMP"
DEB_DIR=$BUILD/deb
VERSION=$(sed -n 's/^#define NSRPD_VERSION[^"]*"\(.*\)"/\1/p' "$TOP/agent/version.h")

echo "# make deb"
start=$(date +%s)
check "make deb builds the package" \
	make -C "$TOP" --no-print-directory BUILD="$BUILD" deb
DEB=$(ls "$DEB_DIR"/nsrpd_"$VERSION"_*.deb 2>/dev/null | head -n 1)
check "nsrpd_${VERSION}_*.deb is there, in $(($(date +%s) - start)) s" test -f "$DEB"
[[ -f $DEB ]] || t_done
# make_runs: make reads its rules, the package's copy beside the tree.
make_runs() { make -C "$TOP" --no-print-directory BUILD="$BUILD" -n all >/dev/null; }
check "make still runs in the tree beside the package's copy" make_runs
check "its version is nsrpd's own ($VERSION)" \
	test "$(dpkg-deb -f "$DEB" Version)" = "$VERSION"
check "lintian finds no error nor warning" \
	eval "lintian --fail-on error,warning '$DEB' >'$TMP/lintian' 2>&1"
grep -v "root privileges" "$TMP/lintian" | sed 's/^/    /'

echo "# apt-get install ./nsrpd_*.deb"
POLICY=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY ]]; then
	printf '#!/bin/sh\n# test_package: no service starts while installing\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"
	on_exit "rm -f $POLICY"
fi
on_exit "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq nsrpd"
check "apt-get install ./$(basename "$DEB")" \
	eval "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		-o DPkg::Lock::Timeout=300 '$DEB' >'$TMP/install' 2>&1"
check "installed" eval "dpkg-query -W -f='\${Status}' nsrpd | grepq 'install ok installed'"
dpkg -L nsrpd >"$TMP/files" 2>/dev/null

UNIT=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)/nsrpd.service
for f in /usr/sbin/nsrpd /usr/sbin/nsrpctl "$UNIT" \
	/usr/share/man/man8/nsrpd.8.gz /usr/share/man/man8/nsrpctl.8.gz \
	/usr/share/man/man5/nsrpd.conf.5.gz \
	/usr/share/bash-completion/completions/nsrpctl \
	/etc/nsrpd/nsrpd.conf; do
	check "$f" test -f "$f"
done
check "/etc/nsrpd/nsrpd.conf is a conffile, 0600" eval "
	dpkg-query -W -f='\${Conffiles}' nsrpd | grepq /etc/nsrpd/nsrpd.conf &&
	test \"\$(stat -c %a /etc/nsrpd/nsrpd.conf)\" = 600"
check "/usr/sbin/nsrpd --version says $VERSION" \
	test "$(/usr/sbin/nsrpd --version)" = "nsrpd $VERSION"
check "so does nsrpctl" test "$(/usr/sbin/nsrpctl --version)" = "nsrpctl $VERSION"
check "the example configuration, nothing set yet, is refused as a start refuses it" \
	eval "out=\$(/usr/sbin/nsrpd --check-config /etc/nsrpd/nsrpd.conf 2>&1); \
	test \$? -eq 3 && [[ \$out == *'nothing to run'* ]]"
check "systemd-analyze verify accepts the installed unit, silently" \
	eval "out=\$(systemd-analyze verify --man=no '$UNIT' 2>&1) && test -z \"\$out\""
check "the unit runs what the package installed" \
	grepq '^ExecStart=/usr/sbin/nsrpd -f /etc/nsrpd/nsrpd.conf$' "$UNIT"
for page in man8/nsrpd.8 man8/nsrpctl.8 man5/nsrpd.conf.5; do
	zcat "/usr/share/man/$page.gz" >"$TMP/${page#*/}"
done
check "mandoc -Tlint -W warning finds nothing in the installed pages" \
	eval "out=\$(mandoc -Tlint -W warning '$TMP/nsrpd.8' '$TMP/nsrpctl.8' \
		'$TMP/nsrpd.conf.5' 2>&1) && test -z \"\$out\""
completes() {
	bash -c 'source /usr/share/bash-completion/completions/nsrpctl
		COMP_WORDS=(nsrpctl get ""); COMP_CWORD=2; _nsrpctl
		printf "%s\n" "${COMPREPLY[@]}"' | grep -x nsrp >/dev/null
}
check "the installed completion completes 'nsrpctl get ' with nsrp" completes
running() {
	local exe
	for exe in /proc/[0-9]*/exe; do
		[[ $(readlink "$exe" 2>/dev/null) == /usr/sbin/nsrpd ]] && return 0
	done
	return 1
}
check_fails "installing started no nsrpd" running

echo "# apt-get purge nsrpd"
check "apt-get purge nsrpd" eval "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq \
	-o DPkg::Lock::Timeout=300 nsrpd >'$TMP/purge' 2>&1"
check "no longer known to dpkg" \
	eval "! dpkg-query -W -f='\${Status}' nsrpd 2>/dev/null | grepq installed"
left=()
while read -r f; do
	[[ -e $f && ! -d $f ]] && left+=("$f")
done <"$TMP/files"
check "none of its $(wc -l <"$TMP/files") paths is left but shared directories (${left[*]:-none})" \
	test "${#left[@]}" -eq 0
check "/etc/nsrpd is gone" test ! -e /etc/nsrpd
check "deb-systemd-helper kept no state of it" \
	eval "! find /var/lib/systemd/deb-systemd-helper-enabled \
		/var/lib/systemd/deb-systemd-helper-masked -name '*nsrpd*' 2>/dev/null | grepq ."
t_done
