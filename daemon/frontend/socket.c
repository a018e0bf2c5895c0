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
#include <stdarg.h>
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
#include <urcu/list.h>

#include <gpu-proto/gpu_proto_socket.h>

#include "caller.h"
#include "ioctl.h"
#include "listen.h"
#include "log.h"
#include "nodeperm.h"
#include "retry.h"
#include "socket.h"
#include "wait.h"

/* Requests up to this size are read into the connection itself (no allocation). */
#define GP_SOCKET_SMALL_REQUEST 256
/* Replies waiting in the daemon when the client's socket buffer is full: the queue's bound. */
#define GP_SOCKET_QUEUE_MESSAGES 8
#define GP_SOCKET_QUEUE_BYTES (256u << 10)
/*
 * What a parked ioctl's wake adds to the connection's eventfd; the notify
 * hook adds 1.  The low bits count notifies (2^32 of them between two
 * reads of the eventfd cannot happen), so the thread tells them apart.
 */
#define GP_SOCKET_IOCTL_WAKE (1ull << 32)
#define GP_SOCKET_NOTIFY_MASK (GP_SOCKET_IOCTL_WAKE - 1)
/* Warnings a client can cause, per second, before they are counted instead. */
#define GP_SOCKET_LOG_BURST 5

static const struct gp_retry_limits gp_socket_limits = {
	.max_ranges = GPSOCK_MAX_RANGES,
	.max_xfer = GPSOCK_MAX_XFER,
};

/* A reply the client's socket could not take yet: one whole packet. */
struct gp_socket_msg {
	struct gp_socket_msg *next;
	size_t len;
	unsigned char bytes[];
};

/*
 * One connection: one open file, served by one thread.  Everything below
 * except @link belongs to that thread alone; the file's notify hook (which
 * runs on revoke and on the IRQ path, inside a guard) only bumps @wake_fd,
 * so nothing a client does can make it wait.
 */
struct gp_socket_conn {
	struct cds_list_head link;	/* in sock->conns, under sock->lock */
	struct gp_socket *sock;
	int fd;				/* non-blocking */
	int wake_fd;			/* eventfd: the file may be readable or dead */
	uid_t uid;			/* SO_PEERCRED at accept: limits and logs */
	pid_t pid;
	struct gp_file *file;		/* the opener's reference */

	/* Replies not yet taken by the socket, oldest first (backpressure). */
	struct gp_socket_msg *out_head, **out_tail;
	unsigned int out_count;
	size_t out_bytes;
	uint64_t full_since_ns;		/* when the queue became full; 0: not full */
	int error;			/* set: the connection ends (-errno) */

	/* A parked read and an armed poll, answered once wake_fd fires. */
	bool read_parked;
	size_t read_size;
	bool poll_armed;
	bool woken;			/* wake_fd fired; not yet acted on */

	/*
	 * A parked ioctl (wait.h): its request, kept to run again when the
	 * waiter fires.  The wake only sets @ioctl_woken and bumps wake_fd,
	 * as the notify hook does; this thread runs it again.
	 */
	struct gp_waiter ioctl_waiter;
	unsigned char *ioctl_req;	/* the IOCTL message; NULL: none parked */
	size_t ioctl_req_len;
	atomic_bool ioctl_woken;

	/*
	 * Small requests land here; larger ones get a buffer of their size.
	 * Aligned for the wire structs read in place, and no more: a stricter
	 * alignment than the list head's would make the list walks'
	 * container_of() of sock->conns a misaligned access (UBSan).
	 */
	_Alignas(struct gpsock_ioctl) unsigned char small[GP_SOCKET_SMALL_REQUEST];
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

	/* Rate limit for the warnings a client can cause (refusals, stalls). */
	pthread_mutex_t log_lock;
	uint64_t log_window_ns;
	unsigned int log_in_window, log_suppressed;

	struct {
		atomic_uint_fast64_t opens, open_files, ioctls, round_trips, reads, parked, polls;
		atomic_uint_fast64_t refused, stalled;
		atomic_uint_fast64_t ioctls_parked, ioctls_waiting;
	} stats;
};

static uint64_t gp_socket_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Log a warning a client caused, at most GP_SOCKET_LOG_BURST per second,
 * so a user opening connections in a loop cannot flood the journal.
 */
