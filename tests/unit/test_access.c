// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who may use the socket transport, and which privileges count: the
 * production socket frontend (socket.c, nodeperm.c, caller.c) serving the
 * fake driver, with clients that are real processes under other
 * credentials (forked and dropped with setgroups/setresgid/setresuid),
 * through libgpuproto and through the LD_PRELOAD shim.  Needs root (it
 * makes those processes); exits 77 (skip) otherwise.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gpuproto.h>

#include "check_run.h"
#include "fake_driver.h"
#include "nodeperm.h"
#include "registration.h"
#include "socket.h"

/* Ids no one else uses: the socket's group, a member and a stranger. */
#define TEST_GID	4242
#define MEMBER_UID	4202
#define STRANGER_UID	4201
#define NODE		"/dev/gpu-proto-access-test"	/* never exists: the socket is used */

static struct gp_registration *reg;
static struct gp_socket *sock;
static char dir[64], path[128];

static struct gp_device *current_device(void *ctx)
{
	return gp_device_get(gp_registration_device(reg));
}

static void start_daemon(mode_t mode)
{
	struct gp_socket_config cfg = {
		.path = path, .node = GP_NODE_RENDER,
		.perm = { .uid = 0, .gid = TEST_GID, .mode = mode },
		.current_device = current_device,
	};

	ck_assert_int_eq(gp_socket_new(&cfg, &sock), 0);
	ck_assert_int_eq(gp_socket_start(sock), 0);
}

static void setup(void)
{
	fake_driver_reset();
	reg = fake_bind();
	snprintf(dir, sizeof(dir), "/tmp/gp-access.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* Reachable by everyone, as RuntimeDirectoryMode=0755 makes /run/gpu-protod. */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/gpu-proto.sock", dir);
	setenv("GPU_PROTO_SOCKET", path, 1);
	start_daemon(0660);
}

static void teardown(void)
{
	char victim[160];

	gp_socket_free(&sock);
	gp_registration_free(&reg);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	unlink(victim);
	unlink(path);
	rmdir(dir);
}

/* --- clients under other credentials --- */

struct who {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
	bool userns;		/* then unshare(CLONE_NEWUSER) */
	bool keep_sys_admin;	/* a non-root uid still holding CAP_SYS_ADMIN */
};

static bool has_cap(int cap)
{
	char line[256];
	uint64_t eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &eff) == 1)
			break;
	fclose(f);
	return (eff >> cap) & 1;
}

/* Change this thread's effective (and, to drop, permitted) bit @cap. */
static int set_cap(int cap, bool on)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	if (on) {
		d[cap / 32].effective |= 1u << (cap % 32);
	} else {
		d[cap / 32].effective &= ~(1u << (cap % 32));
		d[cap / 32].permitted &= ~(1u << (cap % 32));
	}
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static int drop_cap(int cap)
{
	return set_cap(cap, false);
}

/* 100 + what went wrong in the child, so the parent can tell. */
static void become(const struct who *w)
{
	if (w->keep_sys_admin && prctl(PR_SET_KEEPCAPS, 1) < 0)
		_exit(103);
	if (setgroups(w->n_groups, w->groups) < 0 || setresgid(w->gid, w->gid, w->gid) < 0 ||
	    setresuid(w->uid, w->uid, w->uid) < 0)
		_exit(101);
	if (w->keep_sys_admin && (set_cap(CAP_SYS_ADMIN, true) < 0 || !has_cap(CAP_SYS_ADMIN)))
		_exit(104);
	if (w->userns && (unshare(CLONE_NEWUSER) < 0 || !has_cap(CAP_SYS_ADMIN)))
		_exit(102);
}

/*
 * Run @fn as @w in a child; return its exit status.  The child ends with
 * _exit(): it shares the daemon's threads' memory image, nothing to flush.
 */
