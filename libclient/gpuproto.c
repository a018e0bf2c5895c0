// SPDX-License-Identifier: MIT
/*
 * libgpuproto: the client side of /dev/gpu-proto.
 *
 * Copyright (c) the gpu-proto authors
 *
 * The handle is a file descriptor plus the events read from it but not yet
 * handed out.  The descriptor needs no lock (the device serialises nothing
 * on our behalf, and ioctls on one file may run concurrently, as in DRM);
 * only the event buffer does.  Every exported function returns -errno and
 * mirrors it in errno, leaving errno alone on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fdclient.h"
#include "gpuproto-private.h"
#include "sockclient.h"

/* Built with -fvisibility=hidden; the version script lists the same names. */
#define GPC_EXPORT __attribute__((visibility("default")))

#define gpc_cleanup_free __attribute__((cleanup(gpc_freep)))

enum {
	/* VERSION/GET_UNIQUE: fetches after the length probe before -EAGAIN. */
	GPC_STRING_FETCHES = 4,
	/* Longer strings or query structures mean the daemon is confused. */
	GPC_STRING_MAX = 64 * 1024,
	GPC_QUERY_SIZE_MAX = 64 * 1024,
	/*
	 * read(2) buffer for events.  As drm_read(), the device fails a read
	 * with EINVAL when the next event does not fit, so the buffer grows
	 * on EINVAL up to the maximum.
	 */
	GPC_EVENT_BUF_INITIAL = 4096,
	GPC_EVENT_BUF_MAX = 64 * 1024,
};

struct gpc_device {
	int fd;
	/* The socket transport (no device node here): fd is its connection. */
	struct gpsc_conn *sock;
	const struct gpc_sys_ops *sys;
	void *sys_data;
	/* The daemon's fd socket, where FD_TOKEN tokens are redeemed for memfds. */
	char fd_sock[108];

	/*
	 * event_lock protects the event buffer: bytes [event_head,
	 * event_tail) of event_buf are whole events read from the device and
	 * not yet handed out.  It is never held across a blocking wait.
	 */
	pthread_mutex_t event_lock;
	unsigned char *event_buf;
	size_t event_cap;
	size_t event_head;
	size_t event_tail;
};

static void gpc_freep(void *p)
{
	free(*(void **)p);
}

/* The exit of every exported function: errno mirrors a failure and survives a success. */
static int gpc_finish(int r, int saved_errno)
{
	errno = r < 0 ? -r : saved_errno;
	return r;
}

/* ------------------------------------------------------------------------ */
/* System calls, through the test seam                                       */
/* ------------------------------------------------------------------------ */

static int gpc_sys_ioctl(struct gpc_device *dev, unsigned long request, void *arg)
{
	if (dev->sys && dev->sys->ioctl)
		return dev->sys->ioctl(dev->sys_data, dev->fd, request, arg);
	if (dev->sock) {
		int r = gpsc_ioctl(dev->sock, request, arg);

		if (r < 0) {
			errno = -r;
			return -1;
		}
		return r;
	}
	return ioctl(dev->fd, request, arg);
}

static ssize_t gpc_sys_read(struct gpc_device *dev, void *buf, size_t count)
{
	if (dev->sys && dev->sys->read)
		return dev->sys->read(dev->sys_data, dev->fd, buf, count);
	if (dev->sock) {
		ssize_t n = gpsc_read(dev->sock, buf, count, gpsc_is_nonblock(dev->fd));

		if (n < 0) {
			errno = (int)-n;
			return -1;
		}
		return n;
	}
	return read(dev->fd, buf, count);
}

/* poll(2) on the device alone: revents, 0 when nothing is ready, or -errno. */
static int gpc_sys_poll(struct gpc_device *dev, int timeout_ms)
{
	struct pollfd pfd = { .fd = dev->fd, .events = POLLIN };
	int r;

	if (dev->sys && dev->sys->poll)
		r = dev->sys->poll(dev->sys_data, &pfd, 1, timeout_ms);
	else if (dev->sock)
		return gpsc_poll(dev->sock, timeout_ms);
	else
		r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return -errno;
	return r == 0 ? 0 : pfd.revents;
}

GPC_EXPORT void gpc_private_set_sys_ops(struct gpc_device *dev, const struct gpc_sys_ops *ops,
					void *data)
{
	dev->sys = ops;
	dev->sys_data = data;
}

