#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Make the host run arm64 programs through qemu-user (binfmt_misc), for the
# maintainer scripts of arm64 packages installed into the board image.
# Debian's qemu-user-static ships the registration in binfmt.d; without
# systemd-binfmt on the host (containers, CI runners) nobody loads it, so
# this does.  Idempotent; host-wide until the host reboots.  Needs root.
set -eu

say() { echo "binfmt: $*" >&2; }
conf=/usr/lib/binfmt.d/qemu-aarch64.conf
dir=/proc/sys/fs/binfmt_misc

[ "$(uname -m)" = aarch64 ] && exit 0
[ -f "$conf" ] || { say "$conf missing (install qemu-user-static)"; exit 1; }
if [ ! -e "$dir/register" ]; then
	mount -t binfmt_misc binfmt_misc "$dir" || { say "cannot mount binfmt_misc on $dir"; exit 1; }
fi
if [ -e "$dir/qemu-aarch64" ]; then
	grep -q '^enabled' "$dir/qemu-aarch64" || echo 1 >"$dir/qemu-aarch64"
	exit 0
fi
# The kernel parses the \x escapes of the line itself.
grep -v '^#' "$conf" | grep . >"$dir/register" || { say "registering $conf failed"; exit 1; }
