#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: hot-unbind under load.  Two processes x three threads hammer
# ioctls while the control socket unbinds and rebinds five times: every
# ioctl returns success or ENODEV, old files never come back, nothing
# hangs, the daemon stays up, and a rebind serves new opens.
set -u
. /gp/bin/gp-vm-lib.sh

start_daemon
gp-vm-client hammer 8 3 2 >/tmp/hammer.log 2>&1 &
hammer=$!
sleep 1
for i in 1 2 3 4 5; do
	gpu-protoctl unbind >/dev/null || fail "unbind #$i"
	gpu-protoctl status | grep -q '^state=unbound$' || fail "not unbound after unbind #$i"
	sleep 0.3
	gpu-protoctl bind >/dev/null || fail "bind #$i"
	sleep 0.7
done
wait "$hammer"
rc=$?
cat /tmp/hammer.log
[ "$rc" -eq 0 ] || fail "hammer clients saw unexpected results"
grep -q ' [1-9][0-9]* ENODEV' /tmp/hammer.log || fail "no ioctl raced an unbind: the test proved nothing"
kill -0 "$daemon" || fail "the daemon died"
gpu-protoctl status | grep -E '^(state|binds|unbinds|round_trips_per_ioctl)='
gpu-protoctl status | grep -q '^unbinds=5$' || fail "expected 5 unbinds"
gp-vm-client open-expect success || fail "open after the last rebind"

# A reader blocked in read() is woken with ENODEV by an unbind, a poller
# with POLLERR|POLLHUP.
gp-vm-client block-read >/tmp/reader.log 2>&1 &
reader=$!
gp-vm-client poll-hup >/tmp/poller.log 2>&1 &
poller=$!
sleep 0.5
gpu-protoctl unbind >/dev/null || fail "unbind with a blocked reader"
wait "$reader" || fail "blocked reader: $(cat /tmp/reader.log)"
grep -q ENODEV /tmp/reader.log || fail "blocked reader: $(cat /tmp/reader.log)"
echo "ok: blocked reader woken with ENODEV"
wait "$poller" || fail "poller: $(cat /tmp/poller.log)"
echo "ok: poller woken: $(tail -n 1 /tmp/poller.log)"
gp-vm-client open-expect ENODEV || fail "open while unbound"

stop_daemon
