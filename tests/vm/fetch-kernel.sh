#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Provide what the VM test tier boots: the host tools (QEMU, a static
# busybox, cpio) and a Debian kernel with the modules the tests load.
#
#   fetch-kernel.sh [--no-install]
#
# Prints, as its last line on stdout, the directory holding
#   vmlinuz           the kernel image
#   modules/*.ko      the needed modules and everything they depend on
#   modules/order     module names in a load order that satisfies the deps
# The kernel is the exact linux-image-6.1.0-NN-amd64 package that Debian's
# linux-image-amd64 metapackage depends on (another metapackage with
# GP_VM_KERNEL, e.g. linux-image-6.12-amd64 from bookworm-security, whose
# virtio-gpu has DRIVER_SYNCOBJ), downloaded with apt-get download
# (root not needed) and unpacked with dpkg -x; only the image and the needed
# modules are kept.  A second run with the same kernel and module list does
# nothing.  Missing host tools are installed with apt-get when running as
# root (unless --no-install); otherwise the script says which to install.
#
# Cache: $GP_VM_CACHE, else $XDG_CACHE_HOME/gpu-proto-vm, else
# ~/.cache/gpu-proto-vm.  Exit status: 0 on success, 1 when something could
# not be obtained (the message says what).
set -eu

# Module load order requested by the tests (vm-tier.md: the order that
# worked); dependencies found in the .ko files are loaded before each.
GP_VM_MODULES=${GP_VM_MODULES:-"fuse cuse irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci drm drm_shmem_helper vgem"}

# The metapackage whose one dependency is the kernel to boot.
GP_VM_KERNEL=${GP_VM_KERNEL:-linux-image-amd64}
case "$GP_VM_KERNEL" in
linux-image-*-amd64 | linux-image-amd64) ;;
*) echo "fetch-kernel: GP_VM_KERNEL=$GP_VM_KERNEL: expected an amd64 kernel metapackage" >&2; exit 1 ;;
esac

install=1
[ "${1-}" = "--no-install" ] && install=0

say() { echo "fetch-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# --- host tools --------------------------------------------------------------

missing_tools() {
	m=""
	command -v qemu-system-x86_64 >/dev/null 2>&1 || m="$m qemu-system-x86"
	[ -x /bin/busybox ] || command -v busybox >/dev/null 2>&1 || m="$m busybox-static"
	command -v cpio >/dev/null 2>&1 || m="$m cpio"
	command -v dpkg >/dev/null 2>&1 || m="$m dpkg"
	# Debian's 6.12 kernels ship their modules xz-compressed.
	command -v xz >/dev/null 2>&1 || m="$m xz-utils"
	echo "$m"
}

missing=$(missing_tools)
if [ -n "$missing" ]; then
	if [ "$install" -eq 1 ] && is_root && command -v apt-get >/dev/null 2>&1; then
		say "installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2 || true
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
			die "apt-get install$missing failed"
		missing=$(missing_tools)
		[ -z "$missing" ] || die "still missing after install:$missing"
	else
		die "missing host packages:$missing (install: sudo apt-get install$missing)"
	fi
fi

# --- which kernel ------------------------------------------------------------

command -v apt-cache >/dev/null 2>&1 || die "apt-cache not found: the kernel comes from Debian's archive"

resolve_kernel() {
	# "Depends: linux-image-6.1.0-56-amd64" -> linux-image-6.1.0-56-amd64
	# ("linux-image-6.12.117+deb12-amd64" for linux-image-6.12-amd64).
	# The exact name, never a pattern: a glob matches dozens of kernels.
	apt-cache depends "$GP_VM_KERNEL" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ <>]*-amd64\)$/\1/p' | head -n 1
}

pkg=$(resolve_kernel)
if [ -z "$pkg" ] && is_root; then
	say "apt-cache does not know $GP_VM_KERNEL: running apt-get update"
	apt-get update -qq >&2 || true
	pkg=$(resolve_kernel)
