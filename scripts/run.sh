#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build gpu-protod and run it on the mock backend.
# Extra arguments go to gpu-protod (see gpu-protod --help).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${GP_BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" daemon/gpu-protod >/dev/null

# Until the CUSE frontend lands, the daemon has no client transport: it
# probes the mock GPU, answers the core and driver queries in-process,
# revokes the registration and exits.
exec "$build/daemon/gpu-protod" --backend mock --dry-run "$@"
