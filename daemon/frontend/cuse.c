// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CUSE frontend.  See cuse.h and docs/architecture.md ("Caller memory and
 * the retry protocol") for how an ioctl's memory moves.
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE

#include <cuse_lowlevel.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <urcu/list.h>

#include "caller.h"
#include "cuse.h"
#include "ioctl.h"
#include "log.h"
#include "retry.h"
#include "wait.h"

/* Wakes the loop thread out of sem_wait() when the session is to end. */
#define GP_CUSE_WAKE_SIGNAL SIGUSR2

/*
 * Reads between "nothing queued" and "parked", at most one per worker
 * (--threads is at most 64): an interrupt may arrive in that window.
 */
#define GP_CUSE_READS_SETTING_UP 64

/* A blocking read waiting for an event. */
struct gp_cuse_parked_read {
	struct cds_list_head link;
	fuse_req_t req;
	uint64_t token;			/* names it to the interrupt callback */
	struct gp_cuse_file *cf;
	size_t size;
};

/*
 * An ioctl request, with a waiter for when its handler parks it (wait.h).
 * While it is parked it holds its fuse_req and a copy of what the retry
 * protocol gave it, so the waiter's wake can run it again on wait.c's
 * thread: no libfuse worker waits for it.  Who answers it is decided
 * under cuse->lock by gp_cuse_pioctl_claim(): the re-run that completes,
 * the interrupt (EINTR), or the session's end (ENODEV), whichever first.
 */
struct gp_cuse_pioctl {
	struct gp_waiter waiter;
	struct cds_list_head link;	/* in cuse->parked_ioctls (cuse->lock) */
	struct gp_cuse *cuse;
	struct gp_cuse_file *cf;
	fuse_req_t req;
	uint64_t token;			/* names it to the interrupt callback */
	unsigned int cmd;
	uint64_t arg;
	struct gp_caller caller;
	unsigned char *in_buf;		/* the request's IN bytes, copied when it parks */
	size_t in_bufsz, out_bufsz;
	/* Under cuse->lock. */
	unsigned int refs;		/* the request's own, and whoever works on it */
	bool ready;			/* set up: a wake may run it */
	bool woken;			/* a wake came before it was ready */
	bool interrupted;		/* an interrupt came before it was ready */
	bool answered;			/* claimed: someone has answered or will */
};

/* Per-open state, fi->fh. */
struct gp_cuse_file {
	struct gp_cuse *cuse;
	struct gp_file *file;		/* the opener's reference */
	struct fuse_pollhandle *ph;	/* under cuse->lock */
};

struct gp_cuse {
	struct gp_cuse_config cfg;
	char *devname;
	struct fuse_session *se;
	pthread_t loop_thread;
	bool loop_running;
	atomic_bool stopping;

	/* Parked reads and poll handles of every file. */
	pthread_mutex_t lock;
	struct cds_list_head parked;
	uint64_t next_token;
	struct {
		uint64_t token;
		bool interrupted;
	} setting_up[GP_CUSE_READS_SETTING_UP];
	unsigned int n_setting_up;
	/* Parked ioctls (struct gp_cuse_pioctl), answered or not. */
	struct cds_list_head parked_ioctls;

	struct {
		atomic_uint_fast64_t opens, open_files, ioctls, round_trips, reads, parked, polls;
		atomic_uint_fast64_t ioctls_parked, ioctls_waiting;
	} stats;
};

/* --- caller memory over the retry protocol (retry.c) --- */

static void gp_cuse_reply_retry(fuse_req_t req, const struct gp_user_plan *want)
{
	struct iovec in[GP_USER_RANGES_MAX], out[GP_USER_RANGES_MAX];
	size_t n_in = 0, n_out = 0;

	for (unsigned int i = 0; i < want->count; i++) {
		const struct gp_user_range *r = &want->ranges[i];
		struct iovec iov = { .iov_base = (void *)(uintptr_t)r->addr, .iov_len = r->len };

		if (r->dir & GP_USER_IN)
			in[n_in++] = iov;
		if (r->dir & GP_USER_OUT)
			out[n_out++] = iov;
	}
	fuse_reply_ioctl_retry(req, n_in ? in : NULL, n_in, n_out ? out : NULL, n_out);
}

