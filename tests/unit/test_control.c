// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket's protocol: one request line, "ok"/"error" replies,
 * and malformed clients that never stop the daemon.
 */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "check_run.h"

static char sock_path[108];
static char sock_dir[64];
static int handled;

static int test_handler(void *ctx, const char *cmd, struct evbuffer *reply, char *msg, size_t msglen)
{
	handled++;
	if (strcmp(cmd, "status") == 0) {
		evbuffer_add_printf(reply, "state=bound\n");
		return 0;
	}
	if (strcmp(cmd, "unbind") == 0) {
		snprintf(msg, msglen, "no device is bound");
		return -EALREADY;
	}
	snprintf(msg, msglen, "unknown command '%s'", cmd);
	return -EINVAL;
}

/* A client in its own thread, so the test's thread can run the event loop. */
struct client {
	const char *send;
	size_t send_len;
	bool close_early;
	char reply[1024];
	atomic_bool done;
};

static void *client_thread(void *arg)
{
	struct client *c = arg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t n;
	int fd;

	strcpy(sun.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		if (c->send_len && write(fd, c->send, c->send_len) < 0)
			c->reply[0] = '\0';
		if (!c->close_early)
			while (got < sizeof(c->reply) - 1 &&
			       (n = read(fd, c->reply + got, sizeof(c->reply) - 1 - got)) > 0)
				got += (size_t)n;
	}
	c->reply[got] = '\0';
	if (fd >= 0)
		close(fd);
	atomic_store(&c->done, true);
	return NULL;
}

static struct event_base *base;
static struct gp_control *control;

static void setup(void)
{
	/* As gpu-protod: a client gone before its reply is an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	strcpy(sock_dir, "/tmp/gp-control-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sock_dir));
	snprintf(sock_path, sizeof(sock_path), "%s/control", sock_dir);
	handled = 0;
	base = event_base_new();
	ck_assert_int_eq(gp_control_new(base, sock_path, test_handler, NULL, &control), 0);
}

static void teardown(void)
{
	gp_control_free(&control);
	event_base_free(base);
	rmdir(sock_dir);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
}

/* Run the server's loop until the client thread is done (a tick keeps it turning). */
static void talk(struct client *c)
{
	const struct timeval period = { .tv_usec = 5000 };
	struct event *timer = event_new(base, -1, EV_PERSIST, tick, NULL);
	pthread_t t;

	event_add(timer, &period);
	pthread_create(&t, NULL, client_thread, c);
	while (!atomic_load(&c->done))
		event_base_loop(base, EVLOOP_ONCE);
	pthread_join(t, NULL);
	/* Let the server finish closing its side. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_free(timer);
}

START_TEST(socket_is_root_only)
{
	struct stat st;

	ck_assert_int_eq(stat(sock_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(command_gets_ok_and_its_lines)
{
	struct client c = { .send = "status\n", .send_len = 7 };

	talk(&c);
	ck_assert_str_eq(c.reply, "ok\nstate=bound\n");
}
END_TEST

START_TEST(failed_command_gets_errno_name_and_message)
{
	struct client c = { .send = "unbind\n", .send_len = 7 };

	talk(&c);
	ck_assert_str_eq(c.reply, "error EALREADY no device is bound\n");
}
END_TEST

START_TEST(unknown_command_is_einval)
{
	struct client c = { .send = "frobnicate\r\n", .send_len = 12 };

	talk(&c);
	ck_assert_str_eq(c.reply, "error EINVAL unknown command 'frobnicate'\n");
}
END_TEST

START_TEST(overlong_line_is_refused_without_calling_the_handler)
{
	static char big[2048];
	struct client c = { .send = big, .send_len = sizeof(big) };

	memset(big, 'x', sizeof(big));
	talk(&c);
	ck_assert_str_eq(c.reply, "error EMSGSIZE request line too long\n");
	ck_assert_int_eq(handled, 0);
}
END_TEST

START_TEST(client_that_hangs_up_early_does_not_stop_the_server)
{
	struct client rude = { .send = "stat", .send_len = 4, .close_early = true };
	struct client polite = { .send = "status\n", .send_len = 7 };

	talk(&rude);
	talk(&polite);
	ck_assert_str_eq(polite.reply, "ok\nstate=bound\n");
	ck_assert_int_eq(handled, 1);
}
END_TEST

static unsigned int open_fds(void)
{
	unsigned int n = 0;
	char path[64];

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

START_TEST(client_that_hangs_up_before_the_reply_leaks_nothing)
{
	struct client rude = { .send = "status\n", .send_len = 7, .close_early = true };
	unsigned int before = open_fds();

	for (int i = 0; i < 20; i++)
		talk(&rude);
	/* A few more turns so the server sees the write errors and frees. */
	for (int i = 0; i < 10; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(open_fds(), before);
}
END_TEST

START_TEST(stale_socket_is_replaced_but_other_files_are_not)
{
	struct gp_control *second = NULL;
	char path[128];
	FILE *f;

	/* A socket left behind (ours) is replaced. */
	ck_assert_int_eq(gp_control_new(base, sock_path, test_handler, NULL, &second), 0);
	gp_control_free(&second);

	snprintf(path, sizeof(path), "%s/regular", sock_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(gp_control_new(base, path, test_handler, NULL, &second), -EEXIST);
	unlink(path);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("protocol");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, socket_is_root_only);
	tcase_add_test(tc, command_gets_ok_and_its_lines);
	tcase_add_test(tc, failed_command_gets_errno_name_and_message);
	tcase_add_test(tc, unknown_command_is_einval);
	tcase_add_test(tc, overlong_line_is_refused_without_calling_the_handler);
	tcase_add_test(tc, client_that_hangs_up_early_does_not_stop_the_server);
	tcase_add_test(tc, client_that_hangs_up_before_the_reply_leaks_nothing);
	tcase_add_test(tc, stale_socket_is_replaced_but_other_files_are_not);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(control_suite());
}
