// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sync objects and their timelines: drm_syncobj.c's objects and handles
 * with dma-fence-chain.c's timeline semantics.
 *
 * A timeline point (struct gp_syncobj_point, a dma_fence_chain) contains
 * the fence of the work that signals it and depends on the object's
 * previous fence.  Its *chain fence* signals once both have signalled, so
 * waiting on a point waits for every point below it, as in the kernel.
 * The chain fence carries the first error of the two (a job that failed
 * makes every later point fail too); the kernel's chain carries none, but
 * SYNCOBJ_STATUS is a gpu-proto extension and this is what it reports.
 *
 * Two structures, as dma_fence_chain's prev pointer serves both:
 *  - dependencies: a point holds a reference on its previous fence and a
 *    callback on it and on its contained fence until its chain signals,
 *    then drops the previous fence, so signalled history is freed;
 *  - the list for lookups: the object's newest point links to older ones
 *    (prev_node).  Walking it unlinks points whose contained fence has
 *    signalled, as dma_fence_chain_walk() collects garbage; lookups then
 *    answer with an older point's chain fence (it covers the same wait) or
 *    the stub when nothing below is left.
 *
 * Chain fences signal from fence callbacks, and one signal can complete a
 * long run of points (a thousand stub points above one pending job).  So
 * that this never recurses once per point on the signalling thread (the
 * IRQ path), completions go through a per-thread queue drained by the
 * outermost one.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fence.h"
#include "file.h"
#include "log.h"
#include "syncobj.h"
#include "syncobj_priv.h"
#include "wait_priv.h"

struct gp_syncobj_point {
	_Atomic unsigned long ref;	/* list links, the pending chain, callers */
	uint64_t seqno;			/* the point */
	uint64_t prev_seqno;		/* the point below, in the same context; else 0 */
	uint64_t context;		/* as dma_fence.context: one run of increasing points */
	struct gp_fence *fence;		/* contained: the work's fence */
	struct gp_fence *chain;		/* signals when @fence and @prev have */
	struct gp_fence *prev;		/* the previous fence until @chain signals */
	/* Older point in the object's list; the object's lock protects it. */
	struct gp_syncobj_point *prev_node;
	/*
	 * The first error of the points collected between this point and
	 * @prev_node, and the lowest of those points that carries it (0: it
	 * came from below every point, a fence the timeline replaced).  A
	 * lookup of a collected point lands on an older point, whose chain
	 * does not cover the collected one's fence; SYNCOBJ_STATUS adds this.
	 * The object's lock protects both.
	 */
	int gap_error;
	uint64_t gap_from;
	struct gp_fence_cb fence_cb, prev_cb;
	_Atomic unsigned int pending;	/* dependencies left, plus one while arming */
	_Atomic int error;		/* first error of the dependencies */
	struct gp_syncobj_point *queue_next;	/* in this thread's completion queue */
};

struct gp_syncobj {
	_Atomic unsigned long ref;
	/*
	 * Protects @fence and @node.  Never held while a fence is signalled
	 * or a callback added, so fence locks never nest inside it.
	 */
	pthread_mutex_t lock;
	struct gp_fence *fence;		/* NULL, a binary fence, or @node's chain */
	struct gp_syncobj_point *node;	/* the newest point when a timeline */
	struct gp_wait_queue waiters;	/* parked waits (wait_priv.h) */
};

/* Parked requests with a fixed time limit a file remembers at once. */
#define GP_SYNCOBJ_REQUEST_DEADLINES	16

struct gp_syncobj_table {
	/* Per file; never taken by revoke or the IRQ path.  A leaf lock. */
	pthread_mutex_t lock;
	struct gp_syncobj **objs;	/* objs[handle - 1]; NULL: free slot */
	unsigned int slots;
	unsigned int count;
	unsigned int lowest_free;	/* no free slot has a lower index */
	bool closed;
	/* Deadlines of parked requests, by waiter (gp_syncobj_request_deadline()). */
	struct {
		const void *key;
		int64_t deadline;
	} deadlines[GP_SYNCOBJ_REQUEST_DEADLINES];
	unsigned int next_deadline;	/* the slot to reuse when none is free */
};