static void __attribute__((format(printf, 2, 3))) gp_socket_warn(struct gp_socket *s,
								  const char *fmt, ...)
{
	unsigned int suppressed = 0;
	uint64_t now = gp_socket_now_ns();
	bool print;
	char msg[256];
	va_list ap;

	pthread_mutex_lock(&s->log_lock);
	if (now - s->log_window_ns >= 1000000000ull) {
		suppressed = s->log_suppressed;
		s->log_window_ns = now;
		s->log_in_window = 0;
		s->log_suppressed = 0;
	}
	print = s->log_in_window < GP_SOCKET_LOG_BURST;
	if (print)
		s->log_in_window++;
	else
		s->log_suppressed++;
	pthread_mutex_unlock(&s->log_lock);
	if (!print)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (suppressed)
		gp_log_warning("socket %s: %s (%u similar messages suppressed)", s->path, msg,
			       suppressed);
	else
		gp_log_warning("socket %s: %s", s->path, msg);
}

/* --- sending: never blocks; what the socket cannot take waits in the queue --- */

static bool gp_socket_queue_full(const struct gp_socket_conn *c)
{
	return c->out_count >= GP_SOCKET_QUEUE_MESSAGES || c->out_bytes >= GP_SOCKET_QUEUE_BYTES;
}

/* Hand queued replies to the socket, oldest first, until it is full. */
static void gp_socket_flush(struct gp_socket_conn *c)
{
	struct gp_socket_msg *m;
	ssize_t n;

	while ((m = c->out_head) && !c->error) {
		n = send(c->fd, m->bytes, m->len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				c->error = -errno;	/* the client is gone */
			return;
		}
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = &c->out_head;
		c->out_count--;
		c->out_bytes -= m->len;
		free(m);
		/* The client is reading: a queue still full starts its grace again. */
		c->full_since_ns = gp_socket_queue_full(c) ? gp_socket_now_ns() : 0;
	}
}

/*
 * One message to the client: straight to the socket when nothing is
 * queued ahead of it and it fits, queued otherwise.  Callers make sure
 * the queue has room first (gp_socket_conn_serve() reads a request only
 * then), so the queue stays bounded.
 */
static void gp_socket_send(struct gp_socket_conn *c, uint32_t op, int64_t value, const void *data,
			   size_t len)
{
	struct gpsock_hdr hdr = { .op = op, .value = value };
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)data, .iov_len = len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	struct gp_socket_msg *m;
	ssize_t n;

	if (c->error)
		return;
	if (!c->out_head) {
		do {
			n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		} while (n < 0 && errno == EINTR);
		if (n >= 0)
			return;
		if (errno != EAGAIN) {
			c->error = -errno;
			return;
		}
	}
	m = malloc(sizeof(*m) + sizeof(hdr) + len);
	if (!m) {
		c->error = -ENOMEM;
		return;
	}
	m->next = NULL;
	m->len = sizeof(hdr) + len;
	memcpy(m->bytes, &hdr, sizeof(hdr));
	if (len)
		memcpy(m->bytes + sizeof(hdr), data, len);
	*c->out_tail = m;
	c->out_tail = &m->next;
	c->out_count++;
	c->out_bytes += m->len;
	if (gp_socket_queue_full(c) && !c->full_since_ns)
		c->full_since_ns = gp_socket_now_ns();
}

/* --- ioctl: the retry protocol over messages --- */

/*
 * Run one IOCTL message; false when its handler parked it (the caller
 * keeps the message for the re-run).  Every other outcome is answered.
 */
