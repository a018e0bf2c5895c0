#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Board test: gpu-protod.service under systemd (PID 1) on the mock backend,
# as installed from the Debian packages: start/stop, the udev rule's
# owner/group/mode, render member vs outsider, revoke on stop, the restart
# policy after SIGKILL, journal priorities, systemctl status vs gpu-protoctl.
set -u
. /usr/local/lib/gpu-proto-board/board-lib.sh

[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"
ok "PID 1 is systemd $(systemctl --version | head -n 1 | cut -d' ' -f2)"
systemctl is-enabled gpu-protod | grep -qx enabled || fail "the package did not enable gpu-protod.service"
ok "gpu-protod.service enabled by the package"

# The package's default configuration: the mock backend.  It was started at boot.
configure ""
systemctl stop gpu-protod || fail "systemctl stop"
wait_for 5 node_gone || fail "$node still exists after stop"

t0=$(now_ms)
systemctl start gpu-protod || fail "systemctl start"
ok "systemctl start returned in $(($(now_ms) - t0)) ms (Type=notify: the node exists)"
[ -c "$node" ] || fail "$node missing after start returned"
udevadm settle -t 10 || true
wait_for 5 node_is "root:render 660" || fail "$node is $(stat -c '%U:%G %a' $node), not root:render 660"
ok "$node is root:render 0660 (60-gpu-proto.rules applied by udev)"

# A member of render opens it and issues ioctls; an outsider gets EACCES.
out=$(as_render gpu-proto-info 2>&1) || fail "gpu-proto-info as gprender: $out"
echo "$out" | sed -n '1,3p'
ok "gprender (in render) opened $node and queried it"
as_render gp-vm-client open-expect success || fail "gprender: open"
as_user gp-vm-client open-expect EACCES || fail "gpuser (not in render): open did not fail with EACCES"
ok "gpuser (not in render) gets EACCES"

# systemctl status and gpu-protoctl status agree.
status=$(systemctl show -p StatusText --value gpu-protod)
echo "systemctl: StatusText=$status"
[ "$status" = "Serving /dev/gpu-proto (mali-csf on mock)" ] || fail "unexpected StatusText '$status'"
ctl=$(gpu-protoctl status) || fail "gpu-protoctl status"
echo "$ctl" | grep -E '^(device|driver|backend|state)='
echo "$ctl" | grep -qx 'state=bound' || fail "gpu-protoctl: not bound"
echo "$ctl" | grep -qx 'device=/dev/gpu-proto' || fail "gpu-protoctl: other device"
echo "$ctl" | grep -qx 'driver=mali-csf' || fail "gpu-protoctl: other driver"
echo "$ctl" | grep -qx 'backend=mock' || fail "gpu-protoctl: other backend"
systemctl status gpu-protod --no-pager | grep -q 'Active: active (running)' || fail "systemctl status: not running"
ok "systemctl status and gpu-protoctl status agree (bound, mali-csf on mock)"

# systemctl stop revokes: a blocked reader is woken with ENODEV.  (A poller
# is woken too, but whether by the revoke (POLLERR|POLLHUP) or by the CUSE
# connection ending right after (POLLERR) is a race when the daemon exits;
# the unbind tests check pollers against a daemon that stays.)
as_render gp-vm-client block-read >/tmp/reader.log 2>&1 &
reader=$!
wait_opened "$reader" || fail "the reader did not open the node: $(cat /tmp/reader.log)"
systemctl stop gpu-protod || fail "systemctl stop"
wait "$reader" || fail "blocked reader: $(cat /tmp/reader.log)"
grep -q ENODEV /tmp/reader.log || fail "blocked reader: $(cat /tmp/reader.log)"
ok "systemctl stop: blocked reader woken with ENODEV"
wait_for 5 node_gone || fail "$node still exists after stop"
ok "$node removed on stop"

# SIGKILL: Restart=on-failure brings it back (RestartSec=2s).
systemctl start gpu-protod || fail "systemctl start"
pid=$(main_pid)
systemctl kill -s KILL gpu-protod || fail "systemctl kill"
wait_for 15 sh -c "[ \"\$(systemctl show -p MainPID --value gpu-protod)\" != 0 ] &&
	[ \"\$(systemctl show -p MainPID --value gpu-protod)\" != $pid ] && [ -c $node ] &&
	[ \"\$(systemctl is-active gpu-protod)\" = active ]" ||
	fail "not restarted after SIGKILL (MainPID $(main_pid), $(systemctl is-active gpu-protod))"
restarts=$(systemctl show -p NRestarts --value gpu-protod)
[ "$restarts" -ge 1 ] || fail "NRestarts=$restarts"
wait_for 5 node_is "root:render 660" || fail "$node after restart: $(stat -c '%U:%G %a' $node)"
as_render gp-vm-client open-expect success || fail "open after restart"
ok "after SIGKILL: restarted by systemd (pid $pid -> $(main_pid), NRestarts=$restarts), node back as root:render 0660"

# Journal priorities: informational messages at info (6), a configuration
# error at err (3), and a usage error (exit 2) is not restarted.
configure "--driver=no-such-driver"
systemctl restart gpu-protod && fail "start with an unknown driver succeeded"
wait_for 5 sh -c '[ "$(systemctl is-active gpu-protod)" = failed ]' || fail "not failed: $(systemctl is-active gpu-protod)"
[ "$(systemctl show -p ExecMainStatus --value gpu-protod)" = 2 ] ||
	fail "exit status $(systemctl show -p ExecMainStatus --value gpu-protod), not 2"
journalctl -u gpu-protod -b -p err..err -o cat --no-pager | grep -q -- '--driver=no-such-driver: unknown driver' ||
	fail "the usage error is not in the journal at priority err"
journalctl -u gpu-protod -b -p info..info -o cat --no-pager | grep -q 'bound to .*(mock backend)' ||
	fail "'bound to' is not in the journal at priority info"
journalctl -u gpu-protod -b -p emerg..notice -o cat --no-pager | grep -q 'bound to' &&
	fail "'bound to' logged above info"
journalctl -u gpu-protod -b -p err..err -o cat --no-pager | grep 'unknown driver' | tail -n 1
ok "journal: usage error at err (exit 2, not restarted), bind messages at info"
configure ""
systemctl reset-failed gpu-protod
systemctl start gpu-protod || fail "start after the usage error"
ok "back to the mock backend"
