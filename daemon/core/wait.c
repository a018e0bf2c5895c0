// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parked waits: waiters, their watches and deadlines, and the one thread
 * that delivers their fires.  See wait.h.
 *
 * Locking.  One process-wide mutex, gp_wait_lock, protects every waiter's
 * state and links, every file's parked list, every gp_wait_queue and the
 * timer and fire lists.  It is a leaf: nothing is called out while it is
 * held (no fence, no file put, no wake op), so it may be taken from a
 * fence callback (under the fence's lock), from revoke, and under
 * dev->lock (gp_wait_park() and gp_wait_wake_device() do, in that order).
 *
 * A waiter's life per arming:
 *   IDLE -> ARMING (first watch) [-> TRIGGERED (an event came already)]
 *        -> ARMED (gp_wait_park()) -> QUEUED (the first event: fence, queue,
 *           deadline, file close, revoke) -> IDLE (the thread took it, tore
 *           its watches down and calls @wake, which may arm it again)
 *   ARMED or QUEUED -> IDLE by gp_waiter_disarm(); ARMING -> IDLE by
 *   gp_wait_cancel() or a failed gp_wait_park().
 * Every event only moves the state and queues under the lock: the fire is
 * delivered by the thread, so a signalling thread (the IRQ path, revoke)
 * never runs a transport's code.
 *
 * Revoke and close against park (the ordering argument).  gp_wait_park()
 * checks "file closed or device unplugged" and links the waiter on the
 * file's parked list in one critical section of dev->lock and
 * gp_wait_lock.  gp_file_close() sets file->closed under dev->lock and
 * then walks the parked list under gp_wait_lock; revoke stores
 * dev->unplugged and then walks the parked list of every file on the
 * device under dev->lock and gp_wait_lock.  Those critical sections are
 * totally ordered.  If the park's comes first, the waiter is on the list
 * the wake walks, and fires.  If the wake's comes first, the store to
 * closed/unplugged happened before it, and so (through the lock) before
 * the park's check, which sees it and fails with ENODEV, leaving nothing
 * armed.  No third order exists, so no waiter parks unseen: a park inside
 * a guard either is seen by revoke's wake or sees unplugged.  The model in
 * verify/wait.pml checks exactly this, and that moving the wake before the
 * store, or dropping the check, loses a waiter.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "device_priv.h"
#include "fence.h"
#include "file.h"
#include "log.h"
#include "rcu.h"
#include "registration.h"
#include "wait.h"
#include "wait_priv.h"

enum {
	GP_WAITER_IDLE,
	GP_WAITER_ARMING,
	GP_WAITER_TRIGGERED,	/* arming, and an event has come already */
	GP_WAITER_ARMED,
	GP_WAITER_QUEUED,
};

/* One thing a waiter watches, for one arming. */
struct gp_waiter_watch {
	struct cds_list_head link;	/* in waiter->watches */
	struct gp_waiter *waiter;
	/* A fence ... */
	struct gp_fence *fence;		/* a reference */
	struct gp_fence_cb cb;
	bool cb_added;
	/* ... or a wait queue of some object. */
	struct gp_wait_queue *queue;
	struct cds_list_head queue_link; /* in queue->watchers while queued (gp_wait_lock) */
	bool queued;
	void *obj;			/* a reference on the queue's owner */
	void (*put_obj)(void *obj);
};

static pthread_mutex_t gp_wait_lock = PTHREAD_MUTEX_INITIALIZER;
/* The thread waits on it for fires and the next deadline (CLOCK_MONOTONIC). */
static pthread_cond_t gp_wait_cond;
/* Broadcast when a waiter stops being delivered or armed (disarm waits on it). */
static pthread_cond_t gp_wait_idle_cond;
static CDS_LIST_HEAD(gp_wait_timers);	/* armed waiters with deadlines, soonest first */
static CDS_LIST_HEAD(gp_wait_fires);	/* queued waiters, in order */
static struct gp_waiter *gp_wait_running; /* whose @wake the thread is calling */
static bool gp_wait_stop;
static pthread_t gp_wait_thread;
static pthread_once_t gp_wait_once = PTHREAD_ONCE_INIT;

int64_t gp_wait_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned int gp_waiter_state(const struct gp_waiter *w)
{
	return atomic_load_explicit((_Atomic unsigned int *)&w->state, memory_order_relaxed);
}

static void gp_waiter_set_state(struct gp_waiter *w, unsigned int state)
{
	atomic_store_explicit((_Atomic unsigned int *)&w->state, state, memory_order_relaxed);
}

void gp_waiter_init(struct gp_waiter *waiter, const struct gp_waiter_ops *ops)
{
	waiter->ops = ops;
	waiter->file = NULL;
	CDS_INIT_LIST_HEAD(&waiter->watches);
	CDS_INIT_LIST_HEAD(&waiter->file_link);
	CDS_INIT_LIST_HEAD(&waiter->timer_link);
	CDS_INIT_LIST_HEAD(&waiter->fire_link);
	waiter->deadline_ns = GP_WAIT_FOREVER;
	gp_waiter_set_state(waiter, GP_WAITER_IDLE);
}

/* --- the thread --- */

/* Fire @w for its current arming.  Under gp_wait_lock; only moves lists. */
static void gp_waiter_fire_locked(struct gp_waiter *w)
{
	switch (gp_waiter_state(w)) {
	case GP_WAITER_ARMING:
		gp_waiter_set_state(w, GP_WAITER_TRIGGERED);
		break;
	case GP_WAITER_ARMED:
		cds_list_del_init(&w->timer_link);
		cds_list_del_init(&w->file_link);
		cds_list_add_tail(&w->fire_link, &gp_wait_fires);
		gp_waiter_set_state(w, GP_WAITER_QUEUED);
		pthread_cond_signal(&gp_wait_cond);
		break;
	default:
		/* Idle, or fired already: at most one fire per arming. */
		break;
	}
}

/*
 * Take what an arming holds off @w: its watches (their queue links go now,
 * under the lock) and its file reference.  Under gp_wait_lock; the caller
 * finishes with gp_wait_teardown() outside it.
 */
static void gp_waiter_take_locked(struct gp_waiter *w, struct cds_list_head *watches,
				  struct gp_file **file)
{
	struct gp_waiter_watch *watch;

	cds_list_splice(&w->watches, watches);
	CDS_INIT_LIST_HEAD(&w->watches);
	cds_list_for_each_entry(watch, watches, link) {
		if (watch->queued) {
			cds_list_del(&watch->queue_link);
			watch->queued = false;
		}
	}
	*file = w->file;
	w->file = NULL;
}

/*
 * Drop taken watches.  Outside gp_wait_lock: removing a fence callback
 * takes the fence's lock, under which the callback takes ours.  Once a
 * removal returns, the callback is not running and never will.
 */
static void gp_wait_teardown(struct cds_list_head *watches, struct gp_file **file)
{
	struct gp_waiter_watch *watch, *tmp;

	cds_list_for_each_entry_safe(watch, tmp, watches, link) {
		if (watch->cb_added)
			gp_fence_remove_callback(watch->fence, &watch->cb);
		gp_fence_put(&watch->fence);
		if (watch->obj)
			watch->put_obj(watch->obj);
		cds_list_del(&watch->link);
		free(watch);
	}
	gp_file_put(file);
}

static void *gp_wait_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&gp_wait_lock);
	for (;;) {
		struct gp_waiter *w, *tmp;
		int64_t now;

		if (!cds_list_empty(&gp_wait_fires)) {
			CDS_LIST_HEAD(watches);
			struct gp_file *file;

			w = cds_list_first_entry(&gp_wait_fires, struct gp_waiter, fire_link);
			cds_list_del_init(&w->fire_link);
			gp_waiter_take_locked(w, &watches, &file);
			gp_waiter_set_state(w, GP_WAITER_IDLE);
			gp_wait_running = w;
			pthread_mutex_unlock(&gp_wait_lock);

			gp_wait_teardown(&watches, &file);
			w->ops->wake(w);

			pthread_mutex_lock(&gp_wait_lock);
			gp_wait_running = NULL;
			pthread_cond_broadcast(&gp_wait_idle_cond);
			continue;
		}
		if (gp_wait_stop)
			break;

		now = gp_wait_now_ns();
		cds_list_for_each_entry_safe(w, tmp, &gp_wait_timers, timer_link) {
			if (w->deadline_ns > now)
				break;
			gp_waiter_fire_locked(w);
		}
		if (!cds_list_empty(&gp_wait_fires))
			continue;

		if (cds_list_empty(&gp_wait_timers)) {
			pthread_cond_wait(&gp_wait_cond, &gp_wait_lock);
		} else {
			int64_t d = cds_list_first_entry(&gp_wait_timers, struct gp_waiter,
							 timer_link)->deadline_ns;
			struct timespec ts = { .tv_sec = d / 1000000000, .tv_nsec = d % 1000000000 };

			pthread_cond_timedwait(&gp_wait_cond, &gp_wait_lock, &ts);
		}
	}
	pthread_mutex_unlock(&gp_wait_lock);
	return NULL;
}

