// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gp-perm-probe: who may open the device, and which privileges a caller
 * has per ioctl, seen by a plain client (open(2) and ioctl(2) only, so it
 * works on the CUSE node and, under gpu-proto-run, on the socket).
 *
 *   gp-perm-probe [userns] open PATH EXPECT
 *       open PATH read-write, then GET_CAP(TIMESTAMP_MONOTONIC); EXPECT is
 *       "ok" or the errno name open(2) must fail with (EACCES).
 *   gp-perm-probe [userns] prio PATH MASK
 *       DEV_QUERY GROUP_PRIORITIES_INFO must answer allowed_mask MASK (hex).
 *   gp-perm-probe prio-drop PATH BEFORE AFTER
 *       as prio with BEFORE; then drop CAP_SYS_NICE from this process's
 *       effective set and ask again on the same open file: AFTER.  The
 *       daemon must check the caller of each ioctl, not the opener.
 *   gp-perm-probe prio-child PATH OPENER CHILD
 *       open PATH, fork; the child drops CAP_SYS_NICE and must see CHILD
 *       on the inherited file while the opener, which keeps it, sees
 *       OPENER: the privilege is the issuing process's (CUSE names the
 *       caller in every request), not the opener's.
 *
 * userns: first move into a new user namespace (unshare(CLONE_NEWUSER)),
 * where this process has every capability, which must count for nothing
 * in the daemon's namespace.
 * Exit status: 0 as expected, 1 otherwise (with a message), 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

static int fail(const char *what)
{
	fprintf(stderr, "gp-perm-probe: %s\n", what);
	return 1;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	case ECONNREFUSED: return "ECONNREFUSED";
	default: return strerrorname_np(e) ? strerrorname_np(e) : "?";
	}
}

/* Bit @cap of this process's effective set, from /proc/self/status. */
static int has_cap(int cap)
{
	char line[256];
	uint64_t eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &eff) == 1)
			break;
	fclose(f);
	return (int)((eff >> cap) & 1);
}

static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}

static int query_prio(int fd, unsigned int *mask)
{
	struct gpu_proto_mali_group_priorities_info info = { 0 };
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO,
		.size = sizeof(info),
		.pointer = (uintptr_t)&info,
	};

	if (ioctl(fd, GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q) < 0)
		return -errno;
	*mask = info.allowed_mask;
	return 0;
}

static int expect_prio(int fd, const char *want, const char *when)
{
	unsigned int mask = 0;
	char msg[128];
	int r = query_prio(fd, &mask);

	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s: DEV_QUERY: %s", when, strerror(-r));
		return fail(msg);
	}
	if (mask != strtoul(want, NULL, 16)) {
		snprintf(msg, sizeof(msg), "%s: allowed_mask 0x%x, expected %s", when, mask, want);
		return fail(msg);
	}
	printf("ok: %s: allowed_mask 0x%x\n", when, mask);
	fflush(stdout);	/* a forked child leaves with _exit() */
	return 0;
}

static int cmd_open(const char *path, const char *expect)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	char msg[256];
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (strcmp(expect, errno_name(errno)) == 0) {
			printf("ok: open %s: %s, as expected\n", path, errno_name(errno));
			return 0;
		}
		snprintf(msg, sizeof(msg), "open %s: %s (%s), expected %s", path, strerror(errno),
			 errno_name(errno), expect);
		return fail(msg);
	}
	if (strcmp(expect, "ok") != 0) {
		close(fd);
		snprintf(msg, sizeof(msg), "open %s succeeded, expected %s", path, expect);
		return fail(msg);
	}
	if (ioctl(fd, GPU_PROTO_IOCTL_GET_CAP, &cap) < 0 || cap.value != 1) {
		snprintf(msg, sizeof(msg), "GET_CAP after open: %s, value %llu", strerror(errno),
			 (unsigned long long)cap.value);
		close(fd);
		return fail(msg);
	}
	close(fd);
	printf("ok: open %s and GET_CAP\n", path);
	return 0;
}

static int cmd_prio(const char *path, const char *want)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return fail("open failed");
	r = expect_prio(fd, want, "prio");
	close(fd);
	return r;
}

static int cmd_prio_drop(const char *path, const char *before, const char *after)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return fail("open failed");
	if (has_cap(CAP_SYS_NICE) != 1) {
		close(fd);
		return fail("prio-drop must start with CAP_SYS_NICE");
	}
	r = expect_prio(fd, before, "with CAP_SYS_NICE");
	if (r == 0 && drop_cap(CAP_SYS_NICE) < 0)
		r = fail("capset");
	if (r == 0)
		r = expect_prio(fd, after, "CAP_SYS_NICE dropped after open");
	close(fd);
	return r;
}

static int cmd_prio_child(const char *path, const char *opener, const char *child)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), r, status;
	pid_t pid;

	if (fd < 0)
		return fail("open failed");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		if (drop_cap(CAP_SYS_NICE) < 0)
			_exit(fail("capset"));
		_exit(expect_prio(fd, child, "child without CAP_SYS_NICE, opener's file"));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = fail("the child saw the opener's privilege");
	else
		r = expect_prio(fd, opener, "opener with CAP_SYS_NICE");
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "userns") == 0) {
		if (unshare(CLONE_NEWUSER) < 0) {
			perror("gp-perm-probe: unshare(CLONE_NEWUSER)");
			return 1;
		}
		/* Only meaningful if the namespace really gave us everything. */
		if (has_cap(CAP_SYS_ADMIN) != 1 || has_cap(CAP_SYS_NICE) != 1)
			return fail("a new user namespace gave no full capability set");
		argv++;
		argc--;
	}
	if (argc == 4 && strcmp(argv[1], "open") == 0)
		return cmd_open(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "prio") == 0)
		return cmd_prio(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "prio-child") == 0)
		return cmd_prio_child(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "prio-drop") == 0)
		return cmd_prio_drop(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: gp-perm-probe [userns] open PATH ok|ERRNO | prio PATH MASK |"
			" prio-drop PATH BEFORE AFTER | prio-child PATH OPENER CHILD\n");
	return 2;
}
