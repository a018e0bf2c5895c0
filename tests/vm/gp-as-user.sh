#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gp-as-user USER COMMAND [ARGS...]: run COMMAND as USER inside the VM,
# with USER's groups from /etc/group and the caller's environment (PATH,
# LD_LIBRARY_PATH).  Users: gpuser (uid 1000, no extra groups) and
# gprender (uid 1001, in group render).  Installed as /gp/bin/gp-as-user.
set -eu
[ $# -ge 2 ] || { echo "usage: gp-as-user USER COMMAND [ARGS...]" >&2; exit 2; }
user=$1
shift
exec su -p -s /bin/sh "$user" -c 'exec "$@"' gp-as-user "$@"
