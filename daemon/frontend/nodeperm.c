// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The node's permissions on the socket, and the same rule for each peer.
 * See nodeperm.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "nodeperm.h"

int gp_node_perm_apply(const char *path, const struct gp_node_perm *perm)
{
	char fdpath[32];
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return gp_log_errno(LOG_ERR, errno, "socket %s", path);
	if (fstat(fd, &st) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "socket %s: fstat", path);
		goto out;
	}
	if (!S_ISSOCK(st.st_mode)) {
		r = gp_log_errno(LOG_ERR, ENOTSOCK, "socket %s: replaced by something else", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		r = gp_log_errno(LOG_ERR, EPERM, "socket %s: owned by uid %u, not by us", path,
				 (unsigned int)st.st_uid);
		goto out;
	}
	/* Owner and group first, while the mode still shuts everyone else out. */
	if (fchownat(fd, "", perm->uid, perm->gid, AT_EMPTY_PATH) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "socket %s: chown to %u:%u%s", path,
				 (unsigned int)perm->uid, (unsigned int)perm->gid,
				 errno == EPERM ? " (the daemon must be in that group, e.g. "
						  "SupplementaryGroups= in its unit, or have CAP_CHOWN)"
						: "");
		goto out;
	}
	/* fchmod() refuses O_PATH fds; the fd's /proc link is the inode itself. */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (chmod(fdpath, perm->mode & 0777) < 0)
		r = gp_log_errno(LOG_ERR, errno, "socket %s: chmod %04o", path,
				 (unsigned int)(perm->mode & 0777));
out:
	close(fd);
	return r;
}

/* Is @gid among the peer's supplementary groups (SO_PEERGROUPS)? */
static int gp_node_perm_peer_in_group(int fd, gid_t gid)
{
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(small);
	int r = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE)
			return -errno;
		/* len now says how much the list needs. */
		groups = malloc(len);
		if (!groups)
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
			r = -errno;
			goto out;
		}
	}
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == gid) {
			r = 1;
			break;
		}
out:
	if (groups != small)
		free(groups);
	return r;
}

int gp_node_perm_permits(const struct gp_node_perm *perm, int fd, const struct gp_caller *caller)
{
	mode_t bits;
	int r;

	if (caller->uid == perm->uid) {
		bits = perm->mode >> 6;
	} else if (caller->gid == perm->gid) {
		bits = perm->mode >> 3;
	} else {
		r = gp_node_perm_peer_in_group(fd, perm->gid);
		if (r < 0)
			return r;
		bits = r ? perm->mode >> 3 : perm->mode;
	}
	if ((bits & 06) == 06)
		return 0;
	/* As the kernel's DAC override; asked only when the bits say no. */
	if (gp_caller_capable(caller, GP_CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}
