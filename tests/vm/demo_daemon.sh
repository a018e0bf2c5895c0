#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job inside the VM, for machines without CUSE (scripts/run.sh):
# start gpu-protod on the mock backend, show what a client sees, hot-unbind
# and rebind through the control socket, stop with SIGTERM.
set -u
. /gp/bin/gp-vm-lib.sh

start_daemon "$@"
echo "### gpu-protod is serving: $(ls -l $node)"
echo "### gpu-proto-info"
gpu-proto-info || fail "gpu-proto-info"
echo "### gpu-protoctl status"
gpu-protoctl status || fail "status"
echo "### gpu-protoctl unbind (hot-unbind: the registration is revoked)"
gpu-protoctl unbind || fail "unbind"
gpu-proto-info >/dev/null 2>&1 && fail "the device answered while unbound"
echo "(gpu-proto-info now fails to open: $(gpu-proto-info 2>&1 | head -n 1))"
echo "### gpu-protoctl bind (a fresh device)"
gpu-protoctl bind || fail "bind"
gpu-proto-info --json || fail "gpu-proto-info --json"
echo "### SIGTERM"
stop_daemon
echo "### daemon log"
cat "$log"
