#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The example client of GPU work, gpu-proto-fill, against gpu-protod on the
# mock backend over the socket transport (the production daemon, the CSF
# model of the mock, libgpuproto's socket fallback and fd socket): the
# fill-and-signal round trip, repeated and from four clients at once; a
# stream that stores to an unmapped address must fail with the error its
# fence carries and a group marked faulty (exit status 1), not pass.
#
# Usage: test_fill.sh BUILD-DIR
set -u

build=$1
daemon_bin=$build/daemon/gpu-protod
fill=$build/tools/gpu-proto-fill
for p in "$daemon_bin" "$fill"; do
	[ -x "$p" ] || { echo "skip: $p not built"; exit 77; }
done

tmp=$(mktemp -d /tmp/gp-fill-test.XXXXXX)
sock=$tmp/gpu-proto.sock
daemon=
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -f "$tmp/out" ] && { echo "--- client output"; cat "$tmp/out"; }
	[ -f "$tmp/daemon.log" ] && { echo "--- daemon log"; cat "$tmp/daemon.log"; }
	exit 1
}

"$daemon_bin" --foreground --backend mock --transport=socket --socket="$sock" \
	--control="$tmp/control" --devname=gpu-proto >"$tmp/daemon.log" 2>&1 &
daemon=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "the socket did not appear in 10 s"
	kill -0 "$daemon" 2>/dev/null || fail "gpu-protod exited at start-up"
	sleep 0.1
done
export GPU_PROTO_SOCKET="$sock"

"$fill" --help | grep -q -- '--iterations' || fail "--help does not describe the options"
"$fill" --size 3 >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "--size 3: exit status $rc, want 2 (usage)"

# One round trip.
"$fill" >"$tmp/out" 2>&1 || fail "fill-and-signal: exit status $?"
grep -q '1 submits: 1 signalled and verified (4096 bytes each)' "$tmp/out" ||
	fail "fill-and-signal: no verified job in the summary"
echo "ok: fill-and-signal round trip"

# A size that is not a multiple of 64 bytes exercises the partial store.
"$fill" --size 1000 --seed 7 >"$tmp/out" 2>&1 || fail "--size 1000: exit status $?"
echo "ok: partial STORE_MULTIPLE"

# Many jobs on one group and one timeline.
"$fill" --iterations 50 --quiet >"$tmp/out" 2>&1 || fail "--iterations 50: exit status $?"
grep -q '50 submits: 50 signalled and verified' "$tmp/out" || fail "--iterations 50"
echo "ok: 50 jobs on one timeline"

# Four clients at once.
pids=
for c in 1 2 3 4; do
	"$fill" --iterations 20 --quiet --seed "$c" >"$tmp/out.$c" 2>&1 &
	pids="$pids $!"
done
n=0
for p in $pids; do
	n=$((n + 1))
	wait "$p" || { cat "$tmp/out.$n"; fail "client $n of 4: exit status $?"; }
done
for c in 1 2 3 4; do
	grep -q '20 submits: 20 signalled and verified' "$tmp/out.$c" || {
		cat "$tmp/out.$c"; fail "client $c of 4"; }
done
echo "ok: 4 clients x 20 jobs"

# A faulting job: exit status 1, the fence's error and the group's state said.
"$fill" --fault >"$tmp/out" 2>&1; rc=$?
[ "$rc" -eq 1 ] || fail "--fault: exit status $rc, want 1"
grep -q 'job of point 1 failed: .*(fence status -[0-9]*)' "$tmp/out" ||
	fail "--fault: SYNCOBJ_STATUS of the timeline point does not report the error"
grep -q 'group state 0x[0-9a-f]*.*fatal fault' "$tmp/out" ||
	fail "--fault: GROUP_GET_STATE does not say fatal fault"
echo "ok: a faulting job fails, reported with the group state"

kill -0 "$daemon" || fail "the daemon died"