static bool gp_socket_ioctl_run(struct gp_socket_conn *c, const unsigned char *buf, size_t n)
{
	struct gp_socket *s = c->sock;
	const struct gpsock_ioctl *req = (const void *)buf;
	struct gpsock_range ranges[GP_USER_RANGES_MAX];
	struct gp_retry_ioctl io;
	struct gp_user user;
	int r, result;

	atomic_fetch_add(&s->stats.round_trips, 1);
	user = gp_retry_ioctl_init(&io, &gp_socket_limits, buf + sizeof(*req), req->in_len,
				   req->out_len);
	user.waiter = &c->ioctl_waiter;
	r = gp_ioctl(c->file, req->cmd, req->arg, &user, &result);
	if (r == -EINPROGRESS) {
		gp_retry_ioctl_release(&io);
		return false;
	}
	if (r == -EAGAIN) {
		for (unsigned int i = 0; i < io.want.count; i++)
			ranges[i] = (struct gpsock_range){
				.addr = io.want.ranges[i].addr,
				.len = io.want.ranges[i].len,
				.dir = ((io.want.ranges[i].dir & GP_USER_IN) ? GPSOCK_DIR_IN : 0) |
				       ((io.want.ranges[i].dir & GP_USER_OUT) ? GPSOCK_DIR_OUT : 0),
			};
		gp_socket_send(c, GPSOCK_RETRY, io.want.count, ranges,
			       io.want.count * sizeof(ranges[0]));
	} else {
		atomic_fetch_add(&s->stats.ioctls, 1);
		/* The output goes back even with an error result, as drm_ioctl() does. */
		gp_socket_send(c, GPSOCK_DONE, result, io.planned ? io.out : NULL,
			       io.planned ? io.out_len : 0);
	}
	gp_retry_ioctl_release(&io);
	return true;
}

/* Forget the parked ioctl (it was answered or is being dropped). */
static void gp_socket_ioctl_unpark(struct gp_socket_conn *c)
{
	if (!c->ioctl_req)
		return;
	free(c->ioctl_req);
	c->ioctl_req = NULL;
	c->ioctl_req_len = 0;
	atomic_fetch_sub(&c->sock->stats.ioctls_waiting, 1);
}

static void gp_socket_ioctl(struct gp_socket_conn *c, const unsigned char *buf, size_t n)
{
	struct gp_socket *s = c->sock;
	const struct gpsock_ioctl *req = (const void *)buf;

	if (n < sizeof(*req) || req->in_len != n - sizeof(*req) || req->out_len > GPSOCK_MAX_XFER) {
		gp_socket_send(c, GPSOCK_ERR, EPROTO, NULL, 0);
		return;
	}
	if (c->ioctl_req) {
		/* One ioctl at a time per connection: the client serialises them. */
		gp_socket_send(c, GPSOCK_ERR, EBUSY, NULL, 0);
		return;
	}
	if (gp_socket_ioctl_run(c, buf, n))
		return;
	/* Parked: keep the message (it may live in c->small, which the next request reuses). */
	c->ioctl_req = malloc(n);
	if (!c->ioctl_req) {
		gp_waiter_disarm(&c->ioctl_waiter);
		atomic_store(&c->ioctl_woken, false);
		gp_socket_send(c, GPSOCK_DONE, -ENOMEM, NULL, 0);
		return;
	}
	memcpy(c->ioctl_req, buf, n);
	c->ioctl_req_len = n;
	atomic_fetch_add(&s->stats.ioctls_parked, 1);
	atomic_fetch_add(&s->stats.ioctls_waiting, 1);
}

/*
 * The waiter fired (wait.c's thread): hand it to the connection's thread.
 * It adds GP_SOCKET_IOCTL_WAKE to the eventfd, the notify hook adds 1, so
 * the thread tells them apart (no spurious WAKE for an armed poll).
 */
static void gp_socket_ioctl_wake(struct gp_waiter *waiter)
{
	struct gp_socket_conn *c = caa_container_of(waiter, struct gp_socket_conn, ioctl_waiter);
	uint64_t v = GP_SOCKET_IOCTL_WAKE;

	atomic_store(&c->ioctl_woken, true);
	(void)!write(c->wake_fd, &v, sizeof(v));
}

static const struct gp_waiter_ops gp_socket_ioctl_waiter_ops = {
	.wake = gp_socket_ioctl_wake,
};

/* Run the parked ioctl again if its waiter fired and its reply has room. */
static void gp_socket_ioctl_events(struct gp_socket_conn *c)
{
	if (!c->ioctl_req || !atomic_load(&c->ioctl_woken) || gp_socket_queue_full(c))
		return;
	atomic_store(&c->ioctl_woken, false);
	if (gp_socket_ioctl_run(c, c->ioctl_req, c->ioctl_req_len))
		gp_socket_ioctl_unpark(c);
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
		gp_socket_send(c, GPSOCK_ERR, -r, NULL, 0);
	else
		gp_socket_send(c, GPSOCK_DATA, r, buf, (size_t)r);
	return true;
}

