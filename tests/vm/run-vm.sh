#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boot a real Debian kernel under QEMU (TCG) with the given programs in an
# initramfs, run tests inside, and report each test's result here.
#
#   run-vm.sh [OPTIONS] BUILD_DIR TEST...
#
# TEST is either a path to an executable (binary or script; its name is the
# file name without .sh) or NAME=COMMAND (a shell command run in the VM).
# Every program is copied into /gp/bin in the VM (which is first in PATH)
# together with the shared libraries it needs.
#
# Options:
#   --bin PATH          also copy PATH into /gp/bin (a program tests call)
#   --timeout SECS      the whole VM run (default $GP_VM_TIMEOUT or 300)
#   --test-timeout SECS each test (default $GP_VM_TEST_TIMEOUT or 60)
#   --iommu             q35 with an emulated Intel IOMMU, intel_iommu=on
#   --edu               add QEMU's edu PCI device (implies --iommu)
#   --smp N, --mem MB   guest CPUs (default 1) and memory (default 1024)
#   --qemu-arg ARG      pass ARG to QEMU (repeatable)
#   --append STR        add STR to the kernel command line
#   --kernel META       boot the kernel Debian's metapackage META depends on
#                       (default linux-image-amd64: 6.1; linux-image-6.12-amd64
#                       is bookworm-security's 6.12)
#   --modules "M..."    load these modules (and their dependencies) at boot
#                       instead of fetch-kernel.sh's default list
#
# Exit status: 0 when every test passed; 1 when one failed, has no result,
# or the VM did not reach its end; 77 (skip) when QEMU, busybox or the
# kernel cannot be obtained and GP_VM_REQUIRED is unset or 0 (with
# GP_VM_REQUIRED=1 that is a failure).  Files: BUILD_DIR/vm-tier/.
set -u

here=$(cd "$(dirname "$0")" && pwd)

say() { echo "run-vm: $*" >&2; }
die() { say "$*"; exit 1; }
required() { [ -n "${GP_VM_REQUIRED:-}" ] && [ "${GP_VM_REQUIRED}" != 0 ]; }
# A missing prerequisite: skip, unless CI said the VM tier must run.
unavailable() {
	if required; then
		say "$* (GP_VM_REQUIRED is set: failing)"
		exit 1
	fi
	say "SKIP: $* (set GP_VM_REQUIRED=1 to make this a failure)"
	exit 77
}

vm_timeout=${GP_VM_TIMEOUT:-300}
test_timeout=${GP_VM_TEST_TIMEOUT:-60}
smp=1
mem=1024
iommu=0
edu=0
append=""
bins=""
nl='
'
qemu_extra=""

while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bins="$bins$2$nl"; shift 2 ;;
	--timeout) vm_timeout=$2; shift 2 ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--iommu) iommu=1; shift ;;
	--edu) edu=1; iommu=1; shift ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--qemu-arg) qemu_extra="$qemu_extra$2$nl"; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--kernel) GP_VM_KERNEL=$2; export GP_VM_KERNEL; shift 2 ;;
	--modules) GP_VM_MODULES=$2; export GP_VM_MODULES; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die "usage: run-vm.sh [OPTIONS] BUILD_DIR TEST..."
build=$1
shift
[ -d "$build" ] || die "build directory $build does not exist"
[ $# -ge 1 ] || unavailable "no VM tests were built (is libfuse3-dev installed?)"

# --- prerequisites -----------------------------------------------------------

kdir=$("$here/fetch-kernel.sh" | tail -n 1) && [ -f "$kdir/vmlinuz" ] ||
	unavailable "cannot obtain QEMU, busybox or the kernel (see fetch-kernel messages above)"
busybox=$(command -v busybox 2>/dev/null || echo /bin/busybox)
[ -x "$busybox" ] || unavailable "busybox not found"
command -v qemu-system-x86_64 >/dev/null 2>&1 || unavailable "qemu-system-x86_64 not found"

# --- the initramfs -----------------------------------------------------------

work="$(cd "$build" && pwd)/vm-tier"
root="$work/root"
rm -rf "$root"
mkdir -p "$root/gp/bin" "$root/gp/lib" "$root/gp/modules" "$root/etc" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" \
	"$root/root" "$root/home/gpuser" "$root/home/gprender" || die "cannot create $root"

# Copy the shared libraries ELF file $1 needs.  System libraries keep their
# path (the dynamic loader's default search finds them, and PT_INTERP names
# the loader by path); others (a build directory's) go to /gp/lib, which is
# in LD_LIBRARY_PATH: /tmp is a fresh tmpfs in the VM.
copy_libs() {
	out=$(ldd "$1" 2>/dev/null) || return 0 # static, or not ELF: nothing to do
	if echo "$out" | grep -q 'not found'; then
		echo "$out" >&2
		die "$1: shared libraries not found"
	fi
	echo "$out" | sed -n 's/.*=> \(\/[^ ]*\) (.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		while IFS= read -r lib; do
			case "$lib" in
			/lib/* | /lib64/* | /usr/lib/* | /usr/lib64/*) dst="$root$lib" ;;
			*) dst="$root/gp/lib/${lib##*/}" ;;
			esac
			[ -e "$dst" ] && continue
			mkdir -p "${dst%/*}" && cp -L "$lib" "$dst" || exit 1
		done || die "copying the libraries of $1 failed"
}

# Copy program $1 into /gp/bin (as $2 if given) with its libraries.
add_program() {
	[ -f "$1" ] || die "$1: no such file"
	dst="$root/gp/bin/${2:-${1##*/}}"
	[ -e "$dst" ] && die "two programs named ${dst##*/}"
	cp -L "$1" "$dst" && chmod 0755 "$dst" || die "cannot copy $1"
	copy_libs "$1"
}

