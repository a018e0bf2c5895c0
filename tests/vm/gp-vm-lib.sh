# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the gpu-protod VM tests (sourced; busybox sh).
node=/dev/gpu-proto
log=/tmp/gpu-protod.log

fail() {
	echo "FAIL: $*"
	[ -f "$log" ] && { echo "--- daemon log"; cat "$log"; }
	exit 1
}

# Poll for up to ~10 s until `test ARGS... PATH` holds.
wait_for() {
	path=$1
	shift
	i=0
	while ! test "$@" "$path"; do
		i=$((i + 1))
		[ "$i" -le 100 ] || return 1
		sleep 0.1
	done
}

# Start gpu-protod in the foreground with extra options; sets $daemon.
start_daemon() {
	gpu-protod -f "$@" >"$log" 2>&1 &
	daemon=$!
	wait_for "$node" -c || fail "$node did not appear within 10 s"
	wait_for /run/gpu-protod/control -S || fail "control socket did not appear"
}

# SIGTERM the daemon and check it exits 0 and the node goes.
stop_daemon() {
	kill -TERM "$daemon"
	wait "$daemon"
	rc=$?
	[ "$rc" -eq 0 ] || fail "gpu-protod exited with $rc after SIGTERM"
	wait_for "$node" ! -e || fail "$node still exists after gpu-protod exited"
}