/* --- points --- */

static _Atomic uint64_t gp_syncobj_next_context = 1;

int gp_syncobj_point_alloc(struct gp_syncobj_point **out)
{
	struct gp_syncobj_point *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	r = gp_fence_create(&p->chain);
	if (r < 0) {
		free(p);
		return r;
	}
	atomic_init(&p->ref, 1);
	*out = p;
	return 0;
}

static struct gp_syncobj_point *gp_syncobj_point_get(struct gp_syncobj_point *p)
{
	atomic_fetch_add_explicit(&p->ref, 1, memory_order_relaxed);
	return p;
}

/*
 * Drop a reference; a freed point drops its older one in the same loop,
 * not by recursion, as dma_fence_chain_release() unlinks by hand.
 */
static void gp_syncobj_point_put(struct gp_syncobj_point **pp)
{
	struct gp_syncobj_point *p = *pp;

	*pp = NULL;
	while (p && atomic_fetch_sub_explicit(&p->ref, 1, memory_order_acq_rel) == 1) {
		struct gp_syncobj_point *older = p->prev_node;

		gp_fence_put(&p->fence);
		gp_fence_put(&p->chain);
		gp_fence_put(&p->prev);
		free(p);
		p = older;
	}
}

void gp_syncobj_point_free(struct gp_syncobj_point **ppoint)
{
	gp_syncobj_point_put(ppoint);
}

/* Points whose dependencies are done, waiting for the outermost completion to signal them. */
static _Thread_local struct gp_syncobj_point *gp_chain_queue_head, *gp_chain_queue_tail;
static _Thread_local bool gp_chain_draining;

static void gp_syncobj_point_complete(struct gp_syncobj_point *p)
{
	p->queue_next = NULL;
	if (gp_chain_queue_tail)
		gp_chain_queue_tail->queue_next = p;
	else
		gp_chain_queue_head = p;
	gp_chain_queue_tail = p;
	if (gp_chain_draining)
		return;
	gp_chain_draining = true;
	while ((p = gp_chain_queue_head)) {
		struct gp_fence *prev = p->prev;

		gp_chain_queue_head = p->queue_next;
		if (!gp_chain_queue_head)
			gp_chain_queue_tail = NULL;
		/*
		 * No dependency refers to @prev any more; whoever signalled it
		 * holds a reference of its own, so this is never its last.
		 */
		p->prev = NULL;
		gp_fence_signal(p->chain, atomic_load(&p->error));
		gp_fence_put(&prev);
		gp_syncobj_point_put(&p);	/* the pending chain's reference */
	}
	gp_chain_draining = false;
}

static void gp_syncobj_point_dep_done(struct gp_syncobj_point *p, int status)
{
	int none = 0;

	if (status < 0)
		atomic_compare_exchange_strong(&p->error, &none, status);
	/* The last access: another dependency may complete and free it next. */
	if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1)
		gp_syncobj_point_complete(p);
}

static void gp_syncobj_point_fence_cb(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	gp_syncobj_point_dep_done(caa_container_of(cb, struct gp_syncobj_point, fence_cb),
				  gp_fence_get_status(fence));
}

static void gp_syncobj_point_prev_cb(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	gp_syncobj_point_dep_done(caa_container_of(cb, struct gp_syncobj_point, prev_cb),
				  gp_fence_get_status(fence));
}

static void gp_syncobj_point_arm_dep(struct gp_syncobj_point *p, struct gp_fence *dep,
				     struct gp_fence_cb *cb, gp_fence_func_t func)
{
	if (!dep)
		return;
	atomic_fetch_add(&p->pending, 1);
	if (gp_fence_add_callback(dep, cb, func) == -ENOENT)
		gp_syncobj_point_dep_done(p, gp_fence_get_status(dep));
}

