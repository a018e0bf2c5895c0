#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build gpu-protod and run it on the mock backend.
#
# With /dev/cuse (a kernel with the cuse module loaded, as root), the daemon
# runs here in the foreground and serves /dev/gpu-proto until Ctrl-C;
# extra arguments go to gpu-protod (see gpu-protod --help).
#
# Without /dev/cuse (containers, CI machines, kernels without CUSE), it runs
# the same daemon inside a QEMU VM with a Debian kernel that has CUSE
# (tests/vm/), shows a client's view, a hot-unbind and a rebind, and exits.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${GP_BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" >/dev/null

if [ -c /dev/cuse ]; then
	exec "$build/daemon/gpu-protod" --foreground --backend mock "$@"
fi

echo "run: no /dev/cuse here: running gpu-protod in a QEMU VM with a Debian kernel" >&2
GP_VM_REQUIRED=1 exec "$top/tests/vm/run-vm.sh" \
	--bin "$build/daemon/gpu-protod" \
	--bin "$build/tools/gpu-protoctl" \
	--bin "$build/tools/gpu-proto-info" \
	--bin "$top/tests/vm/gp-vm-lib.sh" \
	"$build" "$top/tests/vm/demo_daemon.sh"
