// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket frontend.  See socket.h and docs/socket-transport.md.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <urcu/list.h>

#include <gpu-proto/gpu_proto_socket.h>

#include "caller.h"
#include "ioctl.h"
#include "log.h"
#include "retry.h"
#include "socket.h"

static const struct gp_retry_limits gp_socket_limits = {
	.max_ranges = GPSOCK_MAX_RANGES,
	.max_xfer = GPSOCK_MAX_XFER,
};

/* One connection: one open file. */
struct gp_socket_conn {
	struct cds_list_head link;	/* in sock->conns, under sock->lock */
	struct gp_socket *sock;
	int fd;
	struct gp_file *file;		/* the opener's reference */
	unsigned char *buf;		/* one request, GPSOCK_MSG_MAX */

	/* A parked read and an armed poll, answered by the notify callback. */
	pthread_mutex_t lock;
	bool read_parked;
	size_t read_size;
	bool poll_armed;
};

struct gp_socket {
	struct gp_socket_config cfg;
	char *path;
	int listen_fd;
	pthread_t accept_thread;
	bool accepting;
	atomic_bool stopping;

	pthread_mutex_t lock;		/* conns, n_conns */
	pthread_cond_t conns_gone;
	struct cds_list_head conns;
	unsigned int n_conns;

	struct {
		atomic_uint_fast64_t opens, open_files, ioctls, round_trips, reads, parked, polls;
	} stats;
};

/* --- sending --- */

/* One message from the connection's thread; the peer may be gone (EPIPE). */
static int gp_socket_send(struct gp_socket_conn *c, uint32_t op, int64_t value, const void *data,
			  size_t len, int flags)
{
	struct gpsock_hdr hdr = { .op = op, .value = value };
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)data, .iov_len = len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	ssize_t n;

	do {
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | flags);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* --- ioctl: the retry protocol over messages --- */

static void gp_socket_ioctl(struct gp_socket_conn *c, size_t n)
{
	struct gp_socket *s = c->sock;
	const struct gpsock_ioctl *req = (const void *)c->buf;
	struct gpsock_range ranges[GP_USER_RANGES_MAX];
	struct gp_retry_ioctl io;
	struct gp_user user;
	int r, result;

	if (n < sizeof(*req) || req->in_len != n - sizeof(*req) || req->out_len > GPSOCK_MAX_XFER) {
		gp_socket_send(c, GPSOCK_ERR, EPROTO, NULL, 0, 0);
		return;
	}
	atomic_fetch_add(&s->stats.round_trips, 1);
	user = gp_retry_ioctl_init(&io, &gp_socket_limits, c->buf + sizeof(*req), req->in_len,
				   req->out_len);
	r = gp_ioctl(c->file, req->cmd, req->arg, &user, &result);
	if (r == -EAGAIN) {
		for (unsigned int i = 0; i < io.want.count; i++)
			ranges[i] = (struct gpsock_range){
				.addr = io.want.ranges[i].addr,
				.len = io.want.ranges[i].len,
				.dir = ((io.want.ranges[i].dir & GP_USER_IN) ? GPSOCK_DIR_IN : 0) |
				       ((io.want.ranges[i].dir & GP_USER_OUT) ? GPSOCK_DIR_OUT : 0),
			};
		gp_socket_send(c, GPSOCK_RETRY, io.want.count, ranges,
			       io.want.count * sizeof(ranges[0]), 0);
	} else {
		atomic_fetch_add(&s->stats.ioctls, 1);
		/* The output goes back even with an error result, as drm_ioctl() does. */
		gp_socket_send(c, GPSOCK_DONE, result, io.planned ? io.out : NULL,
			       io.planned ? io.out_len : 0, 0);
	}
	gp_retry_ioctl_release(&io);
}

/* --- read and poll --- */

