#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: SYNCOBJ_WAIT over CUSE parks the request, never a libfuse
# worker.  With the default 4 workers, 100 threads wait (no deadline)
# while another client's GET_CAP round trips still complete; signalling
# one sync object wakes its 50 waiters with 0; an unbind wakes the other
# 50 with ENODEV.  A waiter killed by a signal is answered (FUSE
# interrupt), and one interrupted by a handled signal gets EINTR and
# completes when restarted: the daemon's ioctls_waiting goes back to 0,
# no parked request is left behind.
set -u
. /gp/bin/gp-vm-lib.sh

status_value() {
	gpu-protoctl status | sed -n "s/^$1=//p"
}

# Poll for up to ~60 s until status field $1 equals $2.
wait_status() {
	i=0
	while [ "$(status_value "$1")" != "$2" ]; do
		i=$((i + 1))
		[ "$i" -le 600 ] || return 1
		sleep 0.1
	done
}

start_daemon
gpu-protoctl status | grep -q '^ioctls_waiting=0$' || fail "status has no ioctls_waiting=0"

# A waiter killed while parked: the interrupt answers its request.
gp-vm-syncwait wait-forever >/tmp/forever.log 2>&1 &
forever=$!
wait_status ioctls_waiting 1 || fail "the wait did not park (ioctls_waiting=$(status_value ioctls_waiting))"
kill -TERM "$forever"
wait "$forever"
wait_status ioctls_waiting 0 || fail "a killed waiter left its request parked"
echo "ok: a waiter killed by SIGTERM was answered, nothing left parked"

# An interrupted wait answers EINTR and, restarted, still completes.
gp-vm-syncwait interrupt >/tmp/interrupt.log 2>&1 || fail "interrupt: $(cat /tmp/interrupt.log)"
cat /tmp/interrupt.log
wait_status ioctls_waiting 0 || fail "an interrupted wait left its request parked"
echo "ok: an interrupted wait answered EINTR; restarted, it completed"

# A hundred waiters do not stop another client.
rm -f /tmp/syncwait-signal
gp-vm-syncwait waiters 100 >/tmp/waiters.log 2>&1 &
waiters=$!
wait_status ioctls_waiting 100 || fail "100 waits did not park (ioctls_waiting=$(status_value ioctls_waiting)): $(cat /tmp/waiters.log)"
timeout 120 gp-vm-syncwait getcap 200 || fail "GET_CAP did not complete beside 100 parked waits"
echo "ok: 200 GET_CAP round trips beside 100 parked waits"

touch /tmp/syncwait-signal
wait_status ioctls_waiting 50 || fail "signalling did not wake 50 waiters: $(cat /tmp/waiters.log)"
grep -q '^signalled: 50 waiters returned 0$' /tmp/waiters.log || {
	sleep 1
	grep -q '^signalled: 50 waiters returned 0$' /tmp/waiters.log || fail "signalled waiters: $(cat /tmp/waiters.log)"
}
echo "ok: SYNCOBJ_SIGNAL woke 50 waiters"

gpu-protoctl unbind >/dev/null || fail "unbind with 50 parked waits"
wait "$waiters" || fail "waiters: $(cat /tmp/waiters.log)"
cat /tmp/waiters.log
grep -q '^unbound: 50 waiters returned ENODEV$' /tmp/waiters.log || fail "unbind did not answer every waiter with ENODEV"
wait_status ioctls_waiting 0 || fail "parked requests left after unbind"
gpu-protoctl status | grep -E '^(ioctls_parked|ioctls_waiting)='
echo "ok: unbind woke every remaining waiter with ENODEV"

kill -0 "$daemon" || fail "the daemon died"
stop_daemon
