#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install, from Debian's packages and only when missing, everything that the
# build, the tests, the demo and the benchmarks need. Quiet when nothing is
# missing; safe to run any number of times.
set -euo pipefail

PKGS=(
	make gcc pkg-config clang llvm libclang-rt-dev
	libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev
	libcap-dev libcunit1-dev libsodium-dev libmnl-dev libjansson-dev
	libedit-dev
	libnetfilter-conntrack-dev
	libsystemd-dev
	nftables iproute2 ethtool iputils-ping arping tcpdump conntrack
	python3 jq procps util-linux curl libcap2-bin
	keepalived conntrackd gnuplot-nox
	frr
	debhelper dpkg-dev lintian mandoc systemd
	prometheus python3-prometheus-client
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $st == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages: ${missing[*]}; run as root to install" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# keepalived, conntrackd, frr and prometheus are packaged as system
# services: the benchmarks run the first two inside the lab's namespaces,
# the route sync test runs frr there, the tests use prometheus for promtool
# only, so none may start on the host. Deny every service start while
# installing (policy-rc.d, which invoke-rc.d and deb-systemd-invoke obey),
# unless a policy is already in place, and remove only the policy
# installed here.
POLICY=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY ]]; then
	printf '#!/bin/sh\n# deps.sh: no service starts while installing\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"
	trap 'rm -f "$POLICY"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Nor at boot: the lab starts its own, with its own configurations.
if [[ -d /run/systemd/system ]]; then
	for p in keepalived conntrackd frr prometheus; do
		[[ " ${missing[*]} " == *" $p "* ]] &&
			systemctl disable --quiet "$p.service" 2>/dev/null || true
	done
fi
