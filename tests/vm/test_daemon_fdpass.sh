#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: buffer memory over real CUSE.  An unmodified panthor client
# (gp-vm-prime: plain open/ioctl/mmap, panthor's BO_CREATE and
# BO_MMAP_OFFSET) maps a buffer with mmap() under the LD_PRELOAD shim, writes
# it, exports it with PRIME; another process imports it with PRIME and reads
# the bytes; the mapping survives an unbind.  Without the shim, mmap of the
# node fails and raw PRIME is EOPNOTSUPP.  The fd socket appears next to
# the control socket with the node's mode, and goes at shutdown.
set -u
. /gp/bin/gp-vm-lib.sh

[ -c /dev/cuse ] || fail "/dev/cuse missing"
start_daemon --rebind=manual
fdsock=/run/gpu-protod/gpu-proto.fd.sock
wait_for "$fdsock" -S || fail "the fd socket $fdsock did not appear"
echo "ok: $(ls -l $fdsock)"

gp-vm-prime noshim || fail "client without the shim"
LD_PRELOAD=/gp/bin/libgpuproto-shim.so gp-vm-prime export || fail "mmap and PRIME under the shim"
gpu-protoctl status | grep -E '^fd_(exports|imports|socket)=' || fail "status lacks the fd socket"
gpu-protoctl status | grep -q '^fd_imports=2$' || fail "status: expected fd_imports=2"

stop_daemon
[ -e "$fdsock" ] && fail "the fd socket is still there after SIGTERM"
echo "ok: SIGTERM removed the fd socket"
