// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qemu-pl031: a test-only personality for the ARM PL031 RTC of QEMU's
 * arm64 "virt" machine, reached through vfio-amba.
 *
 * It exists for the virtual board (tests/board/): a real kernel's
 * vfio-amba with a 4 KiB mmap()ed register window and one level-triggered
 * interrupt line that VFIO masks when it fires (VFIO_IRQ_INFO_AUTOMASKED),
 * the shape of Mali's three lines on RK3588.  The alarm makes it fire; the
 * handler acknowledges the device and unmasks the line, as a GPU driver
 * must, and the waiting file gets an event.
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

/* PL031 registers (ARM DDI 0224) */
#define PL031_DR	0x00	/* data: seconds */
#define PL031_MR	0x04	/* match: the alarm */
#define PL031_IMSC	0x10	/* interrupt mask set/clear: 1 = enabled */
#define PL031_MIS	0x18	/* masked interrupt status */
#define PL031_ICR	0x1c	/* interrupt clear */
#define PL031_PERIPH_ID0 0xfe0	/* four registers, one byte each */
#define PL031_PERIPH_ID	0x00141031u
#define PL031_REGION	0
#define PL031_SIZE	0x1000u
#define PL031_MAX_ALARM_S 60u

struct qemu_pl031_waiter {
	struct cds_list_head link;
	struct gp_pending_event *event;
	uint64_t user_data;
};

/* Registration data. */
struct qemu_pl031_data {
	struct gp_backend *backend;	/* owned */
	pthread_mutex_t lock;
	struct cds_list_head waiters;	/* under @lock */
	uint32_t irqs;			/* under @lock */
};

static uint32_t pl031_read(struct gp_backend *be, uint32_t reg)
{
	return gp_backend_read32(be, PL031_REGION, reg);
}

static void pl031_write(struct gp_backend *be, uint32_t reg, uint32_t value)
{
	gp_backend_write32(be, PL031_REGION, reg, value);
}

static uint32_t pl031_periph_id(struct gp_backend *be)
{
	uint32_t id = 0;

	for (unsigned int i = 0; i < 4; i++)
		id |= (pl031_read(be, PL031_PERIPH_ID0 + 4 * i) & 0xffu) << (8 * i);
	return id;
}

static int qemu_pl031_probe(struct gp_unregistered_device *udev, void *data,
			    struct gp_backend **backend)
{
	struct qemu_pl031_data *rtc = data;
	struct gp_backend *be = *backend;
	uint32_t id;

	if (be->bus != GP_BUS_AMBA)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-pl031: %s is not an AMBA device",
				    be->bus_id);
	if (be->num_regions < 1 || be->regions[PL031_REGION].size < PL031_SIZE)
		return gp_log_errno(LOG_ERR, ENXIO, "qemu-pl031: %s: register window missing or "
				    "smaller than 4 KiB", be->bus_id);
	id = pl031_periph_id(be);
	if (id != PL031_PERIPH_ID)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-pl031: %s: peripheral ID 0x%08x, not "
				    "0x%08x (a PL031)", be->bus_id, id, PL031_PERIPH_ID);
	if (be->num_irqs < 1)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-pl031: %s: no interrupt line", be->bus_id);

	/* Nothing left pending from an earlier user. */
	pl031_write(be, PL031_IMSC, 0);
	pl031_write(be, PL031_ICR, 1);
	pthread_mutex_init(&rtc->lock, NULL);
	CDS_INIT_LIST_HEAD(&rtc->waiters);
	rtc->backend = be;
	*backend = NULL;
	return 0;
}

static void qemu_pl031_release(void *data)
{
	struct qemu_pl031_data *rtc = data;
	struct qemu_pl031_waiter *w, *tmp;

	cds_list_for_each_entry_safe(w, tmp, &rtc->waiters, link) {
		cds_list_del(&w->link);
		gp_event_cancel(&w->event);
		free(w);
	}
	/* The alarm off, so the next user does not inherit a pending line. */
	pl031_write(rtc->backend, PL031_IMSC, 0);
	pthread_mutex_destroy(&rtc->lock);
	gp_backend_release(&rtc->backend);
}

