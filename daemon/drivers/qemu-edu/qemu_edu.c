// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qemu-edu: a test-only personality for QEMU's edu PCI device.
 *
 * It exists to prove the VFIO path end to end where no Mali board is:
 * probe through a real BAR mapping, an ioctl that makes the device raise a
 * real (MSI or INTx) interrupt, the interrupt handled inside a guard and
 * delivered to the file as an event, and hot-unbind of a real PCI device.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <urcu/list.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "device.h"
#include "drivers.h"
#include "file.h"
#include "log.h"
#include "qemu_edu_regs.h"

#define EDU_REGION 0
#define EDU_LIVENESS_PROBE 0x12345678u

struct qemu_edu_waiter {
	struct cds_list_head link;
	struct gp_pending_event *event;
	uint64_t user_data;
};

/* Registration data. */
struct qemu_edu_data {
	struct gp_backend *backend;	/* owned */
	uint32_t id;
	pthread_mutex_t lock;
	struct cds_list_head waiters;	/* in request order */
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
	edu->id = id;
	pthread_mutex_init(&edu->lock, NULL);
	CDS_INIT_LIST_HEAD(&edu->waiters);
	edu->backend = be;
	*backend = NULL;
	return 0;
}

static void qemu_edu_release(void *data)
{
	struct qemu_edu_data *edu = data;
	struct qemu_edu_waiter *w, *tmp;

	cds_list_for_each_entry_safe(w, tmp, &edu->waiters, link) {
		cds_list_del(&w->link);
		gp_event_cancel(&w->event);
		free(w);
	}
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

/* One interrupt completes every request made before it was handled. */
static void qemu_edu_irq(const struct gp_registered_device *rdev, void *data, unsigned int line)
{
	struct qemu_edu_data *edu = data;
	struct cds_list_head done;
	struct qemu_edu_waiter *w, *tmp;
	uint32_t status;

	CDS_INIT_LIST_HEAD(&done);
	pthread_mutex_lock(&edu->lock);
	status = edu_read(edu->backend, EDU_IRQ_STATUS);
	if (status && status != UINT32_MAX)
		edu_write(edu->backend, EDU_IRQ_ACK, status);
	cds_list_splice(&edu->waiters, &done);
	CDS_INIT_LIST_HEAD(&edu->waiters);
	pthread_mutex_unlock(&edu->lock);
	gp_backend_irq_unmask(edu->backend, line);

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
};

const struct gp_driver gp_qemu_edu_driver = {
	.name = "qemu-edu",
	.desc = "gpu-proto test personality for QEMU's edu device",
	.date = "0",
	.major = 1,
	.minor = 0,
	.patchlevel = 0,
	.ioctls = qemu_edu_ioctls,
	.num_ioctls = sizeof(qemu_edu_ioctls) / sizeof(qemu_edu_ioctls[0]),
	.data_size = sizeof(struct qemu_edu_data),
	.probe = qemu_edu_probe,
	.irq = qemu_edu_irq,
	.release = qemu_edu_release,
};