/* Answer an ioctl with the output of a round that completed. */
static void gp_cuse_reply_ioctl(fuse_req_t req, const struct gp_retry_ioctl *io, int result)
{
	/* The output goes back even with an error result, as drm_ioctl() does. */
	if (io->planned && io->out_len)
		fuse_reply_ioctl(req, result, io->out, io->out_len);
	else if (result < 0)
		fuse_reply_err(req, -result);
	else
		fuse_reply_ioctl(req, result, NULL, 0);
}

/*
 * A libfuse worker keeps one request's storage for the next one while it
 * never parks, so an ordinary ioctl costs no allocation; a parked request
 * takes it along.  Freed with the worker (gp_cuse_spare_key's destructor).
 */
static __thread struct gp_cuse_pioctl *gp_cuse_spare;
static pthread_key_t gp_cuse_spare_key;
static pthread_once_t gp_cuse_spare_once = PTHREAD_ONCE_INIT;

static void gp_cuse_spare_free(void *p)
{
	free(p);
}

static void gp_cuse_spare_key_create(void)
{
	if (pthread_key_create(&gp_cuse_spare_key, gp_cuse_spare_free) != 0)
		abort();	/* only at start-up, out of keys: nothing to recover */
}

static void gp_cuse_pioctl_put_locked(struct gp_cuse_pioctl *p, bool *free_it)
{
	*free_it = --p->refs == 0;
}

static void gp_cuse_pioctl_free(struct gp_cuse_pioctl *p)
{
	free(p->in_buf);
	free(p);
}

static void gp_cuse_pioctl_put(struct gp_cuse_pioctl *p)
{
	struct gp_cuse *cuse = p->cuse;
	bool free_it;

	pthread_mutex_lock(&cuse->lock);
	gp_cuse_pioctl_put_locked(p, &free_it);
	pthread_mutex_unlock(&cuse->lock);
	if (free_it)
		gp_cuse_pioctl_free(p);
}

/* Become the one that answers @p; false if another did.  Under cuse->lock. */
static bool gp_cuse_pioctl_claim(struct gp_cuse_pioctl *p)
{
	if (p->answered)
		return false;
	p->answered = true;
	cds_list_del(&p->link);
	atomic_fetch_sub(&p->cuse->stats.ioctls_waiting, 1);
	return true;
}

/*
 * Answer a claimed, parked request with @err and drop its own reference.
 * Disarm first: when it returns no wake runs or will run, so nothing
 * touches the request after the answer but our reference.
 */
static void gp_cuse_pioctl_abort(struct gp_cuse_pioctl *p, int err)
{
	gp_waiter_disarm(&p->waiter);
	fuse_reply_err(p->req, err);
	gp_cuse_pioctl_put(p);
}

/* Run a parked request again, as its wake; answer it if it completes. */
static void gp_cuse_pioctl_run(struct gp_cuse_pioctl *p)
{
	struct gp_cuse *cuse = p->cuse;
	struct gp_retry_ioctl io;
	struct gp_user user = gp_retry_ioctl_init(&io, &gp_retry_cuse_limits, p->in_buf,
						  p->in_bufsz, p->out_bufsz);
	bool mine, free_it;
	int r, result = 0;

	pthread_mutex_lock(&cuse->lock);
	mine = !p->answered;
	p->refs++;
	pthread_mutex_unlock(&cuse->lock);
	if (mine) {
		user.caller = &p->caller;
		user.waiter = &p->waiter;
		atomic_fetch_add(&cuse->stats.round_trips, 1);
		r = gp_ioctl(p->cf->file, p->cmd, p->arg, &user, &result);
		if (r != -EINPROGRESS) {
			pthread_mutex_lock(&cuse->lock);
			mine = gp_cuse_pioctl_claim(p);
			if (mine)
				p->refs--;	/* the request's own: it is answered below */
			pthread_mutex_unlock(&cuse->lock);
			if (mine && r == -EAGAIN) {
				/* The kernel sends it again as a new request. */
				gp_cuse_reply_retry(p->req, &io.want);
			} else if (mine) {
				atomic_fetch_add(&cuse->stats.ioctls, 1);
				gp_cuse_reply_ioctl(p->req, &io, result);
			}
		}
	}
	gp_retry_ioctl_release(&io);
	pthread_mutex_lock(&cuse->lock);
	gp_cuse_pioctl_put_locked(p, &free_it);
	pthread_mutex_unlock(&cuse->lock);
	if (free_it)
		gp_cuse_pioctl_free(p);
}

