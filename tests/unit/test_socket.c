// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket transport against hostile clients: the production frontend
 * (daemon/frontend/socket.c through gp_socket_new/start) over real AF_UNIX
 * connections, on mali-csf bound to the mock through the daemon's own
 * binding code (gp_options_parse -> gp_binding_bind).  A "control plane"
 * thread plays gpu-protod's libevent thread: it services the mock's
 * interrupt eventfd with gp_device_handle_irq() (the IRQ path, inside a
 * guard) and runs unbind (gp_binding_unbind: revoke, synchronize_rcu) and
 * status when asked, as `gpu-protoctl unbind/status` make it do.
 *
 * Hostile clients speak the wire protocol by hand: they park a blocking
 * READ and then send POLL requests without ever reading a reply, until
 * their own socket buffer is full.  What must hold: the control plane's
 * commands complete (a deadline of many seconds only turns a hang into a
 * failure; nothing here times performance), a well-behaved client keeps
 * working through libgpuproto, stalled clients are disconnected with their
 * file closed, and the connection limits answer EMFILE/ENFILE through
 * libgpuproto and the LD_PRELOAD shim.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_socket.h>
#include <gpuproto.h>

#include "binding.h"
#include "check_run.h"
#include "options.h"
#include "registration.h"
#include "socket.h"

/* A hang becomes a failure after this long; no test depends on speed. */
#define DEADLINE_MS 30000
/* The scenario: this many stalled clients at once. */
#define N_HOSTILE 100
/* Stalled clients that also have flushes completing on the IRQ path. */
#define N_STORM 10
/* A hostile client gives up sending after this many requests (never reached). */
#define FLOOD_MAX 200000
/* A path no one has: libgpuproto and the shim fall back to the socket. */
#define NO_NODE "/nonexistent-gp-test/gpu-proto"

/* --- the daemon: binding, socket, control-plane thread ------------------ */

enum srv_cmd { CMD_NONE, CMD_UNBIND, CMD_STATUS, CMD_STOP };

struct srv {
	struct gp_binding *binding;
	struct gp_binding_fds fds;
	struct gp_socket *sock;
	char dir[64];
	char path[128];

	pthread_t control;
	int cmd_efd;
	pthread_mutex_t lock;
	pthread_cond_t done;
	enum srv_cmd cmd;		/* under lock: pending command */
	bool cmd_done;
	int cmd_result;
	struct gp_binding_status status;
	struct gp_transport_stats stats;
	atomic_long irqs;
};

static struct gp_device *srv_current_device(void *ctx)
{
	struct srv *s = ctx;

	return gp_binding_current_device(s->binding);
}

