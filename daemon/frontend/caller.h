/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Callers in other processes, as the kernel describes them, for permission
 * checks: who they are (what the transport reports) and which capabilities
 * they hold, asked when a check needs one.  docs/architecture.md ("Caller
 * identity") says what each transport can know and what stays racy.
 */
#ifndef GP_FRONTEND_CALLER_H
#define GP_FRONTEND_CALLER_H

#include <sys/types.h>

#include "file.h"

/**
 * gp_caller_from_request() - the caller of one CUSE request.
 * @pid, @uid, @gid: from fuse_req_ctx(): the calling thread, in the
 *	daemon's pid and user namespaces (0 / -1 when it has no id there)
 *
 * Capabilities are read from /proc/@pid when a check asks, while the
 * request is pending (the caller waits in its syscall for the reply).
 * Holds nothing: nothing to release.
 */
void gp_caller_from_request(pid_t pid, uid_t uid, gid_t gid, struct gp_caller *caller);

/**
 * gp_caller_from_socket() - the peer of a connected AF_UNIX socket.
 * @fd: the connection
 *
 * The identity is the kernel's record of the connecting process
 * (SO_PEERCRED: its effective uid and gid at connect(2)), and the process
 * is pinned with a pidfd (SO_PEERPIDFD, or pidfd_open() of that pid on
 * kernels before 6.5) so a capability check never reads a process that
 * later got the same pid: once the peer has exited, it holds no
 * capability.  The pidfd belongs to @caller: gp_caller_release() it, or
 * hand @caller to gp_file_open(), whose file then owns it.
 *
 * Return: 0, or -errno from SO_PEERCRED.
 */
int gp_caller_from_socket(int fd, struct gp_caller *caller);

/** gp_caller_release() - give back what @caller holds (its pidfd). */
void gp_caller_release(struct gp_caller *caller);

#endif /* GP_FRONTEND_CALLER_H */
