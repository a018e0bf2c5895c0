// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Buffer objects and per-file handles: drm_gem.c's object, handle and
 * mmap-offset parts, with memfds for shmem.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_priv.h"
#include "file.h"
#include "gem.h"
#include "log.h"
#include "rcu.h"

/*
 * The fake mmap offset space, as drm_vma_offset_manager on 64-bit kernels:
 * DRM_FILE_PAGE_OFFSET_START is page (0xFFFFFFFF >> PAGE_SHIFT) + 1, i.e.
 * byte 4 GiB whatever the page size, and the space spans 256 times that
 * many pages.  Offsets below 4 GiB are never handed out, so a client that
 * confuses an offset with a size or a handle gets EINVAL, not memory.
 */
#define GP_GEM_OFFSET_START	(1ull << 32)

struct gp_gem_handles {
	/* Per file; never taken by revoke or the IRQ path.  A leaf lock. */
	pthread_mutex_t lock;
	struct gp_gem_object **objs;	/* objs[handle - 1]; NULL: free slot */
	unsigned int slots;		/* allocated entries of @objs */
	unsigned int count;		/* handles in use */
	unsigned int lowest_free;	/* no free slot has a lower index */
	uint64_t bytes;			/* sizes of the objects behind the handles */
	bool closed;			/* gp_gem_file_release() ran */
};

static _Atomic unsigned int gp_gem_max_handles = GP_GEM_DEFAULT_MAX_HANDLES;
static _Atomic uint64_t gp_gem_max_bytes = GP_GEM_DEFAULT_MAX_BYTES;

void gp_gem_set_file_limits(unsigned int max_handles, uint64_t max_bytes)
{
	if (max_handles)
		atomic_store(&gp_gem_max_handles, max_handles);
	if (max_bytes)
		atomic_store(&gp_gem_max_bytes, max_bytes);
}

void gp_gem_get_file_limits(unsigned int *max_handles, uint64_t *max_bytes)
{
	*max_handles = atomic_load(&gp_gem_max_handles);
	*max_bytes = atomic_load(&gp_gem_max_bytes);
}

static uint64_t gp_page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t gp_gem_offset_end(void)
{
	uint64_t page = gp_page_size();

	/* DRM_FILE_PAGE_OFFSET_SIZE pages after the start. */
	return GP_GEM_OFFSET_START + (0xFFFFFFFFull / page) * 256 * page;
}

/*
 * First fit in the sorted list, as drm_mm's default insertion: the lowest
 * gap that holds @size.  Caller holds dev->gem_lock; on success @obj is
 * linked in offset order.
 */
static int gp_gem_offset_insert(struct gp_device *dev, struct gp_gem_object *obj)
{
	uint64_t start = GP_GEM_OFFSET_START, end = gp_gem_offset_end();
	struct cds_list_head *pos = &dev->gem_objects;
	struct gp_gem_object *o;

	cds_list_for_each_entry(o, &dev->gem_objects, dev_link) {
		if (o->mmap_offset - start >= obj->size) {
			pos = &o->dev_link;
			break;
		}
		start = o->mmap_offset + o->size;
	}
	if (pos == &dev->gem_objects && (start > end || end - start < obj->size))
		return -ENOSPC;
	obj->mmap_offset = start;
	/* Before @pos, or at the tail when no gap was found earlier. */
	cds_list_add_tail(&obj->dev_link, pos);
	dev->gem_count++;
	return 0;
}

int gp_gem_object_init(struct gp_device *dev, struct gp_gem_object *obj,
		       const struct gp_gem_object_funcs *funcs, uint64_t size)
{
	uint64_t page = gp_page_size();
	struct stat st;
	void *vaddr;
	int fd, r;

	if (size == 0 || size > GP_GEM_MAX_SIZE)
		return -EINVAL;
	size = (size + page - 1) & ~(page - 1);

	fd = memfd_create("gpu-proto-bo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return gp_log_errno(LOG_WARNING, errno, "gem: memfd_create for %llu bytes",
				    (unsigned long long)size);
	if (ftruncate(fd, (off_t)size) < 0) {
		r = gp_log_errno(LOG_WARNING, errno, "gem: ftruncate memfd to %llu bytes",
				 (unsigned long long)size);
		goto err_close;
	}
	/*
	 * Clients receive this memfd: without these seals one could shrink it
	 * and the daemon's next access through @vaddr would be SIGBUS.
	 * F_SEAL_SEAL keeps anyone from adding a write seal later.
	 */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		r = gp_log_errno(LOG_WARNING, errno, "gem: sealing memfd");
		goto err_close;
	}
	if (fstat(fd, &st) < 0) {
		r = gp_log_errno(LOG_WARNING, errno, "gem: fstat memfd");
		goto err_close;
	}
	vaddr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (vaddr == MAP_FAILED) {
		r = gp_log_errno(LOG_WARNING, errno, "gem: mapping %llu bytes",
				 (unsigned long long)size);
		goto err_close;
	}

	urcu_ref_init(&obj->ref);
	obj->funcs = funcs;
	obj->size = (size_t)size;
	obj->memfd = fd;
	obj->vaddr = vaddr;
	obj->ino_dev = st.st_dev;
	obj->ino = st.st_ino;
	/* Every field is set before the list publishes the object to lookups. */
	obj->dev = gp_device_get(dev);

	pthread_mutex_lock(&dev->gem_lock);
	r = gp_gem_offset_insert(dev, obj);
	pthread_mutex_unlock(&dev->gem_lock);
	if (r < 0) {
		gp_log_warning("gem: fake mmap offset space exhausted (%llu bytes requested)",
			       (unsigned long long)size);
		gp_device_put(&obj->dev);
		munmap(vaddr, size);
		goto err_close;
	}
	return 0;