fi
cache=${GP_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpu-proto-vm}
if [ -z "$pkg" ]; then
	# No package lists (offline, not root): a kernel cached earlier with
	# the same modules will do (of the same series, for a versioned
	# metapackage: linux-image-6.12-amd64 -> 6.12.*).
	series=""
	[ "$GP_VM_KERNEL" = linux-image-amd64 ] || series=${GP_VM_KERNEL#linux-image-}
	series=${series%-amd64}${series:+.}
	cached=""
	for c in $(ls -d "$cache"/"$series"*/.complete 2>/dev/null | sort -V); do
		[ "$(cat "$c")" = "$GP_VM_MODULES" ] && cached=$c
	done
	[ -n "$cached" ] || die \
		"cannot resolve the kernel package (apt-cache depends $GP_VM_KERNEL gave nothing; run apt-get update)"
	say "apt-cache does not know $GP_VM_KERNEL: using the cached kernel"
	echo "${cached%/.complete}"
	exit 0
fi
kver=${pkg#linux-image-}

dir="$cache/$kver"
stamp="$dir/.complete"
mkdir -p "$cache" || die "cannot create cache directory $cache"

# Serialize concurrent runs fetching the same kernel (two build directories
# testing at once); another kernel has its own lock.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/.lock-$kver"
	flock 9
fi

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$GP_VM_MODULES" ]; then
	echo "$dir"
	exit 0
fi

# --- download and extract ----------------------------------------------------

work="$cache/.work-$kver"
rm -rf "$work" "$dir"
mkdir -p "$work/x" "$dir/modules"
trap 'rm -rf "$work"' EXIT

say "downloading $pkg"
# As root, apt would drop to the _apt user, who cannot write into a home
# directory's cache: download as the caller instead (no warning).
sandbox=""
is_root && sandbox="-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
(cd "$work" && apt-get download -q $sandbox "$pkg" >&2) ||
	die "apt-get download $pkg failed (is the archive reachable? try apt-get update)"
deb=$(ls "$work"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download $pkg left no .deb"
say "extracting $(basename "$deb")"
dpkg -x "$deb" "$work/x" || die "dpkg -x $deb failed"

cp "$work/x/boot/vmlinuz-$kver" "$dir/vmlinuz" || die "no boot/vmlinuz-$kver in $pkg"
moddir="$work/x/lib/modules/$kver"
[ -d "$moddir" ] || die "no lib/modules/$kver in $pkg"

# Index "name path" once; module names use '_' where file names may use '-'.
norm() { echo "$1" | tr '-' '_'; }
find "$moddir/kernel" -name '*.ko*' | while IFS= read -r f; do
	b=${f##*/}
	echo "$(norm "${b%%.ko*}") $f"
done >"$work/index"
ko_path() {
	sed -n "s|^$1 ||p" "$work/index" | head -n 1 | grep .
}
# The module file $1 as a plain .ko for name $2 (6.12's are .ko.xz; they
# are unpacked here so that the VM's busybox insmod needs no xz support).
mkdir -p "$work/ko"
ko_plain() {
	case "$1" in
	*.ko) echo "$1" ;;
	*.ko.xz) xz -dc "$1" >"$work/ko/$2.ko" && echo "$work/ko/$2.ko" ;;
	*) return 1 ;;
	esac
}
ko_depends() {
	tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | tr ',' ' '
}
builtin() {
	[ -f "$moddir/modules.builtin" ] &&
		grep -q "/$(echo "$1" | sed 's/_/[-_]/g')\.ko\$" "$moddir/modules.builtin"
}

# Depth first: every module's dependencies are listed before it.
# ('local' is not POSIX but dash, bash and busybox ash all have it.)
: >"$dir/modules/order"
add_module() {
	# shellcheck disable=SC3043
	local n f d
	n=$(norm "$1")
	grep -qx "$n" "$dir/modules/order" && return 0
	if ! f=$(ko_path "$n"); then
		builtin "$n" && { say "$n is built into $kver"; return 0; }
		die "module $n not found in $pkg"
	fi
	# Not in $(...): die must end the script, not a subshell.
	ko_plain "$f" "$n" >"$work/plain" || die "$f: cannot unpack (.ko and .ko.xz are handled)"
	f=$(cat "$work/plain")
	for d in $(ko_depends "$f"); do
		add_module "$d"
	done
	cp "$f" "$dir/modules/$n.ko"
	echo "$n" >>"$dir/modules/order"
}
for m in $GP_VM_MODULES; do
	add_module "$m"
done

echo "$GP_VM_MODULES" >"$stamp"
say "kernel $kver ready in $dir ($(wc -l <"$dir/modules/order") modules)"
echo "$dir"