/* Answer a read with what the queue has; false if it must keep waiting. */
static bool gp_socket_read_answer(struct gp_socket_conn *c, size_t size)
{
	unsigned char buf[GP_FILE_EVENT_SPACE];
	ssize_t r;

	r = gp_file_read_events(c->file, buf, size < sizeof(buf) ? size : sizeof(buf));
	if (r == -EAGAIN)
		return false;
	if (r < 0)
		gp_socket_send(c, GPSOCK_ERR, -r, NULL, 0, 0);
	else
		gp_socket_send(c, GPSOCK_DATA, r, buf, (size_t)r, 0);
	return true;
}

static void gp_socket_read(struct gp_socket_conn *c, const struct gpsock_hdr *req)
{
	size_t size = req->value > 0 ? (size_t)req->value : 0;

	atomic_fetch_add(&c->sock->stats.reads, 1);
	/* A size read(2) could not pass: EINVAL, as rw_verify_area() answers. */
	if (req->value < 0) {
		gp_socket_send(c, GPSOCK_ERR, EINVAL, NULL, 0, 0);
		return;
	}
	if (gp_socket_read_answer(c, size))
		return;
	if (req->flags & GPSOCK_READ_NONBLOCK) {
		gp_socket_send(c, GPSOCK_ERR, EAGAIN, NULL, 0, 0);
		return;
	}
	pthread_mutex_lock(&c->lock);
	/* An event (or revoke) may have come since the first look. */
	if (!gp_socket_read_answer(c, size)) {
		c->read_parked = true;
		c->read_size = size;
		atomic_fetch_add(&c->sock->stats.parked, 1);
	}
	pthread_mutex_unlock(&c->lock);
}

/* The client's caller was interrupted: a read still parked ends with EINTR. */
static void gp_socket_cancel(struct gp_socket_conn *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->read_parked) {
		c->read_parked = false;
		gp_socket_send(c, GPSOCK_ERR, EINTR, NULL, 0, 0);
	}
	pthread_mutex_unlock(&c->lock);
}

static void gp_socket_poll(struct gp_socket_conn *c, const struct gpsock_hdr *req)
{
	unsigned int mask;

	atomic_fetch_add(&c->sock->stats.polls, 1);
	if (req->flags & GPSOCK_POLL_ARM) {
		pthread_mutex_lock(&c->lock);
		c->poll_armed = true;
		pthread_mutex_unlock(&c->lock);
	}
	/* Checked after arming, so no wake-up falls in between. */
	mask = gp_file_poll(c->file);
	gp_socket_send(c, GPSOCK_MASK, mask, NULL, 0, 0);
}

/*
 * The core says the file may be readable or dead: answer the parked read
 * and wake an armed poll.  WAKE must not block (we may be on the control
 * plane): if the client's queue is full it has unread messages anyway.
 */
static void gp_socket_file_notify(struct gp_file *file, void *ctx)
{
	struct gp_socket_conn *c = ctx;

	pthread_mutex_lock(&c->lock);
	if (c->read_parked && gp_socket_read_answer(c, c->read_size))
		c->read_parked = false;
	if (c->poll_armed) {
		c->poll_armed = false;
		gp_socket_send(c, GPSOCK_WAKE, 0, NULL, 0, MSG_DONTWAIT);
	}
	pthread_mutex_unlock(&c->lock);
}

/* --- connections --- */

static int gp_socket_conn_open(struct gp_socket_conn *c)
{
	struct gp_socket *s = c->sock;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct gp_caller caller;
	struct gp_device *dev;
	int r;

	/* As CUSE's open: who the kernel says connected, capabilities from /proc. */
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	dev = s->cfg.current_device(s->cfg.ctx);
	if (!dev)
		return -ENODEV;
	gp_caller_from_pid(cred.pid, cred.uid, cred.gid, &caller);
	r = gp_file_open(dev, &caller, s->cfg.node, &c->file);
	gp_device_put(&dev);
	if (r < 0)
		return r;
	gp_file_set_notify(c->file, gp_socket_file_notify, c);
	return 0;
}

/*
 * recvmsg() gives 0 both for an empty packet and at end of file; the peer
 * has gone (or we are stopping) only if the socket says its reading side
 * is shut down.
 */
static bool gp_socket_conn_ended(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLRDHUP };

	return poll(&pfd, 1, 0) != 0;
}

