// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One-time tokens for the fd socket.  See fdtoken.h and docs/uapi.md.
 *
 * Why a token and not a check of the peer alone: the fd socket sees a
 * process, not a device file, and a process may hold several files (or
 * have been handed one).  The token carries the proof that the request
 * was made through a file owning the handle, at that moment; binding it to
 * the minting process keeps a leaked token worthless to anyone else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gpu-proto/gpu_proto_drm.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <urcu/list.h>

#include "fdtoken.h"
#include "gem.h"
#include "registration.h"

#define GP_FD_TOKEN_BUCKETS 256
/*
 * An expired token stays this long before the sweep drops it, so a client
 * that was merely slow learns ETIMEDOUT rather than an unexplained EACCES.
 */
#define GP_FD_TOKEN_LINGER_NS (1000ull * 1000000ull)

struct gp_fd_token {
	struct cds_list_head bucket;	/* in gp_fd_tokens.buckets[], by the token's first byte */
	struct cds_list_head age;	/* in gp_fd_tokens.by_age: minting order = expiry order */
	uint8_t bytes[GP_FD_TOKEN_BYTES];
	uint32_t op;
	struct gp_file *file;		/* a reference */
	struct gp_gem_object *obj;	/* EXPORT: a reference */
	pid_t tgid;			/* the minting process */
	int pidfd;			/* ... pinned */
	uint64_t expires_ns;
};