/* gpu-protod's control plane: IRQs and commands on one thread. */
static void *srv_control_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd pfd[GP_BINDING_MAX_IRQS + 1];
	bool watching = true;
	uint64_t count;

	for (;;) {
		unsigned int n = 0;
		enum srv_cmd cmd;

		pfd[n++] = (struct pollfd){ .fd = s->cmd_efd, .events = POLLIN };
		for (unsigned int i = 0; watching && i < s->fds.num_irqs; i++)
			pfd[n++] = (struct pollfd){ .fd = s->fds.irq_fds[i], .events = POLLIN };
		if (poll(pfd, n, -1) < 0)
			continue;
		for (unsigned int i = 1; i < n; i++) {
			struct gp_device *dev;

			if (!(pfd[i].revents & POLLIN) ||
			    read(pfd[i].fd, &count, sizeof(count)) != sizeof(count))
				continue;
			dev = gp_binding_current_device(s->binding);
			if (dev) {
				gp_device_handle_irq(dev, i - 1);
				gp_device_put(&dev);
				atomic_fetch_add(&s->irqs, 1);
			}
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		(void)!read(s->cmd_efd, &count, sizeof(count));
		pthread_mutex_lock(&s->lock);
		cmd = s->cmd;
		pthread_mutex_unlock(&s->lock);
		if (cmd == CMD_NONE)
			continue;
		if (cmd == CMD_UNBIND) {
			/* As gp_daemon_unbind(): stop watching the fds, then revoke. */
			watching = false;
			s->cmd_result = gp_binding_unbind(s->binding);
		} else if (cmd == CMD_STATUS) {
			gp_binding_get_status(s->binding, &s->status);
			gp_socket_get_stats(s->sock, &s->stats);
			s->cmd_result = 0;
		}
		pthread_mutex_lock(&s->lock);
		s->cmd = CMD_NONE;
		s->cmd_done = true;
		pthread_cond_broadcast(&s->done);
		pthread_mutex_unlock(&s->lock);
		if (cmd == CMD_STOP)
			return NULL;
	}
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Ask the control plane for @cmd; false if it did not answer by the deadline. */
static bool srv_command(struct srv *s, enum srv_cmd cmd)
{
	struct timespec deadline;
	uint64_t one = 1;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	s->cmd = cmd;
	s->cmd_done = false;
	ck_assert_int_eq(write(s->cmd_efd, &one, sizeof(one)), sizeof(one));
	deadline_in(&deadline, DEADLINE_MS);
	while (!s->cmd_done && r == 0)
		r = pthread_cond_timedwait(&s->done, &s->lock, &deadline);
	pthread_mutex_unlock(&s->lock);
	return s->cmd_done;
}

/*
 * Status until the bound device has @n open files: a client's close
 * reaches the daemon's connection thread a moment later.
 */
static void srv_wait_open_files(struct srv *s, unsigned int n)
{
	for (int waited = 0; waited < DEADLINE_MS; waited += 10) {
		ck_assert(srv_command(s, CMD_STATUS));
		if (s->status.open_files == n && s->stats.open_files == n)
			return;
		usleep(10 * 1000);
	}
	ck_abort_msg("%u files open on the device, %llu on the socket; want %u",
		     s->status.open_files, (unsigned long long)s->stats.open_files, n);
}

static void srv_start(struct srv *s, const struct gp_socket_config *extra, const char *mock_options)
{
	char mock_arg[128];
	char *argv[] = { (char *)"gpu-protod", mock_arg, NULL };
	struct gp_socket_config cfg = extra ? *extra : (struct gp_socket_config){ 0 };
	struct gp_binding_config bcfg;
	struct gp_options o;

	memset(s, 0, sizeof(*s));
	snprintf(mock_arg, sizeof(mock_arg), "--mock-options=%s", mock_options ? mock_options : "flush-delay-us=30");
	ck_assert_int_eq(gp_options_parse(2, argv, &o), 0);
	ck_assert_int_eq(gp_options_binding_config(&o, &bcfg), 0);
	ck_assert_int_eq(gp_binding_new(&bcfg, &s->binding), 0);
	ck_assert_int_eq(gp_binding_bind(s->binding, &s->fds), 0);

	strcpy(s->dir, "/tmp/gp-test-socket-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
	/* Dropped-privilege children must reach the socket. */
	ck_assert_int_eq(chmod(s->dir, 0755), 0);
	snprintf(s->path, sizeof(s->path), "%s/gpu-proto.sock", s->dir);
	cfg.path = s->path;
	/* Open to every uid: these tests are about limits and stalls, test_access about who. */
	if (!cfg.perm.mode)
		cfg.perm = (struct gp_node_perm){ .uid = getuid(), .gid = getgid(), .mode = 0666 };
	cfg.node = GP_NODE_RENDER;
	cfg.current_device = srv_current_device;
	cfg.ctx = s;
	ck_assert_int_eq(gp_socket_new(&cfg, &s->sock), 0);
	ck_assert_int_eq(gp_socket_start(s->sock), 0);
	setenv("GPU_PROTO_SOCKET", s->path, 1);
	setenv("GPU_PROTO_DEVICE", NO_NODE, 1);

	s->cmd_efd = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_ge(s->cmd_efd, 0);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->done, NULL);
	ck_assert_int_eq(pthread_create(&s->control, NULL, srv_control_main, s), 0);
}

/* gpu-protod's teardown (SIGTERM): unbind if bound, then free the socket. */
static void srv_stop(struct srv *s)
{
	ck_assert(srv_command(s, CMD_STOP));
	pthread_join(s->control, NULL);
	gp_binding_unbind(s->binding);
	gp_socket_free(&s->sock);
	gp_binding_free(&s->binding);
	close(s->cmd_efd);
	pthread_cond_destroy(&s->done);
	pthread_mutex_destroy(&s->lock);
	rmdir(s->dir);
}

/* gp_socket_free() in a thread, so a hang is reported rather than waited out. */
static void *srv_free_main(void *arg)
{
	gp_socket_free(arg);
	return NULL;
}

static bool srv_free_socket_in_time(struct srv *s)
{
	struct timespec deadline;
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, srv_free_main, &s->sock), 0);
	deadline_in(&deadline, DEADLINE_MS);
	return pthread_timedjoin_np(t, NULL, &deadline) == 0;
}

