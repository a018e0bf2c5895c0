#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The virtual-board tier: boot Debian bookworm arm64 with systemd as PID 1
# on a real arm64 kernel with vfio-platform (build-kernel.sh) under
# qemu-system-aarch64 (TCG, machine "virt"), with the project's arm64 .debs
# installed into the image with dpkg, and run the board tests (vm/test_*.sh)
# inside.  Prints one PASS/FAIL line per test and "board: N passed, N failed".
#
#   run-board.sh [--timeout SECS] [--test-timeout SECS] DEB_DIR ARM64_BUILD_DIR [TEST...]
#
# DEB_DIR holds the arm64 packages (libgpuproto0, gpu-proto-tools, gpu-protod
# *_arm64.deb, as scripts/test-deb.sh leaves them); ARM64_BUILD_DIR is an
# arm64 meson build (scripts/test-arm64.sh) with the test clients
# tests/gp-vm-client and tests/gp-board-client.  TEST... are names of
# tests/board/vm/test_NAME.sh (default: all of them, in a fixed order).
#
# Environment: GP_BOARD_REQUIRED=1 makes a missing prerequisite (tools,
# packages, kernel) a failure instead of a skip (exit 77); GP_BOARD_CACHE as
# for build-kernel.sh.  Needs root (image build, dpkg --root, cpio with
# owners).  Work files: $GP_BOARD_WORK, default ARM64_BUILD_DIR/board-tier.
set -u

here=$(cd "$(dirname "$0")" && pwd)
say() { echo "run-board: $*" >&2; }
die() { say "$*"; exit 1; }
required() { [ -n "${GP_BOARD_REQUIRED:-}" ] && [ "${GP_BOARD_REQUIRED}" != 0 ]; }
unavailable() {
	if required; then
		say "$* (GP_BOARD_REQUIRED is set: failing)"
		exit 1
	fi
	say "SKIP: $* (set GP_BOARD_REQUIRED=1 to make this a failure)"
	exit 77
}

vm_timeout=${GP_BOARD_TIMEOUT:-1500}
test_timeout=${GP_BOARD_TEST_TIMEOUT:-600}
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) vm_timeout=$2; shift 2 ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || die "usage: run-board.sh [--timeout S] [--test-timeout S] DEB_DIR ARM64_BUILD_DIR [TEST...]"
debdir=$1 abuild=$2
shift 2
[ "$(id -u)" -eq 0 ] || unavailable "the board tier needs root (mmdebstrap, dpkg --root, binfmt_misc)"
for t in qemu-system-aarch64 mmdebstrap cpio aarch64-linux-gnu-gcc; do
	command -v "$t" >/dev/null 2>&1 || unavailable "$t not found (scripts/install-deps.sh)"
done

debs=""
for p in libgpuproto0 gpu-proto-tools gpu-protod; do
	f=$(ls "$debdir/${p}_"*_arm64.deb 2>/dev/null | tail -n 1)
	[ -n "$f" ] || unavailable "no ${p}_*_arm64.deb in $debdir (scripts/test-deb.sh builds them)"
	debs="$debs $f"
done
clients=""
for c in gp-vm-client gp-board-client; do
	f="$abuild/tests/$c"
	[ -x "$f" ] || unavailable "$f not built (an arm64 meson build, scripts/test-arm64.sh)"
	file -b "$f" | grep -q aarch64 || die "$f is not an arm64 program"
	clients="$clients $f"
done

