// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fences: dma-fence.c's signalling, status and callback parts, without
 * timestamps, deadlines or driver ops (a fence here is only ever signalled
 * by whoever created it).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "fence.h"

struct gp_fence {
	_Atomic unsigned long refcount;
	/*
	 * Held while callbacks are added, removed or run.  A leaf lock as far
	 * as the core goes: callbacks only queue work (fence.h).
	 */
	pthread_mutex_t lock;
	struct cds_list_head cbs;	/* struct gp_fence_cb, in the order added */
	/*
	 * 0 pending, 1 signalled with success, -errno signalled with an error;
	 * written once under @lock, read without it.
	 */
	_Atomic int status;
	bool stub;			/* the shared signalled fence: never freed */
};

int gp_fence_create(struct gp_fence **out)
{
	struct gp_fence *fence = calloc(1, sizeof(*fence));

	if (!fence)
		return -ENOMEM;
	atomic_init(&fence->refcount, 1);
	pthread_mutex_init(&fence->lock, NULL);
	CDS_INIT_LIST_HEAD(&fence->cbs);
	atomic_init(&fence->status, 0);
	*out = fence;
	return 0;
}

/*
 * As dma_fence_get_stub(): one static fence, signalled from the start, so
 * that signalling a sync object never needs memory.
 */
static struct gp_fence gp_fence_stub = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cbs = CDS_LIST_HEAD_INIT(gp_fence_stub.cbs),
	.status = 1,
	.stub = true,
};

struct gp_fence *gp_fence_get_stub(void)
{
	return &gp_fence_stub;
}

struct gp_fence *gp_fence_get(struct gp_fence *fence)
{
	if (fence && !fence->stub)
		atomic_fetch_add_explicit(&fence->refcount, 1, memory_order_relaxed);
	return fence;
}

void gp_fence_put(struct gp_fence **pfence)
{
	struct gp_fence *fence = *pfence;

	*pfence = NULL;
	if (!fence || fence->stub)
		return;
	if (atomic_fetch_sub_explicit(&fence->refcount, 1, memory_order_acq_rel) != 1)
		return;
	/*
	 * Callbacks still on the list can never run: whoever added them holds
	 * no reference, which is their bug, as with dma_fence.
	 */
	assert(cds_list_empty(&fence->cbs));
	pthread_mutex_destroy(&fence->lock);
	free(fence);
}

int gp_fence_signal(struct gp_fence *fence, int status)
{
	struct gp_fence_cb *cb, *tmp;

	/* A positive status is not an errno: the signaller's bug. */
	assert(status <= 0);
	pthread_mutex_lock(&fence->lock);
	if (atomic_load_explicit(&fence->status, memory_order_relaxed)) {
		pthread_mutex_unlock(&fence->lock);
		return -EINVAL;
	}
	atomic_store_explicit(&fence->status, status < 0 ? status : 1, memory_order_release);
	/*
	 * Each callback is taken off (and its node reset) before it runs, so
	 * gp_fence_remove_callback() then reports false, and a callback may
	 * free its own storage.
	 */
	cds_list_for_each_entry_safe(cb, tmp, &fence->cbs, node) {
		cds_list_del_init(&cb->node);
		cb->func(fence, cb);
	}
	pthread_mutex_unlock(&fence->lock);
	return 0;
}

int gp_fence_get_status(struct gp_fence *fence)
{
	return atomic_load_explicit(&fence->status, memory_order_acquire);
}

int gp_fence_add_callback(struct gp_fence *fence, struct gp_fence_cb *cb, gp_fence_func_t func)
{
	int r = 0;

	CDS_INIT_LIST_HEAD(&cb->node);
	cb->func = func;
	pthread_mutex_lock(&fence->lock);
	if (atomic_load_explicit(&fence->status, memory_order_relaxed))
		r = -ENOENT;
	else
		cds_list_add_tail(&cb->node, &fence->cbs);
	pthread_mutex_unlock(&fence->lock);
	return r;
}

bool gp_fence_remove_callback(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	bool removed;

	pthread_mutex_lock(&fence->lock);
	removed = !cds_list_empty(&cb->node);
	if (removed)
		cds_list_del_init(&cb->node);
	pthread_mutex_unlock(&fence->lock);
	return removed;
}
