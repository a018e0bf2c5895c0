#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gpu-protod over real CUSE, timed against the floor and a kernel driver,
# and over its socket transport, in one VM run (docs/performance.md, "Over
# CUSE" and "Socket transport").  Two modes:
#
#   vm-bench.sh [--smp N] [--iterations N] [--verbose] [--timeout SECS]
#               [--no-bo | --bo-only] BUILD_DIR
#       On the host: boot the VM tier (tests/vm/run-vm.sh, QEMU TCG, one
#       vCPU unless --smp) with this script, gpu-protod, gpu-protoctl,
#       gpu-proto-bench-cuse, gpu-proto-cuse-minimal, gpu-proto-bench-bo,
#       gpu-proto-run and libgpuproto-shim.so from BUILD_DIR, run the
#       benchmarks inside and print their tables.  `ninja -C BUILD
#       bench-vm` does this.
#
#   vm-bench.sh --in-vm [--iterations N] [--verbose] [--no-bo | --bo-only]
#       Inside the VM (run-vm.sh runs it so): start gpu-protod (-f, mock
#       backend, CUSE), a second gpu-protod (--transport=socket) and
#       gpu-proto-cuse-minimal; time the three servers and vgem's
#       /dev/dri/card0 with one gpu-proto-bench-cuse under gpu-proto-run
#       (only the socket device goes through the shim); then buffer
#       objects over CUSE with gpu-proto-bench-bo (libgpuproto on
#       /dev/gpu-proto: a mapped 64 MiB object's write bandwidth against
#       anonymous memory, 4 KiB create+map+close against GET_CAP); then GPU
#       work with gpu-proto-bench-submit (submit-to-signal of a one-NOP
#       stream against GET_CAP, in process and over CUSE, and jobs per
#       second with 1 and 4 clients); stop them.  --no-bo skips
#       gpu-proto-bench-bo, --bo-only runs only it; --no-submit and
#       --submit-only do the same for gpu-proto-bench-submit.
#
# A benchmark, not a test: the exit status says whether it ran, never
# whether a target was met.  Not registered with meson test.
set -u

iterations=""
verbose=""
smp=1
timeout=600
in_vm=0
bo=1
submit=1
while [ $# -gt 0 ]; do
	case "$1" in
	--in-vm) in_vm=1; shift ;;
	--iterations) iterations=$2; shift 2 ;;
	-v | --verbose) verbose=--verbose; shift ;;
	--smp) smp=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--no-bo) bo=0; shift ;;
	--bo-only) bo=2; shift ;;
	--no-submit) submit=0; shift ;;
	--submit-only) submit=2; shift ;;
	-h | --help)
		sed -n '4,33p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) echo "vm-bench: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

# --- inside the VM -----------------------------------------------------------