err_close:
	close(fd);
	return r;
}

int gp_gem_object_create(struct gp_device *dev, uint64_t size, struct gp_gem_object **out)
{
	struct gp_gem_object *obj;
	int r;

	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return -ENOMEM;
	r = gp_gem_object_init(dev, obj, NULL, size);
	if (r < 0) {
		free(obj);
		return r;
	}
	*out = obj;
	return 0;
}

struct gp_gem_object *gp_gem_object_get(struct gp_gem_object *obj)
{
	urcu_ref_get(&obj->ref);
	return obj;
}

static void gp_gem_object_release(struct urcu_ref *ref)
{
	struct gp_gem_object *obj = caa_container_of(ref, struct gp_gem_object, ref);
	struct gp_device *dev = obj->dev;

	/* liburcu's atomics are invisible to TSan: the last put sees every holder's. */
	gp_tsan_acquire(&obj->ref);

	/* Unpublish first: PRIME lookup and offset lookup must not find it dying. */
	pthread_mutex_lock(&dev->gem_lock);
	cds_list_del(&obj->dev_link);
	dev->gem_count--;
	pthread_mutex_unlock(&dev->gem_lock);

	munmap(obj->vaddr, obj->size);
	close(obj->memfd);
	if (obj->funcs && obj->funcs->free)
		obj->funcs->free(obj);
	else
		free(obj);
	/* Last: the device outlives every object it ever had. */
	gp_device_put(&dev);
}

void gp_gem_object_put(struct gp_gem_object **pobj)
{
	if (!*pobj)
		return;
	gp_tsan_release(&(*pobj)->ref);
	urcu_ref_put(&(*pobj)->ref, gp_gem_object_release);
	*pobj = NULL;
}

struct gp_gem_object *gp_gem_lookup_by_inode(struct gp_device *dev, dev_t ino_dev, ino_t ino)
{
	struct gp_gem_object *o, *found = NULL;

	pthread_mutex_lock(&dev->gem_lock);
	cds_list_for_each_entry(o, &dev->gem_objects, dev_link) {
		/* A dying object is still listed until its release unlinks it. */
		if (o->ino == ino && o->ino_dev == ino_dev && urcu_ref_get_unless_zero(&o->ref)) {
			found = o;
			break;
		}
	}
	pthread_mutex_unlock(&dev->gem_lock);
	return found;
}

/* --- handles ---------------------------------------------------------------- */

struct gp_gem_handles *gp_gem_handles_new(void)
{
	struct gp_gem_handles *h = calloc(1, sizeof(*h));

	if (h)
		pthread_mutex_init(&h->lock, NULL);
	return h;
}

void gp_gem_handles_free(struct gp_gem_handles **ph)
{
	struct gp_gem_handles *h = *ph;

	if (!h)
		return;
	for (unsigned int i = 0; i < h->slots; i++)
		gp_gem_object_put(&h->objs[i]);
	free(h->objs);
	pthread_mutex_destroy(&h->lock);
	free(h);
	*ph = NULL;
}

static struct gp_ratelimit gp_gem_limit_rl = GP_RATELIMIT_INIT;