# --- tests -------------------------------------------------------------------
# Default: all, the systemd basics first, then each device, then hot-unbind.
[ $# -gt 0 ] || set -- systemd_mock pl031_amba virtio_platform unbind_amba unbind_platform unbind_fallback
for f in "$here"/vm/test_*.sh; do
	f=${f##*/test_}
	case " $* " in *" ${f%.sh} "*) ;; *) [ $# -ge 6 ] && die "test_$f is not in the default list" ;; esac
done
names="$*"
for n in $names; do [ -f "$here/vm/test_$n.sh" ] || die "no test tests/board/vm/test_$n.sh"; done

# --- kernel and base image (cached) -----------------------------------------
t0=$(date +%s)
kimage=$("$here/build-kernel.sh" | tail -n 1) && [ -f "$kimage" ] ||
	unavailable "cannot build the board kernel (see build-kernel messages above)"
kdir=${kimage%/*}
# shellcheck disable=SC2086
base=$("$here/build-image.sh" $debs | tail -n 1) && [ -d "$base" ] ||
	unavailable "cannot build the board base image (see build-image messages above)"
t1=$(date +%s)

# --- this run's image: base + the packages + the tests ------------------------
work=${GP_BOARD_WORK:-$(cd "$abuild" && pwd)/board-tier}
root="$work/root"
rm -rf "$root"
mkdir -p "$root" || die "cannot create $root"
rmdir "$root" && cp -a "$base" "$root" || die "cannot copy $base"
mkdir -p "$root/tmp/gp-debs"
# shellcheck disable=SC2086
cp $debs "$root/tmp/gp-debs/" || die "cannot copy the packages"
# As a user installs them: dpkg with maintainer scripts (arm64, through
# qemu-user); chroot, since dpkg --root does not run maintainer scripts there.
if ! chroot "$root" sh -c 'dpkg -i /tmp/gp-debs/*.deb' >"$work/dpkg.log" 2>&1; then
	cat "$work/dpkg.log" >&2
	die "dpkg -i of the project's packages failed in the image"
fi
rm -rf "$root/tmp/gp-debs"
grep -i -e warning -e error "$work/dpkg.log" | sed 's/^/run-board: dpkg: /' >&2

# CUSE and VFIO are built in: give modprobe and systemd-modules-load the
# kernel's modules.builtin so "cuse" (modules-load.d/gpu-proto.conf) is known.
krel=$(cat "$kdir/kernel.release")
mkdir -p "$root/lib/modules/$krel"
if [ -f "$kdir/modules.builtin" ]; then
	cp "$kdir/modules.builtin" "$root/lib/modules/$krel/"
else
	: >"$root/lib/modules/$krel/modules.builtin"
fi
# Without CONFIG_MODULES the build writes no modules.builtin: name what the
# tests load, as the kernel's build would.
for m in kernel/fs/fuse/cuse.ko kernel/fs/fuse/fuse.ko kernel/drivers/vfio/vfio.ko \
	kernel/drivers/vfio/platform/vfio-platform.ko kernel/drivers/vfio/platform/vfio-amba.ko; do
	grep -qx "$m" "$root/lib/modules/$krel/modules.builtin" ||
		echo "$m" >>"$root/lib/modules/$krel/modules.builtin"
done
: >"$root/lib/modules/$krel/modules.order"
chroot "$root" depmod "$krel" || die "depmod for $krel failed (in the image)"

tdir="$root/usr/local/lib/gpu-proto-board"
mkdir -p "$tdir"
# shellcheck disable=SC2086
cp $clients "$tdir/" || die "cannot copy the test clients"
cp "$here/vm/"board-*.sh "$here/vm/gp-board-runner.sh" "$tdir/"
: >"$tdir/tests.list"
for n in $names; do
	cp "$here/vm/test_$n.sh" "$tdir/"
	printf '%s\t%s\n' "$n" "/usr/local/lib/gpu-proto-board/test_$n.sh" >>"$tdir/tests.list"
done
echo "GP_TEST_TIMEOUT=$test_timeout" >"$tdir/config"
chmod 0755 "$tdir"/*.sh "$tdir"/gp-*-client
cp "$here/vm/gp-board-test.service" "$root/etc/systemd/system/"
ln -sf ../gp-board-test.service "$root/etc/systemd/system/multi-user.target.wants/gp-board-test.service"

# The whole root in an uncompressed initramfs (the kernel unpacks it in ~1 s).
initrd="$work/root.cpio"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$initrd" || die "cannot build $initrd"
t2=$(date +%s)
say "kernel+base image $((t1 - t0)) s, this run's image $((t2 - t1)) s ($(($(stat -c %s "$initrd") / 1048576)) MiB)"

# --- boot ------------------------------------------------------------------------
log="$work/console.log"
: >"$log"
cmdline="rdinit=/sbin/init console=ttyAMA0 panic=-1 quiet loglevel=4"
cmdline="$cmdline vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0"
cmdline="$cmdline systemd.show_status=error"
say "booting the board with: $names (timeout ${vm_timeout}s); console log: $log"
start=$(date +%s)
timeout -k 10 "$vm_timeout" qemu-system-aarch64 \
	-M virt -cpu max,pauth-impdef=on -smp 2 -m 2048 \
	-nodefaults -no-user-config -display none -no-reboot \
	-chardev "stdio,id=con,signal=off,logfile=$log" -serial chardev:con \
	-kernel "$kimage" -initrd "$initrd" -append "$cmdline" </dev/null >/dev/null
qemu_rc=$?
elapsed=$(($(date +%s) - start))

# --- results -------------------------------------------------------------------
echo
echo "=== virtual-board results (boot to power-off ${elapsed}s, console log $log)"
clean=$(tr -d '\r' <"$log")
passed=0 failed=0
for n in $names; do
	echo "$clean" | grep -a "^GP-BOARD-OUT $n: " | sed 's/^GP-BOARD-OUT [^ ]* /  | /'
	r=$(echo "$clean" | grep -a "^GP-BOARD-RESULT $n " | tail -n 1)
	case "$r" in
	*" PASS "*) echo "PASS board/$n"; passed=$((passed + 1)) ;;
	*" FAIL "*)
		echo "$clean" | grep -a "^GP-BOARD-LOG $n: " | sed 's/^GP-BOARD-LOG [^ ]* /  journal| /'
		echo "FAIL board/$n (exit status ${r##* })"
		failed=$((failed + 1)) ;;
	*) echo "FAIL board/$n (no result: the board did not run it to the end)"; failed=$((failed + 1)) ;;
	esac
done
if ! echo "$clean" | grep -a -q '^GP-BOARD-DONE'; then
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		echo "FAIL: the board did not finish within ${vm_timeout}s"
	else
		echo "FAIL: the board stopped before GP-BOARD-DONE (qemu exit status $qemu_rc); last lines:"
	fi
	echo "$clean" | grep -a -v '^GP-BOARD-OUT' | tail -n 30 | sed 's/^/  | /'
	failed=$((failed + 1))
fi
echo "board: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