/* The waiter fired (wait.c's thread). */
static void gp_cuse_pioctl_wake(struct gp_waiter *waiter)
{
	struct gp_cuse_pioctl *p = caa_container_of(waiter, struct gp_cuse_pioctl, waiter);
	struct gp_cuse *cuse = p->cuse;
	bool ready;

	pthread_mutex_lock(&cuse->lock);
	ready = p->ready;
	if (!ready)
		p->woken = true;	/* its worker runs it again once set up */
	pthread_mutex_unlock(&cuse->lock);
	if (ready)
		gp_cuse_pioctl_run(p);
}

static const struct gp_waiter_ops gp_cuse_pioctl_ops = {
	.wake = gp_cuse_pioctl_wake,
};

/*
 * The caller of a parked ioctl was interrupted: disarm it and answer
 * EINTR (libdrm's drmIoctl() restarts it, and the handler re-checks from
 * the start).  As for reads, a token names the request: an interrupt for
 * one already answered finds nothing.  One still being set up is only
 * marked; its worker answers it.
 */
static void gp_cuse_ioctl_interrupted(fuse_req_t req, void *data)
{
	struct gp_cuse *cuse = fuse_req_userdata(req);
	uint64_t token = (uint64_t)(uintptr_t)data;
	struct gp_cuse_pioctl *p, *found = NULL;

	pthread_mutex_lock(&cuse->lock);
	cds_list_for_each_entry(p, &cuse->parked_ioctls, link) {
		if (p->token == token) {
			found = p;
			break;
		}
	}
	if (found && !found->ready) {
		found->interrupted = true;
		found = NULL;
	} else if (found && !gp_cuse_pioctl_claim(found)) {
		found = NULL;
	}
	pthread_mutex_unlock(&cuse->lock);
	if (found)
		gp_cuse_pioctl_abort(found, EINTR);
}

