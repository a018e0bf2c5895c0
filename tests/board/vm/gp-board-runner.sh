#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Inside the virtual board: run every test listed in tests.list, each under
# a timeout, print one "GP-BOARD-RESULT NAME PASS|FAIL STATUS" line per test
# and "GP-BOARD-DONE" to the console, then power the board off.  Started by
# gp-board-test.service once multi-user.target is reached; run-board.sh
# parses the lines.
set -u
dir=/usr/local/lib/gpu-proto-board
. "$dir/config"
export PATH="$dir:$PATH"

# Everything goes to the serial console (the unit's StandardOutput=).
echo "GP-BOARD-BOOTED $(cut -d' ' -f1 /proc/uptime)"
while IFS='	' read -r name cmd; do
	[ -n "$name" ] || continue
	echo "GP-BOARD-START $name"
	start=$(date +%s)
	# -k: a test that ignores SIGTERM is killed 5 s later.
	timeout -k 5 "$GP_TEST_TIMEOUT" sh -c "$cmd" >"/tmp/$name.out" 2>&1
	rc=$?
	sed "s/^/GP-BOARD-OUT $name: /" "/tmp/$name.out"
	if [ "$rc" -eq 0 ]; then
		res=PASS
	else
		res=FAIL
		[ "$rc" -eq 124 ] && echo "GP-BOARD-OUT $name: timed out after ${GP_TEST_TIMEOUT}s"
		journalctl -b --no-pager -o short-monotonic --since "@$start" 2>/dev/null |
			tail -n 60 | sed "s/^/GP-BOARD-LOG $name: /"
	fi
	echo "GP-BOARD-RESULT $name $res $rc"
done <"$dir/tests.list"
echo "GP-BOARD-DONE $(cut -d' ' -f1 /proc/uptime)"
systemctl --no-block poweroff