/* --- the daemon's log (gp_log writes stderr): capture it ------------------- */

static int capture_saved = -1;
static FILE *capture_file;

static void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	ck_assert_ptr_nonnull(capture_file);
	capture_saved = dup(STDERR_FILENO);
	ck_assert_int_ge(capture_saved, 0);
	ck_assert_int_eq(dup2(fileno(capture_file), STDERR_FILENO), STDERR_FILENO);
}

/* Stop capturing: the text (also echoed to stderr), to free. */
static char *capture_stop(void)
{
	char *text = calloc(1, 65536);
	size_t n;

	ck_assert_ptr_nonnull(text);
	fflush(stderr);
	dup2(capture_saved, STDERR_FILENO);
	close(capture_saved);
	rewind(capture_file);
	n = fread(text, 1, 65535, capture_file);
	text[n] = '\0';
	fputs(text, stderr);
	fclose(capture_file);
	return text;
}

/* Lines of @text that contain @needle. */
static unsigned int count_lines(const char *text, const char *needle)
{
	unsigned int n = 0;
	const char *line = text, *end;

	while (*line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		for (const char *p = line; p + strlen(needle) <= end; p++) {
			if (strncmp(p, needle, strlen(needle)) == 0) {
				n++;
				break;
			}
		}
		line = *end ? end + 1 : end;
	}
	return n;
}

/* --- hostile clients: the wire protocol by hand ---------------------------- */

/* Connect and take OPENED; its value (0 or errno) in *opened. */
static int raw_connect(const char *path, int64_t *opened)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gpsock_hdr hdr;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(recv(fd, &hdr, sizeof(hdr), 0), sizeof(hdr));
	ck_assert_uint_eq(hdr.op, GPSOCK_OPENED);
	*opened = hdr.value;
	return fd;
}

static struct gpsock_hdr raw_call(int fd, const void *req, size_t len, void *payload, size_t cap)
{
	unsigned char buf[sizeof(struct gpsock_hdr) + 256];
	struct gpsock_hdr hdr;
	ssize_t n;

