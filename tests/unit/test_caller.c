// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Callers and their capabilities: the core asks a capability only when a
 * check needs one, of the request's own caller, each time (as capable());
 * the frontend's callers (caller.c) answer from /proc for live processes,
 * pinned by a pidfd over a socket, within the daemon's user namespace.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caller.h"
#include "check_run.h"
#include "fake_driver.h"
#include "file.h"
#include "inproc.h"
#include "registration.h"

/* --- the core: when and of whom a capability is asked --- */

static int asked, released;
static bool answer;

static bool counting_capable(const struct gp_caller *caller, int cap)
{
	asked++;
	return cap == GP_CAP_SYS_ADMIN && answer;
}

static void counting_release(struct gp_caller *caller)
{
	released++;
}

static const struct gp_caller_ops counting_ops = {
	.capable = counting_capable,
	.release = counting_release,
};

static int echo(struct gp_inproc_caller *c, struct gp_file *file, unsigned int cmd)
{
	struct fake_echo e = { .in = 1 };

	ck_assert_int_eq(gp_inproc_caller_map(c, &e, sizeof(e), GP_USER_IN | GP_USER_OUT), 0);
	return gp_inproc_ioctl(c, file, cmd, (uint64_t)(uintptr_t)&e);
}

START_TEST(capabilities_are_asked_per_privileged_ioctl_only)
{
	const struct gp_caller who = { .uid = 1000, .gid = 1000, .pid = 1, .ops = &counting_ops };
	struct gp_registration *reg;
	struct gp_inproc_caller *c = NULL;
	struct gp_file *file = NULL;

	fake_driver_reset();
	reg = fake_bind();
	asked = released = 0;
	ck_assert_int_eq(gp_inproc_caller_new((enum gp_inproc_mode)_i, &c), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &who, GP_NODE_RENDER, &file), 0);
	/* A render node's open needs none (no AUTH), and ordinary ioctls read nothing. */
	ck_assert_int_eq(asked, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(echo(c, file, FAKE_IOCTL_ECHO), 0);
	ck_assert_int_eq(asked, 0);

	/* ROOT_ONLY asks every time, and follows the answer as it changes. */
	answer = true;
	ck_assert_int_eq(echo(c, file, FAKE_IOCTL_ROOT_ONLY), 0);
	answer = false;
	ck_assert_int_eq(echo(c, file, FAKE_IOCTL_ROOT_ONLY), -EACCES);
	ck_assert_int_eq(asked, 2);

	/* The file owns its caller: released once, when the file goes. */
	ck_assert_int_eq(released, 0);
	gp_file_close(&file);
	ck_assert_int_eq(released, 1);
	gp_inproc_caller_free(&c);
	gp_registration_free(&reg);
}
END_TEST

START_TEST(a_primary_opener_is_authenticated_by_its_capability_at_open)
{
	const struct gp_caller who = { .uid = 0, .pid = 1, .ops = &counting_ops };
	struct gp_registration *reg;
	struct gp_file *file = NULL;

	fake_driver_reset();
	reg = fake_bind();
	for (int i = 0; i < 2; i++) {
		answer = i;
		ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &who, GP_NODE_PRIMARY,
					      &file), 0);
		ck_assert(file->authenticated == answer);
		gp_file_close(&file);
	}
	gp_registration_free(&reg);
}
END_TEST

START_TEST(the_request_names_its_caller_before_the_opener)
{
	const struct gp_caller opener = { .uid = 1 }, issuer = { .uid = 2 };
	struct gp_file file = { .caller = opener };
	struct gp_user user = { .caller = NULL };

	ck_assert_ptr_eq(gp_request_caller(&file, NULL), &file.caller);
	ck_assert_ptr_eq(gp_request_caller(&file, &user), &file.caller);
	user.caller = &issuer;
	ck_assert_ptr_eq(gp_request_caller(&file, &user), &issuer);
}
END_TEST

/* --- the frontend: answers from /proc --- */

static bool self_has(int cap)
{
	char line[256];
	uint64_t eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &eff) == 1)
			break;
	fclose(f);
	return (eff >> cap) & 1;
}

