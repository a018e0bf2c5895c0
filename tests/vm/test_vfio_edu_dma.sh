#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test (q35 + intel-iommu + edu): qemu-edu DMA through vfio-pci and the
# real IOMMU.  A client fills a buffer object through its gpc_bo_map()
# mapping, DMAs it to the device and back into a second object, and the
# bytes match.  Then four clients loop round trips while the device is
# unbound through sysfs and rebound, ten times; after every unbind the
# daemon has nothing of the device left: no vfio fd, no BAR mapping, and
# no page pinned for DMA (type1 accounts every pinned page in the mapping
# process's locked_vm, VmLck; VmPin is checked too).
set -u
. /gp/bin/gp-vm-lib.sh

bdf=""
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		bdf=${d##*/}
	fi
done
[ -n "$bdf" ] || fail "no edu device (QEMU -device edu)"
dev=/sys/bus/pci/devices/$bdf
group=$(basename "$(readlink "$dev/iommu_group")")
echo "edu at $bdf, IOMMU group $group"

echo vfio-pci >"$dev/driver_override"
[ -e "$dev/driver" ] && echo "$bdf" >"$dev/driver/unbind"
echo "$bdf" >/sys/bus/pci/drivers_probe
[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] || fail "edu is not bound to vfio-pci"

# What the kernel shows of the IOMMU's page tables: only with IOMMU debugfs.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -e /sys/kernel/debug/iommu/intel/domain_translation_struct ]; then
	iommu_debugfs=/sys/kernel/debug/iommu/intel/domain_translation_struct
	echo "IOMMU debugfs: $iommu_debugfs"
else
	iommu_debugfs=""
	echo "IOMMU debugfs: absent (this kernel has no CONFIG_IOMMU_DEBUGFS); pinned pages" \
	     "are checked through the daemon's VmLck/VmPin, which vfio_iommu_type1 charges" \
	     "for every page it maps"
fi

start_daemon --backend "vfio-pci:$bdf" --driver qemu-edu

status_kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" /proc/"$daemon"/status; }

lck0=$(status_kb VmLck)
pin0=$(status_kb VmPin)
echo "bound, idle: VmLck ${lck0} kB, VmPin ${pin0} kB"

gp-vm-edu-dma roundtrip || fail "DMA round trip"
[ "$(status_kb VmLck)" = "$lck0" ] || fail "VmLck $(status_kb VmLck) kB after the round trip"

# Nothing of the device left in the daemon.
nothing_left() {
	lck=$(status_kb VmLck)
	pin=$(status_kb VmPin)
	[ "$lck" = "$lck0" ] || fail "after unbind #$1: VmLck ${lck} kB (was ${lck0} kB idle): pages still pinned"
	[ "$pin" = "$pin0" ] || fail "after unbind #$1: VmPin ${pin} kB (was ${pin0} kB idle)"
	grep vfio /proc/"$daemon"/maps && fail "after unbind #$1: a vfio mapping is left"
	ls -l /proc/"$daemon"/fd 2>/dev/null | grep /dev/vfio/ && fail "after unbind #$1: a vfio fd is left"
	if [ -n "$iommu_debugfs" ] && grep -q "$bdf" "$iommu_debugfs"; then
		fail "after unbind #$1: the IOMMU still has a domain for $bdf"
	fi
	return 0
}

now_cs() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}"; }

rm -f /tmp/stop-dma
clients=""
for id in 0 1 2 3; do
	gp-vm-edu-dma loop "$id" /tmp/stop-dma >/tmp/dma-client-$id.log 2>&1 &
	clients="$clients $!"
done

# While they run, the pinning must be visible: a check that could see nothing proves nothing.
max=$lck0
i=0
while [ "$i" -lt 100 ]; do
	l=$(status_kb VmLck)
	[ "$l" -gt "$max" ] && max=$l
	i=$((i + 1))
	sleep 0.02
done
echo "under DMA load: VmLck up to ${max} kB"
[ "$max" -gt "$lck0" ] || fail "VmLck never rose during DMA: the check cannot see pinning"

worst=0
n=1
while [ "$n" -le 10 ]; do
	t0=$(now_cs)
	echo "$bdf" >/sys/bus/pci/drivers/vfio-pci/unbind || fail "unbind #$n"
	t1=$(now_cs)
	ms=$(( (t1 - t0) * 10 ))
	[ "$ms" -gt "$worst" ] && worst=$ms
	[ "$ms" -le 2000 ] || fail "unbind #$n under DMA took ${ms} ms"
	kill -0 "$daemon" || fail "the daemon died at unbind #$n"
	nothing_left "$n"
	after="VmLck ${lck} kB, VmPin ${pin} kB after it"
	echo "$bdf" >/sys/bus/pci/drivers_probe || fail "drivers_probe #$n"
	i=0
	until gpu-protoctl status | grep -q '^state=bound$'; do
		i=$((i + 1))
		[ "$i" -le 50 ] || fail "no automatic rebind within 5 s after cycle #$n"
		sleep 0.1
	done
	echo "cycle $n: unbind under DMA returned in ${ms} ms; $after"
	sleep 1
	n=$((n + 1))
done
touch /tmp/stop-dma
rc=0
for p in $clients; do
	wait "$p" || rc=1
done
cat /tmp/dma-client-*.log
[ "$rc" -eq 0 ] || fail "a DMA client saw a mismatch or an unexpected error"
# The driver unmapped its own transfers; the backend's safety net never had to.
grep "driver bug" "$log" && fail "the backend unmapped DMA the driver left behind"
echo "10 unbinds under DMA: slowest ${worst} ms; nothing pinned or mapped after any"

gp-vm-edu-dma roundtrip || fail "DMA round trip after the cycles"
stop_daemon
