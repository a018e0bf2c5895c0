// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open files and their event queues, as drm_file.c.
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "device_priv.h"
#include "file.h"
#include "gem.h"
#include "rcu.h"
#include "registration.h"
#include "syncobj.h"
#include "wait.h"

bool gp_pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, 0);
	} while (r < 0 && errno == EINTR);
	return r != 0;
}

struct gp_queued_event {
	struct cds_list_head link;
	uint32_t length;
	unsigned char bytes[];
};

struct gp_pending_event {
	struct gp_file *file;		/* a reference */
	uint32_t length;
};

int gp_file_open(struct gp_device *dev, const struct gp_caller *caller, enum gp_node_type node,
		 struct gp_file **out)
{
	const struct gp_driver *driver = dev->driver;
	struct gp_guard guard;
	struct gp_file *file;
	int r;

	file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	file->gem = gp_gem_handles_new();
	if (!file->gem) {
		free(file);
		return -ENOMEM;
	}
	/* As drm_syncobj_open(), for every file: only the ioctls ask for the feature. */
	r = gp_syncobj_table_create(&file->syncobjs);
	if (r < 0) {
		gp_gem_handles_free(&file->gem);
		free(file);
		return r;
	}
	urcu_ref_init(&file->ref);
	CDS_INIT_LIST_HEAD(&file->events);
	CDS_INIT_LIST_HEAD(&file->parked);
	file->event_space = GP_FILE_EVENT_SPACE;
	file->caller = *caller;
	file->node = node;
	/* Legacy AUTH: as drm_open_helper(), privileged primary openers are authenticated. */
	file->authenticated = node == GP_NODE_PRIMARY && gp_caller_capable(caller, GP_CAP_SYS_ADMIN);

	/*
	 * As drm_open() refuses an unplugged minor: the file joins the device
	 * inside a guard, so it can only be created on a device registered at
	 * that moment, and revoke (which wakes the list after its grace
	 * period) is guaranteed to see it.
	 */
	if (!gp_dev_enter(dev, &guard)) {
		gp_syncobj_table_destroy(&file->syncobjs);
		gp_gem_handles_free(&file->gem);
		free(file);
		return -ENODEV;
	}
	/* As drm_open_helper(): the driver's open runs before the file is listed. */
	if (driver->open) {
		r = driver->open(gp_guard_device(&guard), gp_guard_data(&guard), file);
		if (r < 0) {
			gp_dev_exit(&guard);
			gp_syncobj_table_destroy(&file->syncobjs);
			gp_gem_handles_free(&file->gem);
			free(file);
			return r;
		}
	}
	file->dev = gp_device_get(dev);
	pthread_mutex_lock(&dev->lock);
	cds_list_add_tail(&file->link, &dev->files);
	dev->open_files++;
	pthread_mutex_unlock(&dev->lock);
	gp_dev_exit(&guard);

	*out = file;
	return 0;
}

void gp_file_set_notify(struct gp_file *file, gp_file_notify_t notify, void *ctx)
{
	pthread_mutex_lock(&file->dev->lock);
	file->notify = notify;
	file->notify_ctx = ctx;
	pthread_mutex_unlock(&file->dev->lock);
}

struct gp_file *gp_file_get(struct gp_file *file)
{
	urcu_ref_get(&file->ref);
	return file;
}

static void gp_file_release(struct urcu_ref *ref)
{
	struct gp_file *file = caa_container_of(ref, struct gp_file, ref);

	gp_tsan_acquire(&file->ref);	/* as gp_device_put(): the last put sees all */
	gp_syncobj_table_destroy(&file->syncobjs);
	gp_gem_handles_free(&file->gem);
	gp_device_put(&file->dev);
	if (file->caller.ops && file->caller.ops->release)
		file->caller.ops->release(&file->caller);
	free(file);
}

void gp_file_put(struct gp_file **pfile)
{
	if (!*pfile)
		return;
	gp_tsan_release(&(*pfile)->ref);
	urcu_ref_put(&(*pfile)->ref, gp_file_release);
	*pfile = NULL;
}

/*
 * The driver's postclose, with the guarantee driver.h gives: inside a guard
 * while the device is registered; otherwise only once revoke's release()
 * has returned, so the driver never frees per-file state that registration
 * data (a VM, a mapping) may still reach while release runs.
 */
static void gp_file_postclose(struct gp_file *file)
{
	struct gp_device *dev = file->dev;
	void (*postclose)(const struct gp_registered_device *, void *, struct gp_file *) =
		dev->driver->postclose;
	struct gp_guard guard;

	if (!postclose)
		return;
	if (gp_dev_enter(dev, &guard)) {
		postclose(gp_guard_device(&guard), gp_guard_data(&guard), file);
		gp_dev_exit(&guard);
		return;
	}
	/*
	 * Unplugged: revoke is past its first step.  Waiting for it is
	 * bounded (the grace period, then release), and a guard of this
	 * thread would make it wait for us: refuse that loudly.
	 */
	assert(!gp_guard_held());
	pthread_mutex_lock(&dev->lock);
	while (!dev->released)
		pthread_cond_wait(&dev->released_cond, &dev->lock);
	pthread_mutex_unlock(&dev->lock);
	postclose(NULL, NULL, file);
}

