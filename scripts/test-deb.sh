#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian packages (debian/), built and checked as a user gets them:
#   1. amd64: dpkg-buildpackage -b, and arm64: cross-built with
#      -aarm64 -Pcross,nocheck; both with DEB_BUILD_OPTIONS=nocheck (the
#      tests run in scripts/test.sh) and without a compiler warning under
#      Debian's hardening flags
#   2. lintian on both .changes: no tag at all, overridden ones aside (each
#      override in debian/*.lintian-overrides says why)
#   3. the arm64 packages hold arm64 programs, which run under qemu-user,
#      and a client builds against the arm64 libgpuproto-dev and runs
#   4. the amd64 packages installed on this machine: each program's --help,
#      systemd-analyze verify and security of the installed unit, the
#      conffile, the enabled unit, pkg-config and a client compiled against
#      the installed header and library
#   5. purged again (dpkg -P): nothing of them is left on the machine
#
# Runs as root on Debian 12 amd64 (it installs packages).  Builds in a copy
# of the tree, ${GP_BUILD_ROOT:-build-test}/deb, so the source tree stays
# clean.  Ends with "N passed, N failed"; exits 1 when a check failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
work=${GP_BUILD_ROOT:-$top/build-test}/deb
src=$work/src/gpu-proto
packages="libgpuproto0 libgpuproto-dev gpu-proto-tools gpu-protod"
unit=/lib/systemd/system/gpu-protod.service