/* As drmIoctl: the transport may be interrupted or ask us to come back. */
static int gpc_ioctl_restart(struct gpc_device *dev, unsigned long request, void *arg)
{
	int r;

	do {
		r = gpc_sys_ioctl(dev, request, arg);
	} while (r == -1 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : r;
}

/* ------------------------------------------------------------------------ */
/* Opening and closing                                                       */
/* ------------------------------------------------------------------------ */

/* The device gpc_open_fd() assumes: $GPU_PROTO_DEVICE, as the shim, else the default. */
static const char *gpc_default_device(void)
{
	const char *env = getenv("GPU_PROTO_DEVICE");

	return env && env[0] ? env : GPC_DEFAULT_PATH;
}

/* Takes ownership of fd on success only. */
static int gpc_device_new(int fd, const char *path, struct gpc_device **out)
{
	struct gpc_device *dev = calloc(1, sizeof(*dev));
	int r;

	if (!dev)
		return -ENOMEM;
	r = pthread_mutex_init(&dev->event_lock, NULL);
	if (r) {
		free(dev);
		return -r;
	}
	dev->fd = fd;
	gpfc_socket_path(path, dev->fd_sock, sizeof(dev->fd_sock));
	*out = dev;
	return 0;
}

/*
 * No device node: gpu-protod may serve over its socket instead (machines
 * without /dev/cuse; docs/socket-transport.md).  -ENOENT when there is no
 * socket either, as there was no node.
 */
static int gpc_open_socket(const char *path, int oflags, struct gpc_device **out)
{
	char sock[108];
	struct gpsc_conn *c;
	int r;

	gpsc_socket_path(path, sock, sizeof(sock));
	/* Only a missing socket means no daemon; EACCES and the like come from connect. */
	if (access(sock, F_OK) < 0 && errno == ENOENT)
		return -ENOENT;
	c = gpsc_connect(sock, oflags, &r);
	if (!c)
		return r;
	r = gpc_device_new(c->fd, path, out);
	if (r < 0) {
		close(c->fd);
		gpsc_conn_free(c);
		return r;
	}
	(*out)->sock = c;
	return 0;
}

GPC_EXPORT int gpc_open(const char *path, int flags, struct gpc_device **out)
{
	int saved = errno;
	int oflags = O_RDWR | O_CLOEXEC;
	int fd, r;

	if (!out)
		return gpc_finish(-EINVAL, saved);
	*out = NULL;
	if (flags & ~GPC_OPEN_NONBLOCK)
		return gpc_finish(-EINVAL, saved);
	if (flags & GPC_OPEN_NONBLOCK)
		oflags |= O_NONBLOCK;

	if (!path)
		path = GPC_DEFAULT_PATH;
	fd = open(path, oflags);
	if (fd < 0 && errno == ENOENT)
		return gpc_finish(gpc_open_socket(path, oflags, out), saved);
	if (fd < 0)
		return gpc_finish(-errno, saved);
	r = gpc_device_new(fd, path, out);
	if (r < 0)
		close(fd);
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_open_fd(int fd, int flags, struct gpc_device **out)
{
	int saved = errno;
	int dup_fd, r;

	if (!out)
		return gpc_finish(-EINVAL, saved);
	*out = NULL;
	if (flags != 0)
		return gpc_finish(-EINVAL, saved);

	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return gpc_finish(-errno, saved);
	r = gpc_device_new(dup_fd, gpc_default_device(), out);
	if (r < 0)
		close(dup_fd);
	return gpc_finish(r, saved);
}

GPC_EXPORT void gpc_close(struct gpc_device *dev)
{
	int saved = errno;

	if (!dev)
		return;
	close(dev->fd);
	gpsc_conn_free(dev->sock);
	pthread_mutex_destroy(&dev->event_lock);
	free(dev->event_buf);
	free(dev);
	errno = saved;
}

GPC_EXPORT int gpc_fd(const struct gpc_device *dev)
{
	if (!dev)
		return gpc_finish(-EINVAL, errno);
	return dev->fd;
}

GPC_EXPORT int gpc_ioctl(struct gpc_device *dev, unsigned long request, void *arg)
{
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, request, arg), saved);
}

/* ------------------------------------------------------------------------ */
/* DRM core queries                                                          */
/* ------------------------------------------------------------------------ */

/*
 * A string buffer for the two-pass ioctls: @cap bytes the device may fill,
 * plus one for the NUL the device never writes.
 */
static int gpc_string_alloc(char **s, size_t cap)
{
	if (cap > GPC_STRING_MAX)
		return -EPROTO;
	free(*s);
	*s = malloc(cap + 1);
	return *s ? 0 : -ENOMEM;
}

/*
 * As drmGetVersion: ask for the lengths, then for the strings.  The device
 * copies min(capacity, length) and always reports the full length, so a
 * reported length above the capacity means a string grew in between: ask
 * again with the new lengths.
 */
