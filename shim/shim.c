// SPDX-License-Identifier: MIT
/*
 * libgpuproto-shim.so - run an unmodified client against gpu-protod's
 * socket transport (LD_PRELOAD; see tools/gpu-proto-run and
 * docs/socket-transport.md).
 *
 * Copyright (c) the gpu-proto authors
 *
 * open() of the device path ($GPU_PROTO_DEVICE, default /dev/gpu-proto)
 * connects to the daemon's socket ($GPU_PROTO_SOCKET, default
 * /run/gpu-protod/<name>.sock) instead; the connected socket's fd stands
 * in for the device's.  ioctl, read, write and poll on it speak the socket
 * protocol (sockclient.c); close, dup and fcntl keep a table of which fds
 * are connections.  Flags live on the socket itself (O_NONBLOCK,
 * FD_CLOEXEC), so dup'd fds share them as with a device file.
 *
 * Buffer memory (docs/uapi.md, "FD_TOKEN"): mmap()/mmap64() of a device fd,
 * at a fake offset from a driver's MMAP_OFFSET ioctl, maps the object's
 * memfd obtained over the daemon's fd socket, and PRIME_HANDLE_TO_FD /
 * PRIME_FD_TO_HANDLE pass memfds the same way (fdclient.c).  This works
 * over CUSE too, where the device fd is the real node's: the shim is then
 * needed for exactly these calls, which CUSE cannot serve.
 *
 * In the spirit of Mesa's drm-shim: a thin layer over an existing
 * interface, passing every other call straight through.
 */
/* We define both open and open64 ourselves: no redirection of one to the other. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "fdclient.h"
#include "sockclient.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* fds at or above this are never connections (open gives EMFILE). */
#define SHIM_MAX_FDS 65536

/* One connection shared by the fds dup'd from it. */
struct shim_conn {
	struct gpsc_conn *gc;
	unsigned int refs;		/* fds naming it, under shim_lock */
};

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_conn *shim_fds[SHIM_MAX_FDS];

/* glibc's _FORTIFY_SOURCE entry points, which its headers declare only when fortifying. */
SHIM_EXPORT int __open_2(const char *path, int flags);
SHIM_EXPORT int __open64_2(const char *path, int flags);
SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags);
SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags);
SHIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
SHIM_EXPORT int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);
SHIM_EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
			    const sigset_t *sigmask, size_t fdslen);
SHIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off);

/* --- the real functions --- */

static int (*real_openat)(int, const char *, int, ...);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);

static void shim_resolve(void)
{
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_read = dlsym(RTLD_NEXT, "read");
	real_write = dlsym(RTLD_NEXT, "write");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_ppoll = dlsym(RTLD_NEXT, "ppoll");
}

static pthread_once_t shim_once = PTHREAD_ONCE_INIT;
#define SHIM_INIT() pthread_once(&shim_once, shim_resolve)

/* --- the fd table --- */

static struct shim_conn *shim_get(int fd)
{
	struct shim_conn *c = NULL;

	if (fd < 0 || fd >= SHIM_MAX_FDS)
		return NULL;
	/* Unlocked peek: almost every fd a program uses is not ours. */
	if (!__atomic_load_n(&shim_fds[fd], __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&shim_lock);
	c = shim_fds[fd];
	if (c)
		c->refs++;
	pthread_mutex_unlock(&shim_lock);
	return c;
}

static void shim_put_locked(struct shim_conn *c)
{
	if (--c->refs == 0) {
		gpsc_conn_free(c->gc);
		free(c);
	}
}

static void shim_put(struct shim_conn *c)
{
	pthread_mutex_lock(&shim_lock);
	shim_put_locked(c);
	pthread_mutex_unlock(&shim_lock);
}

/* @fd now names @c too (after dup); an fd it replaced is forgotten. */
static void shim_set(int fd, struct shim_conn *c)
{
	struct shim_conn *old;

	if (fd < 0 || fd >= SHIM_MAX_FDS)
		return;
	pthread_mutex_lock(&shim_lock);
	old = shim_fds[fd];
	if (c)
		c->refs++;
	__atomic_store_n(&shim_fds[fd], c, __ATOMIC_RELEASE);
	if (old)
		shim_put_locked(old);
	pthread_mutex_unlock(&shim_lock);
}

/* --- which paths are the device --- */

static bool shim_is_device(int dirfd, const char *path)
{
	const char *dev = getenv("GPU_PROTO_DEVICE");

	if (!path)
		return false;
	if (!dev || !dev[0])
		dev = "/dev/gpu-proto";
	return path[0] == '/' ? strcmp(path, dev) == 0 : false;
}

/*
 * Open the device through the socket.  If no socket is there, the real
 * open runs (a machine with CUSE keeps working under the shim).
 */
static int shim_open_device(int dirfd, const char *path, int flags, mode_t mode)
{
	char sock[108];
	struct shim_conn *c;
	int err;

	gpsc_socket_path(path, sock, sizeof(sock));
	/*
	 * No socket: the node, if any.  A socket we may not even see (its
	 * directory shut to us) is still the daemon's when there is no node:
	 * connect then says EACCES, where the node's open would say ENOENT.
	 */
	if (access(sock, F_OK) < 0 && (errno == ENOENT || access(path, F_OK) == 0))
		return real_openat(dirfd, path, flags, mode);
	c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return -1;
	}
	c->gc = gpsc_connect(sock, flags & (O_CLOEXEC | O_NONBLOCK), &err);
	if (!c->gc) {
		free(c);
		errno = -err;
		return -1;
	}
	if (c->gc->fd >= SHIM_MAX_FDS) {
		syscall(SYS_close, c->gc->fd);
		gpsc_conn_free(c->gc);
		free(c);
		errno = EMFILE;
		return -1;
	}
	err = c->gc->fd;
	shim_set(err, c);
	return err;
}