/*
 * At exit: deliver what is queued and join the thread, so it holds nothing
 * (its RCU registration, its stack) that a leak checker would report.
 * Waiters still armed belong to requests their transports never finished;
 * they keep their file references, as the transport keeps the request.
 */
static void gp_wait_shutdown(void)
{
	pthread_mutex_lock(&gp_wait_lock);
	gp_wait_stop = true;
	pthread_cond_signal(&gp_wait_cond);
	pthread_mutex_unlock(&gp_wait_lock);
	pthread_join(gp_wait_thread, NULL);
}

static void gp_wait_start(void)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	int r;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&gp_wait_cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&gp_wait_idle_cond, NULL);

	/* Signals are the daemon's main loop's business, never this thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&gp_wait_thread, NULL, gp_wait_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		/* Nothing can wake a parked request without it. */
		gp_log_errno(LOG_ERR, r, "wait: cannot start the wait thread");
		abort();
	}
	atexit(gp_wait_shutdown);
}

static void gp_wait_ensure_started(void)
{
	pthread_once(&gp_wait_once, gp_wait_start);
}

/* --- arming --- */

static struct gp_waiter *gp_wait_begin(const struct gp_user *user)
{
	struct gp_waiter *w = user->waiter;
	unsigned int state;

	assert(w && "a handler parks only through gp_ioctl(), which always gives a waiter");
	gp_wait_ensure_started();
	pthread_mutex_lock(&gp_wait_lock);
	state = gp_waiter_state(w);
	assert(state == GP_WAITER_IDLE || state == GP_WAITER_ARMING ||
	       state == GP_WAITER_TRIGGERED);
	if (state == GP_WAITER_IDLE)
		gp_waiter_set_state(w, GP_WAITER_ARMING);
	pthread_mutex_unlock(&gp_wait_lock);
	return w;
}

