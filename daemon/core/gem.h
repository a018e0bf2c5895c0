/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Buffer objects and per-file handles: the drm_gem twin.
 *
 * An object is system memory backed by a sealed memfd, mapped once into the
 * daemon (for drivers and DMA) and handed to clients as the memfd itself
 * (CUSE cannot mmap; see docs/architecture.md, "Buffer objects").
 *
 * Lifetime: an object holds a reference on its gp_device, never on the
 * registration data, so it outlives revoke exactly as a drm_gem_object
 * outlives drm_dev_unplug().  Whatever the device can reach *through* an
 * object (a DMA mapping, a GPU VA binding) is registration data owned by
 * the driver, holding its own object reference, and goes away with the
 * registration after the grace period.
 *
 * Handles: per file, from 1, lowest free first (the kernel's
 * idr_alloc(.., 1, 0)), so a number is never reused while it is open.  Each
 * handle holds one object reference.  Every function here takes the file's
 * handle lock internally; none may be called with a driver lock held that
 * revoke or the IRQ path takes.
 */
#ifndef GP_CORE_GEM_H
#define GP_CORE_GEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <urcu/list.h>
#include <urcu/ref.h>

struct gp_device;
struct gp_file;
struct gp_gem_object;

/**
 * struct gp_gem_object_funcs - what a driver adds to an object, as
 * drm_gem_object_funcs.
 * @free: free the driver's containing structure; called once, when the
 *	last reference goes, after the core released the memory.  NULL for
 *	objects created by gp_gem_object_create().
 * @mmap, @prime_export: the driver's say on where the memory may go (below).
 */
struct gp_gem_object_funcs {
	void (*free)(struct gp_gem_object *obj);
	/*
	 * @mmap: may a client get the object's memory for CPU access?  Asked
	 * when FD_TOKEN would hand out its memfd (for a mapping or a PRIME
	 * export alike: the memfd is both).  0 or -errno.  NULL: always.
	 */
	int (*mmap)(struct gp_gem_object *obj);
	/*
	 * @prime_export: may another file import it?  Asked when a PRIME
	 * import would give a file its first handle on the object, as a
	 * driver's drm_gem_object_funcs.export refuses (panthor: objects of an
	 * exclusive VM).  0 or -errno.  NULL: always.
	 */
	int (*prime_export)(struct gp_gem_object *obj);
};

/**
 * struct gp_gem_object - a buffer object.  Drivers embed it (container_of)
 * or use it bare.  Every field is fixed after init; read freely while
 * holding a reference.
 */
struct gp_gem_object {
	struct urcu_ref ref;
	struct gp_device *dev;		/* a reference: the object keeps the device */
	const struct gp_gem_object_funcs *funcs;
	size_t size;			/* bytes, a multiple of the page size */
	int memfd;			/* owned; sealed against shrink and grow */
	void *vaddr;			/* the daemon's MAP_SHARED mapping of @memfd */
	uint64_t mmap_offset;		/* fake offset, as drm_vma_node_offset_addr() */
	dev_t ino_dev;			/* identity of the memfd, for PRIME import */
	ino_t ino;
	/* Core-private: in dev->gem_objects, sorted by @mmap_offset (gem.c). */
	struct cds_list_head dev_link;
};

/* Largest object: as panthor, bounded by what a size_t mmap can cover; plus a sane cap. */
#define GP_GEM_MAX_SIZE		(1ull << 36)	/* 64 GiB */

/*
 * Per-file limits, so that no client exhausts what every client shares (the
 * daemon's file descriptors: each live object holds its memfd open; its
 * address space: each is mapped).  A handle counts the object's size
 * against the file that holds it, once per handle.  Exceeding the handle
 * limit gives -ENOSPC, the byte limit -ENOMEM, each with a rate-limited log
 * line naming the file's opener.
 */
#define GP_GEM_DEFAULT_MAX_HANDLES	16384u
#define GP_GEM_DEFAULT_MAX_BYTES	(16ull << 30)	/* 16 GiB */

/**
 * gp_gem_set_file_limits() - set the per-file limits for handles created
 * from now on (process-wide; 0 keeps the current value).  For the daemon's
 * options and tests.
 */
void gp_gem_set_file_limits(unsigned int max_handles, uint64_t max_bytes);

