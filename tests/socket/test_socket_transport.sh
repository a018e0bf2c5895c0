#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gpu-protod's socket transport on the host (no CUSE needed): the daemon on
# the mock backend with --transport=socket, and unmodified clients under
# gpu-proto-run: the raw-ioctl suite of the VM tier (gp-vm-ioctl), libdrm,
# libgpuproto (through the shim and through its own socket fallback), a
# hot-unbind (blocked reader: ENODEV, poller: POLLERR|POLLHUP, new opens:
# ENODEV), SIGTERM (exit 0, socket removed), 100 clients that never read
# their replies (tests/socket/stall_clients.py) next to the control plane,
# and --transport=auto choosing the socket where /dev/cuse cannot be opened.
#
# Usage: test_socket_transport.sh BUILD-DIR
set -u

build=$1
daemon_bin=$build/daemon/gpu-protod
run=$build/tools/gpu-proto-run
ctl=$build/tools/gpu-protoctl
ioctl_suite=$build/tests/gp-vm-ioctl
client=$build/tests/gp-vm-client
for p in "$daemon_bin" "$run" "$ctl" "$ioctl_suite" "$client"; do
	[ -x "$p" ] || { echo "skip: $p not built"; exit 77; }
done

tmp=$(mktemp -d /tmp/gp-socket-test.XXXXXX)
sock=$tmp/gpu-proto.sock
control=$tmp/control
daemon=
stallers=
cleanup() {
	[ -n "$stallers" ] && kill "$stallers" 2>/dev/null
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -f "$tmp/daemon.log" ] && { echo "--- daemon log"; cat "$tmp/daemon.log"; }
	exit 1
}