static int gpc_version_fetch(struct gpc_device *dev, struct gpc_version **out)
{
	gpc_cleanup_free char *name = NULL, *date = NULL, *desc = NULL;
	struct gpu_proto_version v = { 0 };
	struct gpc_version *ver;
	int r;

	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_VERSION, &v);
	if (r < 0)
		return r;

	for (int fetch = 0; fetch < GPC_STRING_FETCHES; fetch++) {
		size_t name_cap = v.name_len, date_cap = v.date_len, desc_cap = v.desc_len;

		r = gpc_string_alloc(&name, name_cap);
		if (r == 0)
			r = gpc_string_alloc(&date, date_cap);
		if (r == 0)
			r = gpc_string_alloc(&desc, desc_cap);
		if (r < 0)
			return r;

		v = (struct gpu_proto_version){
			.name_len = name_cap, .name = name,
			.date_len = date_cap, .date = date,
			.desc_len = desc_cap, .desc = desc,
		};
		r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_VERSION, &v);
		if (r < 0)
			return r;
		if (v.name_len > name_cap || v.date_len > date_cap || v.desc_len > desc_cap)
			continue;

		name[v.name_len] = '\0';
		date[v.date_len] = '\0';
		desc[v.desc_len] = '\0';
		ver = malloc(sizeof(*ver));
		if (!ver)
			return -ENOMEM;
		*ver = (struct gpc_version){
			.major = v.version_major,
			.minor = v.version_minor,
			.patchlevel = v.version_patchlevel,
		};
		ver->name = name;
		ver->date = date;
		ver->desc = desc;
		name = date = desc = NULL;
		*out = ver;
		return 0;
	}
	return -EAGAIN;
}

GPC_EXPORT int gpc_get_version(struct gpc_device *dev, struct gpc_version **out)
{
	int saved = errno;

	if (!out)
		return gpc_finish(-EINVAL, saved);
	*out = NULL;
	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_version_fetch(dev, out), saved);
}

GPC_EXPORT void gpc_version_free(struct gpc_version *version)
{
	int saved = errno;

	if (!version)
		return;
	free(version->name);
	free(version->date);
	free(version->desc);
	free(version);
	errno = saved;
}

/*
 * As drmGetBusid.  GET_UNIQUE copies all of the string or nothing, so a
 * reported length above the capacity means nothing was copied.
 */
static int gpc_unique_fetch(struct gpc_device *dev, char **out)
{
	gpc_cleanup_free char *s = NULL;
	struct gpu_proto_unique u = { 0 };
	int r;

	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_GET_UNIQUE, &u);
	if (r < 0)
		return r;

	for (int fetch = 0; fetch < GPC_STRING_FETCHES; fetch++) {
		size_t cap = u.unique_len;

		r = gpc_string_alloc(&s, cap);
		if (r < 0)
			return r;
		u = (struct gpu_proto_unique){ .unique_len = cap, .unique = s };
		r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_GET_UNIQUE, &u);
		if (r < 0)
			return r;
		if (u.unique_len > cap)
			continue;
		s[u.unique_len] = '\0';
		*out = s;
		s = NULL;
		return 0;
	}
	return -EAGAIN;
}

GPC_EXPORT int gpc_get_unique(struct gpc_device *dev, char **out)
{
	int saved = errno;

	if (!out)
		return gpc_finish(-EINVAL, saved);
	*out = NULL;
	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_unique_fetch(dev, out), saved);
}

GPC_EXPORT int gpc_get_cap(struct gpc_device *dev, uint64_t cap, uint64_t *value)
{
	struct gpu_proto_get_cap arg = { .capability = cap };
	int saved = errno;
	int r;

	if (!dev || !value)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_GET_CAP, &arg);
	if (r == 0)
		*value = arg.value;
	return gpc_finish(r, saved);
}

/* ------------------------------------------------------------------------ */
/* mali-csf                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * DEV_QUERY with size negotiation (panthor_ioctl_dev_query semantics): learn
 * the daemon's structure size, then query into a zeroed buffer that holds
 * both its structure and ours.  The caller gets our size: a newer daemon's
 * tail is dropped, and an older daemon's missing fields stay zero.
 */
static int gpc_mali_dev_query(struct gpc_device *dev, uint32_t type, void *out, size_t out_size)
{
	gpc_cleanup_free void *buf = NULL;
	struct gpu_proto_mali_dev_query q = { .type = type };
	size_t size;
	int r;

	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q);
	if (r < 0)
		return r;
	if (q.size > GPC_QUERY_SIZE_MAX)
		return -EPROTO;

	size = q.size > out_size ? q.size : out_size;
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	q = (struct gpu_proto_mali_dev_query){
		.type = type,
		.size = (uint32_t)size,
		.pointer = (uintptr_t)buf,
	};
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q);
	if (r < 0)
		return r;
	memcpy(out, buf, out_size);
	return 0;
}

GPC_EXPORT int gpc_mali_gpu_info(struct gpc_device *dev, struct gpu_proto_mali_gpu_info *info)
{
	int saved = errno;

	if (!dev || !info)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_mali_dev_query(dev, GPU_PROTO_MALI_DEV_QUERY_GPU_INFO,
					     info, sizeof(*info)), saved);
}

GPC_EXPORT int gpc_mali_timestamp(struct gpc_device *dev, struct gpu_proto_mali_timestamp_info *ts)
{
	int saved = errno;

	if (!dev || !ts)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_mali_dev_query(dev, GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO,
					     ts, sizeof(*ts)), saved);
}

