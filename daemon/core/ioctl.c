// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ioctl dispatch, as drm_ioctl() with the Rust series' guard around every
 * handler.
 */
#include <errno.h>
#include <linux/ioctl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "device_priv.h"
#include "drm_ioctls.h"
#include "ioctl.h"
#include "registration.h"
#include "wait.h"

/* drm_ioctl() keeps arguments up to 128 bytes on the stack; so do we. */
#define GP_IOCTL_STACK_ARG 128

int gp_ioctl_permit(unsigned int flags, const struct gp_file *file, const struct gp_caller *caller)
{
	bool render = gp_file_is_render_client(file);

	/* As drm_ioctl_permit(): capable() of the caller now, not of the opener. */
	if ((flags & GP_DRM_ROOT_ONLY) && !gp_caller_capable(caller, GP_CAP_SYS_ADMIN))
		return -EACCES;
	if ((flags & GP_DRM_AUTH) && !render && !file->authenticated)
		return -EACCES;
	/* There is no DRM master here, so MASTER ioctls are never permitted. */
	if (flags & GP_DRM_MASTER)
		return -EACCES;
	if (!(flags & GP_DRM_RENDER_ALLOW) && render)
		return -EACCES;
	return 0;
}

static const struct gp_ioctl_desc *gp_ioctl_lookup(const struct gp_driver *driver, unsigned int nr)
{
	const struct gp_ioctl_desc *desc;

	if (nr >= GP_DRM_COMMAND_BASE && nr < GP_DRM_COMMAND_END) {
		if (nr - GP_DRM_COMMAND_BASE >= driver->num_ioctls)
			return NULL;
		desc = &driver->ioctls[nr - GP_DRM_COMMAND_BASE];
	} else {
		if (nr >= gp_drm_core_ioctls_count)
			return NULL;
		desc = &gp_drm_core_ioctls[nr];
	}
	return desc->handler ? desc : NULL;
}

/* Run the handler inside a guard: no guard, no handler. */
static int gp_ioctl_call(const struct gp_ioctl_desc *desc, struct gp_file *file, void *kdata,
			 const struct gp_user *user)
{
	struct gp_guard guard;
	int r;

	if (!gp_dev_enter(file->dev, &guard))
		return -ENODEV;
	r = desc->handler(gp_guard_device(&guard), gp_guard_data(&guard), kdata, file, user);
	gp_dev_exit(&guard);
	return r;
}

/*
 * One dispatch.  Return: as gp_ioctl(), including -EINPROGRESS when the
 * handler parked on @user->waiter (then nothing is copied out: the re-run
 * copies out what it answers).
 */
