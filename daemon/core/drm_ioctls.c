// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Core ioctls: VERSION, GET_UNIQUE, GET_CAP, GEM_CLOSE and the raw PRIME
 * ioctls, with drm_ioctl.c's, drm_gem.c's and drm_prime.c's semantics.
 */
#include <errno.h>
#include <gpu-proto/gpu_proto_drm.h>
#include <stdint.h>
#include <string.h>

#include "drm_ioctls.h"
#include "device_priv.h"
#include "fdtoken.h"
#include "file.h"
#include "gem.h"
#include "log.h"
#include "syncobj_ioctl.h"

static uint64_t gp_user_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* How many bytes of @value a caller buffer of *@buf_len receives. */
static uint32_t gp_field_copy_len(const char *value, __kernel_size_t buf_len)
{
	size_t len = strlen(value);

	return (uint32_t)(len < buf_len ? len : buf_len);
}

/*
 * As drm_copy_field(): copy at most the caller's length, never a NUL, and
 * always report the full length so the caller can size a second call.
 */
static int gp_copy_field(const struct gp_user *user, __kernel_size_t *buf_len, char *buf,
			 const char *value)
{
	uint32_t len = gp_field_copy_len(value, *buf_len);

	*buf_len = strlen(value);
	if (len && buf)
		return gp_copy_to_user(user, gp_user_addr(buf), value, len);
	return 0;
}

static int gp_version_plan_field(struct gp_user_plan *plan, __kernel_size_t buf_len, char *buf,
				 const char *value)
{
	uint32_t len = gp_field_copy_len(value, buf_len);

	if (!len || !buf)
		return 0;
	return gp_user_plan_add(plan, gp_user_addr(buf), len, GP_USER_OUT);
}

static int gp_drm_version_plan(const struct gp_device *dev, const void *arg,
			       struct gp_user_plan *plan)
{
	const struct gpu_proto_version *v = arg;
	const struct gp_driver *drv = dev->driver;
	int r;

	r = gp_version_plan_field(plan, v->name_len, v->name, drv->name);
	if (r == 0)
		r = gp_version_plan_field(plan, v->date_len, v->date, drv->date);
	if (r == 0)
		r = gp_version_plan_field(plan, v->desc_len, v->desc, drv->desc);
	return r;
}

static int gp_drm_version(const struct gp_registered_device *rdev, void *data, void *arg,
			  struct gp_file *file, const struct gp_user *user)
{
	const struct gp_driver *drv = gp_registered_to_device(rdev)->driver;
	struct gpu_proto_version *v = arg;
	int r;

	v->version_major = drv->major;
	v->version_minor = drv->minor;
	v->version_patchlevel = drv->patchlevel;
	r = gp_copy_field(user, &v->name_len, v->name, drv->name);
	if (r == 0)
		r = gp_copy_field(user, &v->date_len, v->date, drv->date);
	if (r == 0)
		r = gp_copy_field(user, &v->desc_len, v->desc, drv->desc);
	return r;
}

static int gp_drm_getunique_plan(const struct gp_device *dev, const void *arg,
				 struct gp_user_plan *plan)
{
	const struct gpu_proto_unique *u = arg;
	size_t len = strlen(dev->unique);

	if (u->unique_len < len)
		return 0;
	return gp_user_plan_add(plan, gp_user_addr(u->unique), (uint32_t)len, GP_USER_OUT);
}

/* As drm_getunique(): copy only into a large enough buffer; always report the length. */
static int gp_drm_getunique(const struct gp_registered_device *rdev, void *data, void *arg,
			    struct gp_file *file, const struct gp_user *user)
{
	const char *unique = gp_device_unique(gp_registered_to_device(rdev));
	struct gpu_proto_unique *u = arg;
	size_t len = strlen(unique);
	int r;

	if (u->unique_len >= len) {
		r = gp_copy_to_user(user, gp_user_addr(u->unique), unique, len);
		if (r < 0)
			return r;
	}
	u->unique_len = len;
	return 0;
}

/*
 * As drm_getcap() for a driver without modesetting: a handful of caps are
 * answered, everything else is -EOPNOTSUPP.  PRIME: a driver with buffer
 * objects imports and exports them as memfds, through libgpuproto or the
 * shim over the fd socket (the raw ioctls refuse, see below); without
 * objects there is nothing to share, as drm_getcap() answers 0 without
 * DRIVER_GEM.
 */
static int gp_drm_getcap(const struct gp_registered_device *rdev, void *data, void *arg,
			 struct gp_file *file, const struct gp_user *user)
{
	uint32_t features = gp_registered_to_device(rdev)->driver->features;
	struct gpu_proto_get_cap *req = arg;

	req->value = 0;
	switch (req->capability) {
	case GPU_PROTO_CAP_TIMESTAMP_MONOTONIC:
		req->value = 1;
		return 0;
	case GPU_PROTO_CAP_PRIME:
		if (features & GP_DRIVER_GEM)
			req->value = GPU_PROTO_PRIME_CAP_IMPORT | GPU_PROTO_PRIME_CAP_EXPORT;
		return 0;
	case GPU_PROTO_CAP_SYNCOBJ:
		req->value = !!(features & GP_DRIVER_SYNCOBJ);
		return 0;
	case GPU_PROTO_CAP_SYNCOBJ_TIMELINE:
		req->value = !!(features & GP_DRIVER_SYNCOBJ_TIMELINE);
		return 0;
	}
	return -EOPNOTSUPP;
}