static int run_as(const struct who *w, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		become(w);
		_exit(fn(arg));
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static const gid_t member_groups[] = { TEST_GID };
static const struct who stranger = { .uid = STRANGER_UID, .gid = STRANGER_UID };
static const struct who member = {
	.uid = MEMBER_UID, .gid = MEMBER_UID, .groups = member_groups, .n_groups = 1,
};
static const struct who member_in_userns = {
	.uid = MEMBER_UID, .gid = MEMBER_UID, .groups = member_groups, .n_groups = 1, .userns = true,
};
static const struct who root = { .uid = 0, .gid = 0 };
static const struct who admin_member = {
	.uid = MEMBER_UID, .gid = MEMBER_UID, .groups = member_groups, .n_groups = 1,
	.keep_sys_admin = true,
};

/* Child bodies: return 0 when what they saw is what @arg expects. */

static int expect_open_errno(void *arg)
{
	struct gpc_device *dev = NULL;
	int r = gpc_open(NODE, 0, &dev);

	gpc_close(dev);
	return r == -(int)(intptr_t)arg ? 0 : 10;
}

static int ioctl_echo(struct gpc_device *dev, unsigned int cmd)
{
	struct fake_echo e = { .in = 41 };
	int r = gpc_ioctl(dev, cmd, &e);

	return r < 0 ? r : (e.out == 42 ? 0 : -EPROTO);
}

/* Opens, an ordinary ioctl works, ROOT_ONLY answers -(intptr_t)@arg. */
static int expect_root_only(void *arg)
{
	struct gpc_device *dev = NULL;
	int r = gpc_open(NODE, 0, &dev);

	if (r < 0)
		return 10;
	if (ioctl_echo(dev, FAKE_IOCTL_ECHO) != 0)
		r = 11;
	else if (ioctl_echo(dev, FAKE_IOCTL_ROOT_ONLY) != -(int)(intptr_t)arg)
		r = 12;
	gpc_close(dev);
	return r;
}

/* --- the socket on disk --- */

START_TEST(socket_gets_the_node_owner_group_and_mode)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, TEST_GID);
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
}
END_TEST