static void gp_cuse_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi,
			  unsigned int flags, const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	struct gp_cuse_file *cf = (struct gp_cuse_file *)(uintptr_t)fi->fh;
	struct gp_cuse *cuse = cf->cuse;
	const struct fuse_ctx *fctx = fuse_req_ctx(req);
	struct gp_retry_ioctl io;
	struct gp_user user = gp_retry_ioctl_init(&io, &gp_retry_cuse_limits, in_buf, in_bufsz,
						  out_bufsz);
	struct gp_cuse_pioctl *p;
	bool interrupted, woken;
	int r, result;

	atomic_fetch_add(&cuse->stats.round_trips, 1);
	/*
	 * 32-bit callers: VERSION and GET_UNIQUE have other layouts there and
	 * nothing translates them, so every compat ioctl is refused the same
	 * way an unknown ioctl is.
	 */
	if (flags & FUSE_IOCTL_COMPAT) {
		atomic_fetch_add(&cuse->stats.ioctls, 1);
		fuse_reply_err(req, ENOTTY);
		gp_retry_ioctl_release(&io);
		return;
	}

	p = gp_cuse_spare;
	if (!p) {
		pthread_once(&gp_cuse_spare_once, gp_cuse_spare_key_create);
		p = malloc(sizeof(*p));
		if (!p) {
			fuse_reply_err(req, ENOMEM);
			gp_retry_ioctl_release(&io);
			return;
		}
		gp_cuse_spare = p;
		pthread_setspecific(gp_cuse_spare_key, p);
	}
	gp_waiter_init(&p->waiter, &gp_cuse_pioctl_ops);
	/* What a wake reads before the request is ready (it only marks it then). */
	p->cuse = cuse;
	p->ready = p->woken = p->interrupted = p->answered = false;
	/*
	 * Every request names its own caller (the thread in the ioctl now,
	 * whoever opened the file), so privilege checks follow the caller as
	 * the kernel's capable() follows current.
	 */
	gp_caller_from_request(fctx->pid, fctx->uid, fctx->gid, &p->caller);
	user.caller = &p->caller;
	user.waiter = &p->waiter;

	r = gp_ioctl(cf->file, (unsigned int)cmd, (uint64_t)(uintptr_t)arg, &user, &result);
	if (r == -EAGAIN) {
		gp_cuse_reply_retry(req, &io.want);
		gp_retry_ioctl_release(&io);
		return;
	}
	if (r != -EINPROGRESS) {
		atomic_fetch_add(&cuse->stats.ioctls, 1);
		gp_cuse_reply_ioctl(req, &io, result);
		gp_retry_ioctl_release(&io);
		return;
	}
	gp_retry_ioctl_release(&io);

	/*
	 * Parked.  The waiter may fire already; its wake only marks the
	 * request until it is ready, and in_buf stays valid until we return.
	 * The storage is the request's now: this worker takes a new one next.
	 */
	gp_cuse_spare = NULL;
	pthread_setspecific(gp_cuse_spare_key, NULL);
	p->cf = cf;
	p->req = req;
	p->cmd = (unsigned int)cmd;
	p->arg = (uint64_t)(uintptr_t)arg;
	p->in_bufsz = in_bufsz;
	p->out_bufsz = out_bufsz;
	p->refs = 2;		/* the request's own, and this worker's */
	p->in_buf = in_bufsz ? malloc(in_bufsz) : NULL;
	if (in_bufsz && !p->in_buf) {
		gp_waiter_disarm(&p->waiter);
		fuse_reply_err(req, ENOMEM);
		free(p);
		return;
	}
	if (in_bufsz)
		memcpy(p->in_buf, in_buf, in_bufsz);

	pthread_mutex_lock(&cuse->lock);
	p->token = ++cuse->next_token;
	cds_list_add_tail(&p->link, &cuse->parked_ioctls);
	atomic_fetch_add(&cuse->stats.ioctls_parked, 1);
	atomic_fetch_add(&cuse->stats.ioctls_waiting, 1);
	pthread_mutex_unlock(&cuse->lock);

	/* Registered unlocked: libfuse calls it at once if already interrupted. */
	fuse_req_interrupt_func(req, gp_cuse_ioctl_interrupted, (void *)(uintptr_t)p->token);

	pthread_mutex_lock(&cuse->lock);
	p->ready = true;
	interrupted = p->interrupted && gp_cuse_pioctl_claim(p);
	woken = p->woken;
	pthread_mutex_unlock(&cuse->lock);
	if (interrupted)
		gp_cuse_pioctl_abort(p, EINTR);
	else if (woken)
		gp_cuse_pioctl_run(p);
	gp_cuse_pioctl_put(p);
}

/* --- open / release --- */

static void gp_cuse_file_notify(struct gp_file *file, void *ctx);

