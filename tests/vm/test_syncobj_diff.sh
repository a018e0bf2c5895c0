#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: gpu-protod's sync object ioctls, over real CUSE on the mock
# backend, give the kernel's answers (gp-vm-syncobj-diff).  $1 names the
# reference: the DRM driver whose render node the kernel's drm_syncobj.c
# answers on (virtio_gpu in the 6.12 VM: it has sync objects; vgem has
# none, so there only the calls that need no sync objects are compared).
set -u
. /gp/bin/gp-vm-lib.sh

driver=${1:-virtio_gpu}
[ -c /dev/cuse ] || fail "/dev/cuse missing"
ls /dev/dri/renderD* >/dev/null 2>&1 || fail "no DRM render node (is the $driver module loaded?)"
start_daemon
gp-vm-syncobj-diff --reference "$driver" || fail "sync object ioctls differ from the kernel's ($driver)"
kill -0 "$daemon" || fail "the daemon died"
stop_daemon