passed=0
failed=0
pass() { echo "ok:   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
say() { echo "=== test-deb: $*"; }
finish() {
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}
installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}
install_tools() {
	missing=""
	for p in build-essential dpkg-dev debhelper lintian file pkgconf; do
		installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

if [ "$(id -u)" -ne 0 ]; then
	fail "must run as root: it installs the built packages on this machine"
	finish
fi
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

# --- tools and build dependencies -------------------------------------------
say "dependencies"
# The arm64 side: cross toolchain, arm64 libraries, qemu-user-static.
if ! "$top/scripts/cross-arm64.sh" --deps-only; then
	fail "installing the arm64 cross-build dependencies (scripts/cross-arm64.sh)"
	finish
fi
if ! out=$(install_tools 2>&1); then
	printf '%s\n' "$out"
	fail "installing the packaging tools"
	finish
fi

# --- a copy of the tree -------------------------------------------------------
rm -rf "$work"
mkdir -p "$src"
# Build directories (build*, obj-* of an in-tree dpkg-buildpackage, any
# meson build directory) and .git stay behind.
(cd "$top" && tar --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
	--exclude-tag-all=meson-private -cf - .) | tar -xf - -C "$src"

# The amd64 build dependencies, as debian/control lists them.
if ! (cd "$src" && dpkg-checkbuilddeps >/dev/null 2>&1); then
	say "installing the build dependencies"
	apt-get build-dep -y -qq --no-install-recommends "$src" >/dev/null
fi

# --- 1. build -----------------------------------------------------------------
# build ARCH LOG dpkg-buildpackage-options...
build() {
	arch=$1 log=$2
	shift 2
	say "build $arch"
	if (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
			dpkg-buildpackage -b -us -uc "$@") >"$log" 2>&1; then
		pass "dpkg-buildpackage ($arch)"
	else
		tail -n 40 "$log"
		fail "dpkg-buildpackage ($arch), log: $log"
		return 1
	fi
	# Compiler diagnostics look like "file.c:LINE:COL: warning: ...".
	if grep -E '\.[ch]:[0-9]+:[0-9]+: warning:' "$log"; then
		fail "compiler warnings in the $arch package build"
	else
		pass "no compiler warning in the $arch package build (Debian's hardening flags)"
	fi
}

built_amd64=0 built_arm64=0
build amd64 "$work/build-amd64.log" && built_amd64=1

# bookworm's libevent-dev is not Multi-Arch: same, so libevent-dev:arm64
# cannot sit beside the amd64 one; scripts/cross-arm64.sh gives the arm64
# side libevent.pc and libevent.so instead.  So dpkg-buildpackage may not
# check the build dependencies (-d); they are checked here, that one aside.
unmet=$(cd "$src" && dpkg-checkbuilddeps -aarm64 -Pcross,nocheck 2>&1 |
	sed -n 's/.*Unmet build dependencies: //p')
if [ -n "$unmet" ] && [ "$unmet" != libevent-dev ]; then
	fail "arm64 build dependencies not installed: $unmet"
else
	pass "arm64 build dependencies installed (libevent-dev: see scripts/cross-arm64.sh)"
	build arm64 "$work/build-arm64.log" -aarm64 -Pcross,nocheck -d && built_arm64=1
fi

# --- 2. lintian -----------------------------------------------------------------
lint() {
	arch=$1
	# Every tag, down to pedantic, fails unless fixed or overridden.
	if out=$(lintian --fail-on error,warning,info,pedantic -I --pedantic \
			"$work/src/gpu-proto_${version}_$arch.changes" 2>&1); then
		pass "lintian ($arch): clean"
	else
		printf '%s\n' "$out" | grep -v '^running with root privileges'
		fail "lintian ($arch)"
	fi
}
version=$(cd "$src" && dpkg-parsechangelog -SVersion)
[ "$built_amd64" -eq 0 ] || lint amd64
[ "$built_arm64" -eq 0 ] || lint arm64

# A tiny client of libgpuproto: the installed headers (both of them) and
# the library, a call that reaches the library and one that reaches open(2).
cat >"$work/client.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <gpu-proto/gpuproto.h>
#include <gpu-proto/gpu_proto_drm.h>

int main(void)
{
	struct gpc_device *dev = NULL;
	struct gpc_mali_gpu_id id;
	int r;

	gpc_mali_decode_gpu_id(0xA8670005u, &id);	/* Mali-G610 */
	r = gpc_open("/nonexistent/gpu-proto", 0, &dev);
	printf("arch %u.%u, gpu_info %zu bytes, gpc_open: %d\n", id.arch_major,
	       id.arch_minor, sizeof(struct gpu_proto_mali_gpu_info), r);
	return id.arch_major == 10 && id.arch_minor == 8 && r == -ENOENT && !dev ? 0 : 1;
}
EOF

# --- 3. the arm64 packages ------------------------------------------------------
if [ "$built_arm64" -eq 1 ]; then
	say "arm64 packages"
	root=$work/arm64-root
	for p in $packages; do
		dpkg-deb -x "$work/src/${p}_${version}_arm64.deb" "$root"
	done
	bad=""
	for f in "$root"/usr/sbin/* "$root"/usr/bin/* "$root"/usr/lib/aarch64-linux-gnu/libgpuproto.so.0.*; do
		file -b "$f" | grep -q 'ELF 64-bit LSB .*ARM aarch64' || bad="$bad ${f#"$root"}"
	done
	if [ -z "$bad" ]; then pass "arm64 packages hold aarch64 programs and library"
	else fail "not aarch64:$bad"; fi

	export LD_LIBRARY_PATH="$root/usr/lib/aarch64-linux-gnu"
	for prog in usr/sbin/gpu-protod usr/sbin/gpu-protoctl usr/bin/gpu-proto-info; do
		if out=$(qemu-aarch64-static "$root/$prog" --help 2>&1) && [ -n "$out" ]; then
			pass "arm64 /$prog --help under qemu-user"
		else
			printf '%s\n' "$out"
			fail "arm64 /$prog --help under qemu-user"
		fi
	done
	# The arm64 .pc, read as on the board (the sysroot prefix is $root).
	# shellcheck disable=SC2086
	if flags=$(PKG_CONFIG_SYSROOT_DIR=$root \
			PKG_CONFIG_LIBDIR=$root/usr/lib/aarch64-linux-gnu/pkgconfig \
			aarch64-linux-gnu-pkg-config --cflags --libs gpuproto) &&
			aarch64-linux-gnu-gcc -Wall -Werror -o "$work/client-arm64" \
				"$work/client.c" $flags &&
			out=$(qemu-aarch64-static "$work/client-arm64"); then
		pass "arm64 client built with the arm64 libgpuproto-dev runs: $out"
	else
		fail "arm64 client against the arm64 libgpuproto-dev"
	fi
	unset LD_LIBRARY_PATH
fi

# --- 4. install the amd64 packages here -------------------------------------------
[ "$built_amd64" -eq 1 ] || finish

purge() {
	# shellcheck disable=SC2086
	dpkg -P $packages >"$work/purge.log" 2>&1
}
trap 'purge' INT TERM

say "install the amd64 packages"
debs=""
for p in $packages; do debs="$debs $work/src/${p}_${version}_amd64.deb"; done
# shellcheck disable=SC2086
if dpkg -i $debs >"$work/install.log" 2>&1 ||
		apt-get -f install -y -qq >>"$work/install.log" 2>&1; then
	pass "dpkg -i$(for p in $packages; do printf ' %s' "$p"; done)"
else
	cat "$work/install.log"
	fail "installing the amd64 packages"
	purge
	finish
fi

for prog in gpu-proto-info gpu-protoctl gpu-protod; do
	path=$(command -v "$prog")
	if out=$("$prog" --help 2>&1) && [ -n "$out" ]; then
		pass "$path --help"
	else
		printf '%s\n' "$out"
		fail "$prog --help (found: ${path:-not in PATH})"
	fi
done

# No warning at all about the unit; ExecStart's binary and the man pages
# of Documentation= are found as installed.
if out=$(cd / && systemd-analyze verify --recursive-errors=no "$unit" 2>&1) &&
		! printf '%s\n' "$out" | grep -q 'gpu-protod'; then
	pass "systemd-analyze verify $unit"
else
	printf '%s\n' "$out"
	fail "systemd-analyze verify $unit"
fi
out=$(cd / && systemd-analyze security --offline=yes "$unit" 2>&1)
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for gpu-protod\.service: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	pass "systemd-analyze security: exposure $score"
else
	printf '%s\n' "$out" | tail -n 5
	fail "systemd-analyze security: exposure ${score:-unknown}, want at most 2.0"
fi

if dpkg-query -W -f='${Conffiles}\n' gpu-protod | grep -q '^ /etc/default/gpu-protod '; then
	pass "/etc/default/gpu-protod is a conffile"
else
	fail "/etc/default/gpu-protod is not a conffile"
fi
wants=/etc/systemd/system/multi-user.target.wants/gpu-protod.service
if [ "$(readlink "$wants")" = "$unit" ]; then
	pass "gpu-protod.service enabled ($wants)"
else
	fail "gpu-protod.service not enabled by the package ($wants)"
fi
if grep -qx cuse /usr/lib/modules-load.d/gpu-proto.conf &&
		grep -q 'GROUP="render"' /lib/udev/rules.d/60-gpu-proto.rules; then
	pass "modules-load.d loads cuse, the udev rule gives /dev/gpu-proto* to render"
else
	fail "modules-load.d entry or udev rule missing"
fi

# shellcheck disable=SC2086
if flags=$(pkg-config --cflags --libs gpuproto) && [ -n "$flags" ] &&
		cc -Wall -Werror -o "$work/client" "$work/client.c" $flags &&
		out=$("$work/client"); then
	pass "pkg-config gpuproto ($flags); a client built against it runs: $out"
else
	fail "pkg-config gpuproto / a client against the installed library"
fi

# --- 5. purge ---------------------------------------------------------------------
say "purge"
trap - INT TERM
if purge; then
	pass "dpkg -P"
else
	cat "$work/purge.log"
	fail "dpkg -P"
fi
left=""
for f in "$unit" "$wants" /etc/default/gpu-protod /usr/sbin/gpu-protod \
		/usr/include/gpu-proto /var/lib/systemd/deb-systemd-helper-enabled/gpu-protod.service.dsh-also; do
	if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done
if [ -z "$left" ]; then pass "nothing left after purge"
else fail "left after purge:$left"; fi

finish