GPC_EXPORT int gpc_mali_group_priorities(struct gpc_device *dev, uint8_t *allowed_mask)
{
	struct gpu_proto_mali_group_priorities_info info;
	int saved = errno;
	int r;

	if (!dev || !allowed_mask)
		return gpc_finish(-EINVAL, saved);
	r = gpc_mali_dev_query(dev, GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO,
			       &info, sizeof(info));
	if (r == 0)
		*allowed_mask = info.allowed_mask;
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_mali_flush_caches(struct gpc_device *dev, uint64_t user_data)
{
	struct gpu_proto_mali_flush_caches arg = { .user_data = user_data };
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES, &arg),
			  saved);
}

GPC_EXPORT void gpc_mali_decode_gpu_id(uint32_t gpu_id, struct gpc_mali_gpu_id *out)
{
	*out = (struct gpc_mali_gpu_id){
		.arch_major = GPU_PROTO_MALI_ARCH_MAJOR(gpu_id),
		.arch_minor = GPU_PROTO_MALI_ARCH_MINOR(gpu_id),
		.arch_rev = GPU_PROTO_MALI_ARCH_REV(gpu_id),
		.product_major = GPU_PROTO_MALI_PRODUCT_MAJOR(gpu_id),
		.version_major = GPU_PROTO_MALI_VERSION_MAJOR(gpu_id),
		.version_minor = GPU_PROTO_MALI_VERSION_MINOR(gpu_id),
		.version_status = GPU_PROTO_MALI_VERSION_STATUS(gpu_id),
	};
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Hand out the oldest buffered event.  Return: its length, 0 if the buffer
 * is empty, -EINVAL if it does not fit in @size (it stays buffered), or
 * -EPROTO if the buffer does not hold a whole event (it is dropped).
 */
static int gpc_event_pop_locked(struct gpc_device *dev, void *buf, size_t size)
{
	size_t avail = dev->event_tail - dev->event_head;
	struct gpu_proto_event hdr;

	if (avail == 0)
		return 0;
	if (avail < sizeof(hdr))
		goto malformed;
	memcpy(&hdr, dev->event_buf + dev->event_head, sizeof(hdr));
	if (hdr.length < sizeof(hdr) || hdr.length > avail)
		goto malformed;
	if (hdr.length > size)
		return -EINVAL;

	memcpy(buf, dev->event_buf + dev->event_head, hdr.length);
	dev->event_head += hdr.length;
	if (dev->event_head == dev->event_tail)
		dev->event_head = dev->event_tail = 0;
	return (int)hdr.length;

malformed:
	dev->event_head = dev->event_tail = 0;
	return -EPROTO;
}

static int gpc_event_buf_grow_locked(struct gpc_device *dev)
{
	size_t cap = dev->event_cap ? dev->event_cap * 2 : GPC_EVENT_BUF_INITIAL;
	unsigned char *p;

	if (cap > GPC_EVENT_BUF_MAX)
		return -EPROTO;
	p = realloc(dev->event_buf, cap);
	if (!p)
		return -ENOMEM;
	dev->event_buf = p;
	dev->event_cap = cap;
	return 0;
}

/*
 * With the buffer empty, read what the device has ready, never blocking:
 * poll(2) with timeout 0 first, so a blocking descriptor is read only when
 * an event is there.  Readers of this handle are serialised by event_lock,
 * so none can take the event between the poll and the read.
 * Return: 1 if events were buffered, 0 if none was ready, or -errno.
 */
static int gpc_event_fill_locked(struct gpc_device *dev)
{
	ssize_t n;
	int revents, r;

	do {
		revents = gpc_sys_poll(dev, 0);
	} while (revents == -EINTR);
	if (revents < 0)
		return revents;
	if (revents & POLLNVAL)
		return -EBADF;
	/* The device reports an unplug as POLLERR|POLLHUP; its read() would say ENODEV. */
	if (revents & (POLLERR | POLLHUP))
		return -ENODEV;
	if (!(revents & POLLIN))
		return 0;

	if (!dev->event_buf) {
		r = gpc_event_buf_grow_locked(dev);
		if (r < 0)
			return r;
	}
	for (;;) {
		n = gpc_sys_read(dev, dev->event_buf, dev->event_cap);
		if (n > 0) {
			dev->event_head = 0;
			dev->event_tail = (size_t)n;
			return 1;
		}
		if (n == 0)
			return -ENODEV;	/* end of file: the daemon closed the device */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;	/* someone outside this handle took it */
		if (errno != EINVAL)
			return -errno;
		/* As drm_read: the next event is larger than our buffer. */
		r = gpc_event_buf_grow_locked(dev);
		if (r < 0)
			return r;
	}
}

static int64_t gpc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Milliseconds left until @deadline_ns, rounded up; -1 waits forever. */
static int gpc_wait_budget(int timeout_ms, int64_t deadline_ns)
{
	int64_t left;

	if (timeout_ms <= 0)
		return timeout_ms;
	left = deadline_ns - gpc_now_ns();
	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

GPC_EXPORT int gpc_read_event(struct gpc_device *dev, void *buf, size_t size, int timeout_ms)
{
	int saved = errno;
	int64_t deadline_ns = 0;
	int budget, r;

	if (!dev || !buf || timeout_ms < -1)
		return gpc_finish(-EINVAL, saved);
	if (timeout_ms > 0)
		deadline_ns = gpc_now_ns() + (int64_t)timeout_ms * 1000000;

	pthread_mutex_lock(&dev->event_lock);
	for (;;) {
		r = gpc_event_pop_locked(dev, buf, size);
		if (r != 0)
			break;
		r = gpc_event_fill_locked(dev);
		if (r < 0)
			break;
		if (r > 0)
			continue;

		budget = gpc_wait_budget(timeout_ms, deadline_ns);
		if (budget == 0)
			break;		/* r == 0: timed out */

		/* Wait unlocked, so a blocked reader never holds up another's timeout. */
		pthread_mutex_unlock(&dev->event_lock);
		r = gpc_sys_poll(dev, budget);
		pthread_mutex_lock(&dev->event_lock);
		if (r < 0 && r != -EINTR)
			break;
		/* Woken, timed out or interrupted: look again before deciding. */
	}
	pthread_mutex_unlock(&dev->event_lock);
	return gpc_finish(r, saved);
}

/* ------------------------------------------------------------------------ */
/* Buffer objects: memfds over the fd socket                                  */
/* ------------------------------------------------------------------------ */

/* The FD_TOKEN ioctl as fdclient.c calls it: through the test seam and any transport. */
static int gpc_fd_token_ioctl(void *ctx, unsigned long request, void *arg)
{
	return gpc_ioctl_restart(ctx, request, arg);
}

GPC_EXPORT int gpc_bo_get_memfd(struct gpc_device *dev, uint32_t handle, int *fd, uint64_t *size)
{
	int saved = errno;

	if (!dev || !fd || !handle)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpfc_export(gpc_fd_token_ioctl, dev, dev->fd_sock, handle, 0, fd, size,
				      NULL), saved);
}

GPC_EXPORT int gpc_bo_map(struct gpc_device *dev, uint32_t handle, int prot, void **ptr,
			  uint64_t *size)
{
	int saved = errno;
	uint64_t sz;
	void *p;
	int fd, r;

	if (!dev || !ptr || !handle || (prot & ~(PROT_READ | PROT_WRITE)))
		return gpc_finish(-EINVAL, saved);
	r = gpfc_export(gpc_fd_token_ioctl, dev, dev->fd_sock, handle, 0, &fd, &sz, NULL);
	if (r < 0)
		return gpc_finish(r, saved);
	if (sz == 0 || sz > SIZE_MAX) {
		close(fd);
		return gpc_finish(-EPROTO, saved);
	}
	/* The memfd's own pages, shared: zero-copy, and valid after the device is gone. */
	p = mmap(NULL, (size_t)sz, prot ? prot : PROT_NONE, MAP_SHARED, fd, 0);
	r = p == MAP_FAILED ? -errno : 0;
	close(fd);
	if (r < 0)
		return gpc_finish(r, saved);
	*ptr = p;
	if (size)
		*size = sz;
	return gpc_finish(0, saved);
}

GPC_EXPORT int gpc_bo_unmap(void *ptr, uint64_t size)
{
	int saved = errno;

	if (!ptr || !size || size > SIZE_MAX)
		return gpc_finish(-EINVAL, saved);
	if (munmap(ptr, (size_t)size) < 0)
		return gpc_finish(-errno, saved);
	return gpc_finish(0, saved);
}

GPC_EXPORT int gpc_prime_handle_to_fd(struct gpc_device *dev, uint32_t handle, uint32_t flags,
				      int *fd)
{
	int saved = errno;

	if (!dev || !fd || !handle)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpfc_prime_export(gpc_fd_token_ioctl, dev, dev->fd_sock, handle, flags,
					    fd), saved);
}

