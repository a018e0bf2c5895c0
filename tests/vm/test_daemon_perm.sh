#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM test: who may use /dev/gpu-proto over real CUSE, and which privileges
# count.  The node gets what the shipped udev rule (60-gpu-proto.rules)
# gives it, applied here as udev would (the VM has no udev): a member of
# render opens it and its ioctls work, raw and through libgpuproto; a user
# outside the group gets EACCES.  Privileges are the caller's of each
# ioctl, in the daemon's user namespace: root may have high group
# priorities (CAP_SYS_NICE), a render member may not, nor may a process
# that has every capability inside a user namespace of its own, nor root
# after dropping CAP_SYS_NICE on a file it opened with it, nor a child
# without it using the file its privileged parent opened.  Then the same
# (but the last) over the socket transport.
set -u
. /gp/bin/gp-vm-lib.sh

rules=/gp/bin/60-gpu-proto.rules
rule=$(grep '^SUBSYSTEM=="cuse"' "$rules") || fail "no cuse rule in $rules"
group=$(echo "$rule" | sed -n 's/.*GROUP="\([^"]*\)".*/\1/p')
mode=$(echo "$rule" | sed -n 's/.*MODE="\([^"]*\)".*/\1/p')
[ -n "$group" ] && [ -n "$mode" ] || fail "cannot read GROUP and MODE from: $rule"

# A socket group or owner that does not exist is a usage error (exit 2: the
# unit does not restart), whichever transport would be used.
for opt in --socket-group=no-such-group --socket-owner=no-such-user; do
	gpu-protod -f "$opt" >/tmp/err.log 2>&1
	rc=$?
	[ "$rc" -eq 2 ] && grep -qF -- "$opt: no such" /tmp/err.log ||
		{ cat /tmp/err.log; fail "gpu-protod $opt: exit $rc, expected 2 with a clear message"; }
done
[ -e "$node" ] && fail "$node exists after a usage error"

start_daemon
chgrp "$group" "$node" && chmod "$mode" "$node" || fail "applying the rule's $group $mode"
echo "ok: $(ls -l $node)"

# Everyone's priorities as allowed_mask: LOW|MEDIUM = 3, all four = f.
all=f
plain=3

gp-as-user gprender gp-perm-probe open "$node" ok || fail "a render member cannot open"
gp-as-user gprender gp-vm-client gpc-events || fail "a render member through libgpuproto"
gp-as-user gpuser gp-perm-probe open "$node" EACCES || fail "a non-member is not refused"
gp-as-user gpuser gp-vm-client open-expect EACCES || fail "a non-member is not refused"

gp-perm-probe prio "$node" $all || fail "root: CAP_SYS_NICE"
gp-as-user gprender gp-perm-probe prio "$node" $plain || fail "render member: no CAP_SYS_NICE"
gp-as-user gprender gp-perm-probe userns prio "$node" $plain ||
	fail "a render member's own user namespace lent it CAP_SYS_NICE"
gp-perm-probe userns prio "$node" $plain ||
	fail "root in a new user namespace kept CAP_SYS_NICE in the daemon's"
gp-perm-probe prio-drop "$node" $all $plain ||
	fail "CAP_SYS_NICE dropped after open still counted: checked at open, not per ioctl"
gp-perm-probe prio-child "$node" $all $plain ||
	fail "a child without CAP_SYS_NICE was judged by its parent, the opener"

kill -0 "$daemon" || fail "the daemon died"
stop_daemon
echo "ok: permissions and privileges over CUSE"

# The same over the socket transport, on this 6.1 kernel, which has no
# SO_PEERPIDFD (the daemon pins peers with pidfd_open()).  Unmodified
# programs through the shim; libgpuproto by itself.
sock=/run/gpu-protod/gpu-proto.sock
gpu-protod -f --transport=socket >"$log" 2>&1 &
daemon=$!
wait_for "$sock" -S || fail "$sock did not appear within 10 s"
[ "$(stat -c '%a %U %G' "$sock")" = "660 root $group" ] ||
	fail "socket is $(stat -c '%a %U %G' "$sock"), want 660 root $group as the node"
echo "ok: $(ls -l "$sock")"
shim() { LD_PRELOAD=/gp/bin/libgpuproto-shim.so "$@"; }

shim gp-as-user gprender gp-perm-probe open "$node" ok || fail "socket: a render member cannot open"
gp-as-user gprender gp-vm-client gpc-events || fail "socket: a render member through libgpuproto"
shim gp-as-user gpuser gp-perm-probe open "$node" EACCES || fail "socket: a non-member is not refused"
shim gp-perm-probe prio "$node" $all || fail "socket: root: CAP_SYS_NICE"
shim gp-as-user gprender gp-perm-probe prio "$node" $plain || fail "socket: render member"
shim gp-as-user gprender gp-perm-probe userns prio "$node" $plain ||
	fail "socket: a render member's own user namespace lent it CAP_SYS_NICE"
shim gp-perm-probe userns prio "$node" $plain || fail "socket: root in a new user namespace"
shim gp-perm-probe prio-drop "$node" $all $plain || fail "socket: CAP_SYS_NICE dropped after open"

kill -TERM "$daemon"
wait "$daemon"
rc=$?
[ "$rc" -eq 0 ] || fail "gpu-protod --transport=socket exited with $rc after SIGTERM"
echo "ok: permissions and privileges over the socket"
