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