GPC_EXPORT int gpc_prime_fd_to_handle(struct gpc_device *dev, int fd, uint32_t *handle)
{
	int saved = errno;

	if (!dev || !handle)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpfc_import(gpc_fd_token_ioctl, dev, dev->fd_sock, fd, handle), saved);
}

GPC_EXPORT int gpc_gem_close(struct gpc_device *dev, uint32_t handle)
{
	struct gpu_proto_gem_close req = { .handle = handle };
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_GEM_CLOSE, &req), saved);
}

/* ------------------------------------------------------------------------ */
/* mali-csf GPU memory (BO and VM ioctls)                                    */
/* ------------------------------------------------------------------------ */

GPC_EXPORT int gpc_mali_bo_create(struct gpc_device *dev, uint64_t size, uint32_t flags,
				  uint32_t exclusive_vm_id, uint32_t *handle, uint64_t *alloc_size)
{
	struct gpu_proto_mali_bo_create arg = {
		.size = size, .flags = flags, .exclusive_vm_id = exclusive_vm_id,
	};
	int saved = errno;
	int r;

	if (!dev || !handle)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_BO_CREATE, &arg);
	if (r == 0) {
		*handle = arg.handle;
		if (alloc_size)
			*alloc_size = arg.size;
	}
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_mali_bo_mmap_offset(struct gpc_device *dev, uint32_t handle, uint64_t *offset)
{
	struct gpu_proto_mali_bo_mmap_offset arg = { .handle = handle };
	int saved = errno;
	int r;

	if (!dev || !offset)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, &arg);
	if (r == 0)
		*offset = arg.offset;
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_mali_vm_create(struct gpc_device *dev, uint64_t user_va_range, uint32_t *vm_id,
				  uint64_t *granted_range)
{
	struct gpu_proto_mali_vm_create arg = { .user_va_range = user_va_range };
	int saved = errno;
	int r;

	if (!dev || !vm_id)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_VM_CREATE, &arg);
	if (r == 0) {
		*vm_id = arg.id;
		if (granted_range)
			*granted_range = arg.user_va_range;
	}
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_mali_vm_destroy(struct gpc_device *dev, uint32_t vm_id)
{
	struct gpu_proto_mali_vm_destroy arg = { .id = vm_id };
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_VM_DESTROY, &arg), saved);
}