static void gp_socket_read(struct gp_socket_conn *c, const struct gpsock_hdr *req)
{
	size_t size = req->value > 0 ? (size_t)req->value : 0;

	atomic_fetch_add(&c->sock->stats.reads, 1);
	/* A size read(2) could not pass: EINVAL, as rw_verify_area() answers. */
	if (req->value < 0) {
		gp_socket_send(c, GPSOCK_ERR, EINVAL, NULL, 0);
		return;
	}
	if (c->read_parked) {
		/* One read at a time per connection: the client serialises them. */
		gp_socket_send(c, GPSOCK_ERR, EBUSY, NULL, 0);
		return;
	}
	if (gp_socket_read_answer(c, size))
		return;
	if (req->flags & GPSOCK_READ_NONBLOCK) {
		gp_socket_send(c, GPSOCK_ERR, EAGAIN, NULL, 0);
		return;
	}
	/*
	 * Parked: an event queued from now on bumps wake_fd, and the thread
	 * looks again (gp_socket_conn_events()), so none is missed.
	 */
	c->read_parked = true;
	c->read_size = size;
	atomic_fetch_add(&c->sock->stats.parked, 1);
}

/*
 * The client's caller was interrupted: a read still parked ends with
 * EINTR; so does a parked ioctl (DONE -EINTR: libdrm's drmIoctl() restarts
 * it, and its handler re-checks from the start).
 */
static void gp_socket_cancel(struct gp_socket_conn *c)
{
	if (c->read_parked) {
		c->read_parked = false;
		gp_socket_send(c, GPSOCK_ERR, EINTR, NULL, 0);
	}
	if (c->ioctl_req) {
		gp_waiter_disarm(&c->ioctl_waiter);
		atomic_store(&c->ioctl_woken, false);
		gp_socket_ioctl_unpark(c);
		gp_socket_send(c, GPSOCK_DONE, -EINTR, NULL, 0);
	}
}

static void gp_socket_poll(struct gp_socket_conn *c, const struct gpsock_hdr *req)
{
	atomic_fetch_add(&c->sock->stats.polls, 1);
	/* Armed before the look, so an event in between still gives a WAKE. */
	if (req->flags & GPSOCK_POLL_ARM)
		c->poll_armed = true;
	gp_socket_send(c, GPSOCK_MASK, gp_file_poll(c->file), NULL, 0);
}

/*
 * The file's notify hook: the file may be readable or dead.  It runs from
 * revoke (control plane) and from the IRQ path inside a guard, so it only
 * bumps the connection's eventfd (a non-blocking write that cannot fail
 * short of 2^64 - 1 pending wake-ups); the connection's own thread answers
 * the parked read and sends WAKE.
 */
static void gp_socket_file_notify(struct gp_file *file, void *ctx)
{
	struct gp_socket_conn *c = ctx;
	uint64_t one = 1;

	(void)!write(c->wake_fd, &one, sizeof(one));
}

/*
 * wake_fd fired (c->woken): answer the parked read, fire the armed poll.
 * Each needs room in the queue; what has none waits for the client to
 * read, with c->woken still set.
 */
static void gp_socket_conn_events(struct gp_socket_conn *c)
{
	gp_socket_ioctl_events(c);
	if (!c->woken)
		return;
	if (c->read_parked) {
		if (gp_socket_queue_full(c))
			return;
		if (gp_socket_read_answer(c, c->read_size))
			c->read_parked = false;
	}
	if (c->poll_armed) {
		if (gp_socket_queue_full(c))
			return;
		c->poll_armed = false;
		gp_socket_send(c, GPSOCK_WAKE, 0, NULL, 0);
	}
	c->woken = false;
}

/* --- connections --- */