static void gp_cuse_open(fuse_req_t req, struct fuse_file_info *fi)
{
	struct gp_cuse *cuse = fuse_req_userdata(req);
	const struct fuse_ctx *fctx = fuse_req_ctx(req);
	struct gp_device *dev;
	struct gp_cuse_file *cf;
	struct gp_caller caller;
	int r;

	dev = cuse->cfg.current_device(cuse->cfg.ctx);
	if (!dev) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	cf = calloc(1, sizeof(*cf));
	if (!cf) {
		gp_device_put(&dev);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	cf->cuse = cuse;
	gp_caller_from_request(fctx->pid, fctx->uid, fctx->gid, &caller);
	r = gp_file_open(dev, &caller, cuse->cfg.node, &cf->file);
	gp_device_put(&dev);
	if (r < 0) {
		free(cf);
		fuse_reply_err(req, -r);
		return;
	}
	gp_file_set_notify(cf->file, gp_cuse_file_notify, cf);
	fi->fh = (uintptr_t)cf;
	fi->nonseekable = 1;
	fi->direct_io = 1;
	atomic_fetch_add(&cuse->stats.opens, 1);
	atomic_fetch_add(&cuse->stats.open_files, 1);
	if (fuse_reply_open(req, fi) != 0) {
		/* The opener is gone: no release will come for this file. */
		gp_file_close(&cf->file);
		atomic_fetch_sub(&cuse->stats.open_files, 1);
		free(cf);
	}
}

static void gp_cuse_release(fuse_req_t req, struct fuse_file_info *fi)
{
	struct gp_cuse_file *cf = (struct gp_cuse_file *)(uintptr_t)fi->fh;
	struct gp_cuse *cuse = cf->cuse;

	/* After this no notify runs, so cf can go. */
	gp_file_close(&cf->file);
	pthread_mutex_lock(&cuse->lock);
	if (cf->ph)
		fuse_pollhandle_destroy(cf->ph);
	pthread_mutex_unlock(&cuse->lock);
	atomic_fetch_sub(&cuse->stats.open_files, 1);
	free(cf);
	fuse_reply_err(req, 0);
}

/* --- read: whole events, parked when none is queued --- */

/* Answer a read with what the queue has; false if it must keep waiting. */
static bool gp_cuse_read_answer(fuse_req_t req, struct gp_file *file, size_t size)
{
	unsigned char buf[GP_FILE_EVENT_SPACE];
	ssize_t r;

	r = gp_file_read_events(file, buf, size < sizeof(buf) ? size : sizeof(buf));
	if (r == -EAGAIN)
		return false;
	if (r < 0)
		fuse_reply_err(req, (int)-r);
	else
		fuse_reply_buf(req, (const char *)buf, (size_t)r);
	return true;
}

/* Stop tracking a read that is being set up; whether it was interrupted meanwhile. */
static bool gp_cuse_setup_done(struct gp_cuse *cuse, uint64_t token)
{
	for (unsigned int i = 0; i < cuse->n_setting_up; i++) {
		if (cuse->setting_up[i].token == token) {
			bool interrupted = cuse->setting_up[i].interrupted;

			cuse->setting_up[i] = cuse->setting_up[--cuse->n_setting_up];
			return interrupted;
		}
	}
	return false;
}

/*
 * The caller of a parked read was interrupted.  libfuse may call this
 * before we parked the read (it is still being set up: remember the
 * interrupt for it) or after we answered it (it raced with an event: the
 * token is unknown and there is nothing to do).  A token, not a pointer,
 * names the read, so neither case touches freed memory, and only reads
 * being set up are remembered, so nothing accumulates.
 */
static void gp_cuse_read_interrupted(fuse_req_t req, void *data)
{
	struct gp_cuse *cuse = fuse_req_userdata(req);
	uint64_t token = (uint64_t)(uintptr_t)data;
	struct gp_cuse_parked_read *p, *found = NULL;

	pthread_mutex_lock(&cuse->lock);
	cds_list_for_each_entry(p, &cuse->parked, link) {
		if (p->token == token) {
			found = p;
			break;
		}
	}
	if (found) {
		cds_list_del(&found->link);
		fuse_reply_err(found->req, EINTR);
		free(found);
	} else {
		for (unsigned int i = 0; i < cuse->n_setting_up; i++)
			if (cuse->setting_up[i].token == token)
				cuse->setting_up[i].interrupted = true;
	}
	pthread_mutex_unlock(&cuse->lock);
}

static void gp_cuse_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct gp_cuse_file *cf = (struct gp_cuse_file *)(uintptr_t)fi->fh;
	struct gp_cuse *cuse = cf->cuse;
	struct gp_cuse_parked_read *p;
	uint64_t token;

	atomic_fetch_add(&cuse->stats.reads, 1);
	if (gp_cuse_read_answer(req, cf->file, size))
		return;
	if (fi->flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
		return;
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&cuse->lock);
	if (cuse->n_setting_up == GP_CUSE_READS_SETTING_UP) {
		/* More concurrent reads than workers: cannot happen; refuse rather than lose one. */
		pthread_mutex_unlock(&cuse->lock);
		free(p);
		fuse_reply_err(req, EAGAIN);
		return;
	}
	token = ++cuse->next_token;
	cuse->setting_up[cuse->n_setting_up++] = (typeof(cuse->setting_up[0])){ .token = token };
	pthread_mutex_unlock(&cuse->lock);

	/* Registered unlocked: libfuse calls it at once if already interrupted. */
	fuse_req_interrupt_func(req, gp_cuse_read_interrupted, (void *)(uintptr_t)token);

	pthread_mutex_lock(&cuse->lock);
	if (gp_cuse_setup_done(cuse, token)) {
		fuse_reply_err(req, EINTR);
		free(p);
	} else if (gp_cuse_read_answer(req, cf->file, size)) {
		/* An event (or revoke) came while we were setting up. */
		free(p);
	} else {
		*p = (struct gp_cuse_parked_read){ .req = req, .token = token, .cf = cf, .size = size };
		cds_list_add_tail(&p->link, &cuse->parked);
		atomic_fetch_add(&cuse->stats.parked, 1);
	}
	pthread_mutex_unlock(&cuse->lock);
}

