#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Board test: 20 real unbind/rebind cycles of a virtio-mmio transport on
# vfio-platform under client load, uevent removal detection, the daemon
# started with --rebind=manual: it takes the device back only on
# `gpu-protoctl bind` (see board-unbind.sh).
exec /usr/local/lib/gpu-proto-board/board-unbind.sh platform a003e00.virtio_mmio qemu-virtio-mmio 20 uevent manual
