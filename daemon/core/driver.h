/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Chip personalities ("drivers"): the ops table a driver hands the core,
 * in the manner of struct drm_driver.
 */
#ifndef GP_CORE_DRIVER_H
#define GP_CORE_DRIVER_H

#include <linux/ioctl.h>
#include <stddef.h>
#include <stdint.h>

#include "user.h"

struct gp_backend;
struct gp_file;
struct gp_registered_device;
struct gp_unregistered_device;
struct gp_device;

/* Ioctl permission flags: the values of enum drm_ioctl_flags. */
#define GP_DRM_AUTH		(1u << 0)	/* legacy; render clients pass */
#define GP_DRM_MASTER		(1u << 1)	/* never granted: no master concept here */
#define GP_DRM_ROOT_ONLY	(1u << 2)	/* needs CAP_SYS_ADMIN */
#define GP_DRM_RENDER_ALLOW	(1u << 5)	/* render clients may call it */

/**
 * gp_ioctl_handler_t - an ioctl handler.
 * @rdev: the registered device; valid only for the duration of the call
 * @data: the registration data; valid only for the duration of the call
 * @arg: the argument, copied in and zero-extended to the larger of the
 *	caller's and the handler's struct size
 * @file: the file the ioctl came through
 * @user: the caller's memory, for the ranges the desc's @plan named
 *
 * Context: always called inside a registration guard, taken by the
 * dispatcher.  May sleep; revoke waits for it.  Must not keep @rdev or @data.
 * Return: 0 or a negative errno; the argument is copied out either way.
 */
typedef int (*gp_ioctl_handler_t)(const struct gp_registered_device *rdev, void *data, void *arg,
				  struct gp_file *file, const struct gp_user *user);

/**
 * gp_ioctl_plan_t - name the caller memory a handler will follow.
 * @dev: the device (only its immutable properties may be read)
 * @arg: the copied-in argument
 * @plan: add the ranges the handler will copy to or from
 *
 * Runs before the guard and possibly several times for one ioctl (once per
 * transport retry), so it must be a pure function of @dev and @arg.  Ranges
 * for invalid input may be omitted: the handler rejects such input without
 * touching caller memory.
 */
typedef int (*gp_ioctl_plan_t)(const struct gp_device *dev, const void *arg,
			       struct gp_user_plan *plan);

struct gp_ioctl_desc {
	unsigned int cmd;
	unsigned int flags;
	gp_ioctl_handler_t handler;
	gp_ioctl_plan_t plan;		/* NULL: the handler follows no pointer */
	const char *name;
};

/* DRM's split of the ioctl number space ('d' type). */
#define GP_DRM_COMMAND_BASE	0x40u
#define GP_DRM_COMMAND_END	0xA0u

/*
 * Place a driver ioctl at its index, as DRM_IOCTL_DEF_DRV does, so that a
 * hole in the table is a NULL handler (-EINVAL) and not a shifted entry.
 */
#define GP_IOCTL_DEF_DRV(ioctl, func, planfn, fl)				\
	[_IOC_NR(ioctl) - GP_DRM_COMMAND_BASE] = {				\
		.cmd = (ioctl), .flags = (fl), .handler = (func),		\
		.plan = (planfn), .name = #ioctl,				\
	}

/* GET_CAP answers derived from what the driver supports. */
#define GP_DRIVER_SYNCOBJ		(1u << 0)
#define GP_DRIVER_SYNCOBJ_TIMELINE	(1u << 1)
/* Buffer objects (gem.h): GEM_CLOSE works, GET_CAP(PRIME) reports import and export. */
#define GP_DRIVER_GEM			(1u << 2)

struct gp_driver {
	const char *name;		/* drm_version.name, e.g. "panthor" */
	const char *desc;
	const char *date;		/* "0", as the kernel reports now */
	int major, minor, patchlevel;
	uint32_t features;

	const struct gp_ioctl_desc *ioctls;
	unsigned int num_ioctls;

	/* Size of the registration data; the core allocates it zeroed. */
	size_t data_size;

	/**
	 * @probe: bring the hardware up and fill the registration data.
	 *
	 * Runs on an unregistered device: no client can reach it yet.  On
	 * success the driver has moved *@backend into @data and cleared
	 * *@backend; on failure it leaves *@backend with the caller and has
	 * released everything else it acquired.
	 * Return: 0 or -errno.
	 */
	int (*probe)(struct gp_unregistered_device *udev, void *data, struct gp_backend **backend);

	/**
	 * @irq: handle interrupt line @line of the binding (its eventfd fired).
	 *
	 * Context: inside a guard taken by gp_device_handle_irq(), on the
	 * control-plane thread.  Must acknowledge the device and re-arm the
	 * line (gp_backend_irq_unmask()).  NULL if the driver uses no IRQ.
	 */
	void (*irq)(const struct gp_registered_device *rdev, void *data, unsigned int line);

	/**
	 * @open: set up the driver's per-file state (file->driver_priv), as
	 * drm_driver.open.  Context: inside the guard gp_file_open() holds.
	 * Return: 0 or -errno (the open fails with it).  NULL: no state.
	 */
	int (*open)(const struct gp_registered_device *rdev, void *data, struct gp_file *file);

	/**
	 * @postclose: tear down file->driver_priv, as drm_driver.postclose.
	 *
	 * While the device is registered, @rdev and @data are given and the
	 * call runs inside a guard, so the driver may release device state the
	 * file owns (VMs, mappings).  Once it is unplugged both are NULL and
	 * the core guarantees @release has already returned: whatever the file
	 * had on the device went with the registration data, and only the
	 * file's own memory is left to free.  The file's GEM handles are
	 * dropped after this returns.
	 */
	void (*postclose)(const struct gp_registered_device *rdev, void *data, struct gp_file *file);

	/**
	 * @release: release the registration data's resources (the backend,
	 * IRQ state).  Called exactly once, after the grace period that
	 * follows revoke, when no guard can observe @data any more.
	 */
	void (*release)(void *data);
};

#endif /* GP_CORE_DRIVER_H */
