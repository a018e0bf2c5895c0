#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: start-up failures are clear and exit non-zero: no /dev/cuse,
# a name already in use, a probe that fails, bad options.
set -u
. /gp/bin/gp-vm-lib.sh

expect_failure() {
	want_rc=$1 want_msg=$2
	shift 2
	gpu-protod -f "$@" >/tmp/err.log 2>&1
	rc=$?
	cat /tmp/err.log
	[ "$rc" -eq "$want_rc" ] || fail "gpu-protod $*: exit $rc, expected $want_rc"
	grep -q "$want_msg" /tmp/err.log || fail "gpu-protod $*: no '$want_msg' in its message"
}

mv /dev/cuse /dev/cuse.hidden
# --transport=auto (the default) would fall back to the socket transport.
expect_failure 1 "modprobe cuse" --transport=cuse
mv /dev/cuse.hidden /dev/cuse

expect_failure 1 "soft reset did not complete" --mock-options=reset-never-completes
expect_failure 2 "expected 1 to 64" --threads=0
expect_failure 2 "mock option 'bogus': unknown" --mock-options=bogus
expect_failure 2 "unknown driver" --driver=nope

start_daemon
expect_failure 1 "already exists" --control=/run/gpu-protod/second
stop_daemon
