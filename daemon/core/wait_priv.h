/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of parked waits shared by the core's own files: what revoke
 * calls, and the hook an object that waiters watch (a sync object) embeds.
 */
#ifndef GP_CORE_WAIT_PRIV_H
#define GP_CORE_WAIT_PRIV_H

#include <urcu/list.h>

struct gp_device;
struct gp_syncobj;

/**
 * gp_wait_wake_device() - fire every request parked on a file of @dev.
 *
 * Revoke calls it after setting dev->unplugged; see the ordering argument
 * in wait.c.  Only queues fires (allocates nothing, calls nothing out), so
 * revoke cannot fail or block on a client here.
 * Context: not holding dev->lock.
 */
void gp_wait_wake_device(struct gp_device *dev);

/*
 * struct gp_wait_queue - the waiters watching one object, as a
 * wait_queue_head.  An object that can change in a way a parked wait cares
 * about (a sync object getting a fence or a timeline point) embeds one,
 * initialises it with gp_wait_queue_init() and calls gp_wait_queue_wake()
 * after each such change (with or without its own lock held: the queue is
 * protected by wait.c's lock, a leaf lock).  Watches hold a reference on
 * the object, so the queue is empty by the time the object is freed.
 */
struct gp_wait_queue {
	struct cds_list_head watchers;	/* wait.c's */
};

static inline void gp_wait_queue_init(struct gp_wait_queue *q)
{
	CDS_INIT_LIST_HEAD(&q->watchers);
}

/** gp_wait_queue_wake() - fire every waiter watching @q; only queues fires. */
void gp_wait_queue_wake(struct gp_wait_queue *q);

/**
 * gp_wait_watch_queue() - as gp_wait_watch_fence(), for @queue: fires
 * when the queue is woken.  @obj is a reference on the queue's owner, which
 * the watch keeps until the arming ends and then drops with @put_obj
 * (consumed even on failure).
 * Return: 0 or -ENOMEM (nothing stays armed).
 */
struct gp_user;
int gp_wait_watch_queue(const struct gp_user *user, struct gp_wait_queue *queue, void *obj,
			void (*put_obj)(void *obj));

/**
 * gp_syncobj_wait_queue() - the queue embedded in @syncobj; implemented by
 * syncobj.c, used by gp_wait_watch_syncobj() (wait_syncobj.c).
 */
struct gp_wait_queue *gp_syncobj_wait_queue(struct gp_syncobj *syncobj);

#endif /* GP_CORE_WAIT_PRIV_H */
