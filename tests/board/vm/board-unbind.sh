#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Real hot-unbind of a device gpu-protod drives, under client load:
#
#   board-unbind.sh BUS DEVICE PERSONALITY CYCLES uevent|poll auto|manual
#
# BUS is platform or amba; PERSONALITY qemu-pl031 or qemu-virtio-mmio.
# Each cycle: a reader blocked in read(2) and a poller are started, then
# `echo DEVICE > /sys/bus/BUS/drivers/vfio-BUS/unbind`, timed until it
# returns; the readers must get ENODEV / POLLERR|POLLHUP; the daemon must
# hold no VFIO fd and no VFIO mapping; then the device is bound again
# (drivers_probe) and the daemon takes it back: by itself (--rebind=auto)
# or, with --rebind=manual, only on `gpu-protoctl bind`.  Throughout, one
# client hammers the personality's INFO ioctl (register reads) and one the
# core ioctls: only success and ENODEV are allowed.  (Two busy clients are
# what a 2-vCPU TCG guest carries while the test itself still gets CPU.)
# "uevent" is the daemon's normal removal detection, "poll" the fallback
# with uevents off (--test-removal=poll).  Prints the latencies.
set -u
. /usr/local/lib/gpu-proto-board/board-lib.sh

[ $# -eq 6 ] || fail "usage: board-unbind.sh BUS DEVICE PERSONALITY CYCLES uevent|poll auto|manual"
bus=$1 dev=$2 personality=$3 cycles=$4 mode=$5 rb=$6
sys=/sys/bus/$bus
drvdir=$sys/drivers/vfio-$bus
kind=pl031
# The name VFIO requests the interrupt with: vfio-amba uses the peripheral ID.
irqname=vfio-amba-00141031
if [ "$personality" = qemu-virtio-mmio ]; then
	kind=virtio
	irqname=$dev
fi

args="--backend=vfio-$bus:$dev --driver=$personality --rebind=$rb"
[ "$mode" = poll ] && args="$args --test-removal=poll"
use_vfio_device "$dev" $args
pid=$(main_pid)
expect="removal via uevents"
[ "$mode" = poll ] && expect="removal via polling the driver link"
journalctl -u gpu-protod -b -o cat --no-pager | grep "vfio-$bus $dev: group" | tail -n 1 | grep -q "$expect" ||
	fail "the daemon does not say '$expect'"

stop=/tmp/hammer-stop
rm -f "$stop"
# Niced: they take every idle cycle, but the test's own steps (process
# starts, /proc checks) are not starved on the 2 guest CPUs.
GP_HAMMER_STOP_FILE=$stop as_render nice -n 10 gp-board-client info-hammer "$kind" 600 >/tmp/info1.log 2>&1 &
h1=$!
GP_HAMMER_CORE=1 GP_HAMMER_STOP_FILE=$stop as_render nice -n 10 gp-vm-client hammer 600 1 1 >/tmp/core.log 2>&1 &
h3=$!
sleep 1

lat=/tmp/unbind-latency.$mode.$dev
: >"$lat"
serial=$(gpu-protoctl status | sed -n 's/^serial=//p')
i=0
while [ "$i" -lt "$cycles" ]; do
	i=$((i + 1))
	gpu-protoctl status | grep -qx 'state=bound' || fail "cycle $i: not bound at the start"
	as_render gp-vm-client block-read >/tmp/reader.log 2>&1 &
	reader=$!
	as_render gp-vm-client poll-hup >/tmp/poller.log 2>&1 &
	poller=$!
	wait_opened "$reader" || fail "cycle $i: the reader did not open the node: $(cat /tmp/reader.log)"
	wait_opened "$poller" || fail "cycle $i: the poller did not open the node: $(cat /tmp/poller.log)"

	t0=$(ns_now)
	echo "$dev" >"$drvdir/unbind" || fail "cycle $i: unbind write failed"
	t1=$(ns_now)
	ms=$(((t1 - t0) / 1000000))
	echo "$ms" >>"$lat"

	# The readers were woken by the revoke, before the unbind could return.
	wait_for 5 sh -c "! kill -0 $reader 2>/dev/null" || fail "cycle $i: reader still blocked"
	wait "$reader" || fail "cycle $i: reader: $(cat /tmp/reader.log)"
	grep -q ENODEV /tmp/reader.log || fail "cycle $i: reader: $(cat /tmp/reader.log)"
	wait_for 5 sh -c "! kill -0 $poller 2>/dev/null" || fail "cycle $i: poller still blocked"
	wait "$poller" || fail "cycle $i: poller: $(cat /tmp/poller.log)"
	# Released: the unbind returned only after the device fd and every
	# mapping were gone; the container and group close right after.
	wait_for 2 sh -c "[ \$(ls -l /proc/$pid/fd | grep -c vfio) -eq 0 ]" ||
		fail "cycle $i: VFIO fds left in the daemon: $(ls -l /proc/$pid/fd | grep vfio)"
	[ "$(daemon_vfio_maps "$pid")" -eq 0 ] || fail "cycle $i: VFIO mappings left: $(grep vfio /proc/$pid/maps)"
	[ "$(vfio_irq_lines "$irqname")" -eq 0 ] || fail "cycle $i: the interrupt is still requested"
	[ ! -e "$sys/devices/$dev/driver" ] || fail "cycle $i: still bound after unbind returned"
	gpu-protoctl status | grep -qx 'state=unbound' || fail "cycle $i: the daemon still says bound"
	kill -0 "$pid" || fail "cycle $i: the daemon died"

	# Back: the kernel binds it to vfio again (driver_override is still set).
	echo "$dev" >"$sys/drivers_probe" || fail "cycle $i: drivers_probe"
	[ "$(basename "$(readlink "$sys/devices/$dev/driver")")" = "vfio-$bus" ] || fail "cycle $i: not rebound to vfio-$bus"
	if [ "$rb" = manual ]; then
		# --rebind=manual: the daemon leaves the device alone until told.
		sleep 0.5
		gpu-protoctl status | grep -qx 'state=unbound' || fail "cycle $i: rebound without gpu-protoctl bind"
		out=$(gpu-protoctl bind) || fail "cycle $i: gpu-protoctl bind: $out"
	fi
	wait_for 10 sh -c "gpu-protoctl status | grep -qx state=bound" || fail "cycle $i: the daemon did not rebind ($rb)"
	new=$(gpu-protoctl status | sed -n 's/^serial=//p')
	[ "$new" != "$serial" ] || fail "cycle $i: same device serial after rebind"
	serial=$new
	echo "cycle $i: unbind returned in $ms ms; readers got ENODEV; no VFIO fd or map left; rebound ($rb, device #$new)"
done

touch "$stop"
for h in $h1 $h3; do
	wait_for 20 sh -c "! kill -0 $h 2>/dev/null" || fail "a hammer client did not stop"
done
rc=0
wait "$h1" || rc=1
wait "$h3" || rc=1
cat /tmp/info1.log /tmp/core.log
[ "$rc" -eq 0 ] || fail "a client saw a result other than success or ENODEV"
grep -q ' [1-9][0-9]* ENODEV' /tmp/info1.log || fail "no INFO ioctl met a revoke: the test proved nothing"
[ "$(systemctl is-active gpu-protod)" = active ] || fail "gpu-protod is $(systemctl is-active gpu-protod)"
[ "$(main_pid)" = "$pid" ] || fail "the daemon was restarted"
sort -n "$lat" | awk -v m="$mode" -v d="$dev" '{ a[NR] = $1; s += $1 } END {
	printf "GP-BOARD-METRIC unbind-latency %s %s: n=%d min=%d median=%d max=%d mean=%.0f ms\n",
	       m, d, NR, a[1], a[int((NR + 1) / 2)], a[NR], s / NR }'
back_to_mock "$dev"
