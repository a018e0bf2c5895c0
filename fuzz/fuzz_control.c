// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the control socket's request parser (daemon/control.c) for real:
 * one gp_control listens on a temporary path for the whole run, and each
 * input is one client connection driven through the libevent loop.
 *
 * Input: a flags byte (FZ_*), a chunk size byte, then the bytes the client sends
 * (at most FZ_REQUEST_MAX), written in chunks with a turn of the event loop
 * between them (unless FZ_NO_TURNS).  The client then either shuts down its
 * write side and reads the reply to the end, or (FZ_CLOSE_EARLY) closes
 * without reading.
 *
 * Checked besides the sanitizers: the handler receives exactly the first
 * line (without "\n" and one trailing "\r", up to a NUL), and the reply is
 * exactly what control.h specifies: the handler's "ok\n..." or
 * "error NAME message\n", "error EMSGSIZE ..." for a line over
 * GP_CONTROL_LINE_MAX bytes, nothing when the client hung up before a
 * whole line.  After every input the server holds no descriptor of the
 * connection any more, and the next connection is accepted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_REQUEST_MAX	1024
#define FZ_REPLY_MAX	4096
#define FZ_CLOSE_EARLY	0x01	/* close without reading the reply */
#define FZ_NO_TURNS	0x02	/* no turn of the event loop between chunks */
#define FZ_UNBOUND	0x04	/* the handler starts with no device bound */

#define fz_assert(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_control: " __VA_ARGS__);		\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

static struct event_base *fz_base;
static struct gp_control *fz_control;
static char fz_dir[] = "/tmp/gp-fuzz-control.XXXXXX";
static char fz_path[sizeof(fz_dir) + 16];

/* What the handler should be given, and the state it answers from (as gpu-protod's). */
static const char *fz_expected_command;
static bool fz_handler_ran;
static bool fz_bound;

static int fz_handler(void *ctx, const char *command, struct evbuffer *reply, char *msg,
		      size_t msglen)
{
	fz_assert(!fz_handler_ran, "the handler ran twice for one connection");
	fz_handler_ran = true;
	fz_assert(fz_expected_command && !strcmp(command, fz_expected_command),
		  "the handler got '%s', expected '%s'", command,
		  fz_expected_command ? fz_expected_command : "(nothing)");
	if (!strcmp(command, "status")) {
		evbuffer_add_printf(reply, "state=%s\nserial=7\n", fz_bound ? "bound" : "unbound");
		return 0;
	}
	if (!strcmp(command, "unbind")) {
		if (!fz_bound) {
			snprintf(msg, msglen, "no device is bound");
			return -EALREADY;
		}
		fz_bound = false;
		evbuffer_add_printf(reply, "state=unbound\n");
		return 0;
	}
	if (!strcmp(command, "bind")) {
		if (fz_bound)
			return -EBUSY;	/* no message: the reply carries strerror() */
		fz_bound = true;
		evbuffer_add_printf(reply, "state=bound\nserial=8\n");
		return 0;
	}
	snprintf(msg, msglen, "unknown command '%.64s' (status, unbind, bind)", command);
	return -EINVAL;
}

static void fz_cleanup(void)
{
	gp_control_free(&fz_control);
	rmdir(fz_dir);
}

/* Open descriptors below 256: a connection the server kept shows up here. */
static int fz_open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 256; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int r;

	signal(SIGPIPE, SIG_IGN);	/* as gpu-protod */
	gp_log_set_max_level(LOG_CRIT);
	fz_assert(mkdtemp(fz_dir), "mkdtemp: %s", strerror(errno));
	snprintf(fz_path, sizeof(fz_path), "%s/control", fz_dir);
	fz_base = event_base_new();
	fz_assert(fz_base, "event_base_new");
	r = gp_control_new(fz_base, fz_path, fz_handler, NULL, &fz_control);
	fz_assert(r == 0, "gp_control_new(%s): %d", fz_path, r);
	atexit(fz_cleanup);
	return 0;
}

/* The handler's answer to @command as gpu-protod's control plane formats it. */
static void fz_expect_reply(const char *command, char *want, size_t wantlen)
{
	struct evbuffer *reply = evbuffer_new();
	bool bound = fz_bound;
	char msg[256] = "";
	size_t len;
	int r;

	fz_assert(reply, "evbuffer_new");
	r = fz_handler(NULL, command, reply, msg, sizeof(msg));
	fz_handler_ran = false;
	fz_bound = bound;
	if (r < 0) {
		snprintf(want, wantlen, "error %s %s\n", strerrorname_np(-r), msg[0] ? msg : strerror(-r));
	} else {
		len = evbuffer_get_length(reply);
		fz_assert(len + 4 < wantlen, "reply too long");
		memcpy(want, "ok\n", 3);
		evbuffer_remove(reply, want + 3, len);
		want[3 + len] = '\0';
	}
	evbuffer_free(reply);
}