static void gp_wait_fence_func(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	struct gp_waiter_watch *watch = caa_container_of(cb, struct gp_waiter_watch, cb);

	(void)fence;
	pthread_mutex_lock(&gp_wait_lock);
	gp_waiter_fire_locked(watch->waiter);
	pthread_mutex_unlock(&gp_wait_lock);
}

int gp_wait_watch_fence(const struct gp_user *user, struct gp_fence *fence)
{
	struct gp_waiter *w = gp_wait_begin(user);
	struct gp_waiter_watch *watch;

	watch = calloc(1, sizeof(*watch));
	if (!watch) {
		gp_wait_cancel(user);
		return -ENOMEM;
	}
	watch->waiter = w;
	watch->fence = gp_fence_get(fence);
	/* Only this (the arming) thread touches the list until the park publishes it. */
	cds_list_add_tail(&watch->link, &w->watches);
	if (gp_fence_add_callback(fence, &watch->cb, gp_wait_fence_func) == 0) {
		watch->cb_added = true;
	} else {
		/* Signalled already: the handler's re-check sees it; fire at park if not. */
		pthread_mutex_lock(&gp_wait_lock);
		gp_waiter_fire_locked(w);
		pthread_mutex_unlock(&gp_wait_lock);
	}
	return 0;
}

int gp_wait_watch_queue(const struct gp_user *user, struct gp_wait_queue *queue, void *obj,
			void (*put_obj)(void *obj))
{
	struct gp_waiter *w = gp_wait_begin(user);
	struct gp_waiter_watch *watch;

	watch = calloc(1, sizeof(*watch));
	if (!watch) {
		put_obj(obj);
		gp_wait_cancel(user);
		return -ENOMEM;
	}
	watch->waiter = w;
	watch->queue = queue;
	watch->obj = obj;
	watch->put_obj = put_obj;
	cds_list_add_tail(&watch->link, &w->watches);
	pthread_mutex_lock(&gp_wait_lock);
	cds_list_add_tail(&watch->queue_link, &queue->watchers);
	watch->queued = true;
	pthread_mutex_unlock(&gp_wait_lock);
	return 0;
}

void gp_wait_queue_wake(struct gp_wait_queue *q)
{
	struct gp_waiter_watch *watch, *tmp;

	pthread_mutex_lock(&gp_wait_lock);
	cds_list_for_each_entry_safe(watch, tmp, &q->watchers, queue_link) {
		cds_list_del(&watch->queue_link);
		watch->queued = false;
		gp_waiter_fire_locked(watch->waiter);
	}
	pthread_mutex_unlock(&gp_wait_lock);
}

/* Insert @w in the timer list, soonest first; true if it became the first. */
static bool gp_wait_timer_add_locked(struct gp_waiter *w)
{
	struct gp_waiter *pos;

	cds_list_for_each_entry(pos, &gp_wait_timers, timer_link) {
		if (pos->deadline_ns > w->deadline_ns) {
			cds_list_add_tail(&w->timer_link, &pos->timer_link);
			return cds_list_first_entry(&gp_wait_timers, struct gp_waiter,
						    timer_link) == w;
		}
	}
	cds_list_add_tail(&w->timer_link, &gp_wait_timers);
	return gp_wait_timers.next == &w->timer_link;
}

