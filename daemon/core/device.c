// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device objects: creation, references, immutable properties.
 */
#include <assert.h>
#include <errno.h>
#include <linux/ioctl.h>
#include <stdlib.h>
#include <string.h>

#include "device_priv.h"
#include "rcu.h"

static atomic_uint_fast64_t gp_device_serials;

/*
 * A driver table must place each ioctl at its number's index, exactly as
 * DRM_IOCTL_DEF_DRV does; a misplaced entry would silently dispatch the
 * wrong handler, so reject it when the device is created.
 */
static int gp_driver_check(const struct gp_driver *driver)
{
	if (!driver || !driver->name || !driver->date || !driver->desc)
		return -EINVAL;
	if (driver->num_ioctls > GP_DRM_COMMAND_END - GP_DRM_COMMAND_BASE)
		return -EINVAL;
	if (driver->num_ioctls && !driver->ioctls)
		return -EINVAL;
	for (unsigned int i = 0; i < driver->num_ioctls; i++) {
		const struct gp_ioctl_desc *d = &driver->ioctls[i];

		if (!d->handler)
			continue;
		if (_IOC_TYPE(d->cmd) != 'd' || _IOC_NR(d->cmd) != GP_DRM_COMMAND_BASE + i)
			return -EINVAL;
	}
	return 0;
}

int gp_device_new(const struct gp_driver *driver, const char *unique,
		  struct gp_unregistered_device **out)
{
	struct gp_device *dev;
	int r;

	r = gp_driver_check(driver);
	if (r < 0)
		return r;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->unique = strdup(unique ? unique : "");
	if (!dev->unique) {
		free(dev);
		return -ENOMEM;
	}
	urcu_ref_init(&dev->ref);
	dev->driver = driver;
	dev->serial = atomic_fetch_add(&gp_device_serials, 1) + 1;
	atomic_init(&dev->unplugged, false);
	pthread_mutex_init(&dev->lock, NULL);
	pthread_cond_init(&dev->notify_done, NULL);
	CDS_INIT_LIST_HEAD(&dev->files);
	pthread_cond_init(&dev->released_cond, NULL);
	pthread_mutex_init(&dev->gem_lock, NULL);
	CDS_INIT_LIST_HEAD(&dev->gem_objects);

	*out = (struct gp_unregistered_device *)dev;
	return 0;
}

static void gp_device_release(struct urcu_ref *ref)
{
	struct gp_device *dev = caa_container_of(ref, struct gp_device, ref);

	/* The last put: see what every earlier holder did (rcu.h on TSan). */
	gp_tsan_acquire(&dev->ref);
	/* The registration released the data before dropping its reference. */
	assert(!atomic_load(&dev->data));
	assert(cds_list_empty(&dev->files));
	/* Every object holds a device reference: none can be left. */
	assert(cds_list_empty(&dev->gem_objects));
	pthread_mutex_destroy(&dev->gem_lock);
	pthread_cond_destroy(&dev->released_cond);
	pthread_cond_destroy(&dev->notify_done);
	pthread_mutex_destroy(&dev->lock);
	free(dev->unique);
	free(dev);
}

void gp_unregistered_device_free(struct gp_unregistered_device **pudev)
{
	struct gp_device *dev;

	if (!*pudev)
		return;
	dev = gp_unregistered_to_device(*pudev);
	*pudev = NULL;
	gp_device_put(&dev);
}

struct gp_device *gp_device_get(struct gp_device *dev)
{
	urcu_ref_get(&dev->ref);
	return dev;
}

void gp_device_put(struct gp_device **pdev)
{
	if (!*pdev)
		return;
	/*
	 * liburcu's refcount atomics are invisible to ThreadSanitizer: make
	 * each put a release that the final one acquires.
	 */
	gp_tsan_release(&(*pdev)->ref);
	urcu_ref_put(&(*pdev)->ref, gp_device_release);
	*pdev = NULL;
}

const struct gp_driver *gp_device_driver(const struct gp_device *dev)
{
	return dev->driver;
}

const char *gp_device_unique(const struct gp_device *dev)
{
	return dev->unique;
}

uint64_t gp_device_serial(const struct gp_device *dev)
{
	return dev->serial;
}

bool gp_device_is_unplugged(const struct gp_device *dev)
{
	return atomic_load_explicit(&dev->unplugged, memory_order_relaxed);
}

unsigned int gp_device_open_files(struct gp_device *dev)
{
	unsigned int n;

	pthread_mutex_lock(&dev->lock);
	n = dev->open_files;
	pthread_mutex_unlock(&dev->lock);
	return n;
}