START_TEST(a_symlink_at_the_socket_path_is_never_followed)
{
	struct gp_node_perm perm = { .uid = 0, .gid = TEST_GID, .mode = 0666 };
	struct gp_socket_config cfg = {
		.path = path, .node = GP_NODE_RENDER, .perm = perm, .current_device = current_device,
	};
	struct gp_socket *second = NULL;
	char victim[160];
	struct stat st;
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* The daemon's own socket replaced by a link to something else. */
	gp_socket_free(&sock);
	ck_assert_int_eq(symlink(victim, path), 0);
	ck_assert_int_eq(gp_socket_new(&cfg, &second), -EEXIST);
	ck_assert_int_eq(gp_node_perm_apply(path, &perm), -ENOTSOCK);
	ck_assert_int_eq(stat(victim, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_gid, 0);

	/* A link to a socket of ours is still a link: not followed either. */
	unlink(path);
	snprintf(path, sizeof(path), "%s/real.sock", dir);
	start_daemon(0600);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	unlink(victim);
	ck_assert_int_eq(symlink(path, victim), 0);
	ck_assert_int_eq(gp_node_perm_apply(victim, &perm), -ENOTSOCK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
}
END_TEST

/*
 * As under the shipped unit (no capabilities): the daemon may give its
 * socket a group only if it is in it (SupplementaryGroups=), else the
 * socket is not left behind.  Run as a child, as the daemon would be.
 */
static int new_socket_without_cap_chown(void *arg)
{
	const gid_t *groups = arg;
	struct gp_socket_config cfg = {
		.path = path, .node = GP_NODE_RENDER,
		.perm = { .uid = 0, .gid = TEST_GID, .mode = 0660 },
		.current_device = current_device,
	};
	struct gp_socket *s = NULL;
	struct stat st;
	int r;

	if (drop_cap(CAP_CHOWN) < 0 || setgroups(groups ? 1 : 0, groups) < 0)
		return 10;
	r = gp_socket_new(&cfg, &s);
	if (groups)
		return r == 0 && stat(path, &st) == 0 && st.st_gid == TEST_GID ? 0 : 11;
	return r == -EPERM && lstat(path, &st) < 0 && errno == ENOENT ? 0 : 12;
}

START_TEST(the_socket_group_needs_membership_without_cap_chown)
{
	gp_socket_free(&sock);
	ck_assert_int_eq(run_as(&root, new_socket_without_cap_chown, NULL), 0);
	ck_assert_int_eq(run_as(&root, new_socket_without_cap_chown, (void *)member_groups), 0);
}
END_TEST

START_TEST(a_directory_made_for_the_socket_is_searchable_whatever_the_umask)
{
	mode_t old = umask(0077);
	struct stat st;

	gp_socket_free(&sock);
	snprintf(path, sizeof(path), "%s/sub/gpu-proto.sock", dir);
	start_daemon(0660);
	umask(old);
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	snprintf(path, sizeof(path), "%s/sub/gpu-proto.sock", dir);
	setenv("GPU_PROTO_SOCKET", path, 1);
	ck_assert_int_eq(run_as(&member, expect_open_errno, (void *)(intptr_t)0), 0);
	gp_socket_free(&sock);
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(rmdir(path), 0);
}
END_TEST

/* --- who gets in, through libgpuproto --- */

START_TEST(a_user_outside_the_group_is_refused_with_eacces)
{
	ck_assert_int_eq(run_as(&stranger, expect_open_errno, (void *)(intptr_t)EACCES), 0);
}
END_TEST

START_TEST(a_member_of_the_group_gets_in)
{
	/* In, ordinary ioctls work, and membership is no privilege. */
	ck_assert_int_eq(run_as(&member, expect_root_only, (void *)(intptr_t)EACCES), 0);
}
END_TEST

START_TEST(a_wider_socket_mode_does_not_widen_access)
{
	/* A mode mistake lets the kernel connect anyone; the daemon still says no. */
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(run_as(&stranger, expect_open_errno, (void *)(intptr_t)EACCES), 0);
	ck_assert_int_eq(run_as(&member, expect_open_errno, (void *)(intptr_t)0), 0);
}
END_TEST

START_TEST(the_group_may_come_from_the_primary_gid)
{
	const struct who w = { .uid = MEMBER_UID, .gid = TEST_GID };

	ck_assert_int_eq(run_as(&w, expect_open_errno, (void *)(intptr_t)0), 0);
}
END_TEST

/* --- the same through the shim: an unmodified program's open(2) --- */

static int shim_probe(void *arg)
{
	const char *shim = getenv("GP_TEST_SHIM"), *probe = getenv("GP_TEST_PROBE");

	if (!shim || !probe)
		return 20;
	setenv("LD_PRELOAD", shim, 1);
	setenv("GPU_PROTO_DEVICE", NODE, 1);
	execl(probe, "gp-perm-probe", "open", NODE, (const char *)arg, (char *)NULL);
	return 21;
}

START_TEST(the_shim_gives_a_user_outside_the_group_eacces)
{
	ck_assert_int_eq(run_as(&stranger, shim_probe, "EACCES"), 0);
}
END_TEST

START_TEST(the_shim_lets_a_member_in)
{
	ck_assert_int_eq(run_as(&member, shim_probe, "ok"), 0);
}
END_TEST

/* --- which privileges count --- */

START_TEST(root_only_passes_cap_sys_admin)
{
	ck_assert_int_eq(run_as(&root, expect_root_only, (void *)(intptr_t)0), 0);
}
END_TEST

START_TEST(root_only_needs_cap_sys_admin_in_our_user_namespace)
{
	/* A full capability set inside its own user namespace counts for nothing. */
	ck_assert_int_eq(run_as(&member_in_userns, expect_root_only, (void *)(intptr_t)EACCES), 0);
}
END_TEST

/*
 * The shipped unit gives the daemon no CAP_SYS_PTRACE, so another user's
 * /proc/PID/ns/user is shut to it; the ID maps must then tell the
 * namespaces apart.  The daemon's threads are made after the drop and
 * inherit it.
 */
START_TEST(the_user_namespace_is_told_apart_without_ptrace_access)
{
	gp_socket_free(&sock);
	ck_assert_int_eq(drop_cap(CAP_SYS_PTRACE), 0);
	start_daemon(0660);
	/* In our namespace, CAP_SYS_ADMIN counts though its ns link is unreadable... */
	ck_assert_int_eq(run_as(&admin_member, expect_root_only, (void *)(intptr_t)0), 0);
	/* ...and a namespace of the caller's own still lends nothing. */
	ck_assert_int_eq(run_as(&member_in_userns, expect_root_only, (void *)(intptr_t)EACCES), 0);
}
END_TEST

static int root_only_then_drop(void *arg)
{
	struct gpc_device *dev = NULL;
	int r;

	if (gpc_open(NODE, 0, &dev) < 0)
		return 10;
	r = ioctl_echo(dev, FAKE_IOCTL_ROOT_ONLY) == 0 ? 0 : 11;
	if (r == 0 && drop_cap(CAP_SYS_ADMIN) < 0)
		r = 12;
	if (r == 0 && ioctl_echo(dev, FAKE_IOCTL_ROOT_ONLY) != -EACCES)
		r = 13;
	gpc_close(dev);
	return r;
}

START_TEST(root_only_is_checked_per_ioctl)
{
	ck_assert_int_eq(run_as(&root, root_only_then_drop, NULL), 0);
}
END_TEST

/*
 * The connecting process opens as root, hands the connection to a child
 * and exits; once it is reaped its pid may name anyone.  Here it names a
 * root process with every capability, made on purpose with that pid
 * (clone3's set_tid): no check may read it, so the connection keeps no
 * privilege (though the heir is root too).
 */
static int hand_over_and_exit(int go)
{
	struct gpc_device *dev = NULL;
	char c;
	pid_t pid;

	if (gpc_open(NODE, 0, &dev) < 0 || ioctl_echo(dev, FAKE_IOCTL_ROOT_ONLY) != 0)
		return 10;
	pid = fork();
	if (pid < 0)
		return 11;
	if (pid == 0) {
		if (read(go, &c, 1) != 1)
			_exit(30);
		_exit(ioctl_echo(dev, FAKE_IOCTL_ROOT_ONLY) == -EACCES ? 0 : 31);
	}
	return 0;
}

/* A process with pid @pid that waits for a byte on @fd, then exits. */
static pid_t impostor(pid_t pid, int fd)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD, .set_tid = (uintptr_t)&pid, .set_tid_size = 1,
	};
	char c;
	long r = syscall(SYS_clone3, &args, sizeof(args));

	if (r == 0)
		_exit(read(fd, &c, 1) == 1 ? 0 : 1);
	return (pid_t)r;
}

