// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qemu-edu: a test-only personality for QEMU's edu PCI device.
 *
 * It exists to prove the VFIO path end to end where no Mali board is:
 * probe through a real BAR mapping, an ioctl that makes the device raise a
 * real (MSI or INTx) interrupt, the interrupt handled inside a guard and
 * delivered to the file as an event, hot-unbind of a real PCI device, and
 * DMA through the IOMMU: buffer objects copied to and from the device's
 * 4 KiB buffer by its DMA engine.
 *
 * DMA and revoke.  A transfer runs with the object mapped for the device;
 * the ioctl waits for the completion interrupt in short slices and looks
 * at the device's unplugged flag between them, so revoke (which waits for
 * every guard) never waits for a transfer longer than one slice.  A
 * transfer the ioctl stops waiting for (unplug, timeout) stays owned by the
 * registration data: the interrupt handler or, at the latest, release
 * finishes it.  Release quiesces the engine (edu cannot abort a transfer:
 * it waits for RUN to clear, bounded), then unmaps, then the backend
 * closes its fds; so an unbind leaves no IOVA mapped and no page pinned.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <urcu/list.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "device.h"
#include "drivers.h"
#include "file.h"
#include "gem.h"
#include "log.h"
#include "qemu_edu_regs.h"

#define EDU_REGION 0
#define EDU_LIVENESS_PROBE 0x12345678u

/* How often a waiting DMA ioctl looks at the unplugged flag: revoke's worst wait. */
#define EDU_DMA_SLICE_MS	10
/* QEMU runs a transfer 100 ms (virtual) after it starts; give it ten times that. */
#define EDU_DMA_TIMEOUT_MS	1000
/* Waiting for the engine behind other clients' transfers. */
#define EDU_DMA_QUEUE_TIMEOUT_MS	10000
/* Release: how long to wait for an abandoned transfer to finish. */
#define EDU_DMA_QUIESCE_MS	1000

/*
 * A transfer: the object (a reference) and its device mapping.  Owned by
 * the ioctl while it waits, by the registration data once abandoned.
 */
struct qemu_edu_xfer {
	struct gp_gem_object *bo;
	struct gp_dma_mapping *map;
	bool done;			/* the completion interrupt was handled */
	bool abandoned;			/* the ioctl stopped waiting: not its to free */
};

struct qemu_edu_waiter {
	struct cds_list_head link;
	struct gp_pending_event *event;
	uint64_t user_data;
};

/* Registration data. */
struct qemu_edu_data {
	struct gp_backend *backend;	/* owned */
	uint32_t id;
	/*
	 * Taken by the IRQ handler and by ioctls, briefly: never held while
	 * waiting for anything a client controls (waits drop it).
	 */
	pthread_mutex_t lock;
	struct cds_list_head waiters;	/* in request order */
	bool dma;			/* the binding can DMA (28-bit mask accepted) */
	pthread_cond_t dma_cond;	/* the engine's state changed */
	struct qemu_edu_xfer *dma_busy;	/* the engine's current transfer */
};

static uint32_t edu_read(struct gp_backend *be, uint32_t reg)
{
	return gp_backend_read32(be, EDU_REGION, reg);
}

static void edu_write(struct gp_backend *be, uint32_t reg, uint32_t value)
{
	gp_backend_write32(be, EDU_REGION, reg, value);
}

static int qemu_edu_probe(struct gp_unregistered_device *udev, void *data, struct gp_backend **backend)
{
	struct qemu_edu_data *edu = data;
	struct gp_backend *be = *backend;
	pthread_condattr_t cattr;
	uint32_t id, live;

	if (be->bus != GP_BUS_PCI)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-edu: %s is not a PCI device", be->bus_id);
	if (be->num_regions < 1 || be->regions[EDU_REGION].size < EDU_IRQ_ACK + 4)
		return gp_log_errno(LOG_ERR, ENXIO, "qemu-edu: %s: BAR0 is missing or too small",
				    be->bus_id);
	id = edu_read(be, EDU_ID);
	if (id != EDU_ID_VALUE)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-edu: %s: ID register reads 0x%08x, not 0x%08x",
				    be->bus_id, id, EDU_ID_VALUE);
	edu_write(be, EDU_LIVENESS, EDU_LIVENESS_PROBE);
	live = edu_read(be, EDU_LIVENESS);
	if (live != ~EDU_LIVENESS_PROBE)
		return gp_log_errno(LOG_ERR, EIO, "qemu-edu: %s: liveness register reads 0x%08x, not 0x%08x",
				    be->bus_id, live, ~EDU_LIVENESS_PROBE);
	if (be->num_irqs < 1)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-edu: %s: no interrupt line", be->bus_id);

	/* Nothing left asserted from an earlier user. */
	edu_write(be, EDU_IRQ_ACK, edu_read(be, EDU_IRQ_STATUS));
	/* The device ANDs bus addresses with its mask: never give it a wider one. */
	edu->dma = gp_backend_dma_set_mask(be, EDU_DMA_MASK) == 0;
	if (!edu->dma)
		gp_log_info("qemu-edu: %s: the binding offers no DMA: the DMA ioctl is off",
			    be->bus_id);
	edu->id = id;
	pthread_mutex_init(&edu->lock, NULL);
	/* The waits count in CLOCK_MONOTONIC: a clock step must not stretch them. */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&edu->dma_cond, &cattr);
	pthread_condattr_destroy(&cattr);
	CDS_INIT_LIST_HEAD(&edu->waiters);
	edu->backend = be;
	*backend = NULL;
	return 0;
}

