#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gpu-protod over its socket transport on this machine, next to a direct
# in-process dispatch (docs/performance.md, "Socket transport").
#
#   host-socket-bench.sh [--iterations N] [--verbose] BUILD_DIR
#
# Starts gpu-protod --transport=socket --foreground (mock backend; control
# socket and socket in a fresh temporary directory, so no root and no
# clash with a running daemon), times GET_CAP and DEV_QUERY(GPU_INFO) over
# it with gpu-proto-bench-cuse under gpu-proto-run (the LD_PRELOAD shim),
# then buffer objects over the same daemon with gpu-proto-bench-bo through
# libgpuproto (a mapped 64 MiB object's write bandwidth against anonymous
# memory; 4 KiB create+map+close against GET_CAP), stops it, runs
# gpu-proto-bench for the in-process dispatch of the same ioctls and prints
# both side by side with their ratios, then gpu-proto-bench-bo
# --in-process (the daemon's code and its fd socket in the bench's
# process).  `ninja -C BUILD bench-socket` runs it with the defaults.
#
# --iterations N: ioctls per timed socket batch (default 2000; the median
# of 11 batches).  The in-process figures are gpu-proto-bench's defaults.
# --no-bo: skip gpu-proto-bench-bo.
#
# A benchmark, not a test: the exit status says whether it ran, never
# whether a figure was good.  Not registered with meson test.
set -u

iterations=2000
verbose=""
bo=1
while [ $# -gt 0 ]; do
	case "$1" in
	--iterations) iterations=$2; shift 2 ;;
	-v | --verbose) verbose=--verbose; shift ;;
	--no-bo) bo=0; shift ;;
	-h | --help)
		sed -n '4,26p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) echo "host-socket-bench: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: host-socket-bench.sh [--iterations N] [--verbose] BUILD_DIR" >&2; exit 2; }
build=$1

for p in daemon/gpu-protod bench/gpu-proto-bench-cuse bench/gpu-proto-bench bench/gpu-proto-bench-bo \
	tools/gpu-proto-run; do
	[ -x "$build/$p" ] || { echo "host-socket-bench: $build/$p missing: ninja -C $build first" >&2; exit 1; }
done
[ -f "$build/libclient/libgpuproto-shim.so" ] ||
	{ echo "host-socket-bench: $build/libclient/libgpuproto-shim.so missing: ninja -C $build first" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/gp-socket-bench.XXXXXX") || exit 1
sock=$dir/gpu-proto.sock
control=$dir/control
# A path only the shim knows (it must not be a real node): open() of it
# connects to $sock.
node=/dev/gpu-proto-socket-bench
daemon=""
cleanup() {
	[ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon"
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "host-socket-bench: $*" >&2
	[ -s "$dir/gpu-protod.log" ] && sed 's/^/  | /' "$dir/gpu-protod.log" >&2
	exit 1
}

[ -e "$node" ] && fail "$node exists: the shim would not be what is timed"

"$build/daemon/gpu-protod" --foreground --transport=socket --log-level=warning \
	--devname gpu-proto-socket-bench --control "$control" --socket "$sock" \
	>"$dir/gpu-protod.log" 2>&1 &
daemon=$!
i=0
until [ -S "$sock" ] && [ -S "$control" ]; do
	kill -0 "$daemon" 2>/dev/null || { wait "$daemon"; daemon=""; fail "gpu-protod exited"; }
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "$sock did not appear within 10 s"
	sleep 0.1
done

echo "host: $(date -u +%Y-%m-%d), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== gpu-protod --transport=socket, through gpu-proto-run (gpu-proto-bench-cuse)"
sockout=$("$build/tools/gpu-proto-run" --device "$node" --socket "$sock" \
	"$build/bench/gpu-proto-bench-cuse" --iterations "$iterations" $verbose \
	--control "$control" socket="$node") || { echo "$sockout"; fail "gpu-proto-bench-cuse failed"; }
echo "$sockout"

if [ "$bo" -eq 1 ]; then
	# libgpuproto finds the daemon's socket (and from it the fd socket,
	# $dir/gpu-proto.fd.sock) through $GPU_PROTO_SOCKET, as $node is no node.
	echo
	echo "== buffer objects over the socket transport (gpu-proto-bench-bo, libgpuproto)"
	GPU_PROTO_SOCKET=$sock "$build/bench/gpu-proto-bench-bo" $verbose "$node" ||
		fail "gpu-proto-bench-bo over the socket failed"
fi

kill -TERM "$daemon"
wait "$daemon"
rc=$?
daemon=""
[ "$rc" -eq 0 ] || fail "gpu-protod exited with $rc after SIGTERM"

echo
echo "== in-process dispatch (gpu-proto-bench, the dispatch rows)"
inout=$("$build/bench/gpu-proto-bench") || { echo "$inout"; fail "gpu-proto-bench failed"; }
echo "$inout" | sed -n -e '/^machine:/p' -e '/^load:/p' -e '/^build:/p' \
	-e '/^dispatch (in-process)/,/^$/p'

# One row per ioctl: socket ns (from "12.28 us"), direct and retry ns.
echo "$sockout" | awk '
	/^socket vs CUSE/ { t = 1; next }
	t && ($1 == "GET_CAP" || $1 == "DEV_QUERY(GPU_INFO)") {
		ns = $2 * ($3 == "us" ? 1000 : 1)
		printf "%s %s %s\n", $1, ns, ($7 == "-" ? 0 : $7)
	}' >"$dir/socket"
echo "$inout" | awk '
	/^dispatch \(in-process\)/ { t = 1; next }
	t && ($1 == "GET_CAP" || $1 == "DEV_QUERY(GPU_INFO)") { printf "%s %s %s\n", $1, $2, $4 }
	' >"$dir/inproc"
if [ "$(wc -l <"$dir/socket")" -ne 2 ] || [ "$(wc -l <"$dir/inproc")" -ne 2 ]; then
	fail "could not read the figures back from the two programs' output"
fi

echo "== socket transport vs in-process dispatch (same ioctls, mock backend, this machine)"
awk '
	NR == FNR { sock[$1] = $2; rt[$1] = $3; next }
	{ direct[$1] = $2; retry[$1] = $3; order[++n] = $1 }
	END {
		printf "%-20s %12s %12s %12s %14s %14s %10s\n", "per ioctl (median)", "socket",
		       "in-process", "retry mode", "socket/direct", "socket/retry", "rt/ioctl"
		for (i = 1; i <= n; i++) {
			k = order[i]
			printf "%-20s %9.0f ns %9.1f ns %9.1f ns %13.0fx %13.0fx %10.2f\n", k, sock[k],
			       direct[k], retry[k], sock[k] / direct[k], sock[k] / retry[k], rt[k]
		}
	}' "$dir/socket" "$dir/inproc"
echo "(in-process: gp_inproc_ioctl() in direct mode, one dispatcher pass; retry mode"
echo " re-runs the dispatcher per round trip as the socket and CUSE frontends do."
echo " The socket figure is run before, not interleaved with, the in-process one.)"

if [ "$bo" -eq 1 ]; then
	echo
	echo "== buffer objects in process (gpu-proto-bench-bo --in-process)"
	"$build/bench/gpu-proto-bench-bo" $verbose --in-process ||
		fail "gpu-proto-bench-bo --in-process failed"
fi
