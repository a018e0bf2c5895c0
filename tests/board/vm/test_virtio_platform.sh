#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Board test: an empty virtio-mmio transport (a003e00.virtio_mmio) on
# vfio-platform.  Its 0x200-byte region cannot be mmap()ed, so the daemon
# reads it with pread (nothing of the device mapped, yet the virtio magic
# and QEMU's vendor ID come back); its edge interrupt's eventfd is assigned
# (the host requests the line) and released on stop.
set -u
. /usr/local/lib/gpu-proto-board/board-lib.sh
dev=a003e00.virtio_mmio

[ -e /sys/bus/platform/devices/$dev ] || fail "no $dev on the platform bus"
use_vfio_device $dev --backend=vfio-platform:$dev --driver=qemu-virtio-mmio
drv=$(basename "$(readlink /sys/bus/platform/devices/$dev/driver)")
[ "$drv" = vfio-platform ] || fail "$dev bound to $drv"
ok "$dev bound to vfio-platform by gpu-proto-vfio-bind@$dev.service"
status=$(systemctl show -p StatusText --value gpu-protod)
[ "$status" = "Serving /dev/gpu-proto (qemu-virtio-mmio on vfio-platform:$dev)" ] || fail "StatusText '$status'"
pid=$(main_pid)

as_render gp-board-client virtio-info || fail "VIRTIO_INFO"
fds=$(daemon_vfio_fds "$pid")
maps=$(daemon_vfio_maps "$pid")
echo "daemon: $fds VFIO fd(s), $maps VFIO mapping(s)"
[ "$fds" -ge 3 ] || fail "expected the container, group and device fds"
[ "$maps" -eq 0 ] || fail "the 0x200-byte region is mapped: $(grep vfio /proc/$pid/maps)"
ok "registers read through pread/pwrite: the device fd is open, nothing is mapped"
[ "$(vfio_irq_lines $dev)" -eq 1 ] || fail "no vfio-irq line for $dev: the eventfd is not assigned"
ok "the edge interrupt's eventfd is assigned ($(grep "($dev)" /proc/interrupts | tr -s ' '))"

systemctl stop gpu-protod || fail "stop"
[ "$(vfio_irq_lines $dev)" -eq 0 ] || fail "vfio-irq of $dev still requested after stop"
ok "stop: the interrupt line is released"
back_to_mock $dev