static void qemu_edu_xfer_free(struct gp_backend *be, struct qemu_edu_xfer *x)
{
	if (!x)
		return;
	gp_backend_dma_unmap(be, &x->map);
	gp_gem_object_put(&x->bo);
	free(x);
}

/*
 * Release with a transfer still on the engine (abandoned by its ioctl):
 * edu cannot cancel one, so wait, bounded, for RUN to clear before the
 * memory is unmapped under it.  All-ones is a device that is gone.
 */
static void qemu_edu_quiesce(struct qemu_edu_data *edu)
{
	struct qemu_edu_xfer *x = edu->dma_busy;
	uint32_t cmd = 0;

	if (!x)
		return;
	for (int waited = 0; waited < EDU_DMA_QUIESCE_MS; waited++) {
		cmd = edu_read(edu->backend, EDU_DMA_CMD);
		if (!(cmd & EDU_DMA_CMD_RUN) || cmd == UINT32_MAX)
			break;
		usleep(1000);
	}
	if ((cmd & EDU_DMA_CMD_RUN) && cmd != UINT32_MAX)
		gp_log_warning("qemu-edu: %s: DMA still running after %d ms; unmapping anyway "
			       "(the IOMMU faults what it still does)", edu->backend->bus_id,
			       EDU_DMA_QUIESCE_MS);
	/* No interrupt will come for it now: what the IRQ path would have acknowledged. */
	edu_write(edu->backend, EDU_IRQ_ACK, EDU_IRQ_DMA);
	edu->dma_busy = NULL;
	qemu_edu_xfer_free(edu->backend, x);
}

static void qemu_edu_release(void *data)
{
	struct qemu_edu_data *edu = data;
	struct qemu_edu_waiter *w, *tmp;

	/* Engine quiet, then unmapped, then (gp_backend_release) the fds. */
	qemu_edu_quiesce(edu);

	cds_list_for_each_entry_safe(w, tmp, &edu->waiters, link) {
		cds_list_del(&w->link);
		gp_event_cancel(&w->event);
		free(w);
	}
	pthread_cond_destroy(&edu->dma_cond);
	pthread_mutex_destroy(&edu->lock);
	gp_backend_release(&edu->backend);
}

static int qemu_edu_info(const struct gp_registered_device *rdev, void *data, void *arg,
			 struct gp_file *file, const struct gp_user *user)
{
	struct qemu_edu_data *edu = data;
	struct gpu_proto_edu_info *info = arg;

	info->id = edu_read(edu->backend, EDU_ID);
	edu_write(edu->backend, EDU_LIVENESS, EDU_LIVENESS_PROBE);
	info->liveness = edu_read(edu->backend, EDU_LIVENESS);
	return 0;
}

static int qemu_edu_raise_irq(const struct gp_registered_device *rdev, void *data, void *arg,
			      struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_edu_raise_irq *req = arg;
	struct qemu_edu_data *edu = data;
	struct qemu_edu_waiter *w;
	int r;

	if (!req->status || req->pad)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	r = gp_event_reserve(file, sizeof(struct gpu_proto_edu_event_irq), &w->event);
	if (r < 0) {
		free(w);
		return r;
	}
	w->user_data = req->user_data;
	pthread_mutex_lock(&edu->lock);
	cds_list_add_tail(&w->link, &edu->waiters);
	/* Raised under the lock, so the handler finds the waiter queued. */
	edu_write(edu->backend, EDU_IRQ_RAISE, req->status);
	pthread_mutex_unlock(&edu->lock);
	return 0;
}