START_TEST(a_request_caller_holds_what_its_process_holds)
{
	struct gp_caller c;

	gp_caller_from_request(getpid(), getuid(), getgid(), &c);
	ck_assert(gp_caller_capable(&c, GP_CAP_SYS_ADMIN) == self_has(CAP_SYS_ADMIN));
	ck_assert(gp_caller_capable(&c, GP_CAP_SYS_NICE) == self_has(CAP_SYS_NICE));
	/* Out of range, or a pid the kernel could not name in our namespace: nothing. */
	ck_assert(!gp_caller_capable(&c, 64));
	ck_assert(!gp_caller_capable(&c, -1));
	gp_caller_from_request(0, 0, 0, &c);
	ck_assert(!gp_caller_capable(&c, GP_CAP_SYS_ADMIN));
}
END_TEST

START_TEST(a_socket_peer_is_known_and_pinned)
{
	struct gp_caller c;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(gp_caller_from_socket(sv[0], &c), 0);
	ck_assert_uint_eq(c.uid, geteuid());
	ck_assert_uint_eq(c.gid, getegid());
	ck_assert_int_eq(c.pid, getpid());
	ck_assert_int_ge(c.pidfd, 0);
	ck_assert(fcntl(c.pidfd, F_GETFD) & FD_CLOEXEC);
	ck_assert(gp_caller_capable(&c, GP_CAP_SYS_ADMIN) == self_has(CAP_SYS_ADMIN));
	gp_caller_release(&c);
	ck_assert_int_eq(c.pidfd, -1);
	ck_assert(!gp_caller_capable(&c, GP_CAP_SYS_ADMIN));	/* no pidfd: nothing */

	close(sv[0]);
	close(sv[1]);
	/* Not a socket: the error. */
	ck_assert_int_eq(pipe2(sv, O_CLOEXEC), 0);
	ck_assert_int_eq(gp_caller_from_socket(sv[0], &c), -ENOTSOCK);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A child with every capability inside a new user namespace: none in ours. */
START_TEST(a_caller_in_its_own_user_namespace_holds_nothing_here)
{
	struct gp_caller c;
	int ready[2], go[2], status;
	char ch = 0;
	pid_t pid;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(go[1]);
		ch = unshare(CLONE_NEWUSER) < 0 ? 'u' : self_has(CAP_SYS_ADMIN) ? 'y' : 'n';
		if (write(ready[1], &ch, 1) != 1)
			_exit(1);
		_exit(read(go[0], &ch, 1) == 0 ? 0 : 2);	/* until the parent is done */
	}
	close(ready[1]);
	close(go[0]);
	ck_assert_int_eq(read(ready[0], &ch, 1), 1);
	if (ch == 'u') {
		printf("note: no user namespace for this user here: %s skipped\n", __func__);
	} else {
		ck_assert_int_eq(ch, 'y');	/* inside it, everything */
		gp_caller_from_request(pid, 0, 0, &c);
		ck_assert(!gp_caller_capable(&c, GP_CAP_SYS_ADMIN));
		ck_assert(!gp_caller_capable(&c, GP_CAP_SYS_NICE));
	}
	close(go[1]);
	close(ready[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

static Suite *caller_suite(void)
{
	Suite *s = suite_create("caller");
	TCase *core = tcase_create("core"), *proc = tcase_create("proc");

	tcase_add_loop_test(core, capabilities_are_asked_per_privileged_ioctl_only, 0, 2);
	tcase_add_test(core, a_primary_opener_is_authenticated_by_its_capability_at_open);
	tcase_add_test(core, the_request_names_its_caller_before_the_opener);
	suite_add_tcase(s, core);
	tcase_add_test(proc, a_request_caller_holds_what_its_process_holds);
	tcase_add_test(proc, a_socket_peer_is_known_and_pinned);
	tcase_add_test(proc, a_caller_in_its_own_user_namespace_holds_nothing_here);
	suite_add_tcase(s, proc);
	return s;
}

int main(void)
{
	return gp_check_run(caller_suite());
}