void gp_file_close(struct gp_file **pfile)
{
	struct gp_file *file = *pfile;
	struct gp_device *dev;
	struct gp_queued_event *e, *tmp;

	if (!file)
		return;
	dev = file->dev;
	pthread_mutex_lock(&dev->lock);
	file->closed = true;
	file->notify = NULL;
	while (file->notifying)
		pthread_cond_wait(&dev->notify_done, &dev->lock);
	cds_list_del(&file->link);
	dev->open_files--;
	cds_list_for_each_entry_safe(e, tmp, &file->events, link) {
		cds_list_del(&e->link);
		free(e);
	}
	pthread_mutex_unlock(&dev->lock);

	/*
	 * Parked requests wake and their re-runs answer ENODEV: closed was
	 * set above, so a park racing with us sees it (wait.c).
	 */
	gp_wait_wake_file(file);

	gp_file_postclose(file);
	/* As drm_file_free() drops the handles: objects may outlive the file. */
	gp_gem_file_release(file);
	/* As drm_syncobj_release(): the handles go; objects live on in fences' users. */
	gp_syncobj_table_close(file->syncobjs);
	gp_file_put(pfile);
}

/* Call the file's notify hook outside the lock; the caller holds a reference. */
static void gp_file_notify(struct gp_file *file)
{
	gp_file_notify_t notify;
	void *ctx;

	pthread_mutex_lock(&file->dev->lock);
	notify = file->notify;
	ctx = file->notify_ctx;
	if (notify)
		file->notifying++;
	pthread_mutex_unlock(&file->dev->lock);
	if (!notify)
		return;
	notify(file, ctx);
	pthread_mutex_lock(&file->dev->lock);
	if (--file->notifying == 0)
		pthread_cond_broadcast(&file->dev->notify_done);
	pthread_mutex_unlock(&file->dev->lock);
}

void gp_device_wake_files(struct gp_device *dev)
{
	struct gp_file *file, *next;

	/*
	 * Mark every file, then wake them one at a time: notify runs without
	 * the lock (it may take frontend locks), and nothing is allocated, so
	 * revoke cannot fail to wake a file for want of memory.
	 */
	pthread_mutex_lock(&dev->lock);
	cds_list_for_each_entry(file, &dev->files, link)
		file->wake_pending = true;
	for (;;) {
		next = NULL;
		cds_list_for_each_entry(file, &dev->files, link) {
			if (file->wake_pending) {
				file->wake_pending = false;
				next = gp_file_get(file);
				break;
			}
		}
		pthread_mutex_unlock(&dev->lock);
		if (!next)
			return;
		gp_file_notify(next);
		gp_file_put(&next);
		pthread_mutex_lock(&dev->lock);
	}
}

ssize_t gp_file_read_events(struct gp_file *file, void *buf, size_t size)
{
	struct gp_device *dev = file->dev;
	unsigned char *out = buf;
	struct gp_queued_event *e, *tmp;
	size_t copied = 0;
	ssize_t r;

	pthread_mutex_lock(&dev->lock);
	if (gp_device_is_unplugged(dev)) {
		r = -ENODEV;
		goto out;
	}
	cds_list_for_each_entry_safe(e, tmp, &file->events, link) {
		if (e->length > size - copied)
			break;
		memcpy(out + copied, e->bytes, e->length);
		copied += e->length;
		file->event_space += e->length;
		cds_list_del(&e->link);
		free(e);
	}
	if (copied)
		r = (ssize_t)copied;
	else if (cds_list_empty(&file->events))
		r = -EAGAIN;
	else
		r = -EINVAL;	/* the next event does not fit at all */
out:
	pthread_mutex_unlock(&dev->lock);
	return r;
}

unsigned int gp_file_poll(struct gp_file *file)
{
	unsigned int mask = 0;

	pthread_mutex_lock(&file->dev->lock);
	if (gp_device_is_unplugged(file->dev))
		mask = POLLERR | POLLHUP;
	else if (!cds_list_empty(&file->events))
		mask = POLLIN | POLLRDNORM;
	pthread_mutex_unlock(&file->dev->lock);
	return mask;
}

int gp_event_reserve(struct gp_file *file, uint32_t length, struct gp_pending_event **out)
{
	struct gp_pending_event *pe;
	int r = 0;

	pe = calloc(1, sizeof(*pe));
	if (!pe)
		return -ENOMEM;
	pthread_mutex_lock(&file->dev->lock);
	if (file->closed)
		r = -ENODEV;
	else if (file->event_space < length)
		r = -ENOSPC;
	else
		file->event_space -= length;
	pthread_mutex_unlock(&file->dev->lock);
	if (r < 0) {
		free(pe);
		return r;
	}
	pe->file = gp_file_get(file);
	pe->length = length;
	*out = pe;
	return 0;
}

void gp_event_cancel(struct gp_pending_event **ppe)
{
	struct gp_pending_event *pe = *ppe;

	if (!pe)
		return;
	pthread_mutex_lock(&pe->file->dev->lock);
	pe->file->event_space += pe->length;
	pthread_mutex_unlock(&pe->file->dev->lock);
	gp_file_put(&pe->file);
	free(pe);
	*ppe = NULL;
}

void gp_event_send(struct gp_pending_event **ppe, const void *event)
{
	struct gp_pending_event *pe = *ppe;
	struct gp_file *file = pe->file;
	struct gp_queued_event *e;
	bool queued = false;

	e = malloc(sizeof(*e) + pe->length);
	pthread_mutex_lock(&file->dev->lock);
	if (e && !file->closed) {
		e->length = pe->length;
		memcpy(e->bytes, event, pe->length);
		cds_list_add_tail(&e->link, &file->events);
		queued = true;
	} else {
		/* Closed, or no memory: the reservation's space goes back, as on cancel. */
		file->event_space += pe->length;
	}
	pthread_mutex_unlock(&file->dev->lock);
	if (!queued)
		free(e);
	else
		gp_file_notify(file);
	gp_file_put(&pe->file);
	free(pe);
	*ppe = NULL;
}
