#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Board test: the removal fallback with the uevent path off
# (--test-removal=poll): the daemon sees the unbind only by polling the
# driver link, which goes at the start of the unbind (before vfio's remove
# blocks).  Five cycles on each device; the latencies show what a kernel
# without the early uevent (6.1) costs.
set -u
d=/usr/local/lib/gpu-proto-board
"$d/board-unbind.sh" amba 9010000.pl031 qemu-pl031 5 poll auto || exit 1
"$d/board-unbind.sh" platform a003e00.virtio_mmio qemu-virtio-mmio 5 poll auto
