#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Board test: the PL031 RTC (9010000.pl031) on vfio-amba, in no-IOMMU mode,
# bound by the package's gpu-proto-vfio-bind@.service and driven by
# gpu-protod.service with --backend=vfio-amba:... --driver=qemu-pl031 in
# /etc/default/gpu-protod.  Its 4 KiB window is mmap()ed; its level,
# automasked interrupt is fired by the alarm, acknowledged and unmasked
# (at least 3 times); on stop every VFIO fd, mapping and IRQ is released.
set -u
. /usr/local/lib/gpu-proto-board/board-lib.sh
dev=9010000.pl031
# vfio-amba names the device's interrupt after its peripheral ID.
irqname=vfio-amba-00141031

[ -e /sys/bus/amba/devices/$dev ] || fail "no $dev on the AMBA bus"
[ ! -e /sys/bus/amba/devices/$dev/driver ] || fail "$dev already bound to $(readlink /sys/bus/amba/devices/$dev/driver)"
use_vfio_device $dev --backend=vfio-amba:$dev --driver=qemu-pl031
drv=$(basename "$(readlink /sys/bus/amba/devices/$dev/driver)")
[ "$drv" = vfio-amba ] || fail "$dev bound to $drv"
grp=$(basename "$(readlink /sys/bus/amba/devices/$dev/iommu_group)")
[ -c /dev/vfio/noiommu-$grp ] || fail "/dev/vfio/noiommu-$grp missing"
ok "$dev bound to vfio-amba by gpu-proto-vfio-bind@$dev.service: group noiommu-$grp, kernel tainted $(cat /proc/sys/kernel/tainted)"

status=$(systemctl show -p StatusText --value gpu-protod)
[ "$status" = "Serving /dev/gpu-proto (qemu-pl031 on vfio-amba:$dev)" ] || fail "StatusText '$status'"
gpu-protoctl status | grep -qx "unique=$dev" || fail "gpu-protoctl: $(gpu-protoctl status | grep unique)"
journalctl -u gpu-protod -b -o cat --no-pager | grep "vfio-amba $dev: group" | tail -n 1
journalctl -u gpu-protod -b -o cat --no-pager | grep -q "vfio-amba $dev: group noiommu-$grp, 1 region(s), 1 IRQ line(s), removal via uevents" ||
	fail "the daemon's bind message is missing"
pid=$(main_pid)
maps=$(daemon_vfio_maps "$pid")
[ "$maps" -ge 1 ] || fail "no mapping of the VFIO device in the daemon: the window should be mmap()ed"
ok "systemctl/gpu-protoctl: bound; the daemon maps the register window ($maps mapping(s))"
[ "$(vfio_irq_lines $irqname)" -eq 1 ] || fail "no vfio-irq line for $dev in /proc/interrupts"
before=$(vfio_irq_count $irqname)

as_render gp-board-client pl031-alarms 3 || fail "alarms"
after=$(vfio_irq_count $irqname)
echo "/proc/interrupts, vfio-irq($irqname): $before -> $after"
[ $((after - before)) -ge 3 ] || fail "the host saw $((after - before)) interrupts, expected >= 3"
ok "3 alarms: 3 level interrupts delivered, acknowledged and unmasked"

systemctl stop gpu-protod || fail "stop"
[ "$(vfio_irq_lines $irqname)" -eq 0 ] || fail "vfio-irq of $dev still requested after stop"
ok "stop: the interrupt line is released"
back_to_mock $dev
[ ! -e /sys/bus/amba/devices/$dev/driver ] || fail "$dev still bound after the bind unit stopped"
ok "gpu-proto-vfio-bind@$dev stop: released"
