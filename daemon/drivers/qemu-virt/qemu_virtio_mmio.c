// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qemu-virtio-mmio: a test-only personality for a virtio-mmio transport of
 * QEMU's arm64 "virt" machine, reached through vfio-platform.
 *
 * It exists for the virtual board (tests/board/): the transport's register
 * region is 0x200 bytes, less than a page, so VFIO offers no mmap for it
 * and the backend reaches it with pread/pwrite on the device fd, which a
 * real board's small platform devices can also require.  Its interrupt is
 * edge-triggered and never fires on an empty transport; binding it shows
 * the eventfd is assigned, and unbinding that it is released.
 */
#include <errno.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "device.h"
#include "drivers.h"
#include "log.h"

/* virtio-mmio registers (virtio 1.x, section 4.2.2, and the legacy layout) */
#define VIRTIO_MMIO_MAGIC	0x000
#define VIRTIO_MMIO_VERSION	0x004
#define VIRTIO_MMIO_DEVICE_ID	0x008
#define VIRTIO_MMIO_VENDOR_ID	0x00c
#define VIRTIO_MMIO_STATUS	0x070
#define VIRTIO_MMIO_MAGIC_VALUE	0x74726976u	/* "virt" */
#define VIRTIO_MMIO_REGION	0
#define VIRTIO_MMIO_MIN_SIZE	0x100u

/* Registration data. */
struct qemu_virtio_data {
	struct gp_backend *backend;	/* owned */
};

static uint32_t virtio_read(struct gp_backend *be, uint32_t reg)
{
	return gp_backend_read32(be, VIRTIO_MMIO_REGION, reg);
}

static int qemu_virtio_probe(struct gp_unregistered_device *udev, void *data,
			     struct gp_backend **backend)
{
	struct qemu_virtio_data *vio = data;
	struct gp_backend *be = *backend;
	uint32_t magic, version;

	if (be->bus != GP_BUS_PLATFORM)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-virtio-mmio: %s is not a platform device",
				    be->bus_id);
	if (be->num_regions < 1 || be->regions[VIRTIO_MMIO_REGION].size < VIRTIO_MMIO_MIN_SIZE)
		return gp_log_errno(LOG_ERR, ENXIO, "qemu-virtio-mmio: %s: register region missing "
				    "or smaller than 0x%x bytes", be->bus_id, VIRTIO_MMIO_MIN_SIZE);
	magic = virtio_read(be, VIRTIO_MMIO_MAGIC);
	if (magic != VIRTIO_MMIO_MAGIC_VALUE)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-virtio-mmio: %s: magic 0x%08x, not 0x%08x",
				    be->bus_id, magic, VIRTIO_MMIO_MAGIC_VALUE);
	version = virtio_read(be, VIRTIO_MMIO_VERSION);
	if (version != 1 && version != 2)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-virtio-mmio: %s: version %u", be->bus_id,
				    version);
	if (be->num_irqs < 1)
		return gp_log_errno(LOG_ERR, ENODEV, "qemu-virtio-mmio: %s: no interrupt line",
				    be->bus_id);
	/* Reset the transport (status 0), as a driver does first: a write through pwrite. */
	gp_backend_write32(be, VIRTIO_MMIO_REGION, VIRTIO_MMIO_STATUS, 0);
	vio->backend = be;
	*backend = NULL;
	return 0;
}

static void qemu_virtio_release(void *data)
{
	struct qemu_virtio_data *vio = data;

	gp_backend_release(&vio->backend);
}

static int qemu_virtio_info(const struct gp_registered_device *rdev, void *data, void *arg,
			    struct gp_file *file, const struct gp_user *user)
{
	struct qemu_virtio_data *vio = data;
	struct gpu_proto_virtio_info *info = arg;

	info->magic = virtio_read(vio->backend, VIRTIO_MMIO_MAGIC);
	info->version = virtio_read(vio->backend, VIRTIO_MMIO_VERSION);
	info->device_id = virtio_read(vio->backend, VIRTIO_MMIO_DEVICE_ID);
	info->vendor_id = virtio_read(vio->backend, VIRTIO_MMIO_VENDOR_ID);
	return 0;
}

/* An edge line that an empty transport never raises; acknowledged if it does. */
static void qemu_virtio_irq(const struct gp_registered_device *rdev, void *data, unsigned int line)
{
	struct qemu_virtio_data *vio = data;

	gp_log_info("qemu-virtio-mmio: interrupt on line %u", line);
	gp_backend_irq_unmask(vio->backend, line);
}

static const struct gp_ioctl_desc qemu_virtio_ioctls[] = {
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_VIRTIO_INFO, qemu_virtio_info, NULL, GP_DRM_RENDER_ALLOW),
};

const struct gp_driver gp_qemu_virtio_mmio_driver = {
	.name = "qemu-virtio-mmio",
	.desc = "gpu-proto test personality for a QEMU virtio-mmio transport",
	.date = "0",
	.major = 1,
	.minor = 0,
	.patchlevel = 0,
	.ioctls = qemu_virtio_ioctls,
	.num_ioctls = sizeof(qemu_virtio_ioctls) / sizeof(qemu_virtio_ioctls[0]),
	.data_size = sizeof(struct qemu_virtio_data),
	.probe = qemu_virtio_probe,
	.irq = qemu_virtio_irq,
	.release = qemu_virtio_release,
};
