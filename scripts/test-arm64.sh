#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The arm64 build, tested on an amd64 machine:
#   scripts/cross-arm64.sh   installs the cross toolchain and the arm64
#                            libraries, cross-builds $GP_ARM64_BUILD_DIR
#                            (default build-arm64) with warnings as errors
#   meson test --suite unit  every Check suite (guard, dispatch, events,
#                            control, mock, mali-csf, libclient, UAPI
#                            layout), the tools' CLI tests, the unit file
#                            and man page checks; the arm64 programs run
#                            under qemu-user (the cross file's exe_wrapper,
#                            qemu-aarch64-static, called directly: no
#                            binfmt_misc needed)
# Not run on arm64: the VM tier (it boots an amd64 kernel with
# qemu-system-x86), the sanitizer builds, the bench (built, never run).
#
# Extra arguments go to meson test (e.g. a test name).  Ends with
# "N passed, N failed"; exits non-zero when the build or a test failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${GP_ARM64_BUILD_DIR:-$top/build-arm64}
export GP_ARM64_BUILD_DIR="$build"

# A failed build must not leave the last run's results to be counted.
rm -f "$build/meson-logs/testlog.json"

echo "=== arm64: cross-build ($build)"
if ! "$top/scripts/cross-arm64.sh"; then
	echo "=== arm64: cross-build FAILED"
	echo
	echo "0 passed, 1 failed"
	exit 1
fi

echo "=== arm64: unit suite under qemu-user"
status=0
meson test -C "$build" --suite unit --print-errorlogs --num-processes 2 "$@" || status=1

# shellcheck disable=SC2046
set -- $(python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r != "SKIP":
            bad += 1
except OSError:
    bad = 1
print(ok, bad)
PY
)
[ "$2" -eq 0 ] || status=1
echo
echo "$1 passed, $2 failed"
exit $status