static void gp_socket_conn_serve(struct gp_socket_conn *c)
{
	const struct gpsock_hdr *hdr = (const void *)c->buf;
	struct iovec iov = { .iov_base = c->buf, .iov_len = GPSOCK_MSG_MAX };
	struct msghdr msg;
	ssize_t n;

	for (;;) {
		msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
		n = recvmsg(c->fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n == 0 && gp_socket_conn_ended(c->fd)))
			return;		/* the client closed, or we are stopping */
		if ((size_t)n < sizeof(*hdr) || (msg.msg_flags & MSG_TRUNC)) {
			gp_socket_send(c, GPSOCK_ERR, EMSGSIZE, NULL, 0, 0);
			continue;
		}
		switch (hdr->op) {
		case GPSOCK_IOCTL:
			gp_socket_ioctl(c, (size_t)n);
			break;
		case GPSOCK_READ:
			gp_socket_read(c, hdr);
			break;
		case GPSOCK_CANCEL:
			gp_socket_cancel(c);
			break;
		case GPSOCK_POLL:
			gp_socket_poll(c, hdr);
			break;
		default:
			gp_socket_send(c, GPSOCK_ERR, EPROTO, NULL, 0, 0);
			break;
		}
	}
}

static void *gp_socket_conn_main(void *arg)
{
	struct gp_socket_conn *c = arg;
	struct gp_socket *s = c->sock;
	int r;

	r = gp_socket_conn_open(c);
	if (r == 0) {
		atomic_fetch_add(&s->stats.opens, 1);
		atomic_fetch_add(&s->stats.open_files, 1);
	}
	if (gp_socket_send(c, GPSOCK_OPENED, -r, NULL, 0, 0) == 0 && r == 0)
		gp_socket_conn_serve(c);
	if (c->file) {
		/* After this no notify runs, so c can go. */
		gp_file_close(&c->file);
		atomic_fetch_sub(&s->stats.open_files, 1);
	}

	pthread_mutex_lock(&s->lock);
	cds_list_del(&c->link);
	close(c->fd);
	if (--s->n_conns == 0)
		pthread_cond_broadcast(&s->conns_gone);
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_destroy(&c->lock);
	free(c->buf);
	free(c);
	return NULL;
}

/* Threads we start take no process signals: those belong to the control plane. */
static int gp_socket_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	sigset_t mask, old;
	int r;

	sigfillset(&mask);
	sigdelset(&mask, SIGSEGV);
	sigdelset(&mask, SIGBUS);
	sigdelset(&mask, SIGFPE);
	sigdelset(&mask, SIGILL);
	sigdelset(&mask, SIGABRT);
	pthread_attr_init(&attr);
	if (t == NULL)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	r = pthread_create(t ? t : &(pthread_t){ 0 }, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return -r;
}

static void gp_socket_accept_one(struct gp_socket *s, int fd)
{
	struct gp_socket_conn *c = calloc(1, sizeof(*c));
	struct gpsock_hdr refused = { .op = GPSOCK_OPENED, .value = ENFILE };
	int r;

	if (c)
		c->buf = malloc(GPSOCK_MSG_MAX);
	pthread_mutex_lock(&s->lock);
	if (!c || !c->buf || s->n_conns >= GP_SOCKET_MAX_CONNECTIONS || atomic_load(&s->stopping)) {
		pthread_mutex_unlock(&s->lock);
		if (c && c->buf)
			send(fd, &refused, sizeof(refused), MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		if (c)
			free(c->buf);
		free(c);
		return;
	}
	c->sock = s;
	c->fd = fd;
	pthread_mutex_init(&c->lock, NULL);
	cds_list_add_tail(&c->link, &s->conns);
	s->n_conns++;
	/* Started under the lock, so gp_socket_free() sees it listed. */
	r = gp_socket_thread_create(NULL, gp_socket_conn_main, c);
	if (r < 0) {
		cds_list_del(&c->link);
		s->n_conns--;
		pthread_mutex_unlock(&s->lock);
		gp_log_errno(LOG_WARNING, r, "socket: cannot start a connection thread");
		close(fd);
		pthread_mutex_destroy(&c->lock);
		free(c->buf);
		free(c);
		return;
	}
	pthread_mutex_unlock(&s->lock);
}

static void *gp_socket_accept_main(void *arg)
{
	struct gp_socket *s = arg;
	int fd;

	while (!atomic_load(&s->stopping)) {
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (atomic_load(&s->stopping))
				break;
			/* EMFILE and friends: back off rather than spin. */
			gp_log_errno(LOG_WARNING, errno, "socket %s: accept", s->path);
			usleep(100 * 1000);
			continue;
		}
		gp_socket_accept_one(s, fd);
	}
	return NULL;
}

