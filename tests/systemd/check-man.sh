#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-man.sh PAGE...
#
# Each man page renders with groff without a single warning (-ww: all
# warnings, -z: no output), contains no stray control characters (a "\f"
# mangled into a form feed renders silently wrong), and has the sections a
# reader looks for.  Exit 0 pass, 1 fail, 77 skip when groff is missing
# (unless GP_SYSTEMD_REQUIRED=1: apt-get install groff-base).
set -u

if ! command -v groff >/dev/null 2>&1; then
	if [ "${GP_SYSTEMD_REQUIRED:-0}" = 1 ]; then
		echo "FAIL: groff not found and GP_SYSTEMD_REQUIRED=1 (apt-get install groff-base)"
		exit 1
	fi
	echo "SKIP: groff not found (apt-get install groff-base)"
	exit 77
fi

status=0
for page in "$@"; do
	bad=0
	if ! out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1) || [ -n "$out" ]; then
		printf '%s\n' "$out"
		echo "FAIL: $page: groff warnings"
		bad=1
	fi
	if LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$page"; then
		echo "FAIL: $page: control characters"
		bad=1
	fi
	for section in NAME SYNOPSIS DESCRIPTION '"EXIT STATUS"' FILES EXAMPLES \
			'"SEE ALSO"'; do
		if ! grep -q "^\.SH $section\$" "$page"; then
			echo "FAIL: $page: no .SH $section"
			bad=1
		fi
	done
	if [ $bad -eq 0 ]; then echo "ok: $page"; else status=1; fi
done
exit $status