/* Start the chain of a point just published; no lock held. */
static void gp_syncobj_point_arm(struct gp_syncobj_point *p)
{
	atomic_store(&p->pending, 1);
	gp_syncobj_point_get(p);	/* the pending chain's, dropped once it signals */
	gp_syncobj_point_arm_dep(p, p->fence, &p->fence_cb, gp_syncobj_point_fence_cb);
	gp_syncobj_point_arm_dep(p, p->prev, &p->prev_cb, gp_syncobj_point_prev_cb);
	gp_syncobj_point_dep_done(p, 0);
}

/*
 * The older point after @p in the list, unlinking those whose contained
 * fence has signalled (dma_fence_chain_walk()).  Caller holds the object's
 * lock; the point is borrowed.
 */
static struct gp_syncobj_point *gp_syncobj_walk(struct gp_syncobj_point *p)
{
	struct gp_syncobj_point *older;

	while ((older = p->prev_node) && gp_fence_is_signaled(older->fence)) {
		int fence_error = gp_fence_get_status(older->fence);
		int chain_error = gp_fence_get_status(older->chain);

		/*
		 * Keep the error of what goes, lowest point first: the gap
		 * below @older, then @older's own job.  Its chain's error
		 * came from below; it is news only when nothing is listed
		 * below (a replaced fence the chain waited on), else the
		 * point below still carries it.
		 */
		if (older->gap_error < 0) {
			p->gap_error = older->gap_error;
			p->gap_from = older->gap_from;
		} else if (fence_error < 0) {
			p->gap_error = fence_error;
			p->gap_from = older->seqno;
		} else if (chain_error < 0 && !older->prev_node) {
			p->gap_error = chain_error;
			p->gap_from = 0;
		}
		p->prev_node = older->prev_node ? gp_syncobj_point_get(older->prev_node) : NULL;
		gp_syncobj_point_put(&older);
	}
	return older;
}

/*
 * As dma_fence_chain_find_seqno() on the object's fence: the fence for
 * @point, with a reference, or NULL when no fence is there.  Caller holds
 * the lock.  Return: 0, or -EINVAL when @point is beyond the timeline.
 */
static int gp_syncobj_find_locked(struct gp_syncobj *s, uint64_t point, struct gp_fence **out)
{
	struct gp_syncobj_point *head = s->node, *p;

	*out = NULL;
	if (!point) {
		*out = gp_fence_get(s->fence);
		return 0;
	}
	if (!head || head->seqno < point)
		return -EINVAL;
	for (p = head; p; p = gp_syncobj_walk(p)) {
		if (p->context != head->context || p->prev_seqno < point) {
			*out = gp_fence_get(p->chain);
			return 0;
		}
	}
	/* Everything at and below @point has signalled and was collected. */
	*out = gp_fence_get_stub();
	return 0;
}

/*
 * SYNCOBJ_STATUS of @point (not 0) on a timeline: the first error at or
 * below it once every point at and below it has signalled.  The lookup
 * answers with an older point's chain (or nothing) when @point itself was
 * collected; the gap that walk passed keeps the collected points' errors.
 * Caller holds the lock.  Return: 0, or -EINVAL beyond the timeline.
 */
static int gp_syncobj_status_locked(struct gp_syncobj *s, uint64_t point, int *out)
{
	struct gp_syncobj_point *head = s->node, *p, *newer = NULL;
	int gap_error = 0, st;

	if (!head || head->seqno < point)
		return -EINVAL;
	for (p = head; p; newer = p, p = gp_syncobj_walk(p))
		if (p->context != head->context || p->prev_seqno < point)
			break;
	if (newer && newer->gap_error < 0 && newer->gap_from <= point)
		gap_error = newer->gap_error;
	st = p ? gp_fence_get_status(p->chain) : 1;
	/* Pending stays pending; an error from below the gap comes first. */
	*out = st == 1 && gap_error < 0 ? gap_error : st;
	return 0;
}