	ck_assert_int_eq(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	do {
		n = recv(fd, buf, sizeof(buf), 0);
		ck_assert_int_ge(n, (ssize_t)sizeof(hdr));
		memcpy(&hdr, buf, sizeof(hdr));
	} while (hdr.op == GPSOCK_WAKE);
	if (payload)
		memcpy(payload, buf + sizeof(hdr), (size_t)n - sizeof(hdr) < cap ? (size_t)n - sizeof(hdr) : cap);
	return hdr;
}

/* FLUSH_CACHES over the retry protocol: the RETRY round, then the data round. */
static void raw_flush(int fd, uint64_t user_data)
{
	struct gpu_proto_mali_flush_caches flush = { .user_data = user_data };
	struct {
		struct gpsock_ioctl io;
		struct gpu_proto_mali_flush_caches arg;
	} req = {
		.io = { .hdr.op = GPSOCK_IOCTL, .arg = 0x1000,
			.cmd = GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES },
	};
	struct gpsock_hdr hdr;

	hdr = raw_call(fd, &req.io, sizeof(req.io), NULL, 0);
	ck_assert_uint_eq(hdr.op, GPSOCK_RETRY);
	req.io.in_len = req.io.out_len = sizeof(flush);
	req.arg = flush;
	hdr = raw_call(fd, &req, sizeof(req), NULL, 0);
	ck_assert_uint_eq(hdr.op, GPSOCK_DONE);
	ck_assert_int_eq(hdr.value, 0);
}

/*
 * Park a blocking READ, then send POLLs and read nothing, until the socket
 * takes no more: the daemon has stopped reading this client.  Returns how
 * many requests went out.
 */
static long raw_stall(int fd)
{
	struct gpsock_hdr read_req = { .op = GPSOCK_READ, .value = 4096 };
	struct gpsock_hdr poll_req = { .op = GPSOCK_POLL };
	long sent;

	ck_assert_int_eq(send(fd, &read_req, sizeof(read_req), MSG_NOSIGNAL), sizeof(read_req));
	for (sent = 1; sent < FLOOD_MAX; sent++) {
		if (send(fd, &poll_req, sizeof(poll_req), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (errno == EPIPE || errno == ECONNRESET)
				return sent;	/* already cut off */
			ck_assert_int_eq(errno, EAGAIN);
			/* The daemon may still be catching up: full means full for a while. */
			if (poll(&pfd, 1, 50) == 0)
				return sent;
		}
	}
	ck_abort_msg("the daemon read %d requests from a client that reads no replies", FLOOD_MAX);
	return -1;
}

/*
 * Wait, still reading nothing, for the daemon to close its end (POLLHUP);
 * false if it stays open past the deadline.
 */
static bool raw_disconnected(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };

	return poll(&pfd, 1, DEADLINE_MS) == 1 && (pfd.revents & (POLLHUP | POLLERR));
}

/* --- a well-behaved client: libgpuproto ------------------------------------ */

/*
 * A connection's slot comes back once the daemon's thread for it has
 * finished, a moment after the client closed: wait for it, not for speed.
 */
static int gpc_open_when_free(struct gpc_device **dev)
{
	int r;

	for (int waited = 0; waited < DEADLINE_MS; waited += 10) {
		r = gpc_open(NO_NODE, 0, dev);
		if (r != -ENFILE && r != -EMFILE)
			return r;
		usleep(10 * 1000);
	}
	return r;
}

static void good_client_works(void)
{
	struct gpu_proto_mali_event_flush_done ev;
	struct gpc_version *v;
	struct gpc_device *dev;
	uint64_t value;

	ck_assert_int_eq(gpc_open_when_free(&dev), 0);
	ck_assert_int_eq(gpc_get_version(dev, &v), 0);
	ck_assert_str_eq(v->name, "panthor");
	gpc_version_free(v);
	ck_assert_int_eq(gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &value), 0);
	/* An event through the IRQ path, read while the stalled ones sit there. */
	ck_assert_int_eq(gpc_mali_flush_caches(dev, 0xfeed), 0);
	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), DEADLINE_MS), (int)sizeof(ev));
	ck_assert_uint_eq(ev.base.type, GPU_PROTO_MALI_EVENT_FLUSH_DONE);
	ck_assert_uint_eq(ev.user_data, 0xfeed);
	gpc_close(dev);
}

/* --- the tests ---------------------------------------------------------- */

/*
 * The observation, 100 times over: revoke, status and shutdown
 * complete while 100 clients sit on parked reads with full sockets, some
 * of them with flush completions landing on the IRQ path meanwhile; a
 * well-behaved client keeps working until the unbind, then sees ENODEV.
 */