static int gp_ioctl_once(struct gp_file *file, unsigned int cmd, uint64_t arg,
			 const struct gp_user *user, int *result)
{
	_Alignas(8) unsigned char stack_kdata[GP_IOCTL_STACK_ARG];
	struct gp_device *dev = file->dev;
	const struct gp_ioctl_desc *desc;
	struct gp_user_plan plan = { 0 };
	uint32_t in_size, out_size, drv_size, ksize;
	void *kdata = stack_kdata;
	int r, retcode;

	/* The early, racy check of drm_ioctl(): spares a dead device round trips. */
	if (gp_device_is_unplugged(dev)) {
		*result = -ENODEV;
		return 0;
	}
	if (_IOC_TYPE(cmd) != 'd') {
		*result = -ENOTTY;
		return 0;
	}
	desc = gp_ioctl_lookup(dev->driver, _IOC_NR(cmd));
	if (!desc) {
		*result = -EINVAL;
		return 0;
	}

	/*
	 * Size negotiation: a direction counts only if both the caller's and
	 * the table's encodings have it; the kernel-side buffer is the largest
	 * of the three sizes, so an older, shorter caller struct is
	 * zero-extended and a newer, longer one is accepted.
	 */
	drv_size = _IOC_SIZE(desc->cmd);
	in_size = out_size = _IOC_SIZE(cmd);
	if (!(cmd & desc->cmd & IOC_IN))
		in_size = 0;
	if (!(cmd & desc->cmd & IOC_OUT))
		out_size = 0;
	ksize = in_size > out_size ? in_size : out_size;
	if (drv_size > ksize)
		ksize = drv_size;

	gp_user_plan_add(&plan, arg, in_size, GP_USER_IN);
	gp_user_plan_add(&plan, arg, out_size, GP_USER_OUT);
	r = user->ops->prepare(user->ctx, &plan);
	if (r == -EAGAIN)
		return r;
	if (r < 0) {
		*result = r;
		return 0;
	}

	if (ksize > sizeof(stack_kdata)) {
		kdata = malloc(ksize);
		if (!kdata) {
			*result = -ENOMEM;
			return 0;
		}
	}

	r = gp_copy_from_user(user, kdata, arg, in_size);
	if (r < 0) {
		retcode = -EFAULT;
		goto out_free;
	}
	memset((unsigned char *)kdata + in_size, 0, ksize - in_size);

	retcode = gp_ioctl_permit(desc->flags, file, gp_request_caller(file, user));
	if (retcode < 0)
		goto out_copy;

	if (desc->plan) {
		retcode = desc->plan(dev, kdata, &plan);
		if (retcode < 0)
			goto out_copy;
		r = user->ops->prepare(user->ctx, &plan);
		if (r == -EAGAIN)
			goto out_retry;
		if (r < 0) {
			retcode = r;
			goto out_copy;
		}
	}

	{
		/* The handler may extend the plan (gp_user_prepare_more()). */
		struct gp_user u = *user;

		u.plan = &plan;
		retcode = gp_ioctl_call(desc, file, kdata, &u);
		if (retcode == -EAGAIN && plan.retry)
			goto out_retry;
	}
	if (retcode == -EINPROGRESS) {
		/* Parked: the guard is left; the transport re-runs it on the wake. */
		if (kdata != stack_kdata)
			free(kdata);
		return -EINPROGRESS;
	}

out_copy:
	/* As drm_ioctl(): copy out even when the handler failed. */
	if (gp_copy_to_user(user, arg, kdata, out_size) < 0)
		retcode = -EFAULT;
out_free:
	if (kdata != stack_kdata)
		free(kdata);
	*result = retcode;
	return 0;

out_retry:
	if (kdata != stack_kdata)
		free(kdata);
	return -EAGAIN;
}

/*
 * A caller that may block (no waiter of its own): the request parks on
 * this, and gp_ioctl() sleeps on the condition variable, outside any
 * guard, until the waiter fires.
 */
struct gp_ioctl_sync {
	struct gp_waiter waiter;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool fired;
};

static void gp_ioctl_sync_wake(struct gp_waiter *waiter)
{
	struct gp_ioctl_sync *sync = caa_container_of(waiter, struct gp_ioctl_sync, waiter);

	pthread_mutex_lock(&sync->lock);
	sync->fired = true;
	pthread_cond_signal(&sync->cond);
	pthread_mutex_unlock(&sync->lock);
}

static const struct gp_waiter_ops gp_ioctl_sync_ops = {
	.wake = gp_ioctl_sync_wake,
};

int gp_ioctl(struct gp_file *file, unsigned int cmd, uint64_t arg, const struct gp_user *user,
	     int *result)
{
	struct gp_ioctl_sync sync = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct gp_user parking;
	struct gp_file *hold;
	int r;

	/* (Callers that fail in the early checks may pass no user at all.) */
	if (!user || user->waiter)
		return gp_ioctl_once(file, cmd, arg, user, result);

	parking = *user;
	parking.waiter = &sync.waiter;
	gp_waiter_init(&sync.waiter, &gp_ioctl_sync_ops);
	r = gp_ioctl_once(file, cmd, arg, &parking, result);
	if (r != -EINPROGRESS)
		return r;

	/*
	 * Keep the file while we sleep: a close from another thread wakes us,
	 * and the re-run must find a closed file, not a freed one.
	 */
	hold = gp_file_get(file);
	do {
		pthread_mutex_lock(&sync.lock);
		while (!sync.fired)
			pthread_cond_wait(&sync.cond, &sync.lock);
		sync.fired = false;
		pthread_mutex_unlock(&sync.lock);
		/* As a restarted syscall: the same request from the start. */
		r = gp_ioctl_once(file, cmd, arg, &parking, result);
	} while (r == -EINPROGRESS);
	/* The wake that let us go may still be returning on wait.c's thread. */
	gp_waiter_disarm(&sync.waiter);
	pthread_cond_destroy(&sync.cond);
	pthread_mutex_destroy(&sync.lock);
	gp_file_put(&hold);
	return r;
}