int gp_syncobj_status(struct gp_syncobj *syncobj, uint64_t point, int *status)
{
	struct gp_fence *fence = NULL;
	int r;

	pthread_mutex_lock(&syncobj->lock);
	if (point && syncobj->node) {
		r = gp_syncobj_status_locked(syncobj, point, status);
		pthread_mutex_unlock(&syncobj->lock);
		return r;
	}
	r = gp_syncobj_find_locked(syncobj, point, &fence);
	pthread_mutex_unlock(&syncobj->lock);
	if (r == 0 && !fence)
		r = -EINVAL;
	if (r == 0)
		*status = gp_fence_get_status(fence);
	gp_fence_put(&fence);
	return r;
}

/* --- objects --- */

int gp_syncobj_create(bool signaled, struct gp_syncobj **out)
{
	struct gp_syncobj *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	atomic_init(&s->ref, 1);
	pthread_mutex_init(&s->lock, NULL);
	gp_wait_queue_init(&s->waiters);
	if (signaled)
		s->fence = gp_fence_get_stub();
	*out = s;
	return 0;
}

struct gp_syncobj *gp_syncobj_get(struct gp_syncobj *syncobj)
{
	atomic_fetch_add_explicit(&syncobj->ref, 1, memory_order_relaxed);
	return syncobj;
}

