#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the VM test tier: PID 1 inside the QEMU guest (busybox sh).
# run-vm.sh copies it into the initramfs next to:
#   /gp/config          GP_TEST_TIMEOUT (seconds per test)
#   /gp/tests.list      one test a line: NAME<TAB>COMMAND
#   /gp/modules/order   module names in load order, /gp/modules/NAME.ko
#   /gp/bin, /gp/lib    the test programs and libraries not in system paths
# and reports on the serial console, one line each, which the host parses:
#   GP-VM-BOOTED <kernel release>
#   GP-VM-MODULE-FAILED <module>
#   GP-VM-START <name>
#   GP-VM-OUT <name>: <a line of the test's stdout/stderr>
#   GP-VM-RESULT <name> PASS|FAIL <exit status>
#   GP-VM-KMSG <name>: <a line of dmesg logged during a failed test>
#   GP-VM-DONE
# then powers off.  If this script dies, the kernel panics and panic=-1
# with QEMU's -no-reboot ends the VM: the host then sees no GP-VM-DONE.

PATH=/gp/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
LD_LIBRARY_PATH=/gp/lib
export PATH HOME LD_LIBRARY_PATH

# The initramfs has no /dev/console (building it needs no root), so the
# kernel could not give us stdio: take it from devtmpfs.
mount -t devtmpfs -o mode=0755 devtmpfs /dev
exec </dev/console >/dev/console 2>&1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
hostname gp-vm
chown 1000:1000 /home/gpuser
chown 1001:1001 /home/gprender

GP_TEST_TIMEOUT=60
. /gp/config

echo "GP-VM-BOOTED $(uname -r)"

for m in $(cat /gp/modules/order); do
	insmod "/gp/modules/$m.ko" || echo "GP-VM-MODULE-FAILED $m"
done
# cuse is a misc device (10:203); devtmpfs normally creates the node.
[ -e /dev/cuse ] || mknod -m 0600 /dev/cuse c 10 203

while IFS='	' read -r name cmd; do
	[ -n "$name" ] || continue
	echo "GP-VM-START $name"
	kmsg_seen=$(dmesg | wc -l)
	# Output goes to a file, not a pipe: a process the test leaves behind
	# would keep a pipe open and hang the run.  Whatever is left running
	# is killed before the next test (kill -1 spares PID 1, this shell).
	(cd /tmp && exec timeout -k 5 "$GP_TEST_TIMEOUT" sh -c "$cmd") \
		</dev/null >/run/gp-test.out 2>&1
	rc=$?
	kill -KILL -1 2>/dev/null
	sed "s/^/GP-VM-OUT $name: /" /run/gp-test.out
	if [ "$rc" -eq 0 ]; then
		echo "GP-VM-RESULT $name PASS 0"
	else
		[ "$rc" -eq 143 ] || [ "$rc" -eq 137 ] &&
			echo "GP-VM-OUT $name: (killed by signal $((rc - 128)): timed out after ${GP_TEST_TIMEOUT}s?)"
		# What the kernel said while the test ran.
		dmesg | tail -n +$((kmsg_seen + 1)) | sed "s/^/GP-VM-KMSG $name: /"
		echo "GP-VM-RESULT $name FAIL $rc"
	fi
done </gp/tests.list

echo "GP-VM-DONE"
sync
poweroff -f
