#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM soak: gpu-protod (mock backend) under mixed clients for
# GP_SOAK_SECONDS (default 300) while the control socket unbinds and
# rebinds it every GP_SOAK_PERIOD seconds (default 3):
#   - hammer: 2 processes x 2 threads of VERSION/GET_CAP/DEV_QUERY ioctls
#     (gp-vm-client hammer: every result 0 or ENODEV, dead files stay dead);
#   - 2 flush-event readers (gp-vm-client flush-events: FLUSH_CACHES, poll,
#     read the FLUSH_DONE with the right user_data; ENODEV means reopen);
#   - a blocked reader and a poller, restarted after every unbind
#     (gp-vm-client block-read / poll-hup: woken with ENODEV / POLLERR|POLLHUP).
# Zero unexpected results are allowed.  The daemon's RSS (VmRSS), open fds
# and threads are sampled in the bound state, just before an unbind, with
# every client running: after a warm-up, a few times during the run and
# at the end.  It fails if fds or threads differ from the warm-up sample at
# any point, or if RSS grew by more than GP_SOAK_RSS_SLACK_KB (default
# 1024).  Why 1 MiB: the allocator's caches and the workers' stacks settle
# in the warm-up; what remains is noise of a few pages.  The smallest
# leak, one 32-byte malloc chunk per ioctl, grows RSS by 32 bytes x the
# ioctls served (printed at the end; several MiB over 300 s); one per
# unbind cycle is far below any RSS bound, which is why fds and threads
# (what a binding owns: eventfds, the mock's timer thread) must not move
# at all.
#
# Transparent huge pages stay as the kernel has them (Debian: "always";
# GP_SOAK_THP=madvise changes it): with "always", khugepaged would collapse
# any 2 MiB-aligned range of a worker's stack or a malloc heap with one
# touched page into a huge page and RSS would jump by 2 MiB at moments that
# have nothing to do with the daemon, so gpu-protod opts out of THP for
# itself (PR_SET_THP_DISABLE); this soak checks that it did.
#
# In the VM: `soak.sh` (it sources /gp/bin/gp-vm-lib.sh).  On the host,
# to boot the VM with the programs from a build directory:
#   tests/vm/soak.sh --vm BUILD_DIR [SECONDS]
set -u

if [ "${1:-}" = --vm ]; then
	here=$(cd "$(dirname "$0")" && pwd)
	build=${2:?usage: soak.sh --vm BUILD_DIR [SECONDS]}
	secs=${3:-300}
	exec "$here/run-vm.sh" --test-timeout $((secs + 120)) --timeout $((secs + 300)) \
		--bin "$here/gp-vm-lib.sh" --bin "$here/soak.sh" \
		--bin "$build/daemon/gpu-protod" --bin "$build/tools/gpu-protoctl" \
		--bin "$build/tests/gp-vm-client" \
		"$build" "soak=GP_SOAK_SECONDS=$secs soak.sh"
fi

. /gp/bin/gp-vm-lib.sh

secs=${GP_SOAK_SECONDS:-300}
thp=${GP_SOAK_THP:-keep}
thp_file=/sys/kernel/mm/transparent_hugepage/enabled
if [ "$thp" != keep ] && [ -w "$thp_file" ]; then
	echo "$thp" >"$thp_file" || fail "cannot set transparent huge pages to $thp"
fi
period=${GP_SOAK_PERIOD:-3}
slack_kb=${GP_SOAK_RSS_SLACK_KB:-1024}
# Warm-up: a fifth of the run, at most 30 s, and at least two unbind cycles.
warmup=$((secs / 5))
[ "$warmup" -le 30 ] || warmup=30
stop=/tmp/soak-stop
bad=/tmp/soak-unexpected
rm -f "$stop" "$bad"

now() { read -r up _ </proc/uptime; echo "${up%.*}"; }
status_key() { gpu-protoctl status | sed -n "s/^$1=//p"; }

# Restart a one-shot client (block-read, poll-hup) until the soak ends.
# Each run is woken by the next unbind; while unbound, open gets ENODEV.
client_loop() {
	what=$1 expect=$2
	woken=0 unbound=0
	while [ ! -e "$stop" ]; do
		out=$(gp-vm-client "$what" 2>&1)
		rc=$?
		case "$rc:$out" in
		0:*"$expect"*) woken=$((woken + 1)) ;;
		1:*"open: No such device"*) unbound=$((unbound + 1)); sleep 0.2 ;;
		*) echo "$what: unexpected (exit $rc): $out" | tr '\n' ' '; echo; echo "$what" >>"$bad" ;;
		esac
	done
	echo "$what: $woken woken ($expect), $unbound opens while unbound"
}

# The daemon's RSS (kB), fds and threads, read twice 0.2 s apart, the
# smaller kept: a control connection being closed is not a leak.
proc_sample() {
	r1=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$daemon/status")
	f1=$(ls "/proc/$daemon/fd" | wc -l)
	sleep 0.2
	rss=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$daemon/status")
	fds=$(ls "/proc/$daemon/fd" | wc -l)
	threads=$(sed -n 's/^Threads:[^0-9]*//p' "/proc/$daemon/status")
	[ "$r1" -lt "$rss" ] && rss=$r1
	[ "$f1" -lt "$fds" ] && fds=$f1
}

