#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: a libfuse3 CUSE server creates /dev/gpu-proto-smoke, serves an
# _IOWR ioctl through the retry protocol, refuses an unprivileged opener,
# and the node disappears when the server is killed.  Runs inside the VM
# (as root) with cuse_smoke and gp-as-user in PATH.
set -u
node=/dev/gpu-proto-smoke

fail() { echo "FAIL: $*"; exit 1; }

# Poll for up to ~10 s until `test ARGS... $node` holds.
wait_node() {
	i=0
	while ! test "$@" "$node"; do
		i=$((i + 1))
		[ "$i" -le 100 ] || return 1
		sleep 0.1
	done
}

[ -c /dev/cuse ] || fail "/dev/cuse missing (cuse module not loaded?)"

cuse_smoke server &
server=$!
wait_node -c || fail "$node did not appear within 10 s"
echo "ok: $node appeared: $(ls -l "$node")"

cuse_smoke client || fail "client against the running server"
gp-as-user gpuser cuse_smoke client-denied || fail "unprivileged open"

kill -TERM "$server"
wait "$server"
rc=$?
[ "$rc" -eq 0 ] || fail "server exited with status $rc after SIGTERM"
wait_node ! -e || fail "$node still exists 10 s after the server exited"
echo "ok: $node removed after the server exited"
