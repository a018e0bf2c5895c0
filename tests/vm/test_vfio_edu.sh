#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test (q35 + intel-iommu + edu): gpu-protod on vfio-pci with the
# qemu-edu personality.  Clients ioctl and receive real interrupts as
# events; a sysfs unbind while clients hammer ioctls returns within 2 s,
# after which the daemon holds no fd and no mapping of the device and
# clients get ENODEV; drivers_probe rebinds and new opens work; 20
# unbind/rebind cycles under load with zero failures.
set -u
. /gp/bin/gp-vm-lib.sh

# Find the edu device (PCI 1234:11e8).
bdf=""
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		bdf=${d##*/}
	fi
done
[ -n "$bdf" ] || fail "no edu device (QEMU -device edu)"
dev=/sys/bus/pci/devices/$bdf
echo "edu at $bdf, IOMMU group $(basename "$(readlink "$dev/iommu_group")")"

echo vfio-pci >"$dev/driver_override"
[ -e "$dev/driver" ] && echo "$bdf" >"$dev/driver/unbind"
echo "$bdf" >/sys/bus/pci/drivers_probe
[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] || fail "edu is not bound to vfio-pci"

start_daemon --backend "vfio-pci:$bdf" --driver qemu-edu
gp-vm-client edu-irq || fail "interrupt event"

# /proc/uptime in centiseconds.
now_cs() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}"; }

holds_device() {
	ls -l /proc/"$daemon"/fd 2>/dev/null | grep -q /dev/vfio/ && return 0
	grep -q "vfio" /proc/"$daemon"/maps 2>/dev/null
}

cycle() {
	t0=$(now_cs)
	echo "$bdf" >/sys/bus/pci/drivers/vfio-pci/unbind || fail "unbind #$1"
	t1=$(now_cs)
	ms=$(( (t1 - t0) * 10 ))
	[ "$ms" -le 2000 ] || fail "unbind #$1 took ${ms} ms (more than 2 s)"
	holds_device && fail "after unbind #$1 the daemon still holds a vfio fd or mapping"
	kill -0 "$daemon" || fail "the daemon died at unbind #$1"
	echo "$bdf" >/sys/bus/pci/drivers_probe || fail "drivers_probe #$1"
	# --rebind=auto: the daemon probes the device again by itself.
	i=0
	until gpu-protoctl status | grep -q '^state=bound$'; do
		i=$((i + 1))
		[ "$i" -le 50 ] || fail "no automatic rebind within 5 s after cycle #$1"
		sleep 0.1
	done
	echo "cycle $1: unbind returned in ${ms} ms"
}

# One cycle with a client holding the device open, then 20 under load.
holds_device || fail "the daemon does not hold the device while bound"
GP_HAMMER_CORE=1 gp-vm-client hammer 2 2 1 >/tmp/hammer0.log 2>&1 &
h0=$!
sleep 0.5
cycle 0
wait "$h0" || { cat /tmp/hammer0.log; fail "clients during the first unbind"; }
cat /tmp/hammer0.log
gp-vm-client edu-irq >/dev/null || fail "interrupt after the rebind"

rm -f /tmp/stop-hammer
GP_HAMMER_CORE=1 GP_HAMMER_STOP_FILE=/tmp/stop-hammer gp-vm-client hammer 120 2 2 \
	>/tmp/hammer.log 2>&1 &
hammer=$!
n=1
while [ "$n" -le 20 ]; do
	cycle "$n"
	sleep 0.2
	n=$((n + 1))
done
touch /tmp/stop-hammer
wait "$hammer"
rc=$?
cat /tmp/hammer.log
[ "$rc" -eq 0 ] || fail "clients saw unexpected results during the 20 cycles"
gp-vm-client edu-irq >/dev/null || fail "interrupt after 20 cycles"
gpu-protoctl status | grep -E '^(state|binds|unbinds)='
stop_daemon

# --rebind=manual: after a removal the daemon waits for 'gpu-protoctl bind'.
start_daemon --backend "vfio-pci:$bdf" --driver qemu-edu --rebind=manual
echo "$bdf" >/sys/bus/pci/drivers/vfio-pci/unbind || fail "unbind (manual)"
echo "$bdf" >/sys/bus/pci/drivers_probe || fail "drivers_probe (manual)"
sleep 1
gpu-protoctl status | grep -q '^state=unbound$' || fail "--rebind=manual rebound by itself"
gpu-protoctl bind >/dev/null || fail "bind after a manual-rebind removal"
gp-vm-client edu-irq >/dev/null || fail "interrupt after the manual rebind"
echo "ok: --rebind=manual waits for gpu-protoctl bind"
stop_daemon