/*
 * The core says the file may be readable or dead: answer its parked reads
 * and tell the kernel to poll again.
 */
static void gp_cuse_file_notify(struct gp_file *file, void *ctx)
{
	struct gp_cuse_file *cf = ctx;
	struct gp_cuse *cuse = cf->cuse;
	struct gp_cuse_parked_read *p, *tmp;

	pthread_mutex_lock(&cuse->lock);
	cds_list_for_each_entry_safe(p, tmp, &cuse->parked, link) {
		if (p->cf != cf)
			continue;
		if (!gp_cuse_read_answer(p->req, file, p->size))
			break;	/* queue drained: later readers keep waiting */
		cds_list_del(&p->link);
		free(p);
	}
	if (cf->ph) {
		fuse_lowlevel_notify_poll(cf->ph);
		fuse_pollhandle_destroy(cf->ph);
		cf->ph = NULL;
	}
	pthread_mutex_unlock(&cuse->lock);
}

static void gp_cuse_poll(fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	struct gp_cuse_file *cf = (struct gp_cuse_file *)(uintptr_t)fi->fh;
	struct gp_cuse *cuse = cf->cuse;
	unsigned int mask;

	atomic_fetch_add(&cuse->stats.polls, 1);
	if (ph) {
		/* Keep the newest handle; the kernel re-polls after a notify. */
		pthread_mutex_lock(&cuse->lock);
		if (cf->ph)
			fuse_pollhandle_destroy(cf->ph);
		cf->ph = ph;
		pthread_mutex_unlock(&cuse->lock);
	}
	/* Checked after the handle is in place, so no wake-up falls in between. */
	mask = gp_file_poll(cf->file);
	fuse_reply_poll(req, mask);
}

static void gp_cuse_write(fuse_req_t req, const char *buf, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	/* A DRM node is not writable. */
	fuse_reply_err(req, EINVAL);
}

static void gp_cuse_init_done(void *userdata)
{
	struct gp_cuse *cuse = userdata;

	if (cuse->cfg.init_done)
		cuse->cfg.init_done(cuse->cfg.ctx);
}

static const struct cuse_lowlevel_ops gp_cuse_ops = {
	.init_done = gp_cuse_init_done,
	.open = gp_cuse_open,
	.read = gp_cuse_read,
	.write = gp_cuse_write,
	.release = gp_cuse_release,
	.ioctl = gp_cuse_ioctl,
	.poll = gp_cuse_poll,
};