static int shim_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	SHIM_INIT();
	if (shim_is_device(dirfd, path))
		return shim_open_device(dirfd, path, flags, mode);
	return real_openat(dirfd, path, flags, mode);
}

#define SHIM_MODE(flags, mode)                                                    \
	do {                                                                      \
		if ((flags) & (O_CREAT | __O_TMPFILE)) {                          \
			va_list ap;                                               \
			va_start(ap, flags);                                      \
			mode = (mode_t)va_arg(ap, int);                           \
			va_end(ap);                                               \
		}                                                                 \
	} while (0)

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_MODE(flags, mode);
	return shim_openat(AT_FDCWD, path, flags, mode);
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_MODE(flags, mode);
	return shim_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_MODE(flags, mode);
	return shim_openat(dirfd, path, flags, mode);
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_MODE(flags, mode);
	return shim_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* _FORTIFY_SOURCE's entry points. */
SHIM_EXPORT int __open_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags, 0);
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return shim_openat(dirfd, path, flags, 0);
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return shim_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

/* --- ioctl, read, write --- */

/*
 * An fd inherited across exec() has no table entry: a socket connected to
 * the daemon's socket path is one of ours.  Checked only for DRM ioctls.
 */
static struct shim_conn *shim_adopt(int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char sock[108];
	struct shim_conn *c;
	struct stat st;
	int saved = errno;

	if (fd < 0 || fd >= SHIM_MAX_FDS || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		goto no;
	if (getpeername(fd, (struct sockaddr *)&sun, &len) < 0 || sun.sun_family != AF_UNIX)
		goto no;
	gpsc_socket_path(getenv("GPU_PROTO_DEVICE") ? getenv("GPU_PROTO_DEVICE") : "/dev/gpu-proto",
			 sock, sizeof(sock));
	if (len <= offsetof(struct sockaddr_un, sun_path) ||
	    strncmp(sun.sun_path, sock, len - offsetof(struct sockaddr_un, sun_path)) != 0)
		goto no;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->gc = gpsc_conn_new(fd))) {
		free(c);
		goto no;
	}
	shim_set(fd, c);
	errno = saved;
	return shim_get(fd);
no:
	errno = saved;
	return NULL;
}

/* --- buffer memory: mmap and PRIME through the fd socket --- */

static const char *shim_device_path(void)
{
	const char *dev = getenv("GPU_PROTO_DEVICE");

	return dev && dev[0] ? dev : "/dev/gpu-proto";
}

/* Is @fd the device node itself (CUSE)?  The same character device as the path. */
static bool shim_is_node(int fd)
{
	struct stat st, node;
	int saved = errno;
	bool yes;

	yes = fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	      stat(shim_device_path(), &node) == 0 && S_ISCHR(node.st_mode) &&
	      st.st_rdev == node.st_rdev;
	errno = saved;
	return yes;
}

/* The device fd for fdclient.c: a connection (socket transport) or the node (CUSE). */
struct shim_dev {
	struct shim_conn *c;
	int fd;
};

static int shim_dev_ioctl(void *ctx, unsigned long request, void *arg)
{
	struct shim_dev *d = ctx;
	int r;

	do {
		if (d->c) {
			r = gpsc_ioctl(d->c->gc, request, arg);
		} else {
			r = real_ioctl(d->fd, request, arg);
			if (r < 0)
				r = -errno;
		}
	} while (r == -EINTR || r == -EAGAIN);
	return r;
}

static int shim_prime(struct shim_conn *c, int fd, unsigned long request,
		      struct gpu_proto_prime_handle *args)
{
	struct shim_dev d = { .c = c, .fd = fd };
	char sock[108];
	int r, newfd;