samples=""
sample() {
	proc_sample
	huge=$(sed -n 's/^AnonHugePages:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$daemon/smaps_rollup" 2>/dev/null)
	samples="$samples$1 $(($(now) - t0)) $cycle $rss ${huge:-?} $fds $threads $(status_key ioctls)
"
	if [ -z "${base_rss:-}" ]; then
		base_rss=$rss base_fds=$fds base_threads=$threads
	fi
	[ "$fds" -eq "$base_fds" ] || echo "fds" >>"$bad"
	[ "$threads" -eq "$base_threads" ] || echo "threads" >>"$bad"
}

start_daemon
echo "soak: ${secs}s, unbind every ${period}s, warm-up ${warmup}s, RSS slack ${slack_kb} kB," \
	"transparent huge pages: $(cat "$thp_file" 2>/dev/null)"
echo "soak: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"

GP_HAMMER_STOP_FILE=$stop gp-vm-client hammer $((secs + 120)) 2 2 >/tmp/soak-hammer.log 2>&1 &
hammer=$!
GP_HAMMER_STOP_FILE=$stop gp-vm-client flush-events $((secs + 120)) >/tmp/soak-events1.log 2>&1 &
events1=$!
GP_HAMMER_STOP_FILE=$stop gp-vm-client flush-events $((secs + 120)) >/tmp/soak-events2.log 2>&1 &
events2=$!
client_loop block-read ENODEV >/tmp/soak-reader.log 2>&1 &
reader=$!
client_loop poll-hup "revents 0x18" >/tmp/soak-poller.log 2>&1 &
poller=$!

t0=$(now)
cycle=0
next_sample=$warmup
interval=$(( (secs - warmup) / 6 ))
[ "$interval" -ge "$period" ] || interval=$period
while [ $(($(now) - t0)) -lt "$secs" ]; do
	sleep "$period"
	cycle=$((cycle + 1))
	kill -0 "$daemon" 2>/dev/null || fail "the daemon died in cycle $cycle"
	# Bound, every client running: the state every sample is taken in.
	if [ $(($(now) - t0)) -ge "$next_sample" ] && [ "$cycle" -ge 3 ]; then
		if [ -z "${base_rss:-}" ]; then sample warm-up; else sample during; fi
		next_sample=$((next_sample + interval))
	fi
	gpu-protoctl unbind >/dev/null || fail "unbind #$cycle"
	sleep 0.5
	gpu-protoctl bind >/dev/null || fail "bind #$cycle"
done
sleep "$period"
sample end

# Stop the clients; one more unbind wakes the blocked reader and the poller.
touch "$stop"
gpu-protoctl unbind >/dev/null || fail "the last unbind"
wait "$hammer" || echo hammer >>"$bad"
wait "$events1" || echo flush-events >>"$bad"
wait "$events2" || echo flush-events >>"$bad"
wait "$reader"
wait "$poller"
cycle=$((cycle + 1))
gpu-protoctl bind >/dev/null || fail "the last bind"

cat /tmp/soak-hammer.log /tmp/soak-events1.log /tmp/soak-events2.log \
	/tmp/soak-reader.log /tmp/soak-poller.log
st=$(gpu-protoctl status)
echo "$st" | grep -E '^(binds|unbinds|opens|ioctls|reads|reads_parked|polls)='
ioctls=$(echo "$st" | sed -n 's/^ioctls=//p')
unbinds=$(echo "$st" | sed -n 's/^unbinds=//p')

echo
echo "sample    t(s)  cycle  VmRSS(kB)  huge(kB)  fds  threads     ioctls"
printf '%s' "$samples" | while read -r label t c r h f th io; do
	printf '%-8s %5s %6s %10s %9s %4s %8s %10s\n' "$label" "$t" "$c" "$r" "$h" "$f" "$th" "$io"
done
end_rss=$rss
growth=$((end_rss - base_rss))
echo "soak: ${secs}s, $unbinds unbinds, $ioctls ioctls; RSS ${base_rss} -> ${end_rss} kB" \
	"(${growth} kB, slack ${slack_kb} kB), fds ${base_fds} -> ${fds}, threads ${base_threads} -> ${threads}"
echo "soak: a 32-byte leak per ioctl would have added $((ioctls * 32 / 1024)) kB"

[ "$unbinds" -eq "$cycle" ] || fail "$unbinds unbinds, expected $cycle"
if [ "$growth" -gt "$slack_kb" ]; then
	echo "the daemon's largest mappings (Rss kB, AnonHugePages kB, range, name):"
	awk '/^[0-9a-f]+-[0-9a-f]+ /{m=$1" "$6} /^Rss:/{r=$2} /^AnonHugePages:/{print r, $2, m}' \
		"/proc/$daemon/smaps" | sort -rn | head -n 12
	fail "RSS grew by $growth kB (more than $slack_kb kB)"
fi
if [ -s "$bad" ]; then
	fail "unexpected results from: $(sort "$bad" | uniq -c | tr '\n' ' ')"
fi
stop_daemon
echo "soak: PASS"
