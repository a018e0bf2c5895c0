#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The whole host test suite, as CI runs it:
#   gcc  (warnings as errors)      every unit test
#   clang (warnings as errors)     every unit test
#   gcc + ASan + UBSan             every unit test
#   gcc + TSan                     the concurrency suite
#   the daemon's --dry-run on the mock backend
#   the virtual board (tests/board/): the arm64 packages under systemd on an
#     arm64 kernel with vfio-platform in QEMU (cached kernel and base image:
#     about 7 minutes; a bare machine first builds them: ~7 + ~3 minutes
#     on an idle 2-core machine, much longer on a loaded one)
# Exits non-zero when anything fails; the last line totals the test runs.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${GP_BUILD_ROOT:-$top/build-test}
cd "$top"

"$top/scripts/install-deps.sh"

passed=0
failed=0
status=0

count() {
	# Tally meson's test log of a configuration into the totals.
	set -- $(python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r != "SKIP":
        bad += 1
print(ok, bad)
PY
)
	passed=$((passed + $1))
	failed=$((failed + $2))
}

run_config() {
	name=$1 suite=$2
	shift 2
	dir="$out/$name"
	echo "=== $name: configure"
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" --werror "$@" >"$out/$name.setup.log" 2>&1 || {
			cat "$out/$name.setup.log"
			echo "=== $name: configure FAILED"
			failed=$((failed + 1)); status=1; return
		}
	fi
	echo "=== $name: build"
	ninja -C "$dir" >"$out/$name.build.log" 2>&1 || {
		cat "$out/$name.build.log"
		echo "=== $name: build FAILED"
		failed=$((failed + 1)); status=1; return
	}
	echo "=== $name: test (suite $suite)"
	if meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes 2; then
		:
	else
		status=1
	fi
	count "$dir"
}

mkdir -p "$out"

run_config gcc unit
CC=clang run_config clang unit
# Sanitizer options come from tests/meson.build's test environment.
run_config asan-ubsan unit -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false
run_config tsan concurrency -Db_sanitize=thread -Db_lundef=false -Dbench=false

# The Promela model of the lifetime rules, checked exhaustively by spin.
echo "=== verify: spin model of registration, guard, revoke, parked reads"
if GP_SPIN_REQUIRED=1 meson test -C "$out/gcc" --suite verify --print-errorlogs; then
	:
else
	status=1
fi
count "$out/gcc"

# The VM tier: a real kernel with CUSE under QEMU (this machine has none).
# GP_VM_REQUIRED makes a missing QEMU or kernel a failure, not a skip.
echo "=== vm: gpu-protod over real CUSE in QEMU"
if GP_VM_REQUIRED=1 meson test -C "$out/gcc" --suite vm --print-errorlogs; then
	:
else
	status=1
fi
count "$out/gcc"

echo "=== arm64: cross-build (warnings as errors), unit suite under qemu-user"
if GP_ARM64_BUILD_DIR="$out/arm64" "$top/scripts/test-arm64.sh"; then :; else status=1; fi
if [ -f "$out/arm64/meson-logs/testlog.json" ]; then count "$out/arm64"; else failed=$((failed + 1)); fi

echo "=== Debian packages: amd64 + arm64 (cross), lintian, install, purge"
if GP_BUILD_ROOT="$out" "$top/scripts/test-deb.sh"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	status=1
fi

# The virtual board: the arm64 packages just built, installed with dpkg into
# a Debian arm64 image booted with systemd as PID 1 on an arm64 kernel with
# vfio-platform/vfio-amba under QEMU (tests/board/README.md).  Every board
# test counts; GP_BOARD_REQUIRED makes a missing prerequisite a failure.
echo "=== virtual board: systemd, udev, vfio-platform/vfio-amba, hot-unbind (arm64 QEMU)"
GP_BOARD_REQUIRED=1 "$top/tests/board/run-board.sh" "$out/deb/src" "$out/arm64" \
	>"$out/board.log" 2>&1 || status=1
cat "$out/board.log"
set -- $(sed -n 's/^board: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out/board.log")
if [ $# -eq 2 ]; then
	passed=$((passed + $1))
	failed=$((failed + $2))
else
	failed=$((failed + 1)); status=1
fi

echo "=== fuzz: libFuzzer smoke run (clang, ASan + UBSan)"
if GP_FUZZ_BUILD_DIR="$out/fuzz" "$top/scripts/test-fuzz.sh"; then :; else status=1; fi
if [ -f "$out/fuzz/meson-logs/testlog.json" ]; then count "$out/fuzz"; else failed=$((failed + 1)); status=1; fi

echo "=== gpu-protod --dry-run on the mock backend"
if "$out/gcc/daemon/gpu-protod" --dry-run; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); status=1
fi

echo
echo "$passed passed, $failed failed"
exit $status