static int qemu_pl031_info(const struct gp_registered_device *rdev, void *data, void *arg,
			   struct gp_file *file, const struct gp_user *user)
{
	struct qemu_pl031_data *rtc = data;
	struct gpu_proto_pl031_info *info = arg;

	info->periph_id = pl031_periph_id(rtc->backend);
	info->rtc_time = pl031_read(rtc->backend, PL031_DR);
	pthread_mutex_lock(&rtc->lock);
	info->irqs = rtc->irqs;
	pthread_mutex_unlock(&rtc->lock);
	info->pad = 0;
	return 0;
}

static int qemu_pl031_alarm(const struct gp_registered_device *rdev, void *data, void *arg,
			    struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_pl031_alarm *req = arg;
	struct qemu_pl031_data *rtc = data;
	struct qemu_pl031_waiter *w;
	int r;

	if (!req->seconds || req->seconds > PL031_MAX_ALARM_S || req->pad)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	r = gp_event_reserve(file, sizeof(struct gpu_proto_pl031_event_alarm), &w->event);
	if (r < 0) {
		free(w);
		return r;
	}
	w->user_data = req->user_data;
	pthread_mutex_lock(&rtc->lock);
	cds_list_add_tail(&w->link, &rtc->waiters);
	/* Armed under the lock, so the handler finds the waiter queued. */
	pl031_write(rtc->backend, PL031_MR, pl031_read(rtc->backend, PL031_DR) + req->seconds);
	pl031_write(rtc->backend, PL031_IMSC, 1);
	pthread_mutex_unlock(&rtc->lock);
	return 0;
}

/*
 * The alarm fired: VFIO masked the line.  Acknowledge the device first (a
 * level line unmasked while still asserted fires again at once), then
 * unmask, then complete every alarm requested before this one.
 */
static void qemu_pl031_irq(const struct gp_registered_device *rdev, void *data, unsigned int line)
{
	struct qemu_pl031_data *rtc = data;
	struct qemu_pl031_waiter *w, *tmp;
	struct cds_list_head done;
	uint32_t now, irqs, mis;

	CDS_INIT_LIST_HEAD(&done);
	pthread_mutex_lock(&rtc->lock);
	mis = pl031_read(rtc->backend, PL031_MIS);
	if (mis & 1) {
		pl031_write(rtc->backend, PL031_ICR, 1);
		/* One alarm per request: off until the next ALARM ioctl. */
		pl031_write(rtc->backend, PL031_IMSC, 0);
		rtc->irqs++;
		cds_list_splice(&rtc->waiters, &done);
		CDS_INIT_LIST_HEAD(&rtc->waiters);
	}
	irqs = rtc->irqs;
	now = pl031_read(rtc->backend, PL031_DR);
	pthread_mutex_unlock(&rtc->lock);
	gp_backend_irq_unmask(rtc->backend, line);

	cds_list_for_each_entry_safe(w, tmp, &done, link) {
		struct gpu_proto_pl031_event_alarm ev = {
			.base = { .type = GPU_PROTO_PL031_EVENT_ALARM, .length = sizeof(ev) },
			.user_data = w->user_data,
			.rtc_time = now,
			.irqs = irqs,
		};

		cds_list_del(&w->link);
		gp_event_send(&w->event, &ev);
		free(w);
	}
}

static const struct gp_ioctl_desc qemu_pl031_ioctls[] = {
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_PL031_INFO, qemu_pl031_info, NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_PL031_ALARM, qemu_pl031_alarm, NULL, GP_DRM_RENDER_ALLOW),
};

const struct gp_driver gp_qemu_pl031_driver = {
	.name = "qemu-pl031",
	.desc = "gpu-proto test personality for QEMU's PL031 RTC",
	.date = "0",
	.major = 1,
	.minor = 0,
	.patchlevel = 0,
	.ioctls = qemu_pl031_ioctls,
	.num_ioctls = sizeof(qemu_pl031_ioctls) / sizeof(qemu_pl031_ioctls[0]),
	.data_size = sizeof(struct qemu_pl031_data),
	.probe = qemu_pl031_probe,
	.irq = qemu_pl031_irq,
	.release = qemu_pl031_release,
};