/*
 * As drm_gem_close_ioctl(): EOPNOTSUPP without buffer objects, EINVAL for a
 * handle the file does not hold.  @pad is not checked: the kernel does not
 * check it either, and a client that passes garbage there works on Linux.
 */
static int gp_drm_gem_close(const struct gp_registered_device *rdev, void *data, void *arg,
			    struct gp_file *file, const struct gp_user *user)
{
	const struct gpu_proto_gem_close *req = arg;

	if (!(gp_registered_to_device(rdev)->driver->features & GP_DRIVER_GEM))
		return -EOPNOTSUPP;
	return gp_gem_handle_delete(file, req->handle);
}

static struct gp_ratelimit gp_prime_raw_rl = GP_RATELIMIT_INIT;

/*
 * PRIME issued raw to the device.  A dma-buf here is the object's memfd,
 * and the daemon cannot install a file descriptor in the caller (CUSE
 * cannot, and a socket peer only receives what it asks for with
 * SCM_RIGHTS), so any number it answered would not be an fd of the
 * caller's.  libgpuproto and the shim serve these ioctls over the fd
 * socket instead (GPU_PROTO_IOCTL_FD_TOKEN); the raw call is refused, and
 * HANDLE_TO_FD's @fd reads -1 so a client ignoring the error holds nothing.
 */
static int gp_drm_prime_raw(const struct gp_registered_device *rdev, void *data, void *arg,
			    struct gp_file *file, const struct gp_user *user, bool export)
{
	struct gpu_proto_prime_handle *req = arg;

	if (export)
		req->fd = -1;
	gp_log_ratelimited(&gp_prime_raw_rl, LOG_NOTICE,
			   "pid %d uid %u: raw PRIME_%s refused: dma-bufs are passed as memfds "
			   "through libgpuproto (gpc_prime_*) or the gpu-proto-run shim",
			   (int)file->caller.pid, (unsigned int)file->caller.uid,
			   export ? "HANDLE_TO_FD" : "FD_TO_HANDLE");
	return -EOPNOTSUPP;
}

static int gp_drm_prime_handle_to_fd(const struct gp_registered_device *rdev, void *data,
				     void *arg, struct gp_file *file, const struct gp_user *user)
{
	return gp_drm_prime_raw(rdev, data, arg, file, user, true);
}

static int gp_drm_prime_fd_to_handle(const struct gp_registered_device *rdev, void *data,
				     void *arg, struct gp_file *file, const struct gp_user *user)
{
	return gp_drm_prime_raw(rdev, data, arg, file, user, false);
}

#define GP_IOCTL_DEF(ioctl, func, planfn, fl)					\
	[_IOC_NR(ioctl)] = {							\
		.cmd = (ioctl), .flags = (fl), .handler = (func),		\
		.plan = (planfn), .name = #ioctl,				\
	}

/* Flags as in drm_ioctls[]: GET_UNIQUE is not RENDER_ALLOW there either. */
const struct gp_ioctl_desc gp_drm_core_ioctls[] = {
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_VERSION, gp_drm_version, gp_drm_version_plan,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_GET_UNIQUE, gp_drm_getunique, gp_drm_getunique_plan, 0),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_GEM_CLOSE, gp_drm_gem_close, NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_GET_CAP, gp_drm_getcap, NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD, gp_drm_prime_handle_to_fd, NULL,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE, gp_drm_prime_fd_to_handle, NULL,
		     GP_DRM_RENDER_ALLOW),
	/* Sync objects, all DRM_RENDER_ALLOW as in drm_ioctls[] (syncobj_ioctl.c). */
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_CREATE, gp_syncobj_create_ioctl, NULL,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_DESTROY, gp_syncobj_destroy_ioctl, NULL,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD, gp_syncobj_handle_to_fd_ioctl, NULL,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE, gp_syncobj_fd_to_handle_ioctl, NULL,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_WAIT, gp_syncobj_wait_ioctl, gp_syncobj_wait_plan,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_RESET, gp_syncobj_reset_ioctl, gp_syncobj_array_plan,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, gp_syncobj_signal_ioctl, gp_syncobj_array_plan,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT, gp_syncobj_timeline_wait_ioctl,
		     gp_syncobj_timeline_wait_plan, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_QUERY, gp_syncobj_query_ioctl, gp_syncobj_query_plan,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER, gp_syncobj_transfer_ioctl, NULL,
		     GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, gp_syncobj_timeline_signal_ioctl,
		     gp_syncobj_timeline_signal_plan, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD, gp_syncobj_eventfd_ioctl, NULL,
		     GP_DRM_RENDER_ALLOW),
	/* gpu-proto's own, at 0xF0: the table runs that far, holes answering EINVAL. */
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_FD_TOKEN, gp_fd_token_ioctl, NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF(GPU_PROTO_IOCTL_SYNCOBJ_STATUS, gp_syncobj_status_ioctl,
		     gp_syncobj_status_plan, GP_DRM_RENDER_ALLOW),
};

const unsigned int gp_drm_core_ioctls_count =
	sizeof(gp_drm_core_ioctls) / sizeof(gp_drm_core_ioctls[0]);
