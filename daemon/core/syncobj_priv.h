/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the core's SYNCOBJ_* ioctls (syncobj_ioctl.c) use of syncobj.c
 * beyond the driver interface in syncobj.h.
 */
#ifndef GP_CORE_SYNCOBJ_PRIV_H
#define GP_CORE_SYNCOBJ_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "syncobj.h"

/**
 * gp_syncobj_create() - a new object, without a fence or with the stub
 * (@signaled), as drm_syncobj_create().
 * Return: 0 or -ENOMEM.
 */
int gp_syncobj_create(bool signaled, struct gp_syncobj **out);

/**
 * gp_syncobj_handle_create() - give @file a handle on @syncobj (lowest free
 * from 1); takes its own reference.
 * Return: 0; -ENOSPC past the per-file limit; -ENOMEM; -ENODEV once the
 * file is closed.
 */
int gp_syncobj_handle_create(struct gp_file *file, struct gp_syncobj *syncobj, uint32_t *handle);

/** gp_syncobj_handle_destroy() - drop a handle.  Return: 0, or -EINVAL for none (as the kernel). */
int gp_syncobj_handle_destroy(struct gp_file *file, uint32_t handle);

/**
 * gp_syncobj_query() - SYNCOBJ_QUERY's answer for one object: 0 for a
 * binary object (or none); else the last point added (@last_submitted) or
 * the highest point up to which every point has signalled.
 */
uint64_t gp_syncobj_query(struct gp_syncobj *syncobj, bool last_submitted);

/**
 * gp_syncobj_status() - SYNCOBJ_STATUS's answer for @point (0: the binary
 * fence or the latest point): 0 pending, 1 success, or the first error at
 * or below @point once everything there has signalled, also when @point
 * was collected.  Return: 0, or -EINVAL when there is no fence for it.
 */
int gp_syncobj_status(struct gp_syncobj *syncobj, uint64_t point, int *status);

/** gp_syncobj_handle_count() - handles @file holds (tests, limits). */
unsigned int gp_syncobj_handle_count(struct gp_file *file);

/**
 * gp_syncobj_request_deadline() - the deadline of a parked request that
 * must give up a fixed time after it first ran (TRANSFER's wait for a
 * submit), remembered across its re-runs by the request's waiter @key:
 * the first call stores @now + @timeout_ns, later ones return it.  A file
 * remembers a few; the oldest is forgotten first.
 */
int64_t gp_syncobj_request_deadline(struct gp_file *file, const void *key, int64_t now,
				    int64_t timeout_ns);

/** gp_syncobj_request_done() - the request @key answered: forget its deadline. */
void gp_syncobj_request_done(struct gp_file *file, const void *key);

#endif /* GP_CORE_SYNCOBJ_PRIV_H */