	gpfc_socket_path(shim_device_path(), sock, sizeof(sock));
	if (request == GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD) {
		r = gpfc_prime_export(shim_dev_ioctl, &d, sock, args->handle, args->flags, &newfd);
		if (r == 0)
			args->fd = newfd;
	} else {
		r = gpfc_import(shim_dev_ioctl, &d, sock, args->fd, &args->handle);
	}
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

/* glibc's mmap is the bare system call; calling it directly needs no dlsym (which may map). */
static void *shim_real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

/*
 * As panthor_mmap() -> drm_gem_mmap() -> drm_gem_shmem_mmap(): the offset
 * names an object of this file (FD_TOKEN EXPORT by offset), the range must
 * lie inside it, and a private writable (copy-on-write) mapping is EINVAL.
 * Panthor's USER_MMIO page (offsets from DRM_PANTHOR_USER_MMIO_OFFSET) is
 * no object: EINVAL too (docs/uapi.md).  The memfd is closed once mapped.
 */
static void *shim_gpu_mmap(struct shim_dev *d, void *addr, size_t len, int prot, int flags,
			   off_t off)
{
	uint64_t size, base, rel, span;
	long page = sysconf(_SC_PAGESIZE);
	char sock[108];
	int memfd, r, saved;
	void *p;

	if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_SHARED_VALIDATE) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (len == 0 || off < 0 || (off & (page - 1))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	gpfc_socket_path(shim_device_path(), sock, sizeof(sock));
	r = gpfc_export(shim_dev_ioctl, d, sock, 0, (uint64_t)off, &memfd, &size, &base);
	if (r < 0) {
		errno = -r;
		return MAP_FAILED;
	}
	rel = (uint64_t)off - base;
	span = ((uint64_t)len + (uint64_t)page - 1) & ~((uint64_t)page - 1);
	if ((uint64_t)off < base || rel > size || span > size - rel) {
		syscall(SYS_close, memfd);
		errno = EINVAL;
		return MAP_FAILED;
	}
	p = shim_real_mmap(addr, len, prot, flags, memfd, (off_t)rel);
	saved = errno;
	syscall(SYS_close, memfd);
	errno = saved;
	return p;
}

static void *shim_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct shim_conn *c;
	void *p;

	/* Anonymous mappings (most of them) never look further. */
	if (fd < 0 || (flags & MAP_ANONYMOUS))
		return shim_real_mmap(addr, len, prot, flags, fd, off);
	SHIM_INIT();
	c = shim_get(fd);
	if (!c && !shim_is_node(fd))
		return shim_real_mmap(addr, len, prot, flags, fd, off);
	p = shim_gpu_mmap(&(struct shim_dev){ .c = c, .fd = fd }, addr, len, prot, flags, off);
	if (c)
		shim_put(c);
	return p;
}

SHIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return shim_mmap(addr, len, prot, flags, fd, off);
}

SHIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return shim_mmap(addr, len, prot, flags, fd, (off_t)off);
}

SHIM_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	struct shim_conn *c;
	va_list ap;
	void *arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	SHIM_INIT();
	c = shim_get(fd);
	if (!c && _IOC_TYPE(request) == 'd')
		c = shim_adopt(fd);
	if (request == GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD ||
	    request == GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE) {
		if (c || shim_is_node(fd)) {
			r = shim_prime(c, fd, request, arg);
			if (c)
				shim_put(c);
			return r;
		}
	}
	if (!c)
		return real_ioctl(fd, request, arg);
	r = gpsc_ioctl(c->gc, request, arg);
	shim_put(c);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

SHIM_EXPORT ssize_t read(int fd, void *buf, size_t count)
{
	struct shim_conn *c;
	ssize_t r;

	SHIM_INIT();
	c = shim_get(fd);
	if (!c)
		return real_read(fd, buf, count);
	r = gpsc_read(c->gc, buf, count, gpsc_is_nonblock(fd));
	shim_put(c);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

SHIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	return read(fd, buf, count < buflen ? count : buflen);
}

SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
	struct shim_conn *c;

	SHIM_INIT();
	c = shim_get(fd);
	if (!c)
		return real_write(fd, buf, count);
	shim_put(c);
	/* A DRM node is not writable. */
	errno = EINVAL;
	return -1;
}

/* --- poll --- */

static long shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/*
 * poll over a mix of fds.  For each connection: ask the daemon for the
 * mask and arm a WAKE; if nothing is ready, wait in the real ppoll with
 * the connections polled for POLLIN (a WAKE arriving), then ask again.
 */
