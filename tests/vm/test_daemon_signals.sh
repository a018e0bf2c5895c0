#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: SIGTERM with a client blocked in read exits 0 and the client
# gets ENODEV; SIGKILL of the daemon gives a blocked client an error, not
# a hang.
set -u
. /gp/bin/gp-vm-lib.sh

start_daemon
gp-vm-client block-read >/tmp/reader.log 2>&1 &
reader=$!
sleep 0.5
stop_daemon
wait "$reader" || fail "reader after SIGTERM: $(cat /tmp/reader.log)"
cat /tmp/reader.log
grep -q ENODEV /tmp/reader.log || fail "expected ENODEV after SIGTERM"

start_daemon
gp-vm-client block-read >/tmp/reader.log 2>&1 &
reader=$!
sleep 0.5
kill -KILL "$daemon"
wait "$daemon"
# The reader must come back with an error on its own (the VM test timeout
# would catch a hang).
wait "$reader" || fail "reader after SIGKILL: $(cat /tmp/reader.log)"
cat /tmp/reader.log
wait_for "$node" ! -e || fail "$node still exists after SIGKILL"
echo "ok: SIGKILL: blocked client got an error, node removed"

# sd_notify as systemd sees it: READY=1 once the node exists, STOPPING=1 on
# SIGTERM.
gp-vm-client notify-listen /run/notify.sock >/tmp/notify.log 2>&1 &
listener=$!
# The daemon's notifications are lost if the socket is not bound yet.
wait_for /run/notify.sock -S || fail "notify listener did not bind /run/notify.sock"
NOTIFY_SOCKET=/run/notify.sock start_daemon
stop_daemon
wait "$listener" || fail "sd_notify: $(cat /tmp/notify.log)"
cat /tmp/notify.log
grep -q '^notify: READY=1$' /tmp/notify.log || fail "no READY=1"
grep -q '^notify: STATUS=Serving /dev/gpu-proto' /tmp/notify.log || fail "no STATUS="
echo "ok: sd_notify READY=1, STATUS=, STOPPING=1"

# Without --foreground the command returns only once the node exists.
gpu-protod >"$log" 2>&1 || fail "gpu-protod (forking) exited non-zero"
[ -c "$node" ] || fail "$node missing right after the forking start returned"
pid=$(pidof gpu-protod) || fail "no daemon running after the forking start"
kill -TERM $pid
wait_for "$node" ! -e || fail "$node still exists after SIGTERM to the forked daemon"
echo "ok: forking start returns once $node exists"
