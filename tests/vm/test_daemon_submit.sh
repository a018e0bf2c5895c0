#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: GPU work over real CUSE, on the mock backend's CSF model.
#  1. gpu-proto-fill's fill-and-signal round trip through /dev/gpu-proto:
#     a command stream fills a mapped buffer and signals a timeline point.
#  2. Four gpu-proto-fill clients submit in a loop (submit, bounded wait,
#     status, bytes) while the device is unbound and rebound 20 times:
#     every submit ends signalled and verified or failed with an error
#     (ENODEV, a fence error, an unusable group), no wait times out (a
#     client exits 1 on a hang or a wrong byte), and afterwards the daemon
#     is back at its baseline: same number of open fds, no open files,
#     VmRSS within a bound of the baseline.
set -u
. /gp/bin/gp-vm-lib.sh

start_daemon

gpu-proto-fill >/tmp/fill.log 2>&1 || { cat /tmp/fill.log; fail "fill-and-signal over CUSE"; }
cat /tmp/fill.log
grep -q '1 submits: 1 signalled and verified' /tmp/fill.log || fail "no verified job"
echo "ok: fill-and-signal round trip over CUSE"

# Warm the daemon (threads, allocator arenas) before the baseline.
gpu-proto-fill --iterations 20 --quiet >/tmp/warm.log 2>&1 || { cat /tmp/warm.log; fail "warm-up"; }
fds_before=$(ls /proc/"$daemon"/fd | wc -l)
rss_before=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' /proc/"$daemon"/status)
echo "baseline: $fds_before fds, VmRSS $rss_before kB"

rm -f /tmp/stop-clients
pids=
for c in 1 2 3 4; do
	gpu-proto-fill --until /tmp/stop-clients --reopen 30000 --timeout-ms 20000 --quiet \
		--seed "$c" >/tmp/client.$c.log 2>&1 &
	pids="$pids $!"
done
sleep 1
# Every bind must succeed: a bind boots the mock's MCU, which mali-csf
# gives 1 s (panthor's figure), so one that fails under this load is a bug
# to see, not to retry.
for i in $(seq 1 20); do
	gpu-protoctl unbind >/dev/null || fail "unbind #$i"
	sleep 0.2
	gpu-protoctl bind >/tmp/bind.log 2>&1 || fail "bind #$i: $(cat /tmp/bind.log)"
	sleep 0.4
done
echo "20 unbind/rebind cycles"
# Let the clients find the device back and run on it before stopping.
sleep 1
touch /tmp/stop-clients
n=0
status=0
for p in $pids; do
	n=$((n + 1))
	wait "$p" || { echo "client $n: exit status $?"; status=1; }
	sed "s/^/client $n: /" /tmp/client.$n.log | tail -n 3
done
[ "$status" -eq 0 ] || fail "a client hung, saw a wrong byte or an unexplained error"
total=0
errors=0
for c in 1 2 3 4; do
	line=$(grep 'submits:' /tmp/client.$c.log) || fail "client $c printed no summary"
	case "$line" in *" 0 hung"*) ;; *) fail "client $c: $line" ;; esac
	s=$(echo "$line" | sed -n 's/.*: \([0-9]*\) submits: .*/\1/p')
	v=$(echo "$line" | sed -n 's/.* submits: \([0-9]*\) signalled.*/\1/p')
	e=$(echo "$line" | sed -n 's/.*), \([0-9]*\) failed.*/\1/p')
	[ "$s" -eq $((v + e)) ] || fail "client $c: $s submits but $v verified + $e failed"
	total=$((total + s))
	errors=$((errors + e))
done
echo "4 clients: $total submits, $errors failed with an error, the rest signalled and verified, 0 hung"
[ "$errors" -gt 0 ] || fail "no submit raced an unbind: the test proved nothing"
gpu-protoctl status | grep -q '^unbinds=20$' || fail "expected 20 unbinds"
gpu-protoctl status | grep -q '^binds=21$' || fail "expected 21 binds"

# Back to the baseline once every client is gone.
i=0
while :; do
	fds_after=$(ls /proc/"$daemon"/fd | wc -l)
	files=$(gpu-protoctl status | sed -n 's/^open_files=//p')
	[ "$fds_after" -eq "$fds_before" ] && [ "$files" = 0 ] && break
	i=$((i + 1))
	[ "$i" -le 50 ] || fail "daemon fds $fds_after (baseline $fds_before), open_files=$files"
	sleep 0.1
done
rss_after=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' /proc/"$daemon"/status)
echo "after: $fds_after fds, open_files=$files, VmRSS $rss_after kB (baseline $rss_before kB)"
# Bounded, not equal: allocator arenas of the client threads stay mapped.
[ "$rss_after" -le $((rss_before + 16384)) ] || fail "VmRSS grew by more than 16 MiB"
ls -l /proc/"$daemon"/fd | grep -c memfd | sed 's/^/memfds held by the daemon: /'

gpu-proto-fill >/tmp/fill.log 2>&1 || { cat /tmp/fill.log; fail "fill-and-signal after the rebinds"; }
echo "ok: fill-and-signal after 20 rebinds"
kill -0 "$daemon" || fail "the daemon died"
stop_daemon
