// SPDX-License-Identifier: MIT
/*
 * sockclient.c - the client side of gpu-protod's socket transport.
 *
 * Copyright (c) the gpu-proto authors
 *
 * See sockclient.h and <gpu-proto/gpu_proto_socket.h>.  The waits here use
 * the raw ppoll/fcntl/close system calls: inside the LD_PRELOAD shim the
 * libc names are the shim's own wrappers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_socket.h>

#include "sockclient.h"

/* The most rounds an ioctl takes: 3; more means a confused daemon. */
#define GPSC_MAX_ROUNDS 8
/* Events the daemon sends in one DATA: the core's per-file event space. */
#define GPSC_READ_MAX 4096

static int gpsc_sys_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

static int gpsc_sys_fcntl(int fd, int cmd, long arg)
{
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

/* Wait for @events on @fd; -EINTR when a signal handler ran. */
static int gpsc_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	struct timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L };
	long r;

	r = syscall(SYS_ppoll, &pfd, 1, timeout_ms < 0 ? NULL : &ts, NULL, (size_t)8);
	return r < 0 ? -errno : (int)r;
}

bool gpsc_is_nonblock(int fd)
{
	int fl = gpsc_sys_fcntl(fd, F_GETFL, 0);

	return fl >= 0 && (fl & O_NONBLOCK);
}

void gpsc_socket_path(const char *device, char *buf, size_t len)
{
	const char *env = getenv("GPU_PROTO_SOCKET");
	const char *base;

	if (env && env[0]) {
		snprintf(buf, len, "%s", env);
		return;
	}
	base = strrchr(device, '/');
	snprintf(buf, len, "/run/gpu-protod/%s.sock", base ? base + 1 : device);
}

/* --- caller memory, as the kernel reaches it: faults are EFAULT --- */

static bool gpsc_vm_broken;	/* process_vm_* refused (seccomp): copy directly */

static int gpsc_mem(void *local, const struct iovec *remote, unsigned int n, size_t total, bool write)
{
	struct iovec l = { .iov_base = local, .iov_len = total };
	ssize_t r;

	if (!total)
		return 0;
	if (!gpsc_vm_broken) {
		r = write ? process_vm_writev(getpid(), &l, 1, remote, n, 0)
			  : process_vm_readv(getpid(), &l, 1, remote, n, 0);
		if (r == (ssize_t)total)
			return 0;
		if (r >= 0 || errno == EFAULT)
			return -EFAULT;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		gpsc_vm_broken = true;
	}
	for (unsigned int i = 0, pos = 0; i < n; pos += remote[i].iov_len, i++) {
		if (write)
			memcpy(remote[i].iov_base, (char *)local + pos, remote[i].iov_len);
		else
			memcpy((char *)local + pos, remote[i].iov_base, remote[i].iov_len);
	}
	return 0;
}

/* --- messages --- */

static int gpsc_send(int fd, const void *a, size_t alen, const void *b, size_t blen)
{
	struct iovec iov[2] = { { (void *)a, alen }, { (void *)b, blen } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = blen ? 2 : 1 };
	int r;

	for (;;) {
		if (sendmsg(fd, &msg, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			r = gpsc_wait(fd, POLLOUT, -1);
			if (r < 0 && r != -EINTR)
				return r;
			continue;
		}
		return errno == EPIPE || errno == ECONNRESET ? -ENODEV : -errno;
	}
}

/*
 * The next reply, skipping WAKEs.  @interruptible: a signal handler that
 * interrupts the wait gives -EINTR (otherwise the wait goes on).
 */
static ssize_t gpsc_recv(int fd, void *buf, size_t cap, bool interruptible)
{
	const struct gpsock_hdr *hdr = buf;
	struct iovec iov = { buf, cap };
	struct msghdr msg;
	ssize_t n;
	int r;

	for (;;) {
		msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR) {
				if (interruptible)
					return -EINTR;
				continue;
			}
			if (errno == EAGAIN) {
				/* The application made the file O_NONBLOCK: wait here. */
				r = gpsc_wait(fd, POLLIN, -1);
				if (r == -EINTR && interruptible)
					return -EINTR;
				if (r < 0 && r != -EINTR)
					return r;
				continue;
			}
			return errno == ECONNRESET ? -ENODEV : -errno;
		}
		if (n == 0)
			return -ENODEV;		/* the daemon is gone */
		if ((size_t)n < sizeof(*hdr) || (msg.msg_flags & MSG_TRUNC))
			return -EPROTO;
		if (hdr->op != GPSOCK_WAKE)
			return n;
	}
}