if [ "$in_vm" -eq 1 ]; then
	# shellcheck source=tests/vm/gp-vm-lib.sh
	. /gp/bin/gp-vm-lib.sh
	minimal_node=/dev/gpu-proto-minimal
	minimal_log=/tmp/gpu-proto-cuse-minimal.log
	# The socket daemon: its own name, control and socket beside the CUSE
	# one's.  $sock_node is no node at all: only the shim knows the path.
	sock_node=/dev/gpu-proto-sock
	sock_path=/run/gpu-protod/gpu-proto-sock.sock
	sock_control=/run/gpu-protod/control-sock
	sock_log=/tmp/gpu-protod-sock.log
	shim=/gp/bin/libgpuproto-shim.so

	# Buffer objects over CUSE, through libgpuproto on the CUSE daemon's
	# node; its fd socket is the default /run/gpu-protod/gpu-proto.fd.sock.
	run_bo() {
		echo
		echo "buffer objects over CUSE (gpu-proto-bench-bo, libgpuproto):"
		gpu-proto-bench-bo $verbose "$node" ||
			fail "gpu-proto-bench-bo over CUSE failed"
		gpu-protoctl status | grep -e '^ioctls=' -e 'round_trip' -e '^fd_' | sed 's/^/  /'
	}

	# GPU work: one-NOP jobs in this process and over CUSE, interleaved.
	run_submit() {
		[ -x /gp/bin/gpu-proto-bench-submit ] || { echo "warning: no gpu-proto-bench-submit"; return 0; }
		echo
		echo "GPU work in process and over CUSE (gpu-proto-bench-submit, libgpuproto):"
		gpu-proto-bench-submit $verbose --in-process "$node" ||
			fail "gpu-proto-bench-submit failed"
		gpu-protoctl status | grep -e '^ioctls=' -e 'round_trip' | sed 's/^/  /'
	}

	[ -c /dev/cuse ] || fail "/dev/cuse missing"
	# shellcheck disable=SC2119 # no options: the default mock backend
	start_daemon
	if [ "$submit" -eq 2 ]; then
		run_submit
		stop_daemon
		exit 0
	fi
	if [ "$bo" -eq 2 ]; then
		run_bo
		stop_daemon
		exit 0
	fi
	gpu-proto-cuse-minimal "${minimal_node#/dev/}" 2>"$minimal_log" &
	minimal=$!
	wait_for "$minimal_node" -c || fail "$minimal_node did not appear within 10 s"
	sockd=""
	if [ -x /gp/bin/gpu-proto-run ] && [ -f "$shim" ]; then
		gpu-protod -f --transport=socket --devname "${sock_node#/dev/}" \
			--control "$sock_control" --socket "$sock_path" >"$sock_log" 2>&1 &
		sockd=$!
		wait_for "$sock_path" -S || fail "$sock_path did not appear within 10 s: $(cat "$sock_log")"
		wait_for "$sock_control" -S || fail "$sock_control did not appear within 10 s"
	else
		echo "warning: no gpu-proto-run or $shim: no socket figure"
	fi

	set -- gpu-protod="$node" minimal="$minimal_node"
	if [ -c /dev/dri/card0 ]; then
		# vgem's device is a bare platform device: no driver link, its name says it.
		dev=$(readlink /sys/class/drm/card0/device 2>/dev/null)
		echo "vgem: /dev/dri/card0 is ${dev##*/}"
		set -- "$@" vgem=/dev/dri/card0
	else
		echo "warning: no /dev/dri/card0 (vgem not loaded?): no kernel figure"
	fi
	if [ -n "$sockd" ]; then
		# One process, all devices interleaved: the shim is preloaded, but
		# only socket= goes through it (bench_cuse.c issues the others'
		# ioctls with syscall()).
		GPU_PROTO_SHIM=$shim gpu-proto-run --device "$sock_node" --socket "$sock_path" \
			gpu-proto-bench-cuse ${iterations:+--iterations "$iterations"} $verbose \
			--socket-control "$sock_control" "$@" socket="$sock_node" ||
			fail "gpu-proto-bench-cuse (under gpu-proto-run) failed"
	else
		gpu-proto-bench-cuse ${iterations:+--iterations "$iterations"} $verbose "$@" ||
			fail "gpu-proto-bench-cuse failed"
	fi

	echo
	echo "gpu-protod status after the run (whole run, warm-up included):"
	gpu-protoctl status | grep -e '^ioctls=' -e 'round_trip' | sed 's/^/  /'
	[ "$bo" -eq 1 ] && run_bo
	[ "$submit" -eq 1 ] && run_submit
	if [ -n "$sockd" ]; then
		echo "gpu-protod --transport=socket status after the run:"
		gpu-protoctl --control "$sock_control" status |
			grep -e '^transport=' -e '^ioctls=' -e 'round_trip' | sed 's/^/  /'
		kill -TERM "$sockd"
		wait "$sockd"
		rc=$?
		[ "$rc" -eq 0 ] || fail "gpu-protod --transport=socket exited with $rc after SIGTERM: $(cat "$sock_log")"
	fi
	kill -TERM "$minimal"
	wait "$minimal"
	rc=$?
	sed 's/^/  /' "$minimal_log"
	[ "$rc" -eq 0 ] || fail "gpu-proto-cuse-minimal exited with $rc after SIGTERM"
	stop_daemon
	exit 0
fi

# --- on the host -------------------------------------------------------------

[ $# -eq 1 ] || { echo "usage: vm-bench.sh [--smp N] [--iterations N] [--verbose] [--timeout SECS] [--no-bo | --bo-only] [--no-submit | --submit-only] BUILD_DIR" >&2; exit 2; }
build=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
set --
for p in daemon/gpu-protod tools/gpu-protoctl bench/gpu-proto-bench-cuse bench/gpu-proto-cuse-minimal \
	bench/gpu-proto-bench-bo tools/gpu-proto-run libclient/libgpuproto-shim.so; do
	[ -x "$build/$p" ] || { echo "vm-bench: $build/$p missing: ninja -C $build first" >&2; exit 1; }
	set -- "$@" --bin "$build/$p"
done
# Optional: a build without it times the rest.
[ -x "$build/bench/gpu-proto-bench-submit" ] && set -- "$@" --bin "$build/bench/gpu-proto-bench-submit"

bo_opt=""
[ "$bo" -eq 0 ] && bo_opt=--no-bo
[ "$bo" -eq 2 ] && bo_opt=--bo-only
[ "$submit" -eq 0 ] && bo_opt="$bo_opt --no-submit"
[ "$submit" -eq 2 ] && bo_opt="$bo_opt --submit-only"
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
# The per-test limit must cover boot-to-end of the benchmark; the VM's a bit more.
"$src/tests/vm/run-vm.sh" --smp "$smp" --timeout "$((timeout + 60))" --test-timeout "$timeout" \
	--bin "$src/tests/vm/gp-vm-lib.sh" --bin "$here/vm-bench.sh" "$@" "$build" \
	"bench-cuse=/gp/bin/vm-bench.sh --in-vm${iterations:+ --iterations $iterations} $verbose $bo_opt" >"$out" 2>&1
rc=$?

log="$(cd "$build" && pwd)/vm-tier/console.log"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), nproc $(nproc)," \
	"$(qemu-system-x86_64 --version 2>/dev/null | head -n 1), TCG -smp $smp, $(date -u +%Y-%m-%d)"
if [ -f "$log" ]; then
	tr -d '\r' <"$log" | grep -a '^GP-VM-OUT bench-cuse: ' | sed 's/^GP-VM-OUT bench-cuse: //'
fi
if [ "$rc" -ne 0 ]; then
	echo "vm-bench: the VM run failed (status $rc); run-vm.sh said:" >&2
	tail -n 30 "$out" | sed 's/^/  | /' >&2
fi
exit "$rc"