# $1: transport; rest: daemon options.  Waits for the socket.
start_daemon() {
	transport=$1
	shift
	"$daemon_bin" --foreground --backend mock --transport="$transport" --socket="$sock" \
		--control="$control" --devname=gpu-proto "$@" >"$tmp/daemon.log" 2>&1 &
	daemon=$!
	i=0
	while [ ! -S "$sock" ] || [ ! -S "$control" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "the socket did not appear in 10 s"
		kill -0 "$daemon" 2>/dev/null || fail "gpu-protod exited at start-up"
		sleep 0.1
	done
}

stop_daemon() {
	kill -TERM "$daemon"
	wait "$daemon"
	rc=$?
	daemon=
	[ "$rc" -eq 0 ] || fail "SIGTERM: exit status $rc, want 0"
	[ -e "$sock" ] && fail "the socket is still there after exit"
	return 0
}

export GPU_PROTO_SOCKET="$sock"

# A long mock flush so a blocking read really parks.
start_daemon socket --mock-options=flush-delay-us=200000
# The node's permissions (60-gpu-proto.rules): root:render 0660, or the
# daemon's own group where there is no render group.
want_group=$(getent group render >/dev/null && echo render || id -gn)
[ "$(stat -c '%a %U %G' "$sock")" = "660 $(id -un) $want_group" ] ||
	fail "socket is $(stat -c '%a %U %G' "$sock"), want 660 $(id -un) $want_group"
"$ctl" --control "$control" status | grep -q '^transport=socket$' || fail "status does not say transport=socket"

"$run" "$ioctl_suite" /dev/gpu-proto "$control" || fail "raw-ioctl suite under gpu-proto-run"
echo "ok: raw-ioctl suite over the socket"
"$run" "$client" libdrm || fail "libdrm client under gpu-proto-run"
echo "ok: libdrm client under gpu-proto-run"
"$run" "$client" gpc-events || fail "libgpuproto under gpu-proto-run"
echo "ok: libgpuproto events under gpu-proto-run"
"$client" gpc-events || fail "libgpuproto's own socket fallback"
echo "ok: libgpuproto events through its socket fallback (no shim)"

# Hot-unbind: a blocked reader gets ENODEV, a poller POLLERR|POLLHUP.
"$run" "$client" block-read >"$tmp/reader.log" 2>&1 &
reader=$!
"$run" "$client" poll-hup >"$tmp/poller.log" 2>&1 &
poller=$!
sleep 0.5
"$ctl" --control "$control" unbind >/dev/null || fail "unbind"
wait "$reader" || fail "blocked reader: $(cat "$tmp/reader.log")"
grep -q ENODEV "$tmp/reader.log" || fail "blocked reader: $(cat "$tmp/reader.log")"
echo "ok: blocked reader woken with ENODEV"
wait "$poller" || fail "poller: $(cat "$tmp/poller.log")"
echo "ok: poller woken: $(tail -n 1 "$tmp/poller.log")"
"$run" "$client" open-expect ENODEV || fail "open while unbound"
"$ctl" --control "$control" bind >/dev/null || fail "rebind"
"$run" "$client" open-expect success || fail "open after the rebind"
echo "ok: unbind -> ENODEV, rebind -> open works"
stop_daemon
echo "ok: SIGTERM: exit 0, socket removed"

# Issue 11's observation, 100 times: clients that park a READ and send POLLs
# without reading.  status, a libgpuproto client, unbind, bind and SIGTERM
# must all complete (timeout 15 turns a hang into a failure), and the
# stalled clients are disconnected (after 1 s of full queues, or at unbind).
start_daemon socket
python3 "$(dirname "$0")/stall_clients.py" "$sock" 100 >"$tmp/stall.log" 2>&1 &
stallers=$!
i=0
until grep -q '^stalled 100$' "$tmp/stall.log"; do
	i=$((i + 1))
	[ $i -gt 600 ] && fail "the hostile clients did not stall: $(cat "$tmp/stall.log")"
	kill -0 "$stallers" 2>/dev/null || fail "hostile clients: $(cat "$tmp/stall.log")"
	sleep 0.1
done
timeout 15 "$ctl" --control "$control" status >"$tmp/status" || fail "status with stalled clients"
timeout 15 "$client" gpc-events || fail "libgpuproto with stalled clients"
timeout 15 "$ctl" --control "$control" unbind >/dev/null || fail "unbind with stalled clients"
timeout 15 "$ctl" --control "$control" bind >/dev/null || fail "bind after that"
wait "$stallers" || fail "stalled clients: $(cat "$tmp/stall.log")"
grep -q '^disconnected 100$' "$tmp/stall.log" || fail "stalled clients: $(cat "$tmp/stall.log")"
timeout 15 "$client" gpc-events || fail "libgpuproto after the stalled clients"
grep -q 'does not read its replies' "$tmp/daemon.log" || fail "no warning about the stalled clients"
python3 "$(dirname "$0")/stall_clients.py" "$sock" 100 >"$tmp/stall2.log" 2>&1 &
stallers=$!
until grep -q '^stalled 100$' "$tmp/stall2.log"; do
	kill -0 "$stallers" 2>/dev/null || fail "hostile clients: $(cat "$tmp/stall2.log")"
	sleep 0.1
done
kill -TERM "$daemon"
timeout 15 sh -c "while kill -0 $daemon 2>/dev/null; do sleep 0.1; done" ||
	fail "SIGTERM with stalled clients did not end the daemon"
stop_daemon_status=0
wait "$daemon" || stop_daemon_status=$?
daemon=
[ "$stop_daemon_status" -eq 0 ] || fail "SIGTERM with stalled clients: exit status $stop_daemon_status"
wait "$stallers" || fail "stalled clients at SIGTERM: $(tr "\n" " " <"$tmp/stall2.log")"
echo "ok: 100 clients that never read: status, unbind, bind, SIGTERM complete; they are disconnected"

# --transport=auto where /dev/cuse cannot be opened: the socket, and it says so.
if ! { [ -c /dev/cuse ] && (exec 3<>/dev/cuse) 2>/dev/null; }; then
	start_daemon auto
	grep -q "no /dev/cuse (.*): serving over the socket $sock instead" "$tmp/daemon.log" ||
		fail "auto: no notice of the socket fallback"
	"$run" "$client" open-expect success || fail "auto: open over the socket"
	stop_daemon
	echo "ok: --transport=auto without /dev/cuse serves over the socket"
fi
echo "ok: all"