# busybox and its applets.
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
cp -L "$busybox" "$root/bin/busybox" || die "cannot copy $busybox"
copy_libs "$busybox"
"$busybox" --list-full | while IFS= read -r applet; do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# Kernel modules.
cp "$kdir/modules/"*.ko "$kdir/modules/order" "$root/gp/modules/" || die "cannot copy modules"

# Users: root; gpuser (1000) unprivileged; gprender (1001) in group render.
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
gpuser:x:1000:1000:gpu-proto test user:/home/gpuser:/bin/sh
gprender:x:1001:1001:gpu-proto render user:/home/gprender:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
render:x:990:gprender
gpuser:x:1000:
gprender:x:1001:
nogroup:x:65534:
EOF
chmod 0700 "$root/root"

add_program "$here/gp-as-user.sh" gp-as-user
printf '%s' "$bins" | while IFS= read -r b; do
	[ -n "$b" ] && add_program "$b"
done || exit 1

# Tests.
names=""
: >"$root/gp/tests.list"
for t in "$@"; do
	case "$t" in
	*=*)
		name=${t%%=*}
		cmd=${t#*=}
		;;
	*)
		base=${t##*/}
		name=${base%.sh}
		add_program "$t" "$base"
		cmd="/gp/bin/$base"
		;;
	esac
	case "$name" in
	"" | *[!A-Za-z0-9_.-]*) die "bad test name '$name' (letters, digits, _ . - only)" ;;
	esac
	case " $names " in *" $name "*) die "two tests named $name" ;; esac
	names="$names $name"
	printf '%s\t%s\n' "$name" "$cmd" >>"$root/gp/tests.list"
done

# glibc loads libgcc_s.so.1 with dlopen (so ldd cannot name it) to unwind
# threads in pthread_cancel and pthread_exit, as libfuse's worker threads do:
# ship it next to libc.
for libc in "$root"/lib/*/libc.so.6 "$root"/usr/lib/*/libc.so.6 "$root"/lib64/libc.so.6; do
	[ -f "$libc" ] || continue
	d=${libc%/*}
	[ -f "${d#"$root"}/libgcc_s.so.1" ] && [ ! -e "$d/libgcc_s.so.1" ] &&
		cp -L "${d#"$root"}/libgcc_s.so.1" "$d/"
done

cp "$here/vm-init.sh" "$root/init" && chmod 0755 "$root/init" || die "cannot install /init"
echo "GP_TEST_TIMEOUT=$test_timeout" >"$root/gp/config"

initrd="$work/initrd.cpio.gz"
# -R 0:0: everything belongs to root in the VM, whoever built it (vm-init.sh
# gives the users their homes).
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$initrd" ||
	die "cannot build $initrd"

# --- boot --------------------------------------------------------------------

log="$work/console.log"
: >"$log"
machine=""
cmdline="console=ttyS0 quiet panic=-1$append"
if [ "$iommu" -eq 1 ]; then
	machine="-M q35,kernel-irqchip=split -device intel-iommu,intremap=on"
	cmdline="$cmdline intel_iommu=on"
fi
[ "$edu" -eq 1 ] && machine="$machine -device edu"

say "booting $(basename "$kdir") with$names (initramfs $(($(wc -c <"$initrd") / 1024)) KiB, timeout ${vm_timeout}s)"
say "console log: $log"
start=$(date +%s)
# The console is both shown here and written to the log (chardev logfile).
# shellcheck disable=SC2086
printf '%s' "$qemu_extra" | {
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done
	timeout -k 10 "$vm_timeout" qemu-system-x86_64 \
		-accel tcg -cpu max -m "$mem" -smp "$smp" \
		-nodefaults -no-user-config -display none -no-reboot \
		-chardev "stdio,id=con,signal=off,logfile=$log" -serial chardev:con \
		$machine "$@" \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" -append "$cmdline" </dev/null
}
qemu_rc=$?
elapsed=$(($(date +%s) - start))

# --- results -----------------------------------------------------------------

echo
echo "=== VM tier results (${elapsed}s, console log $log)"
results=$(tr -d '\r' <"$log" | grep -a -o 'GP-VM-RESULT [^ ]* [A-Z]* [0-9]*')
passed=0
failed=0
for name in $names; do
	r=$(echo "$results" | grep -a "^GP-VM-RESULT $name " | tail -n 1)
	case "$r" in
	*" PASS "*) echo "PASS $name"; passed=$((passed + 1)) ;;
	*" FAIL "*)
		echo "FAIL $name (exit status ${r##* }); its output and kernel messages:"
		tr -d '\r' <"$log" | grep -a -e "^GP-VM-OUT $name: " -e "^GP-VM-KMSG $name: " |
			sed 's/^GP-VM-[A-Z]* [^ ]* /  | /'
		failed=$((failed + 1))
		;;
	*) echo "FAIL $name (no result: the VM did not run it to the end)"; failed=$((failed + 1)) ;;
	esac
done
status=0
[ "$failed" -eq 0 ] || status=1
tr -d '\r' <"$log" | grep -a -o 'GP-VM-MODULE-FAILED .*' | sed 's/^/warning: /'
if ! tr -d '\r' <"$log" | grep -a -q 'GP-VM-DONE'; then
	status=1
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		echo "FAIL: the VM did not finish within ${vm_timeout}s (--timeout / GP_VM_TIMEOUT)"
	else
		echo "FAIL: the VM stopped before GP-VM-DONE (qemu exit status $qemu_rc); last console lines:"
		tr -d '\r' <"$log" | grep -a -v '^GP-VM-KMSG' | tail -n 20 | sed 's/^/  | /'
	fi
fi
echo "vm: $passed passed, $failed failed"
exit $status
