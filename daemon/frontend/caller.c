// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Caller capabilities from /proc, asked at the moment of a check as the
 * kernel's capable() asks current.  See caller.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caller.h"

/* From Linux 6.5's asm-generic/socket.h; Debian 12's 6.1 headers lack it. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* Read a whole small /proc file under @dir into @buf (NUL-terminated). */
static ssize_t gp_proc_read(int dir, const char *name, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd;

	fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

/*
 * Is the process of /proc/PID (@dir) in the daemon's user namespace?  A
 * capability counts only there: a process that made its own namespace has
 * a full effective set that means nothing outside it.
 */
static bool gp_proc_in_our_userns(int dir)
{
	struct stat ours, theirs;
	char our_map[512], their_map[512];
	static const char *const maps[] = { "uid_map", "gid_map" };
	int self;

	if (stat("/proc/self/ns/user", &ours) < 0)
		return false;
	if (fstatat(dir, "ns/user", &theirs, 0) == 0)
		return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
	if (errno != EACCES && errno != EPERM)
		return false;
	/*
	 * The namespace link needs ptrace access, which a daemon without
	 * CAP_SYS_PTRACE lacks for other users' processes.  The ID maps are
	 * readable by anyone, and a process of our own namespace shows ours
	 * (a process of another shows its map as seen from ours).  Only a
	 * namespace whose creator gave it our very maps, which takes
	 * CAP_SETUID in ours, looks the same: see docs/architecture.md.
	 */
	self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (self < 0)
		return false;
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (gp_proc_read(self, maps[i], our_map, sizeof(our_map)) <= 0 ||
		    gp_proc_read(dir, maps[i], their_map, sizeof(their_map)) <= 0 ||
		    strcmp(our_map, their_map) != 0) {
			close(self);
			return false;
		}
	}
	close(self);
	return true;
}

static uint64_t gp_proc_effective_caps(int dir)
{
	char status[4096];
	const char *line;
	uint64_t caps;

	if (gp_proc_read(dir, "status", status, sizeof(status)) <= 0)
		return 0;
	line = strstr(status, "\nCapEff:");
	if (!line || sscanf(line + 8, "%" SCNx64, &caps) != 1)
		return 0;
	return caps;
}

/*
 * @pidfd >= 0: /proc/PID is the pinned process only if that process still
 * holds the pid after /proc/PID was opened (a pid is not reused before its
 * holder is gone), and a /proc/PID directory fd never follows the number
 * to a newer process.  Without a pidfd (CUSE), /proc/PID is whoever has
 * the number now.
 */
static bool gp_proc_capable(pid_t pid, int pidfd, int cap)
{
	char path[32];
	bool ok = false;
	int dir;

	if (pid <= 0 || cap < 0 || cap > 63)
		return false;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return false;
	if (pidfd >= 0 && gp_pidfd_exited(pidfd))
		goto out;
	if (!gp_proc_in_our_userns(dir))
		goto out;
	ok = (gp_proc_effective_caps(dir) >> cap) & 1;
out:
	close(dir);
	return ok;
}

/* --- CUSE: one request's caller --- */

static bool gp_request_capable(const struct gp_caller *caller, int cap)
{
	return gp_proc_capable(caller->pid, -1, cap);
}

static const struct gp_caller_ops gp_request_ops = {
	.capable = gp_request_capable,
};

void gp_caller_from_request(pid_t pid, uid_t uid, gid_t gid, struct gp_caller *caller)
{
	*caller = (struct gp_caller){
		.uid = uid, .gid = gid, .pid = pid, .ops = &gp_request_ops, .pidfd = -1,
	};
}

/* --- socket: the connecting process, pinned --- */

static bool gp_socket_peer_capable(const struct gp_caller *caller, int cap)
{
	/* Without a pidfd the pid may name anyone by now: no capability. */
	return caller->pidfd >= 0 && gp_proc_capable(caller->pid, caller->pidfd, cap);
}

static const struct gp_caller_ops gp_socket_peer_ops = {
	.capable = gp_socket_peer_capable,
	.release = gp_caller_release,
};

int gp_caller_from_socket(int fd, struct gp_caller *caller)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0) {
		pidfd = -1;
		/*
		 * Before Linux 6.5 (ENOPROTOOPT): pin the pid now.  Should the
		 * peer have exited since connect and its pid been reused
		 * already, this pins the newcomer: the one race left
		 * (docs/architecture.md).  Any other error means the kernel
		 * knows the peer is gone: no pidfd, no capability.
		 */
#ifdef SYS_pidfd_open
		if (errno == ENOPROTOOPT && cred.pid > 0)
			pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
#endif
	}
	*caller = (struct gp_caller){
		.uid = cred.uid, .gid = cred.gid, .pid = cred.pid,
		.ops = &gp_socket_peer_ops, .pidfd = pidfd < 0 ? -1 : pidfd,
	};
	return 0;
}

void gp_caller_release(struct gp_caller *caller)
{
	if (caller->pidfd >= 0)
		close(caller->pidfd);
	caller->pidfd = -1;
}