/* --- session --- */

int gp_cuse_new(const struct gp_cuse_config *cfg, struct gp_cuse **out)
{
	char devname_arg[128], mountpoint[32];
	const char *dev_info_argv[] = { devname_arg };
	struct cuse_info ci = {
		.dev_info_argc = 1,
		.dev_info_argv = dev_info_argv,
		.flags = CUSE_UNRESTRICTED_IOCTL,
	};
	char *argv[] = { (char *)"gpu-protod", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct gp_cuse *cuse;
	int fd, r;

	if (!cfg->devname[0] || strchr(cfg->devname, '/') || strlen(cfg->devname) > 64)
		return gp_log_errno(LOG_ERR, EINVAL, "device name '%s': must be 1-64 characters, no '/'",
				    cfg->devname);
	snprintf(devname_arg, sizeof(devname_arg), "DEVNAME=%s", cfg->devname);

	cuse = calloc(1, sizeof(*cuse));
	if (!cuse)
		return -ENOMEM;
	cuse->cfg = *cfg;
	cuse->devname = strdup(cfg->devname);
	pthread_mutex_init(&cuse->lock, NULL);
	CDS_INIT_LIST_HEAD(&cuse->parked);
	CDS_INIT_LIST_HEAD(&cuse->parked_ioctls);
	if (!cuse->devname) {
		r = -ENOMEM;
		goto fail;
	}
	cuse->cfg.devname = cuse->devname;

	/*
	 * Open /dev/cuse ourselves rather than through cuse_lowlevel_setup():
	 * that one also installs signal handlers and may daemonize, and the
	 * daemon's control plane owns both.
	 */
	fd = open("/dev/cuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT || r == -ENODEV || r == -ENXIO)
			gp_log_errno(LOG_ERR, r, "open /dev/cuse (is the cuse module loaded? modprobe cuse)");
		else
			gp_log_errno(LOG_ERR, r, "open /dev/cuse");
		goto fail;
	}

	cuse->se = cuse_lowlevel_new(&args, &ci, &gp_cuse_ops, cuse);
	if (!cuse->se) {
		close(fd);
		r = gp_log_errno(LOG_ERR, EIO, "libfuse: cannot create the CUSE session");
		goto fail;
	}
	/* libfuse takes an already open fuse fd as "/dev/fd/N". */
	snprintf(mountpoint, sizeof(mountpoint), "/dev/fd/%d", fd);
	if (fuse_session_mount(cuse->se, mountpoint) != 0) {
		close(fd);
		r = gp_log_errno(LOG_ERR, EIO, "libfuse: cannot attach /dev/cuse to the session");
		goto fail;
	}
	*out = cuse;
	return 0;

fail:
	if (cuse->se)
		fuse_session_destroy(cuse->se);
	pthread_mutex_destroy(&cuse->lock);
	free(cuse->devname);
	free(cuse);
	return r;
}

static void gp_cuse_wake_handler(int sig)
{
}

static void *gp_cuse_loop_main(void *arg)
{
	struct gp_cuse *cuse = arg;
	struct fuse_loop_config *lc;
	int r;

	lc = fuse_loop_cfg_create();
	if (!lc) {
		r = -ENOMEM;
	} else {
		fuse_loop_cfg_set_max_threads(lc, cuse->cfg.max_threads);
		/* Keep idle workers: creating threads per burst costs more than they do. */
		fuse_loop_cfg_set_idle_threads(lc, cuse->cfg.max_threads);
		r = fuse_session_loop_mt(cuse->se, lc);
		fuse_loop_cfg_destroy(lc);
	}
	if (!atomic_load(&cuse->stopping) && cuse->cfg.session_ended)
		cuse->cfg.session_ended(cuse->cfg.ctx, r);
	return NULL;
}

int gp_cuse_start(struct gp_cuse *cuse)
{
	struct sigaction sa = { .sa_handler = gp_cuse_wake_handler };
	sigset_t mask, old;
	int r;

	/* No SA_RESTART: the signal must interrupt the loop's sem_wait(). */
	sigemptyset(&sa.sa_mask);
	sigaction(GP_CUSE_WAKE_SIGNAL, &sa, NULL);

	/*
	 * The loop thread and the workers it creates inherit this mask: they
	 * take only the wake signal; process signals go to the control plane.
	 */
	sigfillset(&mask);
	sigdelset(&mask, GP_CUSE_WAKE_SIGNAL);
	sigdelset(&mask, SIGSEGV);
	sigdelset(&mask, SIGBUS);
	sigdelset(&mask, SIGFPE);
	sigdelset(&mask, SIGILL);
	sigdelset(&mask, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	r = -pthread_create(&cuse->loop_thread, NULL, gp_cuse_loop_main, cuse);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "cannot start the CUSE session thread");
	cuse->loop_running = true;
	return 0;
}

void gp_cuse_stop(struct gp_cuse *cuse)
{
	struct timespec deadline;

	if (!cuse->loop_running)
		return;
	atomic_store(&cuse->stopping, true);
	fuse_session_exit(cuse->se);
	/*
	 * The loop thread sleeps in sem_wait() until a worker finishes; the
	 * signal interrupts it so it sees the exit flag and cancels the
	 * workers.  Repeated, because a signal that lands just before the
	 * sem_wait() would be lost.
	 */
	for (;;) {
		pthread_kill(cuse->loop_thread, GP_CUSE_WAKE_SIGNAL);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += 50 * 1000 * 1000;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(cuse->loop_thread, NULL, &deadline) == 0)
			break;
	}
	cuse->loop_running = false;
}

