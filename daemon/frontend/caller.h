/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Caller credentials as the kernel describes them, for permission checks.
 */
#ifndef GP_FRONTEND_CALLER_H
#define GP_FRONTEND_CALLER_H

#include <sys/types.h>

#include "file.h"

/**
 * gp_caller_from_pid() - fill @caller for a process.
 * @pid, @uid, @gid: as the transport reported them (fuse_req_ctx, SO_PEERCRED)
 *
 * The capabilities come from the effective set in /proc/PID/status.  When
 * it cannot be read (the process is gone, hidepid), the caller gets no
 * capability: permission checks fail closed.
 */
void gp_caller_from_pid(pid_t pid, uid_t uid, gid_t gid, struct gp_caller *caller);

#endif /* GP_FRONTEND_CALLER_H */
