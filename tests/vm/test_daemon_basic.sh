#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: gpu-protod over real CUSE.  The node appears, every ioctl and its
# errors behave as drm_ioctl (gp-vm-ioctl), libdrm works unchanged, the
# node is root-only without udev, status reports round trips, SIGTERM exits
# cleanly and removes the node.
set -u
. /gp/bin/gp-vm-lib.sh

[ -c /dev/cuse ] || fail "/dev/cuse missing"
# A long mock flush so a blocking read really parks.
start_daemon --mock-options=flush-delay-us=200000
echo "ok: $(ls -l $node)"

gp-vm-ioctl || fail "raw ioctl client"
gp-vm-client libdrm || fail "libdrm client"
gp-vm-client gpc-events || fail "libgpuproto events"
# 32-bit callers are refused with ENOTTY (scripts/install-deps.sh installs
# gcc-multilib, so the i386 client is always built where the tests run).
gp-vm-compat32 || fail "32-bit caller"
gp-as-user gpuser gp-vm-client open-expect EACCES || fail "unprivileged open"
if command -v gpu-proto-info >/dev/null; then
	gpu-proto-info || fail "gpu-proto-info"
	gpu-proto-info --json || fail "gpu-proto-info --json"
fi
gpu-protoctl status || fail "gpu-protoctl status"
gpu-protoctl status | grep -q '^state=bound$' || fail "status does not say bound"
gpu-protoctl frobnicate 2>/dev/null && fail "gpu-protoctl accepted an unknown command"
gpu-protoctl bind 2>&1 | grep -q EBUSY || fail "bind while bound is not EBUSY"
gp-as-user gpuser gpu-protoctl status
[ $? -eq 3 ] || fail "gpu-protoctl as a normal user: expected exit 3 (socket is root-only)"
kill -0 "$daemon" || fail "the daemon died"

stop_daemon
echo "ok: SIGTERM: exit 0, node removed"
