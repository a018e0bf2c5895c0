#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build (or take from the cache) the virtual board's arm64 kernel: Debian's
# linux-source-6.12 package, `allnoconfig` plus the committed fragment
# kernel.config, cross-compiled with Debian's aarch64-linux-gnu toolchain.
#
#   build-kernel.sh
#
# Prints, as its last line on stdout, the path of the arm64 Image.  The cache
# entry is keyed by the source package's version and the SHA-256 of
# kernel.config and of this script: change any of them and the next run
# builds again; otherwise it costs nothing.  A first build takes about 7-8
# minutes on 2 cores (`nice -n 10 make -j$GP_BOARD_JOBS`, default 2).
#
# Cache: $GP_BOARD_CACHE, else $XDG_CACHE_HOME/gpu-proto-board, else
# ~/.cache/gpu-proto-board.  Exit status 0 on success, 1 on failure.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
say() { echo "build-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

cache=${GP_BOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpu-proto-board}
jobs=${GP_BOARD_JOBS:-2}
pkg=linux-source-6.12
cross=aarch64-linux-gnu-

for t in ${cross}gcc make bc bison flex xz dpkg apt-cache; do
	command -v "$t" >/dev/null 2>&1 ||
		die "$t not found (scripts/install-deps.sh installs what the board needs)"
done

ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
	die "apt-cache knows no $pkg (apt-get update? bookworm has it)"
frag_sum=$(sha256sum "$here/kernel.config" | cut -c1-16)
script_sum=$(sha256sum "$0" | cut -c1-16)
key="$ver-$frag_sum-$script_sum"
out="$cache/kernel/$key"

if [ -f "$out/Image" ]; then
	say "cached: $out/Image"
	echo "$out/Image"
	exit 0
fi

mkdir -p "$cache/src" "$cache/kernel"
# The unpacked tree is shared by every configuration of one version.
src="$cache/src/$ver/tree"
if [ ! -f "$src/Makefile" ]; then
	# apt-get download names the file PACKAGE_VERSION_all.deb, an epoch's ':' as %3a.
	deb="$cache/src/${pkg}_$(echo "$ver" | sed 's/:/%3a/')_all.deb"
	if [ ! -f "$deb" ]; then
		say "downloading $pkg $ver"
		(cd "$cache/src" && apt-get download "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
		[ -f "$deb" ] || die "apt-get download did not leave $deb"
	fi
	rm -rf "$cache/src/$ver"
	mkdir -p "$cache/src/$ver/x"
	say "unpacking $deb"
	dpkg -x "$deb" "$cache/src/$ver/x" || die "dpkg -x $deb failed"
	tarball=$(ls "$cache/src/$ver/x/usr/src/"linux-source-*.tar.xz | head -n 1)
	[ -f "$tarball" ] || die "no linux-source tarball in $deb"
	mkdir -p "$cache/src/$ver/t"
	tar -xJf "$tarball" -C "$cache/src/$ver/t" || die "cannot unpack $tarball"
	mv "$cache/src/$ver/t/"linux-source-* "$src"
	rm -rf "$cache/src/$ver/x" "$cache/src/$ver/t"
fi

bld="$cache/kernel/build-$key"
rm -rf "$bld"
mkdir -p "$bld"
mk() { nice -n 10 make -s -C "$src" O="$bld" ARCH=arm64 CROSS_COMPILE="$cross" "$@"; }

say "configuring (allnoconfig + kernel.config) in $bld"
mk allnoconfig >&2
args=""
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=y) o=${line%=y}; args="$args --enable ${o#CONFIG_}" ;;
	CONFIG_*=n) o=${line%=n}; args="$args --disable ${o#CONFIG_}" ;;
	'' | '#'*) ;;
	*) die "kernel.config: cannot parse '$line'" ;;
	esac
done <"$here/kernel.config"
# shellcheck disable=SC2086
"$src/scripts/config" --file "$bld/.config" $args
mk olddefconfig >&2

# olddefconfig drops what it cannot satisfy: check every line.
bad=""
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=y) grep -qx "$line" "$bld/.config" || bad="$bad ${line%=y}" ;;
	CONFIG_*=n) o=${line%=n}; grep -q "^$o=" "$bld/.config" && bad="$bad $o(should be off)" ;;
	esac
done <"$here/kernel.config"
[ -z "$bad" ] || die "after olddefconfig these options of kernel.config are wrong:$bad"

say "building Image (make -j$jobs, about 7-8 minutes on 2 cores)"
start=$(date +%s)
mk -j"$jobs" Image >&2 || die "kernel build failed (tree $bld)"
say "built in $(($(date +%s) - start)) s"
mkdir -p "$out"
cp "$bld/arch/arm64/boot/Image" "$bld/.config" "$out/"
cp "$bld/modules.builtin" "$out/" 2>/dev/null || true
cp "$bld/include/config/kernel.release" "$out/" 2>/dev/null || true
rm -rf "$bld"
echo "$out/Image"