/* One synchronous VM_BIND operation. */
static int gpc_mali_vm_bind_one(struct gpc_device *dev, uint32_t vm_id,
				const struct gpu_proto_mali_vm_bind_op *op)
{
	struct gpu_proto_mali_vm_bind arg = {
		.vm_id = vm_id,
		.ops = { .stride = sizeof(*op), .count = 1, .array = (uint64_t)(uintptr_t)op },
	};

	return gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_VM_BIND, &arg);
}

GPC_EXPORT int gpc_mali_vm_bind_map(struct gpc_device *dev, uint32_t vm_id, uint32_t handle,
				    uint64_t bo_offset, uint64_t va, uint64_t size, uint32_t flags)
{
	const struct gpu_proto_mali_vm_bind_op op = {
		.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP | flags,
		.bo_handle = handle, .bo_offset = bo_offset, .va = va, .size = size,
	};
	int saved = errno;

	if (!dev || (flags & (uint32_t)GPU_PROTO_MALI_VM_BIND_OP_TYPE_MASK))
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_mali_vm_bind_one(dev, vm_id, &op), saved);
}

GPC_EXPORT int gpc_mali_vm_bind_unmap(struct gpc_device *dev, uint32_t vm_id, uint64_t va,
				      uint64_t size)
{
	const struct gpu_proto_mali_vm_bind_op op = {
		.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP, .va = va, .size = size,
	};
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_mali_vm_bind_one(dev, vm_id, &op), saved);
}

GPC_EXPORT int gpc_mali_vm_get_state(struct gpc_device *dev, uint32_t vm_id, uint32_t *state)
{
	struct gpu_proto_mali_vm_get_state arg = { .vm_id = vm_id };
	int saved = errno;
	int r;

	if (!dev || !state)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_VM_GET_STATE, &arg);
	if (r == 0)
		*state = arg.state;
	return gpc_finish(r, saved);
}

/* ------------------------------------------------------------------------ */
/* Sync objects                                                               */
/* ------------------------------------------------------------------------ */

GPC_EXPORT int64_t gpc_timeout_abs(int64_t rel_ns)
{
	int64_t now = gpc_now_ns();

	if (rel_ns <= 0)
		return now;
	if (rel_ns > INT64_MAX - now)
		return INT64_MAX;
	return now + rel_ns;
}

GPC_EXPORT int gpc_syncobj_create(struct gpc_device *dev, uint32_t flags, uint32_t *handle)
{
	struct gpu_proto_syncobj_create arg = { .flags = flags };
	int saved = errno;
	int r;

	if (!dev || !handle)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_CREATE, &arg);
	if (r == 0)
		*handle = arg.handle;
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_syncobj_destroy(struct gpc_device *dev, uint32_t handle)
{
	struct gpu_proto_syncobj_destroy arg = { .handle = handle };
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_DESTROY, &arg), saved);
}

/*
 * Both waits: the deadline is absolute, so restarting after EINTR (or the
 * transport's EAGAIN) waits no longer than asked, as the kernel's own
 * restart of these ioctls.
 */
