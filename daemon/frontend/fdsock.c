// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fd socket.  See fdsock.h and docs/uapi.md ("The fd socket").
 */
#define _GNU_SOURCE

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_fdsock.h>

#include "caller.h"
#include "fdsock.h"
#include "fdtoken.h"
#include "gem.h"
#include "listen.h"
#include "log.h"
#include "nodeperm.h"

/* Fds a request may carry before MSG_CTRUNC: room to see (and close) a few extra. */
#define GP_FDSOCK_MAX_FDS 8
/* How long accepting pauses after accept() failed for want of resources. */
#define GP_FDSOCK_ACCEPT_PAUSE_MS 100
/* The longest the thread sleeps: how late an expired token may be dropped. */
#define GP_FDSOCK_SWEEP_MS 1000

struct gp_fdsock_conn {
	int fd;				/* non-blocking */
	struct gp_caller peer;		/* SO_PEERCRED, pinned by its pidfd */
	uint64_t deadline_ns;
};

struct gp_fdsock {
	struct gp_fdsock_config cfg;
	char *path;
	int listen_fd;
	int stop_fd;			/* eventfd: gp_fdsock_free() wants the thread gone */
	pthread_t thread;
	bool started;

	/* The thread's alone. */
	uint64_t accept_paused_until_ns;	/* accept() failed (EMFILE...): retry after */
	uint64_t accept_warned_ns;
	struct gp_fdsock_conn *conns;
	unsigned int n_conns;
	struct pollfd *pfds;

	struct {
		atomic_uint_fast64_t exports, imports, refused, failed, timed_out;
	} stats;
};

static uint64_t gp_fdsock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The one reply, sent once without waiting: a fresh connection's socket
 * takes one small packet, and a peer that made its own socket unable to
 * take it loses its answer, nothing else.
 */
