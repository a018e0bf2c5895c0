/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sync objects: the drm_syncobj twin.
 *
 * A sync object is a container for a fence (binary) or for a timeline of
 * points, each point a fence with a 64-bit value, as drm_syncobj with
 * dma_fence_chain.  Clients name them by per-file handles (from 1, lowest
 * free first, as idr_alloc(.., 1, 0)); the core implements every SYNCOBJ_*
 * ioctl with drm_syncobj.c's semantics and errors (docs/uapi.md lists
 * them); drivers look them up at submit to wait on and to signal.
 *
 * Lifetime: a sync object belongs to no device: it holds fences, and a
 * fence holds nothing of the registration data, so sync objects outlive
 * revoke as files do.  Once the device is unplugged every SYNCOBJ ioctl
 * fails with ENODEV in dispatch, and every parked wait wakes with ENODEV
 * (wait.h).  The driver signals the fences of jobs it still had with an
 * error before its release returns, so no fence a client waits on stays
 * pending forever.
 *
 * Locking: the per-file handle table and each object have internal locks;
 * none is held while a fence callback runs, and none may be taken with a
 * driver lock that revoke or the IRQ path takes.
 */
#ifndef GP_CORE_SYNCOBJ_H
#define GP_CORE_SYNCOBJ_H

#include <stdbool.h>
#include <stdint.h>

struct gp_fence;
struct gp_file;
struct gp_syncobj;
struct gp_syncobj_table;

/*
 * Per-file limit on sync object handles, as GEM's (gem.h): the kernel has
 * none but memory; here every object costs the daemon memory that all
 * clients share.  SYNCOBJ_CREATE past it fails with ENOSPC.
 */
#define GP_SYNCOBJ_DEFAULT_MAX_HANDLES	65536u

/* --- per-file table: gp_file_open() creates it, gp_file_close() drops it --- */

int gp_syncobj_table_create(struct gp_syncobj_table **out);

/**
 * gp_syncobj_table_close() - drop every handle, as drm_syncobj_release();
 * later creates fail with ENODEV.  gp_file_close() calls it: a request
 * still running on the closing file finds no handle, and the table itself
 * stays until the file's last reference (as gem.c's).
 */
void gp_syncobj_table_close(struct gp_syncobj_table *table);

/** gp_syncobj_table_destroy() - drop every handle and free; clears *@ptable. */
void gp_syncobj_table_destroy(struct gp_syncobj_table **ptable);

/* --- for drivers, as drm_syncobj_find() / _find_fence() / _add_point() --- */

/**
 * gp_syncobj_find() - the object behind @handle in @file, with a reference
 * the caller must put; NULL when there is none.
 */
struct gp_syncobj *gp_syncobj_find(struct gp_file *file, uint32_t handle);

struct gp_syncobj *gp_syncobj_get(struct gp_syncobj *syncobj);

/** gp_syncobj_put() - drop a reference; clears *@psyncobj; NULL is a no-op. */
void gp_syncobj_put(struct gp_syncobj **psyncobj);

/**
 * gp_syncobj_get_fence() - the fence for @point (0: the binary fence, or a
 * timeline's latest point), with a reference, as drm_syncobj_find_fence()
 * without WAIT_FOR_SUBMIT.
 * Return: 0; -EINVAL when there is no fence yet (never signalled or
 * submitted, or @point above the timeline's last point), as the kernel.
 */
int gp_syncobj_get_fence(struct gp_syncobj *syncobj, uint64_t point, struct gp_fence **out);

/* A timeline point's storage, allocated before a submit commits, as dma_fence_chain_alloc(). */
struct gp_syncobj_point;

int gp_syncobj_point_alloc(struct gp_syncobj_point **out);
void gp_syncobj_point_free(struct gp_syncobj_point **ppoint);

/**
 * gp_syncobj_add_point() - add @fence as timeline point @point, as
 * drm_syncobj_add_point(): cannot fail; consumes *@ppoint; takes its own
 * fence reference; wakes waiters on the object (WAIT_FOR_SUBMIT,
 * WAIT_AVAILABLE).  A @point not above the last one is added anyway, and
 * logged once, as the kernel warns.
 */
void gp_syncobj_add_point(struct gp_syncobj *syncobj, struct gp_syncobj_point **ppoint,
			  struct gp_fence *fence, uint64_t point);

/**
 * gp_syncobj_replace_fence() - set the binary fence (NULL: reset), as
 * drm_syncobj_replace_fence(); takes its own reference; wakes waiters on
 * the object.
 */
void gp_syncobj_replace_fence(struct gp_syncobj *syncobj, struct gp_fence *fence);

#endif /* GP_CORE_SYNCOBJ_H */