GPC_EXPORT int gpc_syncobj_wait(struct gpc_device *dev, const uint32_t *handles, uint32_t count,
				int64_t timeout_nsec, uint32_t flags, uint32_t *first_signaled)
{
	struct gpu_proto_syncobj_wait arg = {
		.handles = (uint64_t)(uintptr_t)handles, .timeout_nsec = timeout_nsec,
		.count_handles = count, .flags = flags,
	};
	int saved = errno;
	int r;

	if (!dev || !handles || !count)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_WAIT, &arg);
	if (r == 0 && first_signaled)
		*first_signaled = arg.first_signaled;
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_syncobj_timeline_wait(struct gpc_device *dev, const uint32_t *handles,
					 const uint64_t *points, uint32_t count,
					 int64_t timeout_nsec, uint32_t flags,
					 uint32_t *first_signaled)
{
	struct gpu_proto_syncobj_timeline_wait arg = {
		.handles = (uint64_t)(uintptr_t)handles, .points = (uint64_t)(uintptr_t)points,
		.timeout_nsec = timeout_nsec, .count_handles = count, .flags = flags,
	};
	int saved = errno;
	int r;

	if (!dev || !handles || !points || !count)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT, &arg);
	if (r == 0 && first_signaled)
		*first_signaled = arg.first_signaled;
	return gpc_finish(r, saved);
}

static int gpc_syncobj_array_ioctl(struct gpc_device *dev, unsigned long request,
				   const uint32_t *handles, uint32_t count)
{
	struct gpu_proto_syncobj_array arg = {
		.handles = (uint64_t)(uintptr_t)handles, .count_handles = count,
	};
	int saved = errno;

	if (!dev || !handles || !count)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, request, &arg), saved);
}

GPC_EXPORT int gpc_syncobj_reset(struct gpc_device *dev, const uint32_t *handles, uint32_t count)
{
	return gpc_syncobj_array_ioctl(dev, GPU_PROTO_IOCTL_SYNCOBJ_RESET, handles, count);
}

GPC_EXPORT int gpc_syncobj_signal(struct gpc_device *dev, const uint32_t *handles, uint32_t count)
{
	return gpc_syncobj_array_ioctl(dev, GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, handles, count);
}

GPC_EXPORT int gpc_syncobj_timeline_signal(struct gpc_device *dev, const uint32_t *handles,
					   const uint64_t *points, uint32_t count)
{
	struct gpu_proto_syncobj_timeline_array arg = {
		.handles = (uint64_t)(uintptr_t)handles, .points = (uint64_t)(uintptr_t)points,
		.count_handles = count,
	};
	int saved = errno;

	if (!dev || !handles || !points || !count)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &arg),
			  saved);
}

GPC_EXPORT int gpc_syncobj_query(struct gpc_device *dev, const uint32_t *handles, uint64_t *points,
				 uint32_t count, uint32_t flags)
{
	struct gpu_proto_syncobj_timeline_array arg = {
		.handles = (uint64_t)(uintptr_t)handles, .count_handles = count, .flags = flags,
	};
	uint64_t *tmp;
	int saved = errno;
	int r;

	if (!dev || !handles || !points || !count)
		return gpc_finish(-EINVAL, saved);
	/* Into a copy, so a failure leaves @points as it was. */
	tmp = calloc(count, sizeof(*tmp));
	if (!tmp)
		return gpc_finish(-ENOMEM, saved);
	arg.points = (uint64_t)(uintptr_t)tmp;
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_QUERY, &arg);
	if (r == 0)
		memcpy(points, tmp, count * sizeof(*tmp));
	free(tmp);
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_syncobj_transfer(struct gpc_device *dev, uint32_t dst_handle,
				    uint64_t dst_point, uint32_t src_handle, uint64_t src_point,
				    uint32_t flags)
{
	struct gpu_proto_syncobj_transfer arg = {
		.src_handle = src_handle, .dst_handle = dst_handle,
		.src_point = src_point, .dst_point = dst_point, .flags = flags,
	};
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER, &arg), saved);
}

GPC_EXPORT int gpc_syncobj_status(struct gpc_device *dev, const uint32_t *handles,
				  const uint64_t *points, int32_t *status, uint32_t count)
{
	struct gpu_proto_syncobj_status arg = {
		.handles = (uint64_t)(uintptr_t)handles, .points = (uint64_t)(uintptr_t)points,
		.count_handles = count,
	};
	int32_t *tmp;
	int saved = errno;
	int r;

	if (!dev || !handles || !status || !count)
		return gpc_finish(-EINVAL, saved);
	tmp = calloc(count, sizeof(*tmp));
	if (!tmp)
		return gpc_finish(-ENOMEM, saved);
	arg.status = (uint64_t)(uintptr_t)tmp;
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_SYNCOBJ_STATUS, &arg);
	if (r == 0)
		memcpy(status, tmp, count * sizeof(*tmp));
	free(tmp);
	return gpc_finish(r, saved);
}

/* ------------------------------------------------------------------------ */
/* mali-csf submission (GROUP and TILER_HEAP ioctls)                          */
/* ------------------------------------------------------------------------ */