static int gp_fdsock_reply(int fd, const struct gpfd_reply *reply, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)reply, .iov_len = sizeof(*reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (pass_fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	do {
		n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

static void gp_fdsock_reply_error(int fd, uint32_t op, int err)
{
	struct gpfd_reply reply = { .error = err, .op = op };

	gp_fdsock_reply(fd, &reply, -1);
}

static void gp_fdsock_conn_close(struct gp_fdsock *s, unsigned int i)
{
	struct gp_fdsock_conn *c = &s->conns[i];

	close(c->fd);
	gp_caller_release(&c->peer);
	s->conns[i] = s->conns[--s->n_conns];
}

/* --- one request --- */

/* The fds that came with a request (all of them, even past MSG_CTRUNC's cut). */
static unsigned int gp_fdsock_received_fds(struct msghdr *msg, int *fds)
{
	unsigned int n = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t len;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		len = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t k = 0; k < len && n < GP_FDSOCK_MAX_FDS; k++)
			memcpy(&fds[n++], CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
	}
	return n;
}

static int gp_fdsock_check(const struct msghdr *msg, ssize_t n, const struct gpfd_request *req,
			   unsigned int nfds)
{
	if (n != (ssize_t)sizeof(*req) || (msg->msg_flags & MSG_TRUNC))
		return -EMSGSIZE;
	if (msg->msg_flags & MSG_CTRUNC)
		return -EINVAL;		/* more fds than any request carries */
	if (req->magic != GPFD_MAGIC)
		return -EPROTO;
	if (req->op == GPU_PROTO_FD_TOKEN_EXPORT)
		return nfds == 0 ? 0 : -EINVAL;
	if (req->op == GPU_PROTO_FD_TOKEN_IMPORT)
		return nfds == 1 ? 0 : -EINVAL;
	return -EINVAL;
}

/*
 * Redeem the token; the reply to send, and the memfd to pass with it
 * (the object in *@obj holds it until sent).
 */
static void gp_fdsock_redeem(struct gp_fdsock *s, struct gp_fdsock_conn *c,
			     const struct gpfd_request *req, int import_fd, struct gpfd_reply *reply,
			     struct gp_gem_object **obj)
{
	struct gp_fd_token_peer peer = { .pid = c->peer.pid, .pidfd = c->peer.pidfd };
	struct gp_fd_token_result res;
	int r;

	*reply = (struct gpfd_reply){ .op = req->op };
	r = gp_fd_token_redeem(req->token, req->op, &peer, import_fd, &res);
	if (r < 0) {
		atomic_fetch_add(&s->stats.failed, 1);
		gp_log_debug("fd socket %s: uid %u pid %d: %s token refused: %s", s->path,
			     (unsigned int)c->peer.uid, (int)c->peer.pid,
			     req->op == GPU_PROTO_FD_TOKEN_EXPORT ? "export" : "import", strerror(-r));
		reply->error = -r;
		return;
	}
	if (req->op == GPU_PROTO_FD_TOKEN_EXPORT) {
		reply->size = res.size;
		reply->offset = res.offset;
		*obj = res.obj;
		atomic_fetch_add(&s->stats.exports, 1);
	} else {
		reply->handle = res.handle;
		atomic_fetch_add(&s->stats.imports, 1);
	}
}

/* Serve connection @i if its request is in: false while it is still to come. */
static bool gp_fdsock_conn_request(struct gp_fdsock *s, unsigned int i)
{
	struct gp_fdsock_conn *c = &s->conns[i];
	union {
		struct gpfd_request req;
		unsigned char raw[sizeof(struct gpfd_request) + 1];
	} buf;
	union {
		char buf[CMSG_SPACE(GP_FDSOCK_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf.raw, .iov_len = sizeof(buf.raw) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct gp_gem_object *obj = NULL;
	int fds[GP_FDSOCK_MAX_FDS];
	struct gpfd_reply reply;
	unsigned int nfds;
	ssize_t n;
	int r;

	memset(&buf, 0, sizeof(buf));
	do {
		n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	if (n < 0) {
		gp_fdsock_conn_close(s, i);	/* the peer is gone */
		return true;
	}
	nfds = gp_fdsock_received_fds(&msg, fds);
	r = gp_fdsock_check(&msg, n, &buf.req, nfds);
	if (r < 0) {
		atomic_fetch_add(&s->stats.failed, 1);
		reply = (struct gpfd_reply){
			.error = -r, .op = r == -EMSGSIZE || r == -EPROTO ? 0 : buf.req.op,
		};
	} else {
		gp_fdsock_redeem(s, c, &buf.req, nfds ? fds[0] : -1, &reply, &obj);
	}
	/*
	 * What the client sent is not ours to keep, whatever happened; closed
	 * before replying, so a client holding the reply knows we hold none.
	 */
	for (unsigned int k = 0; k < nfds; k++)
		close(fds[k]);
	/* The kernel duplicates the memfd into the message: the object keeps its own. */
	gp_fdsock_reply(c->fd, &reply, obj ? obj->memfd : -1);
	gp_gem_object_put(&obj);
	gp_fdsock_conn_close(s, i);
	return true;
}

/* --- connections --- */

static unsigned int gp_fdsock_count_uid(const struct gp_fdsock *s, uid_t uid)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n_conns; i++)
		n += s->conns[i].peer.uid == uid;
	return n;
}

static void gp_fdsock_accept_one(struct gp_fdsock *s, int fd)
{
	struct gp_caller peer;
	int err = 0, r;

	r = gp_caller_from_socket(fd, &peer);
	if (r < 0) {
		close(fd);
		return;
	}
	/* The total first, as the socket transport: a full daemon says so to everyone. */
	if (s->n_conns >= s->cfg.max_connections)
		err = ENFILE;
	else if (gp_fdsock_count_uid(s, peer.uid) >= s->cfg.max_per_uid)
		err = EMFILE;
	else if ((r = gp_node_perm_permits(&s->cfg.perm, fd, &peer)) < 0)
		err = -r;
	if (err) {
		atomic_fetch_add(&s->stats.refused, 1);
		gp_log_debug("fd socket %s: uid %u pid %d refused: %s", s->path,
			     (unsigned int)peer.uid, (int)peer.pid, strerror(err));
		gp_fdsock_reply_error(fd, 0, err);
		close(fd);
		gp_caller_release(&peer);
		return;
	}
	s->conns[s->n_conns++] = (struct gp_fdsock_conn){
		.fd = fd, .peer = peer,
		.deadline_ns = gp_fdsock_now_ns() + (uint64_t)s->cfg.timeout_ms * 1000000ull,
	};
}

static void gp_fdsock_accept(struct gp_fdsock *s)
{
	uint64_t now;
	int fd;

	/* Drain the backlog: a burst of connections is answered, not left waiting. */
	for (;;) {
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0) {
			gp_fdsock_accept_one(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/*
		 * EMFILE and friends: the backlog stays readable, so stop
		 * polling it for a while rather than spin; say so once a
		 * second at most.
		 */
		now = gp_fdsock_now_ns();
		s->accept_paused_until_ns = now + GP_FDSOCK_ACCEPT_PAUSE_MS * 1000000ull;
		if (now - s->accept_warned_ns >= 1000000000ull) {
			s->accept_warned_ns = now;
			gp_log_errno(LOG_WARNING, errno, "fd socket %s: accept (retrying in %u ms)",
				     s->path, GP_FDSOCK_ACCEPT_PAUSE_MS);
		}
		return;
	}
}

/* Answer and close the connections whose time is up; ms until the next deadline, or -1. */
static int gp_fdsock_expire(struct gp_fdsock *s)
{
	uint64_t now = gp_fdsock_now_ns(), next = UINT64_MAX;

	for (unsigned int i = 0; i < s->n_conns;) {
		struct gp_fdsock_conn *c = &s->conns[i];

		if (c->deadline_ns <= now) {
			atomic_fetch_add(&s->stats.timed_out, 1);
			gp_fdsock_reply_error(c->fd, 0, ETIMEDOUT);
			gp_fdsock_conn_close(s, i);
			continue;
		}
		if (c->deadline_ns < next)
			next = c->deadline_ns;
		i++;
	}
	if (next == UINT64_MAX)
		return -1;
	return (int)((next - now + 999999) / 1000000);
}

static int gp_fdsock_min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void *gp_fdsock_main(void *arg)
{
	struct gp_fdsock *s = arg;
	sigset_t all;

	/* Signals are the main loop's, as for every frontend thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	for (;;) {
		unsigned int n;
		int timeout, r;

		/*
		 * Tokens are minted elsewhere without waking us: wake at least
		 * once a second, so expired ones (and the file and object
		 * references they hold) are dropped even when no one redeems.
		 */
		timeout = gp_fdsock_min_timeout(gp_fdsock_expire(s), gp_fd_tokens_sweep());
		timeout = gp_fdsock_min_timeout(timeout, GP_FDSOCK_SWEEP_MS);
		s->pfds[0] = (struct pollfd){ .fd = s->stop_fd, .events = POLLIN };
		if (s->accept_paused_until_ns) {
			uint64_t now = gp_fdsock_now_ns();

			if (now >= s->accept_paused_until_ns)
				s->accept_paused_until_ns = 0;
			else
				timeout = gp_fdsock_min_timeout(timeout,
					(int)((s->accept_paused_until_ns - now + 999999) / 1000000));
		}
		s->pfds[1] = (struct pollfd){
			.fd = s->listen_fd, .events = s->accept_paused_until_ns ? 0 : POLLIN,
		};
		n = s->n_conns;
		for (unsigned int i = 0; i < n; i++)
			s->pfds[2 + i] = (struct pollfd){ .fd = s->conns[i].fd, .events = POLLIN };
		r = poll(s->pfds, 2 + n, timeout);
		if (r < 0 && errno != EINTR) {
			gp_log_errno(LOG_ERR, errno, "fd socket %s: poll", s->path);
			usleep(100 * 1000);
			continue;
		}
		if (r <= 0)
			continue;
		if (s->pfds[0].revents)
			break;
		/*
		 * Connections before accepting, walking down: serving one moves
		 * the last into its slot, which this walk has already passed.
		 */
		for (unsigned int i = n; i-- > 0;)
			if (s->pfds[2 + i].revents)
				gp_fdsock_conn_request(s, i);
		if (s->pfds[1].revents)
			gp_fdsock_accept(s);
	}
	return NULL;
}

/* --- lifetime --- */

static void gp_fdsock_destroy(struct gp_fdsock *s)
{
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	free(s->conns);
	free(s->pfds);
	free(s->path);
	free(s);
}

int gp_fdsock_new(const struct gp_fdsock_config *cfg, struct gp_fdsock **out)
{
	struct gp_fdsock *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->listen_fd = -1;
	s->cfg = *cfg;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = GP_FDSOCK_DEFAULT_MAX_CONNECTIONS;
	if (!s->cfg.max_per_uid)
		s->cfg.max_per_uid = GP_FDSOCK_DEFAULT_MAX_PER_UID;
	if (!s->cfg.timeout_ms)
		s->cfg.timeout_ms = GP_FDSOCK_DEFAULT_TIMEOUT_MS;
	/* Each connection holds two descriptors: the socket and the peer's pidfd. */
	gp_listen_reserve_fds(2ull * s->cfg.max_connections, "fd socket");
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->path = strdup(cfg->path);
	s->conns = calloc(s->cfg.max_connections, sizeof(*s->conns));
	s->pfds = calloc(s->cfg.max_connections + 2, sizeof(*s->pfds));
	if (s->stop_fd < 0) {
		r = gp_log_errno(LOG_ERR, errno, "fd socket %s: eventfd", cfg->path);
		goto fail;
	}
	if (!s->path || !s->conns || !s->pfds) {
		r = -ENOMEM;
		goto fail;
	}
	s->cfg.path = s->path;
	/* Last: nothing can fail after the socket is in place. */
	r = gp_listen_socket(cfg->path, &cfg->perm, SOCK_NONBLOCK, 128, "fd socket");
	if (r < 0)
		goto fail;
	s->listen_fd = r;
	*out = s;
	return 0;
fail:
	gp_fdsock_destroy(s);
	return r;
}

int gp_fdsock_start(struct gp_fdsock *s)
{
	pthread_attr_t attr;
	int r;

	pthread_attr_init(&attr);
	/* A small loop: far less than the default 8 MiB of address space. */
	pthread_attr_setstacksize(&attr, 256u << 10);
	r = pthread_create(&s->thread, &attr, gp_fdsock_main, s);
	pthread_attr_destroy(&attr);
	if (r)
		return gp_log_errno(LOG_ERR, r, "fd socket %s: cannot start its thread", s->path);
	s->started = true;
	return 0;
}

void gp_fdsock_free(struct gp_fdsock **ps)
{
	struct gp_fdsock *s = *ps;

	if (!s)
		return;
	if (s->started) {
		eventfd_write(s->stop_fd, 1);
		pthread_join(s->thread, NULL);
	}
	while (s->n_conns)
		gp_fdsock_conn_close(s, s->n_conns - 1);
	unlink(s->path);
	gp_fdsock_destroy(s);
	*ps = NULL;
}

void gp_fdsock_get_stats(struct gp_fdsock *s, struct gp_fdsock_stats *st)
{
	st->exports = atomic_load(&s->stats.exports);
	st->imports = atomic_load(&s->stats.imports);
	st->refused = atomic_load(&s->stats.refused);
	st->failed = atomic_load(&s->stats.failed);
	st->timed_out = atomic_load(&s->stats.timed_out);
}
