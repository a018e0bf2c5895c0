# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the virtual-board tests (sourced; /bin/sh of Debian).
node=/dev/gpu-proto
bdir=/usr/local/lib/gpu-proto-board

fail() {
	echo "FAIL: $*"
	echo "--- journalctl -u gpu-protod (last 30)"
	journalctl -u gpu-protod -b --no-pager -n 30 -o short-monotonic
	exit 1
}
ok() { echo "ok: $*"; }

# now_ms: CLOCK_MONOTONIC-ish milliseconds (uptime is enough here).
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# wait_for SECS CMD...: poll every 0.1 s until CMD succeeds; 1 on timeout.
# (Its variables are prefixed: sh has no locals, and callers loop too.)
wait_for() {
	_wf_limit=$(($1 * 10))
	shift
	_wf_n=0
	until "$@"; do
		_wf_n=$((_wf_n + 1))
		[ "$_wf_n" -le "$_wf_limit" ] || return 1
		sleep 0.1
	done
}

# setpriv, not runuser: no PAM session, so a client starts in milliseconds
# even under TCG.  --init-groups gives gprender its "render" membership.
as_render() { setpriv --reuid=gprender --regid=gprender --init-groups -- "$@"; }

# wait_opened PID: until the client started as PID (a background subshell,
# its runuser, runuser's child) has the node open, so a following revoke
# finds it blocked, not starting.
has_node_open() {
	for _ho_p in "$1" $(pgrep -P "$1") $(for _ho_c in $(pgrep -P "$1"); do pgrep -P "$_ho_c"; done); do
		ls -l "/proc/$_ho_p/fd" 2>/dev/null | grep -q "$node" && return 0
	done
	return 1
}
wait_opened() {
	wait_for 10 has_node_open "$1" || return 1
	sleep 0.2
}
as_user() { setpriv --reuid=gpuser --regid=gpuser --init-groups -- "$@"; }

node_is() { [ "$(stat -c '%U:%G %a' "$node" 2>/dev/null)" = "$1" ]; }
node_gone() { [ ! -e "$node" ]; }
unit_active() { [ "$(systemctl is-active gpu-protod)" = active ]; }
main_pid() { systemctl show -p MainPID --value gpu-protod; }

# configure ARGS: write /etc/default/gpu-protod as a user would.
configure() {
	printf 'GPU_PROTOD_ARGS=%s\n' "$*" >/etc/default/gpu-protod
}

# --- VFIO devices of the virt machine --------------------------------------

# The daemon's main PID, and what of VFIO it holds: fds and mappings.
daemon_vfio_fds() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c -e vfio -e '\[vfio' || true; }
daemon_vfio_maps() { grep -c -e vfio /proc/"$1"/maps 2>/dev/null || true; }
# Interrupt lines VFIO requested under name $1 ("vfio-irq[N](NAME)": the
# platform device's name, or vfio-amba-PERIPHID for an AMBA device).
vfio_irq_lines() { grep -c "vfio-irq\[[0-9]*\]($1)" /proc/interrupts || true; }
vfio_irq_count() {
	awk -v d="($1)" 'index($0, d) && /vfio-irq/ { n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; else break; print n; exit }' /proc/interrupts
}

# use_vfio_device NAME ARGS...: bind NAME with the package's bind unit,
# configure gpu-protod for it (/etc/default/gpu-protod and the drop-in of
# docs/deploy-rk3588.md) and restart it.
use_vfio_device() {
	name=$1
	shift
	# restart: a fresh bind even if an earlier test left the device unbound.
	systemctl restart "gpu-proto-vfio-bind@$name.service" ||
		fail "gpu-proto-vfio-bind@$name: $(journalctl -b -u "gpu-proto-vfio-bind@$name" -o cat --no-pager | tail -n 5)"
	mkdir -p /etc/systemd/system/gpu-protod.service.d
	cat >/etc/systemd/system/gpu-protod.service.d/board.conf <<EOD
[Unit]
Requires=gpu-proto-vfio-bind@$name.service
After=gpu-proto-vfio-bind@$name.service

[Service]
CapabilityBoundingSet=CAP_SYS_RAWIO
EOD
	configure "$@"
	systemctl daemon-reload
	systemctl restart gpu-protod || fail "systemctl restart gpu-protod with $*"
	wait_for 5 node_is "root:render 660" || fail "$node: $(stat -c '%U:%G %a' $node 2>&1)"
}

# back_to_mock NAME: the daemon on the mock backend again, NAME released.
back_to_mock() {
	rm -f /etc/systemd/system/gpu-protod.service.d/board.conf
	configure ""
	systemctl daemon-reload
	systemctl restart gpu-protod || fail "restart on the mock backend"
	systemctl stop "gpu-proto-vfio-bind@$1.service" || fail "stop gpu-proto-vfio-bind@$1"
}

ns_now() { date +%s%N; }