struct gpsc_conn *gpsc_conn_new(int fd)
{
	struct gpsc_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void gpsc_conn_free(struct gpsc_conn *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

struct gpsc_conn *gpsc_connect(const char *path, int flags, int *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gpsock_hdr hdr;
	struct gpsc_conn *c;
	ssize_t n;
	int fd, saved = errno;

	*err = 0;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | ((flags & O_CLOEXEC) ? SOCK_CLOEXEC : 0), 0);
	if (fd < 0) {
		*err = -errno;
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* A stale socket: the daemon that made it is gone. */
		*err = errno == ECONNREFUSED ? -ENODEV : -errno;
		goto fail;
	}
	n = gpsc_recv(fd, &hdr, sizeof(hdr), false);
	if (n < 0) {
		*err = (int)n;
		goto fail;
	}
	if (hdr.op != GPSOCK_OPENED) {
		*err = -EPROTO;
		goto fail;
	}
	if (hdr.value) {
		*err = -(int)hdr.value;
		goto fail;
	}
	if ((flags & O_NONBLOCK) && gpsc_sys_fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		*err = -errno;
		goto fail;
	}
	c = gpsc_conn_new(fd);
	if (!c) {
		*err = -ENOMEM;
		goto fail;
	}
	errno = saved;
	return c;
fail:
	gpsc_sys_close(fd);
out:
	errno = saved;
	return NULL;
}

/* --- ioctl: the retry loop --- */

static int gpsc_ioctl_locked(struct gpsc_conn *c, unsigned long cmd, void *arg)
{
	struct gpsock_range ranges[GPSOCK_MAX_RANGES];
	struct iovec in_iov[GPSOCK_MAX_RANGES], out_iov[GPSOCK_MAX_RANGES];
	unsigned int n_in = 0, n_out = 0;
	size_t in_len = 0, out_len = 0;
	unsigned char small[512];
	unsigned char *buf = small;
	size_t cap = sizeof(small);
	int r = -EPROTO;

	for (unsigned int round = 0; round < GPSC_MAX_ROUNDS; round++) {
		struct gpsock_ioctl req = {
			.hdr.op = GPSOCK_IOCTL, .arg = (uint64_t)(uintptr_t)arg, .cmd = (uint32_t)cmd,
			.in_len = (uint32_t)in_len, .out_len = (uint32_t)out_len,
		};
		const struct gpsock_hdr *hdr;
		size_t need = sizeof(struct gpsock_hdr) +
			      (out_len > in_len ? out_len : in_len) + sizeof(ranges);
		ssize_t n;

		if (need > cap) {
			unsigned char *nb = malloc(need);

			if (!nb) {
				r = -ENOMEM;
				break;
			}
			if (buf != small)
				free(buf);
			buf = nb;
			cap = need;
		}
		/* As the kernel's retry: fetch what the daemon asked for, or EFAULT. */
		r = gpsc_mem(buf, in_iov, n_in, in_len, false);
		if (r < 0)
			break;
		r = gpsc_send(c->fd, &req, sizeof(req), buf, in_len);
		if (r < 0)
			break;
		n = gpsc_recv(c->fd, buf, cap, false);
		if (n < 0) {
			r = (int)n;
			break;
		}
		hdr = (const void *)buf;
		n -= (ssize_t)sizeof(*hdr);
		if (hdr->op == GPSOCK_DONE) {
			/* Scatter the output over the OUT ranges, even with an error result. */
			r = gpsc_mem(buf + sizeof(*hdr), out_iov, n_out,
				     (size_t)n < out_len ? (size_t)n : out_len, true);
			if ((size_t)n != 0 && (size_t)n != out_len)
				r = -EPROTO;
			if (r == 0)
				r = (int)hdr->value;
			break;
		}
		if (hdr->op == GPSOCK_ERR) {
			r = -(int)hdr->value;
			break;
		}
		if (hdr->op != GPSOCK_RETRY || hdr->value < 0 || hdr->value > GPSOCK_MAX_RANGES ||
		    (size_t)n != (size_t)hdr->value * sizeof(ranges[0])) {
			r = -EPROTO;
			break;
		}
		memcpy(ranges, buf + sizeof(*hdr), (size_t)n);
		n_in = n_out = 0;
		in_len = out_len = 0;
		for (unsigned int i = 0; i < hdr->value; i++) {
			struct iovec iov = { (void *)(uintptr_t)ranges[i].addr, ranges[i].len };

			if (ranges[i].dir & GPSOCK_DIR_IN) {
				in_iov[n_in++] = iov;
				in_len += ranges[i].len;
			}
			if (ranges[i].dir & GPSOCK_DIR_OUT) {
				out_iov[n_out++] = iov;
				out_len += ranges[i].len;
			}
		}
		if (in_len > GPSOCK_MAX_XFER || out_len > GPSOCK_MAX_XFER) {
			r = -EPROTO;
			break;
		}
		r = -EPROTO;	/* if the rounds run out */
	}
	if (buf != small)
		free(buf);
	return r;
}

int gpsc_ioctl(struct gpsc_conn *c, unsigned long cmd, void *arg)
{
	int r;

	pthread_mutex_lock(&c->lock);
	r = gpsc_ioctl_locked(c, cmd, arg);
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* --- read and poll --- */

ssize_t gpsc_read(struct gpsc_conn *c, void *buf, size_t size, bool nonblock)
{
	struct gpsock_hdr req = {
		.op = GPSOCK_READ, .flags = nonblock ? GPSOCK_READ_NONBLOCK : 0,
		.value = (int64_t)(size < GPSC_READ_MAX ? size : GPSC_READ_MAX),
	};
	struct gpsock_hdr cancel = { .op = GPSOCK_CANCEL };
	unsigned char reply[sizeof(struct gpsock_hdr) + GPSC_READ_MAX];
	const struct gpsock_hdr *hdr = (const void *)reply;
	struct iovec dst = { buf, 0 };
	ssize_t n;

	/* Larger buffers are fine: the daemon never sends more than it may queue. */
	if (size > GPSC_READ_MAX)
		req.value = (int64_t)size;
	pthread_mutex_lock(&c->lock);
	n = gpsc_send(c->fd, &req, sizeof(req), NULL, 0);
	if (n == 0) {
		n = gpsc_recv(c->fd, reply, sizeof(reply), !nonblock);
		if (n == -EINTR) {
			/* Interrupted while parked: the daemon answers EINTR, or the event it had. */
			n = gpsc_send(c->fd, &cancel, sizeof(cancel), NULL, 0);
			if (n == 0)
				n = gpsc_recv(c->fd, reply, sizeof(reply), false);
		}
	}
	if (n >= 0) {
		n -= (ssize_t)sizeof(*hdr);
		if (hdr->op == GPSOCK_DATA && (size_t)n <= size) {
			dst.iov_len = (size_t)n;
			if (gpsc_mem(reply + sizeof(*hdr), &dst, 1, (size_t)n, true) < 0)
				n = -EFAULT;
		} else if (hdr->op == GPSOCK_ERR) {
			n = -hdr->value;
		} else {
			n = -EPROTO;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}

int gpsc_poll_query(struct gpsc_conn *c, bool arm)
{
	struct gpsock_hdr req = { .op = GPSOCK_POLL, .flags = arm ? GPSOCK_POLL_ARM : 0 };
	struct gpsock_hdr reply;
	ssize_t n;

	pthread_mutex_lock(&c->lock);
	n = gpsc_send(c->fd, &req, sizeof(req), NULL, 0);
	if (n == 0)
		n = gpsc_recv(c->fd, &reply, sizeof(reply), false);
	pthread_mutex_unlock(&c->lock);
	if (n < 0)
		return (int)n;
	return reply.op == GPSOCK_MASK ? (int)reply.value : -EPROTO;
}

void gpsc_drain_wakes(struct gpsc_conn *c)
{
	struct gpsock_hdr hdr;

	pthread_mutex_lock(&c->lock);
	while (recv(c->fd, &hdr, sizeof(hdr), MSG_PEEK | MSG_DONTWAIT) == (ssize_t)sizeof(hdr) &&
	       hdr.op == GPSOCK_WAKE)
		(void)!recv(c->fd, &hdr, sizeof(hdr), MSG_DONTWAIT);
	pthread_mutex_unlock(&c->lock);
}

static long gpsc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int gpsc_poll(struct gpsc_conn *c, int timeout_ms)
{
	long deadline = timeout_ms < 0 ? -1 : gpsc_now_ms() + timeout_ms;
	int mask, r, left;

	for (;;) {
		mask = gpsc_poll_query(c, true);
		if (mask < 0)
			return POLLERR | POLLHUP;	/* the daemon is gone: as a dead device */
		if (mask & (POLLIN | POLLERR | POLLHUP))
			return mask;
		left = deadline < 0 ? -1 : (int)(deadline - gpsc_now_ms());
		if (deadline >= 0 && left <= 0)
			return 0;
		r = gpsc_wait(c->fd, POLLIN, left);
		if (r < 0)
			return r;
		gpsc_drain_wakes(c);
	}
}
