#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# verify-unit.sh BUILD_DIR
#
# The service integration, checked as installed:
#  1. `meson install --destdir` puts the unit, the udev rule, the
#     modules-load.d and sysusers.d files in directories systemd and udev
#     search, and the unit's EnvironmentFile and ExecStart point at
#     installed files; the group the unit joins (SupplementaryGroups=) is
#     the udev rule's GROUP and is created by the sysusers.d file.
#  2. `systemd-analyze verify --root=DESTDIR`: the unit parses without a
#     single warning, ExecStart's binary exists and is executable inside
#     DESTDIR, and the man pages in Documentation= are installed.
#  3. `systemd-analyze security --offline`: the sandbox's exposure score
#     stays at or below GP_UNIT_MAX_EXPOSURE (default 2.0; 1.5 when written),
#     so a hardening line lost by accident fails the test.
#  4. The udev rule, parsed by udev's own parser (`udevadm test`, systemd
#     252 has no `udevadm verify`) with only this rule loaded, in a private
#     mount namespace so the host's rules and /run are untouched.  No CUSE
#     device exists on a build host, so what the rule does to a real node
#     is not tested here; if no namespace can be made, this part is skipped
#     and says so.
#
# Exit 0 pass, 1 fail, 77 skip: systemd-analyze missing (unless
# GP_SYSTEMD_REQUIRED=1, then that is a failure).
set -u

build=${1:?usage: verify-unit.sh BUILD_DIR}
max_exposure=${GP_UNIT_MAX_EXPOSURE:-2.0}
meson=${MESON:-meson}
status=0

fail() {
	echo "FAIL: $*"
	status=1
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	if [ "${GP_SYSTEMD_REQUIRED:-0}" = 1 ]; then
		echo "FAIL: systemd-analyze not found and GP_SYSTEMD_REQUIRED=1 (apt-get install systemd)"
		exit 1
	fi
	echo "SKIP: systemd-analyze not found (apt-get install systemd)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gp-verify-unit.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/root

# --- 1. install and layout ---------------------------------------------
if ! "$meson" install -C "$build" --destdir "$dest" --no-rebuild --quiet \
		>"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "FAIL: meson install --destdir failed"
	exit 1
fi

# first_in DIR... : the first DESTDIR/DIR/NAME that exists ($name), or "".
first_in() {
	for d in "$@"; do
		if [ -f "$dest$d/$name" ]; then
			echo "$d/$name"
			return
		fi
	done
}

name=gpu-protod.service
unit=$(first_in /etc/systemd/system /usr/local/lib/systemd/system \
	/usr/lib/systemd/system /lib/systemd/system)
name=60-gpu-proto.rules
rules=$(first_in /etc/udev/rules.d /usr/local/lib/udev/rules.d \
	/usr/lib/udev/rules.d /lib/udev/rules.d)
name=gpu-proto.conf
modload=$(first_in /etc/modules-load.d /usr/local/lib/modules-load.d \
	/usr/lib/modules-load.d /lib/modules-load.d)
sysusers=$(first_in /etc/sysusers.d /usr/local/lib/sysusers.d /usr/lib/sysusers.d)

if [ -z "$unit" ]; then
	fail "gpu-protod.service is not installed in a systemd unit directory:"
	(cd "$dest" && find . -type f | sort)
	exit 1
fi
echo "unit:          $unit"
if [ -n "$rules" ]; then
	echo "udev rule:     $rules"
else
	fail "60-gpu-proto.rules is not installed in a udev rules directory"
fi
if [ -n "$modload" ]; then
	echo "modules-load:  $modload"
else
	fail "gpu-proto.conf is not installed in a modules-load.d directory"
fi
if [ -n "$modload" ] && ! grep -qx 'cuse' "$dest$modload"; then
	fail "$modload does not load the cuse module"
fi
# The unit joins the group the udev rule gives the node; it must exist.
group=$(sed -n 's/^SupplementaryGroups=//p' "$dest$unit")
if [ -z "$sysusers" ]; then
	fail "gpu-proto.conf is not installed in a sysusers.d directory"
elif ! grep -Eq "^g[[:space:]]+$group[[:space:]]" "$dest$sysusers" ||
		! grep -q "GROUP=\"$group\"" "$dest$rules"; then
	fail "SupplementaryGroups=$group, the udev rule's GROUP and $sysusers disagree"
else
	echo "sysusers.d:    $sysusers (group $group, as the unit and the udev rule)"
fi

grep -q '@[a-z]*@' "$dest$unit" && fail "unsubstituted @var@ left in $unit"

envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$dest$unit")
if [ -z "$envfile" ]; then
	fail "the unit has no EnvironmentFile="
elif [ ! -f "$dest$envfile" ]; then
	fail "EnvironmentFile $envfile is not installed"
elif ! grep -q '^GPU_PROTOD_ARGS=' "$dest$envfile"; then
	fail "$envfile does not set GPU_PROTOD_ARGS="
else
	echo "env file:      $envfile"
fi

# --- 2. systemd-analyze verify -----------------------------------------
# With --root, ExecStart= is looked up inside DESTDIR.  Documentation=
# man: pages are looked up with man(1), pointed at the installed pages.
man_opt=--man=yes
mandir=$(cd "$dest" && find . -path '*/man8/gpu-protod.8' | head -n 1)
if ! command -v man >/dev/null 2>&1; then
	echo "note: man(1) not installed, Documentation= pages not checked"
	man_opt=--man=no
elif [ -z "$mandir" ]; then
	fail "gpu-protod.8 is not installed"
	man_opt=--man=no
else
	mandir=${mandir#.}
	mandir=$dest${mandir%/man8/gpu-protod.8}
fi

# --recursive-errors=no: non-zero exit on any warning about this unit.
# Its warnings are also caught by name, in case a version exits 0 anyway.
out=$(cd / && MANPATH=$mandir systemd-analyze verify "$man_opt" \
	--recursive-errors=no --root="$dest" "$unit" 2>&1)
rc=$?
[ -n "$out" ] && printf '%s\n' "$out"
if [ $rc -ne 0 ]; then
	fail "systemd-analyze verify exited $rc"
elif printf '%s\n' "$out" | grep -q 'gpu-protod\.service'; then
	fail "systemd-analyze verify warned about the unit"
else
	echo "ok: systemd-analyze verify"
fi

# --- 3. exposure score -------------------------------------------------
if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
	out=$(cd / && systemd-analyze security --offline=yes --root="$dest" \
		"$unit" 2>&1)
	rc=$?
	score=$(printf '%s\n' "$out" |
		sed -n 's/.*Overall exposure level for gpu-protod\.service: \([0-9.]*\).*/\1/p')
	if [ $rc -ne 0 ] || [ -z "$score" ]; then
		printf '%s\n' "$out"
		fail "systemd-analyze security --offline failed ($rc)"
	elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s > m) }'; then
		printf '%s\n' "$out" | grep '✗'
		fail "exposure $score is above $max_exposure: a hardening line was lost?"
	else
		echo "ok: exposure $score (at most $max_exposure)"
	fi
