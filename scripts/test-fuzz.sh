#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The libFuzzer smoke run, as CI runs it: configure a clang build with
# AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer's coverage
# instrumentation in the project's libraries (-Dfuzz=true), build the
# fuzzers, and run each for a few seconds over its seed corpus (meson suite
# 'fuzz').  Exits non-zero on a crash, a leak, a sanitizer report, a
# timeout or a build failure.  Long campaigns: fuzz/README.md.
#
#   GP_FUZZ_BUILD_DIR   build directory (default: build-test/fuzz)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${GP_FUZZ_BUILD_DIR:-$top/build-test/fuzz}
cd "$top"

if ! command -v clang >/dev/null 2>&1; then
	echo "test-fuzz: clang is not installed (apt-get install clang libclang-rt-dev)" >&2
	exit 1
fi

mkdir -p "$(dirname "$dir")"
if [ ! -f "$dir/build.ninja" ]; then
	echo "=== fuzz: configure $dir"
	CC=clang meson setup "$dir" --werror \
		-Dfuzz=true -Dtests=disabled -Dbench=false \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link >"$dir.setup.log" 2>&1 || {
		cat "$dir.setup.log"
		echo "=== fuzz: configure FAILED"
		exit 1
	}
fi
echo "=== fuzz: build"
ninja -C "$dir" >"$dir.build.log" 2>&1 || {
	cat "$dir.build.log"
	echo "=== fuzz: build FAILED"
	exit 1
}
echo "=== fuzz: smoke run (suite fuzz)"
meson test -C "$dir" --suite fuzz --print-errorlogs --num-processes 2
