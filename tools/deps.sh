#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install, from Debian's packages and only when missing, everything that the
# build, the tests, the demo and the benchmarks need. Quiet when nothing is
# missing; safe to run any number of times.
set -euo pipefail

PKGS=(
	make gcc pkg-config clang llvm
	libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev
	libcap-dev libcunit1-dev libsodium-dev libmnl-dev
	nftables iproute2 ethtool iputils-ping arping tcpdump conntrack
	python3 jq procps util-linux
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