/* --- lifetime --- */

static int gp_socket_make_dir(const char *path)
{
	char dir[PATH_MAX], *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return gp_log_errno(LOG_ERR, errno, "socket directory %s", dir);
	return 0;
}

int gp_socket_new(const struct gp_socket_config *cfg, struct gp_socket **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gp_socket *s;
	struct stat st;
	int r;

	if (strlen(cfg->path) >= sizeof(sun.sun_path))
		return gp_log_errno(LOG_ERR, ENAMETOOLONG, "socket %s", cfg->path);
	strcpy(sun.sun_path, cfg->path);
	r = gp_socket_make_dir(cfg->path);
	if (r < 0)
		return r;
	/* Replace a stale socket from an earlier run, never anything else. */
	if (lstat(cfg->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return gp_log_errno(LOG_ERR, EEXIST, "socket %s: exists and is not a socket",
					    cfg->path);
		unlink(cfg->path);
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->path = strdup(cfg->path);
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->conns_gone, NULL);
	CDS_INIT_LIST_HEAD(&s->conns);
	if (!s->path || s->listen_fd < 0) {
		r = s->path ? gp_log_errno(LOG_ERR, errno, "socket") : -ENOMEM;
		goto fail;
	}
	s->cfg.path = s->path;
	if (bind(s->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "socket %s: bind", cfg->path);
		goto fail;
	}
	/*
	 * Anyone may connect, as anyone may open a render node a udev rule
	 * made 0666: permissions are checked per ioctl, from SO_PEERCRED.
	 */
	if (chmod(cfg->path, 0666) < 0 || listen(s->listen_fd, 64) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "socket %s", cfg->path);
		unlink(cfg->path);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	pthread_cond_destroy(&s->conns_gone);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
	return r;
}

int gp_socket_start(struct gp_socket *s)
{
	int r = gp_socket_thread_create(&s->accept_thread, gp_socket_accept_main, s);

	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "cannot start the socket's accepting thread");
	s->accepting = true;
	return 0;
}

void gp_socket_free(struct gp_socket **ps)
{
	struct gp_socket *s = *ps;
	struct gp_socket_conn *c;

	if (!s)
		return;
	atomic_store(&s->stopping, true);
	/* Wakes accept() with EINVAL. */
	shutdown(s->listen_fd, SHUT_RDWR);
	if (s->accepting)
		pthread_join(s->accept_thread, NULL);
	/* Each connection's thread sees end-of-file, closes its file and goes. */
	pthread_mutex_lock(&s->lock);
	cds_list_for_each_entry(c, &s->conns, link)
		shutdown(c->fd, SHUT_RDWR);
	while (s->n_conns)
		pthread_cond_wait(&s->conns_gone, &s->lock);
	pthread_mutex_unlock(&s->lock);
	close(s->listen_fd);
	unlink(s->path);
	pthread_cond_destroy(&s->conns_gone);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
	*ps = NULL;
}

void gp_socket_get_stats(struct gp_socket *s, struct gp_transport_stats *st)
{
	st->opens = atomic_load(&s->stats.opens);
	st->open_files = atomic_load(&s->stats.open_files);
	st->ioctls = atomic_load(&s->stats.ioctls);
	st->ioctl_round_trips = atomic_load(&s->stats.round_trips);
	st->reads = atomic_load(&s->stats.reads);
	st->reads_parked = atomic_load(&s->stats.parked);
	st->polls = atomic_load(&s->stats.polls);
}