else
	echo "note: systemd-analyze security has no --offline, exposure not checked"
fi

# --- 4. udev rule --------------------------------------------------------
if [ -z "$rules" ]; then
	:
elif ! command -v udevadm >/dev/null 2>&1; then
	echo "note: udevadm not installed, udev rule not parsed (apt-get install udev)"
elif [ ! -d /etc/udev/rules.d ] || [ ! -e /sys/class/mem/null ]; then
	echo "note: no /etc/udev/rules.d or /sys/class/mem/null, udev rule not parsed"
else
	mkdir -p "$tmp/rules" "$tmp/empty"
	cp "$dest$rules" "$tmp/rules/"
	# Only this rule is loaded: every rules directory but /etc/udev/rules.d
	# is covered with an empty one, /run with a tmpfs (the udev database).
	# The rule matches SUBSYSTEM=="cuse" only, so the test event on
	# /sys/class/mem/null changes nothing.
	cat >"$tmp/ns.sh" <<-EOF
	set -e
	mount -t tmpfs tmpfs /run
	for d in /usr/lib/udev/rules.d /lib/udev/rules.d /usr/local/lib/udev/rules.d; do
		if [ -d "\$d" ]; then mount --bind "$tmp/empty" "\$d"; fi
	done
	mount --bind "$tmp/rules" /etc/udev/rules.d
	udevadm test --action=add /sys/class/mem/null
	EOF
	ns=
	for u in "unshare -m" "unshare -rm"; do
		if $u true 2>/dev/null; then
			ns=$u
			break
		fi
	done
	if [ -z "$ns" ]; then
		echo "note: cannot create a mount namespace (not root, no user namespaces)," \
			"udev rule not parsed"
	else
		out=$($ns sh "$tmp/ns.sh" 2>&1)
		ruleout=$(printf '%s\n' "$out" | grep -F '/etc/udev/rules.d/60-gpu-proto.rules')
		if ! printf '%s\n' "$ruleout" | grep -q '^Reading rules file: '; then
			printf '%s\n' "$out" | tail -n 20
			echo "note: udevadm test did not report reading the rule, not parsed"
		else
			diag=$(printf '%s\n' "$ruleout" | grep -v '^Reading rules file: ')
			# A build host without a "render" group is not the rule's fault;
			# Debian's udev package creates it on the board.
			other=$(printf '%s\n' "$diag" | grep -v "Unknown group 'render'" | grep .)
			if [ -n "$other" ]; then
				printf '%s\n' "$diag"
				fail "udev reports problems in 60-gpu-proto.rules"
			else
				[ -n "$diag" ] && echo "note (host has no render group): $diag"
				echo "ok: udev parsed 60-gpu-proto.rules without complaint"
			fi
		fi
	fi
fi

if [ $status -eq 0 ]; then echo "PASS"; else echo "FAILED"; fi
exit $status