START_TEST(control_plane_completes_with_stalled_clients)
{
	/* Never disconnect here: the control plane must cope with them connected. */
	const struct gp_socket_config cfg = { .stall_timeout_ms = 600000 };
	int fds[N_HOSTILE];
	struct gpc_device *dev;
	uint64_t value;
	struct srv s;
	int64_t opened;

	/* Flushes complete 20 ms after they start: after the storm clients stall. */
	srv_start(&s, &cfg, "flush-delay-us=20000");
	for (unsigned int i = 0; i < N_HOSTILE; i++) {
		fds[i] = raw_connect(s.path, &opened);
		ck_assert_int_eq(opened, 0);
		if (i < N_STORM) {
			struct gpsock_hdr arm = { .op = GPSOCK_POLL, .flags = GPSOCK_POLL_ARM };

			ck_assert_uint_eq(raw_call(fds[i], &arm, sizeof(arm), NULL, 0).op, GPSOCK_MASK);
			raw_flush(fds[i], i);
			raw_flush(fds[i], i + 1000);
		}
		ck_assert_int_gt(raw_stall(fds[i]), 0);
	}
	good_client_works();
	srv_wait_open_files(&s, N_HOSTILE);
	ck_assert_uint_eq(s.stats.clients_stalled, 0);

	/* The observation: unbind and status hung here. */
	ck_assert_int_eq(gpc_open(NO_NODE, 0, &dev), 0);
	ck_assert_msg(srv_command(&s, CMD_UNBIND), "unbind did not complete");
	ck_assert_int_eq(s.cmd_result, 0);
	ck_assert_msg(srv_command(&s, CMD_STATUS), "status did not complete");
	ck_assert(!s.status.bound);
	ck_assert_int_eq(gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &value), -ENODEV);
	gpc_close(dev);

	/* SIGTERM's path: every connection ends, stalled or not. */
	ck_assert_msg(srv_free_socket_in_time(&s), "shutting the socket down did not complete");
	for (unsigned int i = 0; i < N_HOSTILE; i++) {
		ck_assert_msg(raw_disconnected(fds[i]), "client %u still connected", i);
		close(fds[i]);
	}
	srv_stop(&s);
}
END_TEST

/*
 * A client that stops reading is cut off: the daemon stops reading its
 * requests (it cannot send FLOOD_MAX), then disconnects it, closing its
 * file; a second client, before and after, is served normally.
 */
START_TEST(stalled_client_is_disconnected)
{
	const struct gp_socket_config cfg = { .stall_timeout_ms = 100 };
	struct srv s;
	int64_t opened;
	long sent;
	int fd;

	char warning[128], *log;

	srv_start(&s, &cfg, NULL);
	good_client_works();
	fd = raw_connect(s.path, &opened);
	ck_assert_int_eq(opened, 0);
	capture_start();
	sent = raw_stall(fd);
	ck_assert_msg(raw_disconnected(fd), "the stalled client was not disconnected");
	close(fd);
	/* Logged once, naming the client as SO_PEERCRED does. */
	snprintf(warning, sizeof(warning), "client uid %u pid %d does not read its replies",
		 (unsigned int)getuid(), (int)getpid());
	log = capture_stop();
	ck_assert_uint_eq(count_lines(log, warning), 1);
	free(log);

	ck_assert(srv_command(&s, CMD_STATUS));
	ck_assert_uint_eq(s.stats.clients_stalled, 1);
	/* Backpressure: far fewer requests were served than the client sent. */
	ck_assert_msg(s.stats.polls + 1 < (uint64_t)sent, "served %llu of %ld requests",
		      (unsigned long long)s.stats.polls, sent);
	good_client_works();
	/* The stalled file is closed (as if the client had exited): none left open. */
	srv_wait_open_files(&s, 0);
	srv_stop(&s);
}
END_TEST

/*
 * An event storm on a file whose client reads nothing: every flush
 * completes on the IRQ path (the control-plane thread) while the client's
 * socket and queue are full, and a well-behaved client's event arrives.
 */
START_TEST(event_storm_on_a_client_that_never_reads)
{
	const struct gp_socket_config cfg = { .stall_timeout_ms = 600000 };
	struct gpsock_hdr arm = { .op = GPSOCK_POLL, .flags = GPSOCK_POLL_ARM };
	struct srv s;
	int64_t opened;
	long irqs;
	int fd;

	/*
	 * Each flush takes 90 ms (the probe allows 100): the last completions
	 * land after the client has parked its read and filled its socket.
	 */
	srv_start(&s, &cfg, "flush-delay-us=90000");
	fd = raw_connect(s.path, &opened);
	ck_assert_int_eq(opened, 0);
	ck_assert_uint_eq(raw_call(fd, &arm, sizeof(arm), NULL, 0).op, GPSOCK_MASK);
	/* As many completions as its event space holds (24-byte events, 4096 bytes). */
	for (unsigned int i = 0; i < 150; i++)
		raw_flush(fd, i);
	ck_assert_int_gt(raw_stall(fd), 0);
	irqs = atomic_load(&s.irqs);
	good_client_works();
	ck_assert_int_gt(atomic_load(&s.irqs), irqs);
	ck_assert_msg(srv_command(&s, CMD_UNBIND), "unbind did not complete");
	ck_assert_msg(srv_free_socket_in_time(&s), "shutting the socket down did not complete");
	ck_assert(raw_disconnected(fd));
	close(fd);
	srv_stop(&s);
}
END_TEST

