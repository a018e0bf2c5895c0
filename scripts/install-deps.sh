#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what building and testing gpu-proto needs, from Debian's packages.
# Idempotent: does nothing when everything is already installed.
set -eu

# build: toolchains and libraries
# tests: systemd (systemd-analyze verify), udev (udevadm test), groff-base
#        (man page rendering), libdrm-dev (libdrm as a test client),
#        spin (the Promela model in verify/),
#        gcc-12-multilib (a 32-bit client for the VM tier; not gcc-multilib,
#        which conflicts with Debian's cross compilers: tests/meson.build
#        supplies the one thing it adds, the <asm/...> include link)
# VM tier: qemu-system-x86, busybox-static, cpio, xz-utils (a Debian kernel is
#          downloaded by tests/vm/fetch-kernel.sh with apt-get download)
# virtual board (tests/board/): an arm64 kernel cross-built from
#          linux-source-6.12 (downloaded by build-kernel.sh with apt-get
#          download): crossbuild-essential-arm64 bc bison flex libssl-dev
#          libelf-dev; the image: mmdebstrap, arch-test, qemu-user-static (arm64
#          maintainer scripts); the board: qemu-system-arm (aarch64)
packages="meson ninja-build pkg-config gcc clang libclang-rt-14-dev
	liburcu-dev libevent-dev libfuse3-dev libsystemd-dev check libdrm-dev python3
	systemd udev groff-base spin
	qemu-system-x86 busybox-static cpio xz-utils
	crossbuild-essential-arm64 bc bison flex libssl-dev libelf-dev
	mmdebstrap arch-test qemu-user-static qemu-system-arm"
# The 32-bit test client exists on x86 only.
[ "$(dpkg --print-architecture)" = amd64 ] && packages="$packages gcc-12-multilib"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root (sudo $0) to install them" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