/* Every core GPU_INFO reports, as Mesa's panvk does for its groups. */
static int gpc_mali_all_cores(struct gpc_device *dev, struct gpc_mali_group_cores *c)
{
	struct gpu_proto_mali_gpu_info info;
	int r = gpc_mali_gpu_info(dev, &info);

	if (r < 0)
		return r;
	c->compute_core_mask = info.shader_present;
	c->fragment_core_mask = info.shader_present;
	c->tiler_core_mask = info.tiler_present;
	c->max_compute_cores = (uint8_t)__builtin_popcountll(info.shader_present);
	c->max_fragment_cores = (uint8_t)__builtin_popcountll(info.shader_present);
	c->max_tiler_cores = (uint8_t)__builtin_popcountll(info.tiler_present);
	return 0;
}

GPC_EXPORT int gpc_mali_group_create(struct gpc_device *dev, uint32_t vm_id, uint8_t priority,
				     const struct gpu_proto_mali_queue_create *queues,
				     uint32_t queue_count, const struct gpc_mali_group_cores *cores,
				     uint32_t *group_handle)
{
	struct gpc_mali_group_cores all;
	struct gpu_proto_mali_group_create arg = {
		.queues = {
			.stride = sizeof(*queues), .count = queue_count,
			.array = (uint64_t)(uintptr_t)queues,
		},
		.priority = priority, .vm_id = vm_id,
	};
	int saved = errno;
	int r;

	if (!dev || !queues || !queue_count || !group_handle)
		return gpc_finish(-EINVAL, saved);
	if (!cores) {
		r = gpc_mali_all_cores(dev, &all);
		if (r < 0)
			return gpc_finish(r, saved);
		cores = &all;
	}
	arg.compute_core_mask = cores->compute_core_mask;
	arg.fragment_core_mask = cores->fragment_core_mask;
	arg.tiler_core_mask = cores->tiler_core_mask;
	arg.max_compute_cores = cores->max_compute_cores;
	arg.max_fragment_cores = cores->max_fragment_cores;
	arg.max_tiler_cores = cores->max_tiler_cores;
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_GROUP_CREATE, &arg);
	if (r == 0)
		*group_handle = arg.group_handle;
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_mali_group_destroy(struct gpc_device *dev, uint32_t group_handle)
{
	struct gpu_proto_mali_group_destroy arg = { .group_handle = group_handle };
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_GROUP_DESTROY, &arg), saved);
}

GPC_EXPORT int gpc_mali_group_submit(struct gpc_device *dev, uint32_t group_handle,
				     const struct gpu_proto_mali_queue_submit *submits,
				     uint32_t count)
{
	struct gpu_proto_mali_group_submit arg = {
		.group_handle = group_handle,
		.queue_submits = {
			.stride = sizeof(*submits), .count = count,
			.array = (uint64_t)(uintptr_t)submits,
		},
	};
	int saved = errno;

	if (!dev || !submits || !count)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &arg), saved);
}

GPC_EXPORT int gpc_mali_group_get_state(struct gpc_device *dev, uint32_t group_handle,
					uint32_t *state, uint32_t *fatal_queues)
{
	struct gpu_proto_mali_group_get_state arg = { .group_handle = group_handle };
	int saved = errno;
	int r;

	if (!dev || !state)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE, &arg);
	if (r == 0) {
		*state = arg.state;
		if (fatal_queues)
			*fatal_queues = arg.fatal_queues;
	}
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_mali_tiler_heap_create(struct gpc_device *dev, uint32_t vm_id,
					  uint32_t initial_chunk_count, uint32_t chunk_size,
					  uint32_t max_chunks, uint32_t target_in_flight,
					  uint32_t *handle, uint64_t *heap_ctx_va,
					  uint64_t *first_chunk_va)
{
	struct gpu_proto_mali_tiler_heap_create arg = {
		.vm_id = vm_id, .initial_chunk_count = initial_chunk_count,
		.chunk_size = chunk_size, .max_chunks = max_chunks,
		.target_in_flight = target_in_flight,
	};
	int saved = errno;
	int r;

	if (!dev || !handle)
		return gpc_finish(-EINVAL, saved);
	r = gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &arg);
	if (r == 0) {
		*handle = arg.handle;
		if (heap_ctx_va)
			*heap_ctx_va = arg.tiler_heap_ctx_gpu_va;
		if (first_chunk_va)
			*first_chunk_va = arg.first_heap_chunk_gpu_va;
	}
	return gpc_finish(r, saved);
}

GPC_EXPORT int gpc_mali_tiler_heap_destroy(struct gpc_device *dev, uint32_t handle)
{
	struct gpu_proto_mali_tiler_heap_destroy arg = { .handle = handle };
	int saved = errno;

	if (!dev)
		return gpc_finish(-EINVAL, saved);
	return gpc_finish(gpc_ioctl_restart(dev, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &arg),
			  saved);
}