/*
 * Requests are peeked for their length, so idle connections hold no
 * 128 KiB buffer: every size up to GPSOCK_MSG_MAX is still taken whole,
 * one byte more is EMSGSIZE, and the connection goes on.  A second READ
 * while one is parked is EBUSY; CANCEL ends the parked one with EINTR.
 */
START_TEST(request_sizes_and_reads)
{
	static const size_t sizes[] = { 300, 4096, GPSOCK_MSG_MAX };
	struct gpsock_hdr read_req = { .op = GPSOCK_READ, .value = 4096 };
	struct gpsock_hdr cancel = { .op = GPSOCK_CANCEL };
	struct gpsock_hdr mask_req = { .op = GPSOCK_POLL };
	unsigned char *big = calloc(1, GPSOCK_MSG_MAX + 1);
	struct gpsock_ioctl *io = (struct gpsock_ioctl *)big;
	struct gpsock_hdr hdr;
	struct srv s;
	int64_t opened;
	int fd;

	srv_start(&s, NULL, NULL);
	fd = raw_connect(s.path, &opened);
	ck_assert_int_eq(opened, 0);
	io->hdr.op = GPSOCK_IOCTL;
	io->cmd = GPU_PROTO_IOCTL_GET_CAP;
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* IN bytes the daemon did not ask for: an answer, not a size error. */
		io->in_len = (uint32_t)(sizes[i] - sizeof(*io));
		hdr = raw_call(fd, big, sizes[i], NULL, 0);
		ck_assert_msg(!(hdr.op == GPSOCK_ERR && hdr.value == EMSGSIZE), "%zu bytes: EMSGSIZE",
			      sizes[i]);
	}
	io->in_len = GPSOCK_MAX_XFER + 1;
	hdr = raw_call(fd, big, GPSOCK_MSG_MAX + 1, NULL, 0);
	ck_assert_uint_eq(hdr.op, GPSOCK_ERR);
	ck_assert_int_eq(hdr.value, EMSGSIZE);
	ck_assert_uint_eq(raw_call(fd, &mask_req, sizeof(mask_req), NULL, 0).op, GPSOCK_MASK);
	free(big);

	/* The first READ parks (no reply); the second is refused at once. */
	ck_assert_int_eq(send(fd, &read_req, sizeof(read_req), MSG_NOSIGNAL), sizeof(read_req));
	hdr = raw_call(fd, &read_req, sizeof(read_req), NULL, 0);
	ck_assert_uint_eq(hdr.op, GPSOCK_ERR);
	ck_assert_int_eq(hdr.value, EBUSY);
	hdr = raw_call(fd, &cancel, sizeof(cancel), NULL, 0);
	ck_assert_uint_eq(hdr.op, GPSOCK_ERR);
	ck_assert_int_eq(hdr.value, EINTR);
	close(fd);
	srv_stop(&s);
}
END_TEST

/* --- limits ------------------------------------------------------------- */

