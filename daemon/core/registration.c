// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Registration, guard and revoke: drm_dev_register(), drm_dev_enter(),
 * drm_dev_exit() and drm_dev_unplug() in user space, over liburcu.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "device_priv.h"
#include "rcu.h"
#include "registration.h"
#include "wait_priv.h"

/* The slab allocator's POISON_FREE: stale readers of released data see it. */
#define GP_POISON_FREE 0x6b

struct gp_registration {
	struct gp_device *dev;		/* the registration's reference; NULL once revoked */
	pthread_mutex_t revoke_lock;	/* serialises revokes, as panthor's unplug lock */
	bool revoked;
};

/* Guards the calling thread holds: revoke must never wait for its own. */
static __thread unsigned int gp_guard_depth;

static void gp_registration_data_release(const struct gp_driver *driver, void *data)
{
	driver->release(data);
	memset(data, GP_POISON_FREE, driver->data_size ? driver->data_size : 1);
	free(data);
}

int gp_registration_new(struct gp_unregistered_device **pudev, void **pdata,
			struct gp_registration **out)
{
	struct gp_device *dev = gp_unregistered_to_device(*pudev);
	void *data = *pdata;
	struct gp_registration *reg;

	assert(dev && data);
	*pudev = NULL;
	*pdata = NULL;

	reg = calloc(1, sizeof(*reg));
	if (!reg) {
		gp_registration_data_release(dev->driver, data);
		gp_device_put(&dev);
		return -ENOMEM;
	}
	pthread_mutex_init(&reg->revoke_lock, NULL);
	/* The creator's reference becomes the registration's. */
	reg->dev = dev;

	/* From here on guards succeed: the device is visible to clients. */
	atomic_store_explicit(&dev->data, data, memory_order_release);

	*out = reg;
	return 0;
}

struct gp_device *gp_registration_device(const struct gp_registration *reg)
{
	return reg->dev;
}

int gp_registration_revoke(struct gp_registration *reg)
{
	struct gp_device *dev;
	void *data;

	if (gp_guard_depth) {
		assert(!"gp_registration_revoke() called inside a registration guard");
		return -EDEADLK;
	}

	pthread_mutex_lock(&reg->revoke_lock);
	if (reg->revoked) {
		pthread_mutex_unlock(&reg->revoke_lock);
		return -EALREADY;
	}
	dev = reg->dev;

	/* No new guard succeeds from here on ... */
	atomic_store_explicit(&dev->unplugged, true, memory_order_relaxed);
	/*
	 * Every parked request fires now, and its re-run fails with ENODEV
	 * in dispatch.  After the store above, in this order: a handler still
	 * inside its guard that parks later finds unplugged set under the
	 * same locks this walk takes and fails with ENODEV instead, so no
	 * waiter parks unseen (the argument in full: wait.c, verify/wait.pml).
	 * This only queues the fires, for wait.c's thread to deliver.
	 */
	gp_wait_wake_device(dev);
	/*
	 * ... and after the grace period every guard that could have seen the
	 * device bound has exited, so nothing can observe the data any more.
	 */
	urcu_memb_synchronize_rcu();
	gp_tsan_acquire(&dev->tsan_sync);

	data = atomic_exchange_explicit(&dev->data, NULL, memory_order_relaxed);
	gp_registration_data_release(dev->driver, data);

	/* Files closing from now on may call postclose without a guard (driver.h). */
	pthread_mutex_lock(&dev->lock);
	dev->released = true;
	pthread_cond_broadcast(&dev->released_cond);
	pthread_mutex_unlock(&dev->lock);

	/* Blocked readers get ENODEV, pollers POLLERR|POLLHUP. */
	gp_device_wake_files(dev);

	reg->revoked = true;
	gp_device_put(&reg->dev);
	pthread_mutex_unlock(&reg->revoke_lock);
	return 0;
}

void gp_registration_free(struct gp_registration **preg)
{
	struct gp_registration *reg = *preg;

	if (!reg)
		return;
	(void)gp_registration_revoke(reg);
	pthread_mutex_destroy(&reg->revoke_lock);
	free(reg);
	*preg = NULL;
}

bool gp_dev_enter(struct gp_device *dev, struct gp_guard *guard)
{
	void *data;

	gp_rcu_thread_online();
	urcu_memb_read_lock();
	data = atomic_load_explicit(&dev->data, memory_order_acquire);
	if (!data || atomic_load_explicit(&dev->unplugged, memory_order_relaxed)) {
		urcu_memb_read_unlock();
		return false;
	}
	gp_guard_depth++;
	guard->dev = dev;
	guard->data = data;
	return true;
}

void gp_dev_exit(struct gp_guard *guard)
{
	gp_tsan_release(&guard->dev->tsan_sync);
	gp_guard_depth--;
	urcu_memb_read_unlock();
}

bool gp_guard_held(void)
{
	return gp_guard_depth != 0;
}

int gp_device_handle_irq(struct gp_device *dev, unsigned int line)
{
	struct gp_guard guard;

	/* As the Rust series requires: an IRQ handler touching MMIO runs inside a guard. */
	if (!gp_dev_enter(dev, &guard))
		return -ENODEV;
	if (dev->driver->irq)
		dev->driver->irq(gp_guard_device(&guard), gp_guard_data(&guard), line);
	gp_dev_exit(&guard);
	return 0;
}
