#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build (or take from the cache) the virtual board's base root file system:
# Debian bookworm arm64, minbase, with systemd as init, udev, and the
# run-time dependencies of the project's packages, made by mmdebstrap.  The
# project's own packages are not in it: run-board.sh installs them into a
# copy of it on every run, with dpkg, as a user would.
#
#   build-image.sh DEB...
#
# DEB... are the project's arm64 .deb files; their Depends: (other than on
# each other) are what the base gets besides systemd and udev.  Prints, as
# its last line on stdout, the path of the base image (a directory, which
# run-board.sh copies for each run).
# The cache key is the SHA-256 of this script and the package list, so a
# new dependency or a change here builds a new base (about 3 minutes);
# otherwise nothing is done.  Cache: as build-kernel.sh.
#
# Foreign-architecture maintainer scripts run through qemu-user: this
# registers qemu-aarch64 with binfmt_misc (host-wide, as the qemu-user-static
# package would under systemd) when it is not registered yet.  Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
say() { echo "build-image: $*" >&2; }
die() { say "$*"; exit 1; }

cache=${GP_BOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpu-proto-board}
[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap --mode=root, binfmt_misc)"
[ $# -ge 1 ] || die "usage: build-image.sh DEB..."
command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap not found (scripts/install-deps.sh)"

# --- qemu-user for arm64 maintainer scripts ------------------------------
"$here/binfmt.sh" || exit 1

# --- what goes in ---------------------------------------------------------
ours=""
for deb in "$@"; do
	[ -f "$deb" ] || die "$deb: no such file"
	ours="$ours $(dpkg-deb -f "$deb" Package)"
done
# "libc6 (>= 2.34), libfuse3-3 (>= 3.2), a | b" -> one name per line; of
# alternatives the first.
deps=$(for deb in "$@"; do dpkg-deb -f "$deb" Depends; done | tr ',' '\n' |
	sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | grep -v '^$' | sort -u)
for p in $ours; do deps=$(printf '%s\n' "$deps" | grep -vx "$p" || true); done
# systemd as PID 1, udev (its postinst makes the "render" group), kmod
# (depmod/modprobe for systemd-modules-load), libdrm2 (the test client),
# procps (pgrep in the tests).
include="systemd systemd-sysv udev kmod libdrm2 procps $(echo $deps)"
include=$(printf '%s\n' $include | sort -u | tr '\n' ' ')

key=$(printf '%s\n' "$include" | cat - "$0" | sha256sum | cut -c1-16)
out="$cache/image/$key"
if [ -f "$out/base/etc/os-release" ]; then
	say "cached: $out/base"
	echo "$out/base"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"

say "mmdebstrap bookworm arm64 minbase with: $include (about 3 minutes)"
start=$(date +%s)
# Users of the tests: gprender in "render" (which udev's postinst created),
# gpuser in no special group.  No getty on the console: the test runner
# owns it.  Man pages, docs and locales are left out.
# The system's python3 for mmdebstrap's helpers (mmtarfilter runs once per
# package): a user's shim earlier in PATH (pyenv) costs seconds per call.
if ! PATH=/usr/sbin:/usr/bin:/sbin:/bin nice -n 10 mmdebstrap --mode=root --arch=arm64 --variant=minbase \
	--include="$(echo $include | tr ' ' ',')" \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--customize-hook='chroot "$1" useradd -m -u 1001 -G render gprender' \
	--customize-hook='chroot "$1" useradd -m -u 1000 gpuser' \
	--customize-hook='echo board >"$1/etc/hostname"' \
	--customize-hook='chroot "$1" systemctl mask serial-getty@ttyAMA0.service getty@tty1.service' \
	--customize-hook='rm -f "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_Packages' \
	--format=directory bookworm "$out/base.part" >"$out/mmdebstrap.log" 2>&1; then
	tail -n 30 "$out/mmdebstrap.log" >&2
	die "mmdebstrap failed (log: $out/mmdebstrap.log)"
fi
mv "$out/base.part" "$out/base"
say "base image in $(($(date +%s) - start)) s: $out/base ($(du -sm "$out/base" | cut -f1) MiB)"
echo "$out/base"