static int qemu_edu_bo_create(const struct gp_registered_device *rdev, void *data, void *arg,
			      struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_edu_bo_create *req = arg;
	struct gp_gem_object *obj = NULL;
	uint32_t handle;
	int r;

	if (req->pad)
		return -EINVAL;
	r = gp_gem_object_create(gp_registered_to_device(rdev), req->size, &obj);
	if (r < 0)
		return r;
	r = gp_gem_handle_create(file, obj, &handle);
	if (r == 0) {
		req->handle = handle;
		req->size = obj->size;
	}
	/* The handle holds its own reference. */
	gp_gem_object_put(&obj);
	return r;
}

static uint64_t qemu_edu_elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(now.tv_sec - start->tv_sec) * 1000 +
	     (int64_t)(now.tv_nsec - start->tv_nsec) / 1000000;
	return ms > 0 ? (uint64_t)ms : 0;
}

/* Wait on dma_cond for at most one slice; called and returns with edu->lock held. */
static void qemu_edu_wait_slice(struct qemu_edu_data *edu)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += EDU_DMA_SLICE_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	(void)pthread_cond_timedwait(&edu->dma_cond, &edu->lock, &until);
}

/*
 * Where the transfer's bytes are for the device: the segment holding
 * @off (from the start of the mapping) must hold all @len bytes; with an
 * IOMMU there is one segment, so this only fails without one.
 */
static int qemu_edu_bus_addr(const struct gp_dma_mapping *map, uint64_t off, uint64_t len,
			     uint64_t *addr)
{
	for (unsigned int i = 0; i < map->num_segments; i++) {
		const struct gp_dma_segment *seg = &map->segments[i];

		if (off >= seg->len) {
			off -= seg->len;
			continue;
		}
		if (len > seg->len - off)
			return -EINVAL;
		*addr = seg->addr + off;
		return 0;
	}
	return -EINVAL;
}

static int qemu_edu_dma_check(const struct gpu_proto_edu_dma *req)
{
	if (req->pad || req->direction > GPU_PROTO_EDU_DMA_FROM_DEVICE || !req->length)
		return -EINVAL;
	if (req->bo_offset % GPU_PROTO_EDU_DMA_ALIGN || req->dev_offset % GPU_PROTO_EDU_DMA_ALIGN ||
	    req->length % GPU_PROTO_EDU_DMA_ALIGN)
		return -EINVAL;
	/* Never the buffer's last bytes: QEMU 7.2's edu aborts the VM on a transfer ending there. */
	if (req->length > GPU_PROTO_EDU_DMA_USABLE ||
	    req->dev_offset > GPU_PROTO_EDU_DMA_USABLE - req->length)
		return -EINVAL;
	return 0;
}

static int qemu_edu_dma(const struct gp_registered_device *rdev, void *data, void *arg,
			struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_edu_dma *req = arg;
	struct qemu_edu_data *edu = data;
	struct gp_device *dev = gp_registered_to_device(rdev);
	struct qemu_edu_xfer *x;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start, span, bus, dev_addr;
	bool to_device = req->direction == GPU_PROTO_EDU_DMA_TO_DEVICE;
	struct timespec t0;
	int r;

	r = qemu_edu_dma_check(req);
	if (r < 0)
		return r;
	if (!edu->dma)
		return -EOPNOTSUPP;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->bo = gp_gem_object_lookup(file, req->handle);
	if (!x->bo) {
		free(x);
		return -ENOENT;
	}
	if (req->bo_offset > x->bo->size || req->length > x->bo->size - req->bo_offset) {
		r = -EINVAL;
		goto out;
	}
	/* Map only the pages the transfer touches. */
	start = req->bo_offset & ~(page - 1);
	span = ((req->bo_offset + req->length + page - 1) & ~(page - 1)) - start;
	r = gp_backend_dma_map(edu->backend, (char *)x->bo->vaddr + start, span,
			       to_device ? GP_DMA_TO_DEVICE : GP_DMA_FROM_DEVICE, &x->map);
	if (r < 0)
		goto out;
	r = qemu_edu_bus_addr(x->map, req->bo_offset - start, req->length, &bus);
	if (r < 0)
		goto out;
	dev_addr = EDU_DMA_BUF + req->dev_offset;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_mutex_lock(&edu->lock);
	/* Take the engine; the wait for it is bounded by other transfers' own timeouts. */
	while (edu->dma_busy) {
		if (gp_device_is_unplugged(dev)) {
			r = -ENODEV;
		} else if (qemu_edu_elapsed_ms(&t0) > EDU_DMA_QUEUE_TIMEOUT_MS) {
			r = -ETIMEDOUT;
		} else {
			qemu_edu_wait_slice(edu);
			continue;
		}
		pthread_mutex_unlock(&edu->lock);
		goto out;
	}
	edu->dma_busy = x;
	gp_backend_write64(edu->backend, EDU_REGION, EDU_DMA_SRC, to_device ? bus : dev_addr);
	gp_backend_write64(edu->backend, EDU_REGION, EDU_DMA_DST, to_device ? dev_addr : bus);
	gp_backend_write64(edu->backend, EDU_REGION, EDU_DMA_COUNT, req->length);
	gp_backend_write64(edu->backend, EDU_REGION, EDU_DMA_CMD,
			   EDU_DMA_CMD_RUN | EDU_DMA_CMD_IRQ | (to_device ? 0 : EDU_DMA_CMD_TO_RAM));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!x->done) {
		if (gp_device_is_unplugged(dev)) {
			r = -ENODEV;
		} else if (qemu_edu_elapsed_ms(&t0) > EDU_DMA_TIMEOUT_MS) {
			r = -ETIMEDOUT;
			gp_log_warning("qemu-edu: %s: DMA of %u bytes did not complete in %d ms",
				       edu->backend->bus_id, req->length, EDU_DMA_TIMEOUT_MS);
		} else {
			qemu_edu_wait_slice(edu);
			continue;
		}
		/* Still on the engine, maybe still running: the registration finishes it. */
		x->abandoned = true;
		pthread_mutex_unlock(&edu->lock);
		return r;
	}
	/* The handler took it off the engine; it is ours again. */
	pthread_mutex_unlock(&edu->lock);
	r = 0;