static int gp_socket_conn_open(struct gp_socket_conn *c)
{
	struct gp_socket *s = c->sock;
	struct gp_caller caller;
	struct gp_device *dev;
	int r;

	/*
	 * Who connected, as the kernel recorded it at connect(2), with the
	 * process pinned so capability checks never read a newcomer.  The
	 * node's rule is checked again here (EACCES, as open(2) of the node
	 * would fail), before any device is involved, as the kernel checks a
	 * node's mode before the driver's open.
	 */
	r = gp_caller_from_socket(c->fd, &caller);
	if (r < 0)
		return r;
	r = gp_node_perm_permits(&s->cfg.perm, c->fd, &caller);
	if (r < 0) {
		gp_log_debug("socket %s: uid %u gid %u pid %d refused: %s", s->path,
			     (unsigned int)caller.uid, (unsigned int)caller.gid, (int)caller.pid,
			     strerror(-r));
		goto fail;
	}
	dev = s->cfg.current_device(s->cfg.ctx);
	if (!dev) {
		r = -ENODEV;
		goto fail;
	}
	r = gp_file_open(dev, &caller, s->cfg.node, &c->file);
	gp_device_put(&dev);
	if (r < 0)
		goto fail;
	/* The file owns the caller (its pidfd) from here on. */
	gp_file_set_notify(c->file, gp_socket_file_notify, c);
	return 0;
fail:
	gp_caller_release(&caller);
	return r;
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

/* One request from the client, if one is waiting; false when the connection ends. */
static bool gp_socket_conn_request(struct gp_socket_conn *c)
{
	const struct gpsock_hdr *hdr;
	unsigned char *buf = c->small;
	ssize_t len, n;

	/* The packet's length first (MSG_TRUNC), so idle connections hold no big buffer. */
	len = recv(c->fd, c->small, sizeof(c->small), MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN || errno == EINTR;
	if (len == 0) {
		if (gp_socket_conn_ended(c->fd))
			return false;	/* the client closed, or we are stopping */
		/* An empty packet: too short for a header, and consumed. */
		(void)!recv(c->fd, c->small, sizeof(c->small), MSG_DONTWAIT);
		gp_socket_send(c, GPSOCK_ERR, EMSGSIZE, NULL, 0);
		return true;
	}
	if ((size_t)len > GPSOCK_MSG_MAX) {
		/* Dropped whole: a SEQPACKET read discards what does not fit. */
		(void)!recv(c->fd, c->small, sizeof(c->small), MSG_DONTWAIT);
		gp_socket_send(c, GPSOCK_ERR, EMSGSIZE, NULL, 0);
		return true;
	}
	if ((size_t)len > sizeof(c->small)) {
		buf = malloc((size_t)len);
		if (!buf) {
			c->error = -ENOMEM;
			return false;
		}
	}
	n = recv(c->fd, buf, (size_t)len, MSG_DONTWAIT);
	if (n != len) {
		/* Only this thread reads the socket: the peeked packet must still be there. */
		if (buf != c->small)
			free(buf);
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	}
	hdr = (const void *)buf;
	if ((size_t)n < sizeof(*hdr)) {
		gp_socket_send(c, GPSOCK_ERR, EMSGSIZE, NULL, 0);
	} else {
		switch (hdr->op) {
		case GPSOCK_IOCTL:
			gp_socket_ioctl(c, buf, (size_t)n);
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
			gp_socket_send(c, GPSOCK_ERR, EPROTO, NULL, 0);
			break;
		}
	}
	if (buf != c->small)
		free(buf);
	return true;
}

/*
 * The connection's loop.  Requests are read only while the queue has room
 * for their reply: a client that sends without reading its replies stops
 * being served once the socket and the queue are full (backpressure), and
 * is disconnected when it has not taken a single reply for
 * cfg.stall_timeout_ms after that.
 */
static void gp_socket_conn_serve(struct gp_socket_conn *c)
{
	struct gp_socket *s = c->sock;
	struct pollfd pfd[2];
	uint64_t count, now, limit_ns = (uint64_t)s->cfg.stall_timeout_ms * 1000000ull;
	int timeout, r;

	for (;;) {
		gp_socket_flush(c);
		gp_socket_conn_events(c);
		if (c->error)
			return;
		timeout = -1;
		if (c->full_since_ns) {
			now = gp_socket_now_ns();
			if (now - c->full_since_ns >= limit_ns) {
				atomic_fetch_add(&s->stats.stalled, 1);
				gp_socket_warn(s, "client uid %u pid %d does not read its replies "
					       "(%u waiting in the daemon, the socket buffer full for %u ms): "
					       "disconnected", (unsigned int)c->uid, (int)c->pid,
					       c->out_count, s->cfg.stall_timeout_ms);
				return;
			}
			timeout = (int)((limit_ns - (now - c->full_since_ns)) / 1000000ull) + 1;
		}
		pfd[0] = (struct pollfd){
			.fd = c->fd,
			.events = (gp_socket_queue_full(c) ? 0 : POLLIN) | (c->out_head ? POLLOUT : 0),
		};
		pfd[1] = (struct pollfd){ .fd = c->wake_fd, .events = POLLIN };
		r = poll(pfd, 2, timeout);
		if (r < 0 && errno != EINTR) {
			c->error = -errno;
			return;
		}
		if (r <= 0)
			continue;
		/*
		 * The wake-up first: an event (or revoke) that happened before a
		 * request was sent is answered before that request's reply, as
		 * when the notify hook answered on the spot.
		 */
		if (pfd[1].revents & POLLIN) {
			/* Only the notify hook's part: a parked ioctl's wake has its own flag. */
			if (read(c->wake_fd, &count, sizeof(count)) == sizeof(count) &&
			    (count & GP_SOCKET_NOTIFY_MASK))
				c->woken = true;
			gp_socket_conn_events(c);
		}
		if (pfd[0].revents & POLLIN) {
			if (!gp_socket_conn_request(c))
				return;
		} else if (pfd[0].revents & (POLLHUP | POLLERR)) {
			/* Closed, reset or shut down while we were not reading. */
			return;
		}
	}
}

static void *gp_socket_conn_main(void *arg)
{
	struct gp_socket_conn *c = arg;
	struct gp_socket *s = c->sock;
	struct gp_socket_msg *m;
	int r;

	r = gp_socket_conn_open(c);
	if (r == 0) {
		atomic_fetch_add(&s->stats.opens, 1);
		atomic_fetch_add(&s->stats.open_files, 1);
	}
	/* A fresh socket has room for this one. */
	gp_socket_send(c, GPSOCK_OPENED, -r, NULL, 0);
	if (r == 0)
		gp_socket_conn_serve(c);
	/* Disconnected: a parked ioctl is dropped; after this its wake cannot run. */
	gp_waiter_disarm(&c->ioctl_waiter);
	if (c->ioctl_req)
		gp_socket_ioctl_unpark(c);
	if (c->file) {
		/* As if the client had exited: after this no notify runs, so c can go. */
		gp_file_close(&c->file);
		atomic_fetch_sub(&s->stats.open_files, 1);
	}
	while ((m = c->out_head)) {
		c->out_head = m->next;
		free(m);
	}

	pthread_mutex_lock(&s->lock);
	cds_list_del(&c->link);
	close(c->fd);
	close(c->wake_fd);
	if (--s->n_conns == 0)
		pthread_cond_broadcast(&s->conns_gone);
	pthread_mutex_unlock(&s->lock);
	free(c);
	return NULL;
}

/* Threads we start take no process signals: those belong to the control plane. */
static int gp_socket_thread_create(pthread_t *t, size_t stack_size, void *(*fn)(void *), void *arg)
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
	r = pthread_attr_setstacksize(&attr, stack_size);
	if (r == 0) {
		pthread_sigmask(SIG_SETMASK, &mask, &old);
		r = pthread_create(t ? t : &(pthread_t){ 0 }, &attr, fn, arg);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_attr_destroy(&attr);
	return -r;
}

/* Connections open for @uid; under s->lock. */
static unsigned int gp_socket_count_uid(struct gp_socket *s, uid_t uid)
{
	struct gp_socket_conn *c;
	unsigned int n = 0;

	cds_list_for_each_entry(c, &s->conns, link)
		n += c->uid == uid;
	return n;
}

/*
 * Turn a connection away: OPENED with @err, then close (nothing else is
 * sent).  @held: connections open in all (ENFILE) or of that uid (EMFILE).
 */
static void gp_socket_refuse(struct gp_socket *s, int fd, const struct ucred *cred, int err,
			     unsigned int held)
{
	struct gpsock_hdr refused = { .op = GPSOCK_OPENED, .value = err };

	/* Counted and logged before the client can know, so what it sees next agrees. */
	if (err == EMFILE) {
		atomic_fetch_add(&s->stats.refused, 1);
		gp_socket_warn(s, "client uid %u pid %d refused (EMFILE): that user holds %u "
			       "connections (--socket-max-per-uid=%u)", (unsigned int)cred->uid,
			       (int)cred->pid, held, s->cfg.max_per_uid);
	} else if (err == ENFILE) {
		atomic_fetch_add(&s->stats.refused, 1);
		gp_socket_warn(s, "client uid %u pid %d refused (ENFILE): %u connections are open "
			       "(--socket-max-connections=%u)", (unsigned int)cred->uid,
			       (int)cred->pid, held, s->cfg.max_connections);
	}
	(void)!send(fd, &refused, sizeof(refused), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void gp_socket_accept_one(struct gp_socket *s, int fd)
{
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t len = sizeof(cred);
	struct gp_socket_conn *c;
	unsigned int held = 0;
	int r, err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		gp_socket_refuse(s, fd, &cred, errno, 0);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		gp_waiter_init(&c->ioctl_waiter, &gp_socket_ioctl_waiter_ops);
	if (!c) {
		gp_socket_refuse(s, fd, &cred, ENOMEM, 0);
		return;
	}
	c->sock = s;
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->out_tail = &c->out_head;
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0) {
		gp_socket_refuse(s, fd, &cred, errno, 0);
		free(c);
		return;
	}

	pthread_mutex_lock(&s->lock);
	/* The total first: a full daemon says so to everyone. */
	if (atomic_load(&s->stopping)) {
		err = ENODEV;
	} else if (s->n_conns >= s->cfg.max_connections) {
		err = ENFILE;
		held = s->n_conns;
	} else {
		held = gp_socket_count_uid(s, cred.uid);
		if (held >= s->cfg.max_per_uid)
			err = EMFILE;
	}
	if (err) {
		/* Logged unlocked: a slow log must not hold up exiting connections. */
		pthread_mutex_unlock(&s->lock);
		gp_socket_refuse(s, fd, &cred, err, held);
		close(c->wake_fd);
		free(c);
		return;
	}
	cds_list_add_tail(&c->link, &s->conns);
	s->n_conns++;
	/* Started under the lock, so gp_socket_free() sees it listed. */
	r = gp_socket_thread_create(NULL, s->cfg.stack_size, gp_socket_conn_main, c);
	if (r < 0) {
		cds_list_del(&c->link);
		s->n_conns--;
		pthread_mutex_unlock(&s->lock);
		gp_socket_refuse(s, fd, &cred, -r, 0);
		gp_socket_warn(s, "client uid %u pid %d refused: cannot start a connection thread: %s",
			       (unsigned int)cred.uid, (int)cred.pid, strerror(-r));
		close(c->wake_fd);
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
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
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

int gp_socket_new(const struct gp_socket_config *cfg, struct gp_socket **out)
{
	struct gp_socket *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = GP_SOCKET_DEFAULT_MAX_CONNECTIONS;
	if (!s->cfg.max_per_uid)
		s->cfg.max_per_uid = GP_SOCKET_DEFAULT_MAX_PER_UID;
	if (!s->cfg.stack_size)
		s->cfg.stack_size = GP_SOCKET_DEFAULT_STACK_SIZE;
	if (!s->cfg.stall_timeout_ms)
		s->cfg.stall_timeout_ms = GP_SOCKET_DEFAULT_STALL_TIMEOUT_MS;
	/* Each connection takes two descriptors: the socket and its eventfd. */
	gp_listen_reserve_fds(2ull * s->cfg.max_connections + 64, "socket");
	s->path = strdup(cfg->path);
	if (!s->path) {
		free(s);
		return -ENOMEM;
	}
	s->cfg.path = s->path;
	r = gp_listen_socket(cfg->path, &cfg->perm, 0, 64, "socket");
	if (r < 0) {
		free(s->path);
		free(s);
		return r;
	}
	s->listen_fd = r;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->log_lock, NULL);
	pthread_cond_init(&s->conns_gone, NULL);
	CDS_INIT_LIST_HEAD(&s->conns);
	*out = s;
	return 0;
}

int gp_socket_start(struct gp_socket *s)
{
	int r = gp_socket_thread_create(&s->accept_thread, s->cfg.stack_size, gp_socket_accept_main, s);

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
	pthread_mutex_destroy(&s->log_lock);
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
	st->ioctls_parked = atomic_load(&s->stats.ioctls_parked);
	st->ioctls_waiting = atomic_load(&s->stats.ioctls_waiting);
	st->connections_refused = atomic_load(&s->stats.refused);
	st->clients_stalled = atomic_load(&s->stats.stalled);
}