/** gp_gem_get_file_limits() - the limits in force. */
void gp_gem_get_file_limits(unsigned int *max_handles, uint64_t *max_bytes);

/**
 * gp_gem_object_init() - initialise an object embedded in a driver struct.
 * @dev: the device (a reference is taken)
 * @obj: zeroed storage
 * @funcs: the driver's hooks (may be NULL)
 * @size: requested bytes; rounded up to the page size
 *
 * Creates and seals the memfd, maps it, assigns the fake mmap offset and
 * publishes the object in the device's PRIME table (so an import of its
 * memfd finds it).
 * Return: 0; -EINVAL for size 0 or above GP_GEM_MAX_SIZE; -ENOMEM,
 * -ENOSPC (mmap offset space) or the errno of memfd_create/ftruncate/mmap.
 * On failure nothing is left to release.
 */
int gp_gem_object_init(struct gp_device *dev, struct gp_gem_object *obj,
		       const struct gp_gem_object_funcs *funcs, uint64_t size);

/** gp_gem_object_create() - allocate and init a bare object. */
int gp_gem_object_create(struct gp_device *dev, uint64_t size, struct gp_gem_object **out);

struct gp_gem_object *gp_gem_object_get(struct gp_gem_object *obj);

/** gp_gem_object_put() - drop a reference, clear *@pobj; NULL is a no-op. */
void gp_gem_object_put(struct gp_gem_object **pobj);

/**
 * gp_gem_handle_create() - give @file a new handle on @obj.
 * @handle: out: the handle (>= 1)
 *
 * Takes its own object reference.
 * Return: 0, -ENOSPC at the per-file handle limit, -ENOMEM, -ENODEV once
 * the file is closed.
 */
int gp_gem_handle_create(struct gp_file *file, struct gp_gem_object *obj, uint32_t *handle);

/**
 * gp_gem_object_lookup() - the object behind @handle, with a reference the
 * caller must put; NULL when @file has no such handle (callers answer
 * -ENOENT, as drm_gem_object_lookup() users do).
 */
struct gp_gem_object *gp_gem_object_lookup(struct gp_file *file, uint32_t handle);

/**
 * gp_gem_handle_delete() - drop a handle, as drm_gem_handle_delete().
 * Return: 0 or -EINVAL when @file has no such handle.
 */
int gp_gem_handle_delete(struct gp_file *file, uint32_t handle);

/**
 * gp_gem_handle_by_object() - the handle @file already has on @obj, as
 * drm_prime_lookup_buf_handle(), so importing twice gives one handle.
 * Return: 0 and *@handle, or -ENOENT.
 */
int gp_gem_handle_by_object(struct gp_file *file, const struct gp_gem_object *obj,
			    uint32_t *handle);

/**
 * gp_gem_lookup_by_offset() - the object of @file whose fake mmap range
 * contains [@offset, @offset + @len), as drm_gem_mmap()'s lookup; a
 * reference for the caller, or NULL (the caller answers -EINVAL).  The file
 * must hold a handle on it: an offset is not a capability by itself.
 */
struct gp_gem_object *gp_gem_lookup_by_offset(struct gp_file *file, uint64_t offset,
					      uint64_t len);

/**
 * gp_gem_lookup_by_inode() - the object of @dev whose memfd is (@ino_dev,
 * @ino), with a reference, or NULL: the PRIME import lookup.
 */
struct gp_gem_object *gp_gem_lookup_by_inode(struct gp_device *dev, dev_t ino_dev, ino_t ino);

/**
 * gp_gem_file_release() - drop every handle of a closing file.  Called by
 * gp_file_close(); afterwards gp_gem_handle_create() fails with -ENODEV.
 */
void gp_gem_file_release(struct gp_file *file);

/* --- core-internal: file.c's half of the handle table ---------------------- */

/** gp_gem_handles_new() - an empty handle table for a file being opened. */
struct gp_gem_handles *gp_gem_handles_new(void);

/** gp_gem_handles_free() - free a table (after gp_gem_file_release(), or unused). */
void gp_gem_handles_free(struct gp_gem_handles **ph);

/** gp_gem_handle_count() - how many handles @file holds (tests, diagnostics). */
unsigned int gp_gem_handle_count(struct gp_file *file);

#endif /* GP_CORE_GEM_H */