int gp_wait_park(const struct gp_user *user, struct gp_file *file, int64_t deadline_ns)
{
	struct gp_waiter *w = gp_wait_begin(user);
	struct gp_device *dev = file->dev;
	CDS_LIST_HEAD(watches);
	struct gp_file *none = NULL;

	/* One critical section for the check and the link: see the top of this file. */
	pthread_mutex_lock(&dev->lock);
	pthread_mutex_lock(&gp_wait_lock);
	if (file->closed || gp_device_is_unplugged(dev)) {
		gp_waiter_take_locked(w, &watches, &none);
		gp_waiter_set_state(w, GP_WAITER_IDLE);
		pthread_cond_broadcast(&gp_wait_idle_cond);
		pthread_mutex_unlock(&gp_wait_lock);
		pthread_mutex_unlock(&dev->lock);
		gp_wait_teardown(&watches, &none);
		return -ENODEV;
	}
	w->file = gp_file_get(file);
	w->deadline_ns = deadline_ns;
	cds_list_add_tail(&w->file_link, &file->parked);
	if (gp_waiter_state(w) == GP_WAITER_TRIGGERED || deadline_ns <= gp_wait_now_ns()) {
		gp_waiter_set_state(w, GP_WAITER_ARMED);
		gp_waiter_fire_locked(w);
	} else {
		gp_waiter_set_state(w, GP_WAITER_ARMED);
		if (deadline_ns != GP_WAIT_FOREVER && gp_wait_timer_add_locked(w))
			pthread_cond_signal(&gp_wait_cond);
	}
	pthread_cond_broadcast(&gp_wait_idle_cond);
	pthread_mutex_unlock(&gp_wait_lock);
	pthread_mutex_unlock(&dev->lock);
	return -EINPROGRESS;
}

void gp_wait_cancel(const struct gp_user *user)
{
	struct gp_waiter *w = user->waiter;
	CDS_LIST_HEAD(watches);
	struct gp_file *file = NULL;
	unsigned int state;

	if (!w)
		return;
	pthread_mutex_lock(&gp_wait_lock);
	state = gp_waiter_state(w);
	if (state == GP_WAITER_ARMING || state == GP_WAITER_TRIGGERED) {
		gp_waiter_take_locked(w, &watches, &file);
		gp_waiter_set_state(w, GP_WAITER_IDLE);
		pthread_cond_broadcast(&gp_wait_idle_cond);
	}
	pthread_mutex_unlock(&gp_wait_lock);
	gp_wait_teardown(&watches, &file);
}

void gp_waiter_disarm(struct gp_waiter *w)
{
	CDS_LIST_HEAD(watches);
	struct gp_file *file = NULL;

	assert(!gp_guard_held());
	pthread_mutex_lock(&gp_wait_lock);
	for (;;) {
		unsigned int state = gp_waiter_state(w);

		/* Being delivered, or armed by another thread right now: let it finish. */
		if (w == gp_wait_running || state == GP_WAITER_ARMING ||
		    state == GP_WAITER_TRIGGERED) {
			pthread_cond_wait(&gp_wait_idle_cond, &gp_wait_lock);
			continue;
		}
		if (state == GP_WAITER_ARMED || state == GP_WAITER_QUEUED) {
			cds_list_del_init(&w->timer_link);
			cds_list_del_init(&w->file_link);
			cds_list_del_init(&w->fire_link);
			gp_waiter_take_locked(w, &watches, &file);
			gp_waiter_set_state(w, GP_WAITER_IDLE);
		}
		break;
	}
	pthread_mutex_unlock(&gp_wait_lock);
	gp_wait_teardown(&watches, &file);
}

/* --- close and revoke --- */

static void gp_wait_wake_file_locked(struct gp_file *file)
{
	struct gp_waiter *w, *tmp;

	cds_list_for_each_entry_safe(w, tmp, &file->parked, file_link)
		gp_waiter_fire_locked(w);
}

void gp_wait_wake_file(struct gp_file *file)
{
	pthread_mutex_lock(&gp_wait_lock);
	gp_wait_wake_file_locked(file);
	pthread_mutex_unlock(&gp_wait_lock);
}

void gp_wait_wake_device(struct gp_device *dev)
{
	struct gp_file *file;

	pthread_mutex_lock(&dev->lock);
	pthread_mutex_lock(&gp_wait_lock);
	cds_list_for_each_entry(file, &dev->files, link)
		gp_wait_wake_file_locked(file);
	pthread_mutex_unlock(&gp_wait_lock);
	pthread_mutex_unlock(&dev->lock);
}