void gp_syncobj_put(struct gp_syncobj **psyncobj)
{
	struct gp_syncobj *s = *psyncobj;

	*psyncobj = NULL;
	if (!s || atomic_fetch_sub_explicit(&s->ref, 1, memory_order_acq_rel) != 1)
		return;
	/* Watches hold references: no parked wait can still be queued here. */
	assert(cds_list_empty(&s->waiters.watchers));
	gp_fence_put(&s->fence);
	gp_syncobj_point_put(&s->node);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

struct gp_wait_queue *gp_syncobj_wait_queue(struct gp_syncobj *syncobj)
{
	return &syncobj->waiters;
}

int gp_syncobj_get_fence(struct gp_syncobj *syncobj, uint64_t point, struct gp_fence **out)
{
	int r;

	pthread_mutex_lock(&syncobj->lock);
	r = gp_syncobj_find_locked(syncobj, point, out);
	pthread_mutex_unlock(&syncobj->lock);
	if (r == 0 && !*out)
		r = -EINVAL;
	return r;
}

static struct gp_ratelimit gp_syncobj_order_rl = GP_RATELIMIT_INIT;

void gp_syncobj_add_point(struct gp_syncobj *syncobj, struct gp_syncobj_point **ppoint,
			  struct gp_fence *fence, uint64_t point)
{
	struct gp_syncobj_point *p = *ppoint, *older;
	uint64_t older_seqno = 0;
	bool unordered = false;

	*ppoint = NULL;
	p->fence = gp_fence_get(fence);

	pthread_mutex_lock(&syncobj->lock);
	older = syncobj->node;
	/* The object's references on its fence and newest point pass to @p. */
	p->prev = syncobj->fence;
	p->prev_node = older;
	if (older && point > older->seqno) {
		p->context = older->context;
		p->prev_seqno = older->seqno;
	} else {
		/* As dma_fence_chain_init(): a new context, and never a lower number. */
		p->context = atomic_fetch_add(&gp_syncobj_next_context, 1);
		p->prev_seqno = 0;
		if (older) {
			unordered = true;
			older_seqno = older->seqno;
			if (point < older->seqno)
				point = older->seqno;
		}
	}
	p->seqno = point;
	syncobj->fence = gp_fence_get(p->chain);
	syncobj->node = gp_syncobj_point_get(p);
	/* Walk once to collect what has signalled, as drm_syncobj_add_point(). */
	for (struct gp_syncobj_point *it = p; it; it = gp_syncobj_walk(it))
		;
	pthread_mutex_unlock(&syncobj->lock);

	if (unordered)
		gp_log_ratelimited(&gp_syncobj_order_rl, LOG_DEBUG,
				   "syncobj: point %llu added above point %llu: not in order",
				   (unsigned long long)point, (unsigned long long)older_seqno);
	gp_syncobj_point_arm(p);
	gp_syncobj_point_put(&p);
	gp_wait_queue_wake(&syncobj->waiters);
}

void gp_syncobj_replace_fence(struct gp_syncobj *syncobj, struct gp_fence *fence)
{
	struct gp_syncobj_point *old_node;
	struct gp_fence *old;

	fence = gp_fence_get(fence);
	pthread_mutex_lock(&syncobj->lock);
	old = syncobj->fence;
	old_node = syncobj->node;
	syncobj->fence = fence;
	syncobj->node = NULL;
	pthread_mutex_unlock(&syncobj->lock);
	if (fence != old)
		gp_wait_queue_wake(&syncobj->waiters);
	gp_fence_put(&old);
	gp_syncobj_point_put(&old_node);
}

uint64_t gp_syncobj_query(struct gp_syncobj *syncobj, bool last_submitted)
{
	struct gp_syncobj_point *head, *last, *p;
	uint64_t point = 0;

	pthread_mutex_lock(&syncobj->lock);
	head = syncobj->node;
	if (head && last_submitted) {
		point = head->seqno;
	} else if (head) {
		/*
		 * The oldest point still listed in the head's context: below it
		 * everything has signalled; it has too if its chain has.
		 */
		last = head;
		for (p = gp_syncobj_walk(head); p && p->context == head->context;
		     p = gp_syncobj_walk(p))
			last = p;
		point = gp_fence_is_signaled(last->chain) ? last->seqno : last->prev_seqno;
	}
	pthread_mutex_unlock(&syncobj->lock);
	return point;
}

/* --- per-file handles --- */

int gp_syncobj_table_create(struct gp_syncobj_table **out)
{
	struct gp_syncobj_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	*out = t;
	return 0;
}

void gp_syncobj_table_close(struct gp_syncobj_table *t)
{
	struct gp_syncobj **objs;
	unsigned int slots;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->closed = true;
	objs = t->objs;
	slots = t->slots;
	t->objs = NULL;
	t->slots = t->count = t->lowest_free = 0;
	pthread_mutex_unlock(&t->lock);
	for (unsigned int i = 0; i < slots; i++)
		gp_syncobj_put(&objs[i]);
	free(objs);
}

void gp_syncobj_table_destroy(struct gp_syncobj_table **ptable)
{
	struct gp_syncobj_table *t = *ptable;

	*ptable = NULL;
	if (!t)
		return;
	gp_syncobj_table_close(t);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct gp_ratelimit gp_syncobj_limit_rl = GP_RATELIMIT_INIT;

int gp_syncobj_handle_create(struct gp_file *file, struct gp_syncobj *syncobj, uint32_t *handle)
{
	struct gp_syncobj_table *t = file->syncobjs;
	const unsigned int max_handles = GP_SYNCOBJ_DEFAULT_MAX_HANDLES;
	unsigned int i;
	int r = 0;

	pthread_mutex_lock(&t->lock);
	if (t->closed) {
		r = -ENODEV;
		goto out;
	}
	if (t->count >= max_handles) {
		r = -ENOSPC;
		goto out;
	}
	/* idr_alloc(.., 1, 0): the lowest free number. */
	for (i = t->lowest_free; i < t->slots && t->objs[i]; i++)
		;
	if (i == t->slots) {
		unsigned int slots = t->slots ? t->slots * 2 : 16;
		struct gp_syncobj **objs;

		if (slots > max_handles)
			slots = max_handles;
		objs = realloc(t->objs, slots * sizeof(*objs));
		if (!objs) {
			r = -ENOMEM;
			goto out;
		}
		memset(objs + t->slots, 0, (slots - t->slots) * sizeof(*objs));
		t->objs = objs;
		t->slots = slots;
	}
	t->objs[i] = gp_syncobj_get(syncobj);
	t->count++;
	t->lowest_free = i + 1;
	*handle = i + 1;
out:
	pthread_mutex_unlock(&t->lock);
	if (r == -ENOSPC)
		gp_log_ratelimited(&gp_syncobj_limit_rl, LOG_WARNING,
				   "syncobj: pid %d uid %u: per-file limit of %u handles reached",
				   (int)file->caller.pid, (unsigned int)file->caller.uid, max_handles);
	return r;
}

struct gp_syncobj *gp_syncobj_find(struct gp_file *file, uint32_t handle)
{
	struct gp_syncobj_table *t = file->syncobjs;
	struct gp_syncobj *s = NULL;

	pthread_mutex_lock(&t->lock);
	if (handle >= 1 && handle <= t->slots && t->objs[handle - 1])
		s = gp_syncobj_get(t->objs[handle - 1]);
	pthread_mutex_unlock(&t->lock);
	return s;
}

int gp_syncobj_handle_destroy(struct gp_file *file, uint32_t handle)
{
	struct gp_syncobj_table *t = file->syncobjs;
	struct gp_syncobj *s = NULL;

	pthread_mutex_lock(&t->lock);
	if (handle >= 1 && handle <= t->slots && t->objs[handle - 1]) {
		s = t->objs[handle - 1];
		t->objs[handle - 1] = NULL;
		t->count--;
		if (handle - 1 < t->lowest_free)
			t->lowest_free = handle - 1;
	}
	pthread_mutex_unlock(&t->lock);
	if (!s)
		return -EINVAL;
	gp_syncobj_put(&s);
	return 0;
}

unsigned int gp_syncobj_handle_count(struct gp_file *file)
{
	struct gp_syncobj_table *t = file->syncobjs;
	unsigned int n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

int64_t gp_syncobj_request_deadline(struct gp_file *file, const void *key, int64_t now,
				    int64_t timeout_ns)
{
	struct gp_syncobj_table *t = file->syncobjs;
	int64_t deadline = now + timeout_ns;
	unsigned int i, free_slot = GP_SYNCOBJ_REQUEST_DEADLINES;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < GP_SYNCOBJ_REQUEST_DEADLINES; i++) {
		if (t->deadlines[i].key == key) {
			deadline = t->deadlines[i].deadline;
			goto out;
		}
		if (!t->deadlines[i].key && free_slot == GP_SYNCOBJ_REQUEST_DEADLINES)
			free_slot = i;
	}
	/*
	 * A request abandoned while parked (interrupted, its caller gone)
	 * never comes back to forget its entry: with no free slot, reuse the
	 * slots in turn.  A request whose entry went that way only starts
	 * its time again.
	 */
	if (free_slot == GP_SYNCOBJ_REQUEST_DEADLINES) {
		free_slot = t->next_deadline;
		t->next_deadline = (t->next_deadline + 1) % GP_SYNCOBJ_REQUEST_DEADLINES;
	}
	t->deadlines[free_slot].key = key;
	t->deadlines[free_slot].deadline = deadline;
out:
	pthread_mutex_unlock(&t->lock);
	return deadline;
}

void gp_syncobj_request_done(struct gp_file *file, const void *key)
{
	struct gp_syncobj_table *t = file->syncobjs;

	pthread_mutex_lock(&t->lock);
	for (unsigned int i = 0; i < GP_SYNCOBJ_REQUEST_DEADLINES; i++)
		if (t->deadlines[i].key == key)
			t->deadlines[i].key = NULL;
	pthread_mutex_unlock(&t->lock);
}