/* The shim's open(), reached with dlsym: the production interposer's code path. */
static int shim_open_errno(void)
{
	int (*shim_open)(const char *, int, ...);
	void *h;
	int fd, err;

	h = dlopen(GP_TEST_SHIM, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(h, "%s", dlerror());
	shim_open = (int (*)(const char *, int, ...))dlsym(h, "open");
	ck_assert_ptr_nonnull(shim_open);
	errno = 0;
	fd = shim_open(NO_NODE, O_RDWR);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	dlclose(h);
	return err;
}

/* Open @n connections through libgpuproto, then check the next one's errno both ways. */
static int open_until_refused(unsigned int n, int want)
{
	struct gpc_device *devs[16];
	int r, bad = 0;

	for (unsigned int i = 0; i < n; i++)
		if (gpc_open(NO_NODE, 0, &devs[i]) != 0)
			bad |= 1;
	r = gpc_open(NO_NODE, 0, &devs[n]);
	if (r != -want)
		bad |= 2;
	if (r == 0)
		gpc_close(devs[n]);
	if (shim_open_errno() != want)
		bad |= 4;
	for (unsigned int i = 0; i < n; i++)
		gpc_close(devs[i]);
	return bad;
}

/*
 * Per uid: two unprivileged users, each may hold max_per_uid connections;
 * one more is EMFILE for that user only.  Run as dropped-privilege
 * children (the uid is what SO_PEERCRED reports).
 */
START_TEST(per_uid_limit_is_emfile)
{
	const struct gp_socket_config cfg = { .max_per_uid = 3 };
	static const uid_t uids[] = { 65534, 65533 };
	pid_t pids[2];
	int status;
	struct srv s;

	if (geteuid() != 0) {
		fprintf(stderr, "per_uid_limit_is_emfile: needs root to drop to other uids; skipped\n");
		return;
	}
	srv_start(&s, &cfg, NULL);
	for (unsigned int u = 0; u < 2; u++) {
		pids[u] = fork();
		ck_assert_int_ge(pids[u], 0);
		if (pids[u] == 0) {
			if (setgroups(0, NULL) < 0 || setresgid(uids[u], uids[u], uids[u]) < 0 ||
			    setresuid(uids[u], uids[u], uids[u]) < 0)
				_exit(100);
			_exit(open_until_refused(3, EMFILE));
		}
	}
	for (unsigned int u = 0; u < 2; u++) {
		ck_assert_int_eq(waitpid(pids[u], &status, 0), pids[u]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "uid %u: status 0x%x (1: an open below the limit failed, 2: libgpuproto "
			      "did not see EMFILE, 4: the shim did not)", (unsigned int)uids[u], status);
	}
	ck_assert(srv_command(&s, CMD_STATUS));
	ck_assert_uint_eq(s.stats.connections_refused, 4);
	srv_stop(&s);
}
END_TEST

/* In all: max_connections, then ENFILE whoever asks. */
START_TEST(total_limit_is_enfile)
{
	const struct gp_socket_config cfg = { .max_connections = 4 };
	struct srv s;

	struct gpc_device *devs[4];
	unsigned int lines;
	int64_t opened;
	char *log;

	srv_start(&s, &cfg, NULL);
	ck_assert_int_eq(open_until_refused(4, ENFILE), 0);
	/* The slots come back when clients close. */
	good_client_works();

	/*
	 * A client connecting in a loop cannot flood the log: 20 refusals in
	 * a burst give at most 5 lines per second's window (10 if the burst
	 * straddles two), and the rest are counted in a later line.
	 */
	for (unsigned int i = 0; i < 4; i++)
		ck_assert_int_eq(gpc_open_when_free(&devs[i]), 0);
	capture_start();
	for (unsigned int i = 0; i < 20; i++) {
		close(raw_connect(s.path, &opened));
		ck_assert_int_eq(opened, ENFILE);
	}
	usleep(1100 * 1000);	/* a new window, so the suppressed count is logged */
	close(raw_connect(s.path, &opened));
	ck_assert_int_eq(opened, ENFILE);
	log = capture_stop();
	lines = count_lines(log, "refused (ENFILE)");
	ck_assert_msg(lines >= 2 && lines <= 11, "%u refusal lines for 21 refusals", lines);
	ck_assert_uint_ge(count_lines(log, "similar messages suppressed"), 1);
	free(log);
	for (unsigned int i = 0; i < 4; i++)
		gpc_close(devs[i]);
	srv_stop(&s);
}
END_TEST

static Suite *socket_suite(void)
{
	Suite *s = suite_create("socket");
	TCase *tc = tcase_create("hostile");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, control_plane_completes_with_stalled_clients);
	tcase_add_test(tc, stalled_client_is_disconnected);
	tcase_add_test(tc, event_storm_on_a_client_that_never_reads);
	tcase_add_test(tc, request_sizes_and_reads);
	tcase_add_test(tc, per_uid_limit_is_emfile);
	tcase_add_test(tc, total_limit_is_enfile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(socket_suite());
}