static int shim_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
		      const sigset_t *sigmask)
{
	struct shim_conn *small[16], **conns = small;
	struct pollfd spfd[16], *pfds = spfd;
	long deadline = tmo ? shim_now_ns() + tmo->tv_sec * 1000000000L + tmo->tv_nsec : -1;
	bool any = false;
	int ready, r;

	for (nfds_t i = 0; i < nfds && !any; i++)
		any = fds[i].fd >= 0 && fds[i].fd < SHIM_MAX_FDS &&
		      __atomic_load_n(&shim_fds[fds[i].fd], __ATOMIC_ACQUIRE);
	if (!any)
		return real_ppoll(fds, nfds, tmo, sigmask);
	if (nfds > 16) {
		conns = calloc(nfds, sizeof(*conns));
		pfds = calloc(nfds, sizeof(*pfds));
		if (!conns || !pfds) {
			free(conns);
			free(pfds);
			errno = ENOMEM;
			return -1;
		}
	}
	for (nfds_t i = 0; i < nfds; i++)
		conns[i] = shim_get(fds[i].fd);

	for (;;) {
		struct timespec left, zero = { 0 };

		ready = 0;
		for (nfds_t i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			pfds[i] = fds[i];
			if (!conns[i])
				continue;
			r = gpsc_poll_query(conns[i]->gc, true);
			if (r < 0)
				r = POLLERR | POLLHUP;	/* the daemon is gone */
			fds[i].revents = (short)(r & (fds[i].events | POLLERR | POLLHUP));
			if (fds[i].revents)
				ready++;
			/* Readable socket: a WAKE to look at. */
			pfds[i].events = POLLIN;
		}
		if (deadline >= 0) {
			long ns = deadline - shim_now_ns();

			if (ns < 0)
				ns = 0;
			left = (struct timespec){ .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };
		}
		r = real_ppoll(pfds, nfds, ready ? &zero : deadline >= 0 ? &left : NULL, sigmask);
		if (r < 0) {
			ready = -1;
			break;
		}
		for (nfds_t i = 0; i < nfds; i++) {
			if (conns[i]) {
				if (pfds[i].revents)
					gpsc_drain_wakes(conns[i]->gc);
				continue;
			}
			fds[i].revents = pfds[i].revents;
			if (fds[i].revents)
				ready++;
		}
		if (ready || (r == 0 && deadline >= 0 && shim_now_ns() >= deadline))
			break;
		/* Only WAKEs: ask the daemon again. */
	}
	for (nfds_t i = 0; i < nfds; i++)
		if (conns[i])
			shim_put(conns[i]);
	if (conns != small) {
		free(conns);
		free(pfds);
	}
	return ready;
}

SHIM_EXPORT int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct timespec ts = { .tv_sec = timeout / 1000, .tv_nsec = (timeout % 1000) * 1000000L };

	SHIM_INIT();
	return shim_ppoll(fds, nfds, timeout < 0 ? NULL : &ts, NULL);
}

SHIM_EXPORT int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	return poll(fds, nfds, timeout);
}

SHIM_EXPORT int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
		      const sigset_t *sigmask)
{
	SHIM_INIT();
	return shim_ppoll(fds, nfds, tmo, sigmask);
}

SHIM_EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
			    const sigset_t *sigmask, size_t fdslen)
{
	return ppoll(fds, nfds, tmo, sigmask);
}

/* --- close, dup, fcntl: keep the table in step --- */

SHIM_EXPORT int close(int fd)
{
	int r = (int)syscall(SYS_close, fd);

	/* Linux frees the fd even when close fails. */
	if (fd >= 0 && fd < SHIM_MAX_FDS && __atomic_load_n(&shim_fds[fd], __ATOMIC_ACQUIRE))
		shim_set(fd, NULL);
	return r;
}

static int shim_dup_result(int oldfd, int newfd)
{
	struct shim_conn *c;

	if (newfd < 0)
		return newfd;
	c = shim_get(oldfd);
	shim_set(newfd, c);	/* NULL forgets a connection newfd named before */
	if (c)
		shim_put(c);
	return newfd;
}

SHIM_EXPORT int dup(int fd)
{
	return shim_dup_result(fd, (int)syscall(SYS_dup, fd));
}

SHIM_EXPORT int dup2(int oldfd, int newfd)
{
	int r;

	if (oldfd == newfd)
		return fcntl(oldfd, F_GETFD) < 0 ? -1 : newfd;
	r = (int)syscall(SYS_dup3, oldfd, newfd, 0);
	return shim_dup_result(oldfd, r);
}

SHIM_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	return shim_dup_result(oldfd, (int)syscall(SYS_dup3, oldfd, newfd, flags));
}

static int shim_fcntl(int fd, int cmd, long arg)
{
	int r = (int)syscall(SYS_fcntl, fd, cmd, arg);

	/* F_SETFL O_NONBLOCK and F_SETFD FD_CLOEXEC act on the socket itself. */
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return shim_dup_result(fd, r);
	return r;
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return shim_fcntl(fd, cmd, arg);
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return shim_fcntl(fd, cmd, arg);
}