int gp_gem_handle_create(struct gp_file *file, struct gp_gem_object *obj, uint32_t *handle)
{
	struct gp_gem_handles *h = file->gem;
	unsigned int max_handles = atomic_load(&gp_gem_max_handles);
	uint64_t max_bytes = atomic_load(&gp_gem_max_bytes);
	bool over_bytes = false;
	unsigned int i;
	int r = 0;

	pthread_mutex_lock(&h->lock);
	if (h->closed) {
		r = -ENODEV;
		goto out;
	}
	if (h->count >= max_handles) {
		r = -ENOSPC;
		goto out;
	}
	if (obj->size > max_bytes || h->bytes > max_bytes - obj->size) {
		over_bytes = true;
		r = -ENOMEM;
		goto out;
	}
	/* idr_alloc(.., 1, 0): the lowest free number. */
	for (i = h->lowest_free; i < h->slots && h->objs[i]; i++)
		;
	if (i == h->slots) {
		unsigned int slots = h->slots ? h->slots * 2 : 16;
		struct gp_gem_object **objs;

		if (slots > max_handles)
			slots = max_handles;
		if (slots <= i)
			slots = i + 1;
		objs = realloc(h->objs, slots * sizeof(*objs));
		if (!objs) {
			r = -ENOMEM;
			goto out;
		}
		memset(objs + h->slots, 0, (slots - h->slots) * sizeof(*objs));
		h->objs = objs;
		h->slots = slots;
	}
	h->objs[i] = gp_gem_object_get(obj);
	h->count++;
	h->bytes += obj->size;
	h->lowest_free = i + 1;
	*handle = i + 1;
out:
	pthread_mutex_unlock(&h->lock);
	if (r == -ENOSPC)
		gp_log_ratelimited(&gp_gem_limit_rl, LOG_WARNING,
				   "gem: pid %d uid %u: per-file limit of %u handles reached",
				   (int)file->caller.pid, (unsigned int)file->caller.uid, max_handles);
	else if (over_bytes)
		gp_log_ratelimited(&gp_gem_limit_rl, LOG_WARNING,
				   "gem: pid %d uid %u: object of %zu bytes refused: the file's "
				   "objects would exceed its limit of %llu bytes",
				   (int)file->caller.pid, (unsigned int)file->caller.uid, obj->size,
				   (unsigned long long)max_bytes);
	return r;
}

struct gp_gem_object *gp_gem_object_lookup(struct gp_file *file, uint32_t handle)
{
	struct gp_gem_handles *h = file->gem;
	struct gp_gem_object *obj = NULL;

	pthread_mutex_lock(&h->lock);
	if (handle >= 1 && handle <= h->slots && h->objs[handle - 1])
		obj = gp_gem_object_get(h->objs[handle - 1]);
	pthread_mutex_unlock(&h->lock);
	return obj;
}

int gp_gem_handle_delete(struct gp_file *file, uint32_t handle)
{
	struct gp_gem_handles *h = file->gem;
	struct gp_gem_object *obj = NULL;

	pthread_mutex_lock(&h->lock);
	if (handle >= 1 && handle <= h->slots && h->objs[handle - 1]) {
		obj = h->objs[handle - 1];
		h->objs[handle - 1] = NULL;
		h->count--;
		h->bytes -= obj->size;
		if (handle - 1 < h->lowest_free)
			h->lowest_free = handle - 1;
	}
	pthread_mutex_unlock(&h->lock);
	if (!obj)
		return -EINVAL;
	/* Outside the handle lock: the last put takes the device's gem lock. */
	gp_gem_object_put(&obj);
	return 0;
}

int gp_gem_handle_by_object(struct gp_file *file, const struct gp_gem_object *obj,
			    uint32_t *handle)
{
	struct gp_gem_handles *h = file->gem;
	int r = -ENOENT;

	pthread_mutex_lock(&h->lock);
	for (unsigned int i = 0; i < h->slots; i++) {
		if (h->objs[i] == obj) {
			*handle = i + 1;
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

struct gp_gem_object *gp_gem_lookup_by_offset(struct gp_file *file, uint64_t offset,
					      uint64_t len)
{
	struct gp_gem_handles *h = file->gem;
	struct gp_gem_object *obj = NULL;

	pthread_mutex_lock(&h->lock);
	for (unsigned int i = 0; i < h->slots; i++) {
		struct gp_gem_object *o = h->objs[i];

		/* [offset, offset + len) inside the object, without overflow. */
		if (o && offset >= o->mmap_offset && len <= o->size &&
		    offset - o->mmap_offset <= o->size - len &&
		    offset - o->mmap_offset < o->size) {
			obj = gp_gem_object_get(o);
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return obj;
}

void gp_gem_file_release(struct gp_file *file)
{
	struct gp_gem_handles *h = file->gem;
	struct gp_gem_object **objs;
	unsigned int slots;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->closed = true;
	objs = h->objs;
	slots = h->slots;
	h->objs = NULL;
	h->slots = h->count = h->lowest_free = 0;
	h->bytes = 0;
	pthread_mutex_unlock(&h->lock);
	for (unsigned int i = 0; i < slots; i++)
		gp_gem_object_put(&objs[i]);
	free(objs);
}

unsigned int gp_gem_handle_count(struct gp_file *file)
{
	struct gp_gem_handles *h = file->gem;
	unsigned int n;

	pthread_mutex_lock(&h->lock);
	n = h->count;
	pthread_mutex_unlock(&h->lock);
	return n;
}
