/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fences: one-shot completion objects, the dma_fence twin.
 *
 * A fence starts pending and is signalled exactly once, with a status: 0
 * for success or a negative errno (a job that faulted, timed out, or was
 * cancelled by revoke).  Sync objects (syncobj.h) hold fences; drivers
 * create them for jobs and add callbacks for dependencies; the wait
 * machinery (wait.h) adds callbacks to wake parked ioctls.
 *
 * Callbacks run on the signalling thread, which may be the control plane
 * (the IRQ path, inside a guard) or revoke.  A callback must therefore
 * never block or take a lock that a client's request can hold for long:
 * it may only record the event and hand it to a thread (as wait.c does).
 * A fence's lock is internal; as dma_fence's, the callbacks run with it
 * held, so they must not call back into the same fence (another fence is
 * fine: fences are signalled in dependency order, never in a cycle).
 */
#ifndef GP_CORE_FENCE_H
#define GP_CORE_FENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

struct gp_fence;
struct gp_fence_cb;

typedef void (*gp_fence_func_t)(struct gp_fence *fence, struct gp_fence_cb *cb);

/* Caller-owned callback storage, as struct dma_fence_cb. */
struct gp_fence_cb {
	struct cds_list_head node;	/* fence.c's */
	gp_fence_func_t func;
};

/**
 * gp_fence_create() - a new pending fence with one reference.
 * @out: the fence
 * Return: 0 or -ENOMEM.
 */
int gp_fence_create(struct gp_fence **out);

/**
 * gp_fence_get_stub() - a reference on the shared, already signalled
 * (status 0) fence, as dma_fence_get_stub(): what SYNCOBJ_CREATE(SIGNALED)
 * and SYNCOBJ_SIGNAL install.  Never fails.
 */
struct gp_fence *gp_fence_get_stub(void);

struct gp_fence *gp_fence_get(struct gp_fence *fence);

/** gp_fence_put() - drop a reference; clears *@pfence; NULL is a no-op. */
void gp_fence_put(struct gp_fence **pfence);

/**
 * gp_fence_signal() - signal @fence with @status (0 or -errno) and run its
 * callbacks, in the order they were added, on this thread.
 * Return: 0, or -EINVAL when it was already signalled (nothing changes:
 * the first status stands).
 */
int gp_fence_signal(struct gp_fence *fence, int status);

/**
 * gp_fence_get_status() - 0 while pending, 1 once signalled with success,
 * the negative errno once signalled with an error (dma_fence_get_status()).
 */
int gp_fence_get_status(struct gp_fence *fence);

static inline bool gp_fence_is_signaled(struct gp_fence *fence)
{
	return gp_fence_get_status(fence) != 0;
}

/**
 * gp_fence_add_callback() - call @func when @fence signals.
 * @cb: storage that must stay valid until the callback ran or was removed
 * Return: 0, or -ENOENT when already signalled (@func is not called).
 */
int gp_fence_add_callback(struct gp_fence *fence, struct gp_fence_cb *cb, gp_fence_func_t func);

/**
 * gp_fence_remove_callback() - take a callback off before it runs.
 * Return: true if it was removed (it will not run), false if it has
 * already run: because callbacks run under the fence's lock, by the time
 * this returns false the callback has returned, and @cb may be freed.
 */
bool gp_fence_remove_callback(struct gp_fence *fence, struct gp_fence_cb *cb);

#endif /* GP_CORE_FENCE_H */