/* The reply control.h specifies for @req, into @want; the line the handler gets in @command. */
static void fz_expect(const char *req, size_t len, char *want, size_t wantlen, char *command)
{
	const char *nl = memchr(req, '\n', len);

	*want = '\0';
	fz_expected_command = NULL;
	if (nl && nl - req <= GP_CONTROL_LINE_MAX) {
		size_t n = (size_t)(nl - req);

		memcpy(command, req, n);
		command[n] = '\0';
		if (n && command[n - 1] == '\r')
			command[n - 1] = '\0';
		fz_expected_command = command;
		fz_expect_reply(command, want, wantlen);
	} else if (len > GP_CONTROL_LINE_MAX) {
		snprintf(want, wantlen, "error EMSGSIZE request line too long\n");
	}
}

static int fz_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	fz_assert(fd >= 0, "socket: %s", strerror(errno));
	memcpy(sun.sun_path, fz_path, strlen(fz_path) + 1);
	fz_assert(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
		  "the server does not accept a connection: %s", strerror(errno));
	return fd;
}

static uint64_t fz_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Send one chunk.  Many small chunks without a turn of the loop can fill
 * the socket (every send is an skb): let the server read, then retry.
 */
static void fz_send(int fd, const char *buf, size_t n)
{
	uint64_t deadline = fz_now_ms() + 5000;

	while (send(fd, buf, n, MSG_NOSIGNAL) < 0) {
		/* The server may have answered and closed already. */
		if (errno == EPIPE || errno == ECONNRESET)
			return;
		fz_assert(errno == EAGAIN, "send: %s", strerror(errno));
		fz_assert(fz_now_ms() < deadline, "the server stopped reading");
		event_base_loop(fz_base, EVLOOP_NONBLOCK);
	}
}

/* Shut down the write side and read the reply until the server hangs up. */
static size_t fz_read_reply(int fd, char *got, size_t size)
{
	uint64_t deadline = fz_now_ms() + 5000;
	size_t len = 0;

	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n;

		event_base_loop(fz_base, EVLOOP_NONBLOCK);
		n = recv(fd, got + len, size - 1 - len, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		if (n > 0)
			len += (size_t)n;
		else
			fz_assert(errno == EAGAIN, "recv: %s", strerror(errno));
		fz_assert(len < size - 1, "an endless reply");
		fz_assert(fz_now_ms() < deadline, "the server neither answered nor hung up");
	}
	got[len] = '\0';
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char want[FZ_REPLY_MAX], got[FZ_REPLY_MAX], command[GP_CONTROL_LINE_MAX + 1];
	const char *req = (const char *)data + (size > 2 ? 2 : size);
	size_t len = size > 2 ? size - 2 : 0, chunk, got_len;
	uint8_t flags = size > 0 ? data[0] : 0;
	int fds = fz_open_fds();	/* libFuzzer opens files of its own between inputs */
	bool close_early;
	int fd;

	chunk = (size > 1 ? data[1] : 0) + 1u;
	if (len > FZ_REQUEST_MAX)
		len = FZ_REQUEST_MAX;
	fz_bound = !(flags & FZ_UNBOUND);
	fz_handler_ran = false;
	fz_expect(req, len, want, sizeof(want), command);
	close_early = flags & FZ_CLOSE_EARLY;

	fd = fz_connect();
	for (size_t at = 0; at < len; at += chunk) {
		size_t n = len - at < chunk ? len - at : chunk;

		fz_send(fd, req + at, n);
		if (!(flags & FZ_NO_TURNS))
			event_base_loop(fz_base, EVLOOP_NONBLOCK);
	}

	if (close_early) {
		close(fd);
		for (int i = 0; i < 16; i++)
			event_base_loop(fz_base, EVLOOP_NONBLOCK);
	} else {
		got_len = fz_read_reply(fd, got, sizeof(got));
		close(fd);
		fz_assert(!memchr(got, '\0', got_len), "a NUL in the reply");
		fz_assert(!strcmp(got, want), "request of %zu bytes: reply\n%s\nexpected\n%s", len, got,
			  want);
		fz_assert(fz_handler_ran == (fz_expected_command != NULL), "the handler %s",
			  fz_handler_ran ? "ran for no line" : "did not run");
		/* One more turn: the server frees the connection once the reply is out. */
		event_base_loop(fz_base, EVLOOP_NONBLOCK);
	}
	fz_assert(fz_open_fds() == fds, "the server kept the connection's descriptor");
	return 0;
}
