#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build gpu-protod and run it on the mock backend, in the
# foreground, until Ctrl-C.  Extra arguments go to gpu-protod.
#
# With /dev/cuse (the cuse module loaded, as root) it serves /dev/gpu-proto
# through CUSE.  Without it (containers, CI machines, kernels without CUSE)
# it serves the same dispatcher over its AF_UNIX socket: run clients with
# build/tools/gpu-proto-run (an LD_PRELOAD shim), e.g.
#     build/tools/gpu-proto-run build/tools/gpu-proto-info
# (libgpuproto programs such as gpu-proto-info find the socket by
# themselves).  GP_RUN_VM=1 runs the CUSE daemon in a QEMU VM instead, with
# a scripted client session.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${GP_BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" >/dev/null

if [ "${GP_RUN_VM:-0}" = 1 ]; then
	echo "run: running gpu-protod over CUSE in a QEMU VM with a Debian kernel" >&2
	GP_VM_REQUIRED=1 exec "$top/tests/vm/run-vm.sh" \
		--bin "$build/daemon/gpu-protod" \
		--bin "$build/tools/gpu-protoctl" \
		--bin "$build/tools/gpu-proto-info" \
		--bin "$top/tests/vm/gp-vm-lib.sh" \
		"$build" "$top/tests/vm/demo_daemon.sh"
fi

# Not root: keep the control socket and the device socket in our runtime dir.
if [ "$(id -u)" -ne 0 ]; then
	dir=${XDG_RUNTIME_DIR:-/tmp}/gpu-protod-$(id -u)
	mkdir -p "$dir"
	set -- --control="$dir/control" --socket="$dir/gpu-proto.sock" "$@"
	echo "run: not root: sockets in $dir (export GPU_PROTO_SOCKET=$dir/gpu-proto.sock for clients)" >&2
fi

exec "$build/daemon/gpu-protod" --foreground --backend mock "$@"
