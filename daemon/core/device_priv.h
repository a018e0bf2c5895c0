/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of struct gp_device, shared by the core's own files only.
 */
#ifndef GP_CORE_DEVICE_PRIV_H
#define GP_CORE_DEVICE_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <urcu/list.h>
#include <urcu/ref.h>

#include "device.h"

struct gp_registration;

struct gp_device {
	struct urcu_ref ref;
	const struct gp_driver *driver;
	char *unique;
	uint64_t serial;

	/*
	 * Set once by revoke, before the grace period; read inside guards.
	 * An atomic rather than a plain bool so that the unlocked early check
	 * in dispatch is well-defined; the ordering against guards comes from
	 * the RCU grace period, not from this variable.
	 */
	atomic_bool unplugged;

	/*
	 * The registration data, published by registration (release store,
	 * the rcu_assign_pointer() of C11) and cleared by revoke after the
	 * grace period.  Only dereferenced inside a guard.  Atomic because a
	 * guard attempt may load it while revoke clears it: that guard then
	 * fails on unplugged, but the load itself must be well-defined.
	 */
	_Atomic(void *) data;

	/* ThreadSanitizer sync object for the grace-period edge (rcu.h). */
	char tsan_sync;

	/*
	 * Open files and their event queues, as drm_device's filelist and
	 * event_lock.  Never taken inside a driver callback that could
	 * re-enter the core.
	 */
	pthread_mutex_t lock;
	pthread_cond_t notify_done;	/* a file's last in-flight notify returned */
	struct cds_list_head files;
	unsigned int open_files;

	/*
	 * Set under @lock by revoke once the driver's release() has returned;
	 * gp_file_close() waits on @released_cond for it before calling
	 * postclose on an unplugged device (driver.h).
	 */
	bool released;
	pthread_cond_t released_cond;

	/*
	 * Live buffer objects (gem.c), sorted by fake mmap offset: the
	 * drm_vma_offset_manager and the PRIME import table in one list.
	 * @gem_lock is a leaf lock, held only for list walks; never held
	 * while calling out of gem.c.
	 */
	pthread_mutex_t gem_lock;
	struct cds_list_head gem_objects;
	unsigned long gem_count;
};

/* Wake every open file of @dev: revoke calls it after the grace period. */
void gp_device_wake_files(struct gp_device *dev);

#endif /* GP_CORE_DEVICE_PRIV_H */
