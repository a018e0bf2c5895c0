#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Cross-build gpu-proto for arm64 on an amd64 Debian 12 machine, with
# Debian's multiarch: the cross toolchain (crossbuild-essential-arm64), the
# arm64 -dev package of every dependency, qemu-user-static to run the arm64
# tests.  Warnings are errors, as in the host builds.
#
#   scripts/cross-arm64.sh [--deps-only] [MESON_SETUP_OPTION...]
#
# Installs what is missing (as root; idempotent, apt-get update only when
# something must be installed), then configures and builds
# $GP_ARM64_BUILD_DIR (default build-arm64) with cross/aarch64-linux-gnu.ini.
# --deps-only stops after the installation (scripts/test-deb.sh uses it).
#
# libevent: bookworm's libevent-dev is not Multi-Arch: same, so
# libevent-dev:arm64 cannot be installed next to libevent-dev:amd64 (the
# host build needs that one).  Its headers are the same for both (LP64
# glibc; compared file by file for 2.1.12-stable-8), so the arm64 side only
# lacks libevent.pc and the libevent.so link: this script installs the
# arm64 runtime library (libevent-2.1-7:arm64, the version of the amd64
# headers) and writes those two files into /usr/local/lib/aarch64-linux-gnu,
# which the arm64 pkg-config searches first and no amd64 build looks at.
# Remove them with: rm /usr/local/lib/aarch64-linux-gnu/libevent.so \
#   /usr/local/lib/aarch64-linux-gnu/pkgconfig/libevent.pc
#
# gcc-multilib conflicts with every Debian cross gcc (it only adds the
# /usr/include/asm link), so installing crossbuild-essential-arm64 removes
# it; the 32-bit VM-tier client needs just gcc-12-multilib.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${GP_ARM64_BUILD_DIR:-$top/build-arm64}
cross_file=$top/cross/aarch64-linux-gnu.ini
shim=/usr/local/lib/aarch64-linux-gnu

deps_only=0
if [ "${1:-}" = --deps-only ]; then
	deps_only=1
	shift
fi

say() { echo "cross-arm64: $*"; }
die() { say "$*" >&2; exit 1; }

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# --- packages ------------------------------------------------------------
# build: cross gcc/binutils/libc (crossbuild-essential-arm64), the arm64
#        pkg-config (pkgconf:arm64 provides aarch64-linux-gnu-pkg-config),
#        and the arm64 libraries, as in scripts/install-deps.sh
# tests: check:arm64 (Check), qemu-user-static (runs them), libdrm-dev:arm64
#        (the VM tier's libdrm client is built, though not run, on arm64)
# libevent: the runtime library only, see above
packages="meson ninja-build pkgconf crossbuild-essential-arm64 qemu-user-static
	pkgconf:arm64 liburcu-dev:arm64 libfuse3-dev:arm64 libsystemd-dev:arm64
	check:arm64 libdrm-dev:arm64 libevent-dev"

missing=""
for p in $packages; do
	installed "$p" || missing="$missing $p"
done
# libevent-2.1-7:arm64 must be the very version whose headers are used.
le_version=$(dpkg-query -W -f='${Version}' libevent-dev 2>/dev/null || true)
if ! installed libevent-dev:arm64; then
	have=$(dpkg-query -W -f='${Version}' libevent-2.1-7:arm64 2>/dev/null || true)
	if [ -z "$le_version" ] || [ "$have" != "$le_version" ]; then
		missing="$missing libevent-2.1-7:arm64"
	fi
fi

if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || die "missing packages:$missing (run as root to install them)"
	export DEBIAN_FRONTEND=noninteractive
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		say "adding the arm64 architecture (dpkg --add-architecture arm64)"
		dpkg --add-architecture arm64
	fi
	say "installing$missing"
	if installed gcc-multilib && ! installed gcc-aarch64-linux-gnu; then
		say "note: this removes gcc-multilib, which conflicts with the cross gcc" \
			"(gcc-12-multilib stays)"
	fi
	apt-get update -qq
	# libevent-dev first: the arm64 runtime library is pinned to its version.
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $packages >/dev/null
	le_version=$(dpkg-query -W -f='${Version}' libevent-dev)
	if ! installed libevent-dev:arm64; then
		apt-get install -y -qq --no-install-recommends \
			"libevent-2.1-7:arm64=$le_version" >/dev/null
	fi
fi

# --- libevent for arm64 ---------------------------------------------------
if ! installed libevent-dev:arm64; then
	so=$(readlink -f /usr/lib/aarch64-linux-gnu/libevent-2.1.so.7) ||
		die "libevent-2.1-7:arm64 is not installed"
	pc=$shim/pkgconfig/libevent.pc
	want=$(sed 's|^libdir=.*|libdir='"$shim"'|' /usr/lib/x86_64-linux-gnu/pkgconfig/libevent.pc)
	if [ "$(readlink "$shim/libevent.so" 2>/dev/null)" != "$so" ] ||
			[ "$(cat "$pc" 2>/dev/null)" != "$want" ]; then
		[ "$(id -u)" -eq 0 ] || die "$pc is missing (run as root to create it)"
		say "libevent for arm64: $pc and $shim/libevent.so -> $so"
		mkdir -p "$shim/pkgconfig"
		ln -sfn "$so" "$shim/libevent.so"
		printf '%s\n' "$want" >"$pc"
	fi
fi

[ $deps_only -eq 1 ] && exit 0

# --- configure and build --------------------------------------------------
# bench is built (not run); tests enabled: they are what test-arm64.sh runs.
if [ ! -f "$build/build.ninja" ]; then
	say "configure $build"
	meson setup "$build" --cross-file "$cross_file" --werror \
		-Dtests=enabled -Dbench=true "$@"
fi
say "build $build"
ninja -C "$build"