static struct {
	pthread_mutex_t lock;		/* everything here; a leaf lock */
	struct cds_list_head buckets[GP_FD_TOKEN_BUCKETS];
	struct cds_list_head by_age;
	unsigned int count;
	bool ready;
} gp_fd_tokens = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Imports into one file must not race to create two handles (drm_prime's prime lock). */
static pthread_mutex_t gp_fd_token_import_lock = PTHREAD_MUTEX_INITIALIZER;

static atomic_uint gp_fd_token_ttl_ms = GP_FD_TOKEN_DEFAULT_TTL_MS;

static uint64_t gp_fd_token_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Called with the lock held. */
static void gp_fd_tokens_init_locked(void)
{
	if (gp_fd_tokens.ready)
		return;
	for (unsigned int i = 0; i < GP_FD_TOKEN_BUCKETS; i++)
		CDS_INIT_LIST_HEAD(&gp_fd_tokens.buckets[i]);
	CDS_INIT_LIST_HEAD(&gp_fd_tokens.by_age);
	gp_fd_tokens.ready = true;
}

/* Free an unlinked token: outside the lock, as putting may free an object. */
static void gp_fd_token_free(struct gp_fd_token *t)
{
	if (!t)
		return;
	gp_gem_object_put(&t->obj);
	gp_file_put(&t->file);
	if (t->pidfd >= 0)
		close(t->pidfd);
	explicit_bzero(t->bytes, sizeof(t->bytes));
	free(t);
}

static void gp_fd_token_unlink_locked(struct gp_fd_token *t, struct cds_list_head *dead)
{
	cds_list_del(&t->bucket);
	cds_list_del(&t->age);
	gp_fd_tokens.count--;
	cds_list_add_tail(&t->age, dead);
}

static void gp_fd_tokens_free_list(struct cds_list_head *dead)
{
	struct gp_fd_token *t, *tmp;

	cds_list_for_each_entry_safe(t, tmp, dead, age) {
		cds_list_del(&t->age);
		gp_fd_token_free(t);
	}
}

/* Move expired tokens to @dead; the ms until the next expiry, or -1. */
static int gp_fd_tokens_expire_locked(uint64_t now, struct cds_list_head *dead)
{
	struct gp_fd_token *t, *tmp;

	cds_list_for_each_entry_safe(t, tmp, &gp_fd_tokens.by_age, age) {
		uint64_t drop_ns = t->expires_ns + GP_FD_TOKEN_LINGER_NS;

		if (drop_ns > now) {
			uint64_t ms = (drop_ns - now + 999999) / 1000000;

			return ms > INT32_MAX ? INT32_MAX : (int)ms;
		}
		gp_fd_token_unlink_locked(t, dead);
	}
	return -1;
}

int gp_fd_tokens_sweep(void)
{
	CDS_LIST_HEAD(dead);
	int next;

	pthread_mutex_lock(&gp_fd_tokens.lock);
	gp_fd_tokens_init_locked();
	next = gp_fd_tokens_expire_locked(gp_fd_token_now_ns(), &dead);
	pthread_mutex_unlock(&gp_fd_tokens.lock);
	gp_fd_tokens_free_list(&dead);
	return next;
}

void gp_fd_tokens_clear(void)
{
	CDS_LIST_HEAD(dead);

	pthread_mutex_lock(&gp_fd_tokens.lock);
	gp_fd_tokens_init_locked();
	gp_fd_tokens_expire_locked(UINT64_MAX, &dead);
	pthread_mutex_unlock(&gp_fd_tokens.lock);
	gp_fd_tokens_free_list(&dead);
}

void gp_fd_tokens_set_ttl_ms(unsigned int ttl_ms)
{
	atomic_store(&gp_fd_token_ttl_ms, ttl_ms ? ttl_ms : GP_FD_TOKEN_DEFAULT_TTL_MS);
}

unsigned int gp_fd_tokens_outstanding(void)
{
	unsigned int n;

	pthread_mutex_lock(&gp_fd_tokens.lock);
	n = gp_fd_tokens.count;
	pthread_mutex_unlock(&gp_fd_tokens.lock);
	return n;
}

/* --- minting --- */

/*
 * The process of a caller.  Over CUSE, fuse_req_ctx() gives the calling
 * thread's id, which SO_PEERCRED never shows: the thread group's id is in
 * /proc/TID/status.  The thread is blocked in its ioctl while this runs,
 * so the id cannot be reused under us.
 */
static int gp_fd_token_tgid(pid_t pid, pid_t *tgid)
{
	char path[48], buf[1024];
	const char *line;
	ssize_t n;
	int fd, v;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	line = strstr(buf, "\nTgid:");
	if (!line || sscanf(line + 6, "%d", &v) != 1 || v <= 0)
		return -ESRCH;
	*tgid = v;
	return 0;
}

/*
 * Pin the caller's process.  A caller with a pidfd of its own (a socket
 * connection's peer) already names a process id (SO_PEERCRED gives the
 * thread group's); it must still be alive, or the id might be another's.
 */
static int gp_fd_token_pin(const struct gp_caller *caller, pid_t *tgid, int *pidfd)
{
	int r;

	if (caller->pid <= 0)
		return -EACCES;		/* no id in our pid namespace: no peer can match */
	/* Only a transport's caller owns a pidfd; a bare struct's field may read 0. */
	if (caller->ops && caller->pidfd >= 0) {
		if (gp_pidfd_exited(caller->pidfd))
			return -ESRCH;
		*tgid = caller->pid;
	} else {
		r = gp_fd_token_tgid(caller->pid, tgid);
		if (r < 0)
			return r;
	}
	*pidfd = (int)syscall(SYS_pidfd_open, *tgid, 0);
	if (*pidfd < 0)
		return -errno;
	return 0;
}

/* Tokens @file has outstanding; expired ones, lingering, do not count. */
static unsigned int gp_fd_tokens_of_locked(const struct gp_file *file, uint64_t now)
{
	const struct gp_fd_token *t;
	unsigned int n = 0;

	cds_list_for_each_entry(t, &gp_fd_tokens.by_age, age)
		n += t->file == file && t->expires_ns > now;
	return n;
}

static int gp_fd_token_insert(struct gp_fd_token *t)
{
	CDS_LIST_HEAD(dead);
	uint64_t now = gp_fd_token_now_ns();
	int r = 0;

	t->expires_ns = now + (uint64_t)atomic_load(&gp_fd_token_ttl_ms) * 1000000ull;
	pthread_mutex_lock(&gp_fd_tokens.lock);
	gp_fd_tokens_init_locked();
	gp_fd_tokens_expire_locked(now, &dead);
	/*
	 * The walk is over every outstanding token, a number bounded by the
	 * per-file limit times the open files, and short-lived.
	 */
	if (gp_fd_tokens_of_locked(t->file, now) >= GP_FD_TOKEN_MAX_PER_FILE) {
		r = -ENOSPC;
	} else {
		cds_list_add_tail(&t->bucket, &gp_fd_tokens.buckets[t->bytes[0]]);
		cds_list_add_tail(&t->age, &gp_fd_tokens.by_age);
		gp_fd_tokens.count++;
	}
	pthread_mutex_unlock(&gp_fd_tokens.lock);
	gp_fd_tokens_free_list(&dead);
	return r;
}

static int gp_fd_token_export_object(struct gp_file *file, struct gpu_proto_fd_token *req,
				     struct gp_gem_object **out)
{
	struct gp_gem_object *obj;

	if (req->handle) {
		if (req->offset)
			return -EINVAL;
		obj = gp_gem_object_lookup(file, req->handle);
		if (!obj)
			return -ENOENT;
	} else {
		/* As drm_gem_mmap(): an offset the file has no object at is EINVAL. */
		obj = gp_gem_lookup_by_offset(file, req->offset, 1);
		if (!obj)
			return -EINVAL;
	}
	/* The memfd is CPU access to the object: the driver may refuse it. */
	if (obj->funcs && obj->funcs->mmap) {
		int r = obj->funcs->mmap(obj);

		if (r < 0) {
			gp_gem_object_put(&obj);
			return r;
		}
	}
	*out = obj;
	return 0;
}

int gp_fd_token_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
		      struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_fd_token *req = arg;
	struct gp_fd_token *t;
	ssize_t n;
	int r;

	/* As GEM_CLOSE: a driver without buffer objects has nothing to pass. */
	if (!(gp_device_driver(gp_registered_to_device(rdev))->features & GP_DRIVER_GEM))
		return -EOPNOTSUPP;
	switch (req->op) {
	case GPU_PROTO_FD_TOKEN_EXPORT:
		break;
	case GPU_PROTO_FD_TOKEN_IMPORT:
		if (req->handle || req->offset)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->pidfd = -1;
	t->op = req->op;
	if (req->op == GPU_PROTO_FD_TOKEN_EXPORT) {
		r = gp_fd_token_export_object(file, req, &t->obj);
		if (r < 0)
			goto fail;
	}
	r = gp_fd_token_pin(gp_request_caller(file, user), &t->tgid, &t->pidfd);
	if (r < 0)
		goto fail;
	/* Never block inside a guard: before the CRNG is ready, ask again. */
	n = getrandom(t->bytes, sizeof(t->bytes), GRND_NONBLOCK);
	if (n != (ssize_t)sizeof(t->bytes)) {
		r = n < 0 ? -errno : -EAGAIN;
		goto fail;
	}
	t->file = gp_file_get(file);
	/*
	 * The answer is filled in first: once inserted, the token belongs to
	 * the store, and a redeemer (on the fd socket's thread) may free it
	 * before this ioctl returns.
	 */
	memcpy(req->token, t->bytes, sizeof(req->token));
	req->size = t->obj ? t->obj->size : 0;
	req->offset = t->obj ? t->obj->mmap_offset : 0;
	r = gp_fd_token_insert(t);
	if (r < 0) {
		explicit_bzero(req->token, sizeof(req->token));
		req->size = req->offset = 0;
		goto fail;
	}
	return 0;
fail:
	gp_fd_token_free(t);
	return r;
}

/* --- redeeming --- */

/* Constant time: a timing difference must not tell how much of a guess was right. */
static bool gp_fd_token_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < GP_FD_TOKEN_BYTES; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static struct gp_fd_token *gp_fd_token_take(const uint8_t *bytes)
{
	struct gp_fd_token *t, *found = NULL;

	pthread_mutex_lock(&gp_fd_tokens.lock);
	gp_fd_tokens_init_locked();
	cds_list_for_each_entry(t, &gp_fd_tokens.buckets[bytes[0]], bucket) {
		if (gp_fd_token_equal(t->bytes, bytes)) {
			found = t;
			cds_list_del(&t->bucket);
			cds_list_del(&t->age);
			gp_fd_tokens.count--;
			break;
		}
	}
	pthread_mutex_unlock(&gp_fd_tokens.lock);
	return found;
}

/* The peer must be the minting process, still alive (so its id is still its own). */
static bool gp_fd_token_peer_matches(const struct gp_fd_token *t, const struct gp_fd_token_peer *peer)
{
	if (peer->pid <= 0 || peer->pid != t->tgid)
		return false;
	if (gp_pidfd_exited(t->pidfd))
		return false;
	if (peer->pidfd >= 0 && gp_pidfd_exited(peer->pidfd))
		return false;
	return true;
}

/*
 * The object behind a received fd.  Only a memfd (shmem) answers
 * F_GET_SEALS; checking that first means fstat() is never asked of a file
 * whose filesystem a client runs (a FUSE file could make it wait).
 */
static struct gp_gem_object *gp_fd_token_import_object(struct gp_device *dev, int fd)
{
	struct stat st;

	if (fcntl(fd, F_GET_SEALS) < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	return gp_gem_lookup_by_inode(dev, st.st_dev, st.st_ino);
}

static int gp_fd_token_import(struct gp_fd_token *t, int fd, struct gp_fd_token_result *res)
{
	struct gp_gem_object *obj = gp_fd_token_import_object(t->file->dev, fd);
	int r;

	if (!obj)
		return -EINVAL;
	/* As drm_gem_prime_fd_to_handle(): the handle the file has, else a new one. */
	pthread_mutex_lock(&gp_fd_token_import_lock);
	r = gp_gem_handle_by_object(t->file, obj, &res->handle);
	if (r == -ENOENT && obj->funcs && obj->funcs->prime_export) {
		/* A first handle in this file: the object leaves its exporter's. */
		int refused = obj->funcs->prime_export(obj);

		if (refused < 0)
			r = refused;
	}
	if (r == -ENOENT)
		r = gp_gem_handle_create(t->file, obj, &res->handle);
	pthread_mutex_unlock(&gp_fd_token_import_lock);
	gp_gem_object_put(&obj);
	return r;
}

static int gp_fd_token_export(struct gp_fd_token *t, struct gp_fd_token_result *res)
{
	uint32_t handle;
	int r;

	/* The file must still own the object: a closed handle or file exports nothing. */
	r = gp_gem_handle_by_object(t->file, t->obj, &handle);
	if (r < 0)
		return -ENOENT;
	res->obj = gp_gem_object_get(t->obj);
	res->size = t->obj->size;
	res->offset = t->obj->mmap_offset;
	return 0;
}

int gp_fd_token_redeem(const uint8_t *token, uint32_t op, const struct gp_fd_token_peer *peer,
		       int import_fd, struct gp_fd_token_result *res)
{
	struct gp_fd_token *t;
	struct gp_guard guard;
	int r;

	*res = (struct gp_fd_token_result){ 0 };
	t = gp_fd_token_take(token);
	if (!t)
		return -EACCES;
	if (t->op != op || !gp_fd_token_peer_matches(t, peer)) {
		r = -EACCES;
		goto out;
	}
	if (gp_fd_token_now_ns() >= t->expires_ns) {
		r = -ETIMEDOUT;
		goto out;
	}
	/* As an ioctl: nothing happens on an unplugged device. */
	if (!gp_dev_enter(t->file->dev, &guard)) {
		r = -ENODEV;
		goto out;
	}
	if (op == GPU_PROTO_FD_TOKEN_IMPORT)
		r = import_fd >= 0 ? gp_fd_token_import(t, import_fd, res) : -EINVAL;
	else
		r = gp_fd_token_export(t, res);
	gp_dev_exit(&guard);
out:
	gp_fd_token_free(t);
	return r;
}
