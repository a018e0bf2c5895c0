#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Board test: 20 real unbind/rebind cycles of the PL031 on vfio-amba under
# client load, removal seen through the vfio-dev remove uevent; the daemon
# rebinds by itself (see board-unbind.sh).
exec /usr/local/lib/gpu-proto-board/board-unbind.sh amba 9010000.pl031 qemu-pl031 20 uevent auto