void gp_cuse_free(struct gp_cuse **pcuse)
{
	struct gp_cuse *cuse = *pcuse;
	struct gp_cuse_parked_read *p, *tmp;
	struct gp_cuse_pioctl *pi;

	if (!cuse)
		return;
	gp_cuse_stop(cuse);
	/* Requests still parked get an answer: every request is answered once. */
	cds_list_for_each_entry_safe(p, tmp, &cuse->parked, link) {
		cds_list_del(&p->link);
		fuse_reply_err(p->req, ENODEV);
		free(p);
	}
	/*
	 * Parked ioctls too, one at a time: a wake may be running one right
	 * now (it claims under the lock), so claim, then abort (disarm waits
	 * for that wake) outside the lock.
	 */
	for (;;) {
		pi = NULL;
		pthread_mutex_lock(&cuse->lock);
		if (!cds_list_empty(&cuse->parked_ioctls)) {
			pi = cds_list_first_entry(&cuse->parked_ioctls, struct gp_cuse_pioctl, link);
			if (!gp_cuse_pioctl_claim(pi))
				pi = NULL;	/* cannot be: an answered one is off the list */
		}
		pthread_mutex_unlock(&cuse->lock);
		if (!pi)
			break;
		gp_cuse_pioctl_abort(pi, ENODEV);
	}
	fuse_session_destroy(cuse->se);		/* closes /dev/cuse: the node goes */
	pthread_mutex_destroy(&cuse->lock);
	free(cuse->devname);
	free(cuse);
	*pcuse = NULL;
}

void gp_cuse_get_stats(struct gp_cuse *cuse, struct gp_transport_stats *s)
{
	s->opens = atomic_load(&cuse->stats.opens);
	s->open_files = atomic_load(&cuse->stats.open_files);
	s->ioctls = atomic_load(&cuse->stats.ioctls);
	s->ioctl_round_trips = atomic_load(&cuse->stats.round_trips);
	s->reads = atomic_load(&cuse->stats.reads);
	s->reads_parked = atomic_load(&cuse->stats.parked);
	s->polls = atomic_load(&cuse->stats.polls);
	s->ioctls_parked = atomic_load(&cuse->stats.ioctls_parked);
	s->ioctls_waiting = atomic_load(&cuse->stats.ioctls_waiting);
}