START_TEST(privileges_end_with_the_connecting_process)
{
	int go[2], stop[2], status;
	pid_t connector, heir, fake;

	/* The handed-over child is reparented to us, so we can reap it. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(stop, O_CLOEXEC), 0);
	connector = fork();
	ck_assert_int_ge(connector, 0);
	if (connector == 0)
		_exit(hand_over_and_exit(go[0]));
	ck_assert_int_eq(waitpid(connector, &status, 0), connector);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);

	fake = impostor(connector, stop[0]);
	ck_assert_int_eq(fake, connector);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	heir = waitpid(-1, &status, 0);
	ck_assert_int_ne(heir, fake);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(write(stop[1], "s", 1), 1);
	ck_assert_int_eq(waitpid(fake, &status, 0), fake);
	close(go[0]);
	close(go[1]);
	close(stop[0]);
	close(stop[1]);
}
END_TEST

/* Can an unprivileged user make a user namespace here (not in some containers)? */
static bool userns_available(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		become(&stranger);
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static Suite *access_suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("socket");
	TCase *userns;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, socket_gets_the_node_owner_group_and_mode);
	tcase_add_test(tc, a_symlink_at_the_socket_path_is_never_followed);
	tcase_add_test(tc, the_socket_group_needs_membership_without_cap_chown);
	tcase_add_test(tc, a_directory_made_for_the_socket_is_searchable_whatever_the_umask);
	tcase_add_test(tc, a_user_outside_the_group_is_refused_with_eacces);
	tcase_add_test(tc, a_member_of_the_group_gets_in);
	tcase_add_test(tc, a_wider_socket_mode_does_not_widen_access);
	tcase_add_test(tc, the_group_may_come_from_the_primary_gid);
	tcase_add_test(tc, the_shim_gives_a_user_outside_the_group_eacces);
	tcase_add_test(tc, the_shim_lets_a_member_in);
	tcase_add_test(tc, root_only_passes_cap_sys_admin);
	tcase_add_test(tc, root_only_is_checked_per_ioctl);
	/*
	 * qemu-user (the arm64 unit run) implements neither a subreaper nor
	 * clone3's set_tid; every kernel this daemon runs on has both.
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) {
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		tcase_add_test(tc, privileges_end_with_the_connecting_process);
	} else {
		printf("SKIP: privileges_end_with_the_connecting_process: "
		       "prctl(PR_SET_CHILD_SUBREAPER): %s (user-mode emulation?)\n", strerror(errno));
	}
	suite_add_tcase(s, tc);

	if (userns_available()) {
		userns = tcase_create("userns");
		tcase_add_checked_fixture(userns, setup, teardown);
		tcase_add_test(userns, root_only_needs_cap_sys_admin_in_our_user_namespace);
		tcase_add_test(userns, the_user_namespace_is_told_apart_without_ptrace_access);
		suite_add_tcase(s, userns);
	} else {
		printf("SKIP: the user-namespace tests: an unprivileged user cannot "
		       "unshare(CLONE_NEWUSER) here (the VM tier runs them too)\n");
	}
	return s;
}

int main(void)
{
	/* Real root, not fakeroot: the kernel must see the clients' credentials. */
	if (geteuid() != 0 || !has_cap(CAP_SETUID) || !has_cap(CAP_SETGID)) {
		printf("SKIP: test_access makes clients under other uids: run as root\n");
		return 77;
	}
	return gp_check_run(access_suite());
}