out:
	qemu_edu_xfer_free(edu->backend, x);
	return r;
}

/* One interrupt completes every request made before it was handled. */
static void qemu_edu_irq(const struct gp_registered_device *rdev, void *data, unsigned int line)
{
	struct qemu_edu_data *edu = data;
	struct qemu_edu_xfer *orphan = NULL;
	struct cds_list_head done;
	struct qemu_edu_waiter *w, *tmp;
	uint32_t status;
	bool gone;

	CDS_INIT_LIST_HEAD(&done);
	pthread_mutex_lock(&edu->lock);
	status = edu_read(edu->backend, EDU_IRQ_STATUS);
	/*
	 * All-ones is a device gone from the bus, unless the ID register still
	 * answers: RAISE_IRQ lets a client set every status bit, and taking
	 * that for a removal would leave it unacknowledged and every later
	 * transfer's completion unseen (found by fuzz_dispatch).
	 */
	gone = status == UINT32_MAX && edu_read(edu->backend, EDU_ID) == UINT32_MAX;
	if (status && !gone)
		edu_write(edu->backend, EDU_IRQ_ACK, status);
	if (!gone && (status & EDU_IRQ_DMA) && edu->dma_busy &&
	    !(edu_read(edu->backend, EDU_DMA_CMD) & EDU_DMA_CMD_RUN)) {
		struct qemu_edu_xfer *x = edu->dma_busy;

		edu->dma_busy = NULL;
		if (x->abandoned)
			orphan = x;
		else
			x->done = true;
		pthread_cond_broadcast(&edu->dma_cond);
	}
	cds_list_splice(&edu->waiters, &done);
	CDS_INIT_LIST_HEAD(&edu->waiters);
	pthread_mutex_unlock(&edu->lock);
	gp_backend_irq_unmask(edu->backend, line);
	/* Its ioctl gave up on it: unmap here, outside the lock. */
	qemu_edu_xfer_free(edu->backend, orphan);

	cds_list_for_each_entry_safe(w, tmp, &done, link) {
		struct gpu_proto_edu_event_irq ev = {
			.base = { .type = GPU_PROTO_EDU_EVENT_IRQ, .length = sizeof(ev) },
			.user_data = w->user_data,
			.status = status,
		};

		cds_list_del(&w->link);
		gp_event_send(&w->event, &ev);
		free(w);
	}
}

static const struct gp_ioctl_desc qemu_edu_ioctls[] = {
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_EDU_INFO, qemu_edu_info, NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_EDU_RAISE_IRQ, qemu_edu_raise_irq, NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_EDU_BO_CREATE, qemu_edu_bo_create, NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_EDU_DMA, qemu_edu_dma, NULL, GP_DRM_RENDER_ALLOW),
};

const struct gp_driver gp_qemu_edu_driver = {
	.name = "qemu-edu",
	.desc = "gpu-proto test personality for QEMU's edu device",
	.date = "0",
	.major = 1,
	.minor = 0,
	.patchlevel = 0,
	.features = GP_DRIVER_GEM,
	.ioctls = qemu_edu_ioctls,
	.num_ioctls = sizeof(qemu_edu_ioctls) / sizeof(qemu_edu_ioctls[0]),
	.data_size = sizeof(struct qemu_edu_data),
	.probe = qemu_edu_probe,
	.irq = qemu_edu_irq,
	.release = qemu_edu_release,
};
