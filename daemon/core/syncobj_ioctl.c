// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SYNCOBJ_* ioctls, with drm_syncobj.c's checks in its order and its
 * errors, and gpu-proto's SYNCOBJ_STATUS.
 *
 * Waits never sleep here (wait.h): a wait that cannot answer yet watches
 * the fences and objects that could change the answer and parks; the
 * request runs again from the start when one changes, when its deadline
 * passes, or when the file or device goes.  Like a restarted syscall, the
 * re-run looks the handles up again and sees the objects as they are then.
 */
#include <errno.h>
#include <gpu-proto/gpu_proto_drm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "device_priv.h"
#include "fence.h"
#include "file.h"
#include "log.h"
#include "syncobj.h"
#include "syncobj_ioctl.h"
#include "syncobj_priv.h"
#include "wait.h"

/* As drm_syncobj_find_fence()'s wait for a submit: five seconds. */
#define GP_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT_NS	(5 * 1000000000ll)

static uint32_t gp_syncobj_features(const struct gp_registered_device *rdev)
{
	return gp_registered_to_device(rdev)->driver->features;
}

static void gp_syncobj_put_array(struct gp_syncobj **objs, uint32_t count)
{
	if (!objs)
		return;
	for (uint32_t i = 0; i < count; i++)
		gp_syncobj_put(&objs[i]);
	free(objs);
}

/*
 * As drm_syncobj_array_find(): copy the handles in and reference every
 * object.  Return: 0, -EFAULT, -ENOMEM, or -ENOENT for a handle the file
 * does not hold.
 */
static int gp_syncobj_array_find(struct gp_file *file, const struct gp_user *user,
				 uint64_t handles_addr, uint32_t count, struct gp_syncobj ***out)
{
	struct gp_syncobj **objs;
	uint32_t *handles;
	int r = 0;

	handles = malloc(count * sizeof(*handles));
	objs = calloc(count, sizeof(*objs));
	if (!handles || !objs) {
		r = -ENOMEM;
		goto out;
	}
	r = gp_copy_from_user(user, handles, handles_addr, count * sizeof(*handles));
	if (r < 0) {
		r = -EFAULT;
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		objs[i] = gp_syncobj_find(file, handles[i]);
		if (!objs[i]) {
			r = -ENOENT;
			goto out;
		}
	}
	*out = objs;
	objs = NULL;
out:
	gp_syncobj_put_array(objs, count);
	free(handles);
	return r;
}

/* The points array, or zeros when the caller passed none (as the kernel). */
static int gp_syncobj_points_in(const struct gp_user *user, uint64_t points_addr, uint32_t count,
				uint64_t **out)
{
	uint64_t *points = calloc(count, sizeof(*points));

	if (!points)
		return -ENOMEM;
	if (points_addr &&
	    gp_copy_from_user(user, points, points_addr, count * sizeof(*points)) < 0) {
		free(points);
		return -EFAULT;
	}
	*out = points;
	return 0;
}

/*
 * Caller memory the array ioctls follow.  A request the handler rejects
 * before reading the arrays names nothing, so it costs no transport round
 * trip and its error is the handler's; only the count bound fails here.
 */
static int gp_syncobj_plan_arrays(const struct gp_device *dev, uint32_t feature, uint32_t count,
				  uint64_t handles, uint64_t points, uint32_t points_dir,
				  uint64_t status, struct gp_user_plan *plan)
{
	int r;

	if (!(dev->driver->features & feature) || count == 0)
		return 0;
	if (count > GPU_PROTO_SYNCOBJ_MAX_COUNT)
		return -E2BIG;
	r = gp_user_plan_add(plan, handles, count * sizeof(uint32_t), GP_USER_IN);
	if (r == 0 && points)
		r = gp_user_plan_add(plan, points, count * sizeof(uint64_t), points_dir);
	if (r == 0 && status)
		r = gp_user_plan_add(plan, status, count * sizeof(int32_t),
				     GP_USER_IN | GP_USER_OUT);
	return r;
}

/* --- CREATE, DESTROY --- */

int gp_syncobj_create_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
				   struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_syncobj_create *req = arg;
	struct gp_syncobj *s;
	int r;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ))
		return -EOPNOTSUPP;
	if (req->flags & ~GPU_PROTO_SYNCOBJ_CREATE_SIGNALED)
		return -EINVAL;
	r = gp_syncobj_create(req->flags & GPU_PROTO_SYNCOBJ_CREATE_SIGNALED, &s);
	if (r < 0)
		return r;
	r = gp_syncobj_handle_create(file, s, &req->handle);
	gp_syncobj_put(&s);
	return r;
}

int gp_syncobj_destroy_ioctl(const struct gp_registered_device *rdev, void *data,
				    void *arg, struct gp_file *file, const struct gp_user *user)
{
	const struct gpu_proto_syncobj_destroy *req = arg;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ))
		return -EOPNOTSUPP;
	if (req->pad)
		return -EINVAL;
	return gp_syncobj_handle_destroy(file, req->handle);
}

/* --- the refused fd calls --- */

static struct gp_ratelimit gp_syncobj_fd_rl = GP_RATELIMIT_INIT;

static int gp_syncobj_refuse_fd(struct gp_file *file, const char *what)
{
	gp_log_ratelimited(&gp_syncobj_fd_rl, LOG_NOTICE,
			   "pid %d uid %u: SYNCOBJ_%s refused: the daemon cannot install a file "
			   "descriptor in a client (docs/uapi.md, sync objects)",
			   (int)file->caller.pid, (unsigned int)file->caller.uid, what);
	return -EOPNOTSUPP;
}

int gp_syncobj_handle_to_fd_ioctl(const struct gp_registered_device *rdev, void *data,
					 void *arg, struct gp_file *file,
					 const struct gp_user *user)
{
	struct gpu_proto_syncobj_handle *req = arg;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ))
		return -EOPNOTSUPP;
	if (req->pad)
		return -EINVAL;
	if (req->flags != 0 && req->flags != GPU_PROTO_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE)
		return -EINVAL;
	/* Never a number that is not an fd of the caller's. */
	req->fd = -1;
	return gp_syncobj_refuse_fd(file, "HANDLE_TO_FD");
}

int gp_syncobj_fd_to_handle_ioctl(const struct gp_registered_device *rdev, void *data,
					 void *arg, struct gp_file *file,
					 const struct gp_user *user)
{
	const struct gpu_proto_syncobj_handle *req = arg;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ))
		return -EOPNOTSUPP;
	if (req->pad)
		return -EINVAL;
	if (req->flags != 0 && req->flags != GPU_PROTO_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE)
		return -EINVAL;
	return gp_syncobj_refuse_fd(file, "FD_TO_HANDLE");
}

int gp_syncobj_eventfd_ioctl(const struct gp_registered_device *rdev, void *data,
				    void *arg, struct gp_file *file, const struct gp_user *user)
{
	const struct gpu_proto_syncobj_eventfd *req = arg;
	struct gp_syncobj *s;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ_TIMELINE))
		return -EOPNOTSUPP;
	if (req->flags & ~GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)
		return -EINVAL;
	if (req->pad)
		return -EINVAL;
	s = gp_syncobj_find(file, req->handle);
	if (!s)
		return -ENOENT;
	gp_syncobj_put(&s);
	return gp_syncobj_refuse_fd(file, "EVENTFD");
}

/* --- WAIT, TIMELINE_WAIT --- */

#define GP_SYNCOBJ_WAIT_FLAGS							\
	(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL | GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |	\
	 GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE)
#define GP_SYNCOBJ_TIMELINE_WAIT_FLAGS						\
	(GP_SYNCOBJ_WAIT_FLAGS | GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)

struct gp_syncobj_wait_args {
	uint64_t handles, points;	/* points 0: all zero (SYNCOBJ_WAIT) */
	int64_t timeout_nsec;
	uint32_t count, flags;
	uint32_t *first_signaled;
};

/*
 * One pass of drm_syncobj_array_wait_timeout()'s check over the objects:
 * Return: 1 when the wait is satisfied (*@first set), 0 when not, -EINVAL
 * for a missing fence without WAIT_FOR_SUBMIT/WAIT_AVAILABLE.  With @arm,
 * also watch whatever could change the answer.
 */
static int gp_syncobj_wait_check(const struct gp_syncobj_wait_args *a, struct gp_syncobj **objs,
				 const uint64_t *points, const struct gp_user *user, bool arm,
				 uint32_t *first)
{
	const uint32_t submit = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	uint32_t signaled = 0;
	int r;

	*first = UINT32_MAX;
	for (uint32_t i = 0; i < a->count; i++) {
		struct gp_fence *fence = NULL;

		if (gp_syncobj_get_fence(objs[i], points[i], &fence) < 0) {
			if (!(a->flags & submit))
				return -EINVAL;
			/* Not submitted yet: wake when the object changes. */
			if (arm) {
				r = gp_wait_watch_syncobj(user, objs[i]);
				if (r < 0)
					return r;
			}
			continue;
		}
		if ((a->flags & GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE) ||
		    gp_fence_is_signaled(fence)) {
			if (signaled++ == 0)
				*first = i;
		} else if (arm) {
			r = gp_wait_watch_fence(user, fence);
			if (r < 0) {
				gp_fence_put(&fence);
				return r;
			}
		}
		gp_fence_put(&fence);
	}
	if (signaled == a->count ||
	    (signaled && !(a->flags & GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL)))
		return 1;
	return 0;
}

static int gp_syncobj_wait_common(struct gp_file *file, const struct gp_user *user,
				  const struct gp_syncobj_wait_args *a)
{
	struct gp_syncobj **objs = NULL;
	uint64_t *points = NULL;
	uint32_t first;
	int r;

	/* As the kernel: nothing to wait for is success, not an error. */
	if (a->count == 0)
		return 0;
	if (a->count > GPU_PROTO_SYNCOBJ_MAX_COUNT)
		return -E2BIG;
	r = gp_syncobj_array_find(file, user, a->handles, a->count, &objs);
	if (r < 0)
		return r;
	r = gp_syncobj_points_in(user, a->points, a->count, &points);
	if (r < 0)
		goto out;

	r = gp_syncobj_wait_check(a, objs, points, user, false, &first);
	if (r != 0)
		goto answer;
	/* timeout_nsec is absolute; 0, or a time gone by, polls. */
	if (a->timeout_nsec <= 0 || gp_wait_now_ns() >= a->timeout_nsec) {
		r = -ETIME;
		goto out;
	}
	/* Watch, then look again: a change between the two wakes the park. */
	r = gp_syncobj_wait_check(a, objs, points, user, true, &first);
	if (r != 0) {
		gp_wait_cancel(user);
		goto answer;
	}
	r = gp_wait_park(user, file, a->timeout_nsec);
	goto out;

answer:
	if (r > 0) {
		*a->first_signaled = first;
		r = 0;
	}
out:
	free(points);
	gp_syncobj_put_array(objs, a->count);
	return r;
}

int gp_syncobj_wait_plan(const struct gp_device *dev, const void *arg,
				struct gp_user_plan *plan)
{
	const struct gpu_proto_syncobj_wait *req = arg;

	if (req->flags & ~GP_SYNCOBJ_WAIT_FLAGS)
		return 0;
	return gp_syncobj_plan_arrays(dev, GP_DRIVER_SYNCOBJ, req->count_handles, req->handles, 0,
				      0, 0, plan);
}

int gp_syncobj_wait_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
				 struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_syncobj_wait *req = arg;
	struct gp_syncobj_wait_args a = {
		.handles = req->handles,
		.timeout_nsec = req->timeout_nsec,
		.count = req->count_handles,
		.flags = req->flags,
		.first_signaled = &req->first_signaled,
	};

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ))
		return -EOPNOTSUPP;
	/* WAIT_AVAILABLE is a timeline flag: EINVAL here, as the kernel. */
	if (req->flags & ~GP_SYNCOBJ_WAIT_FLAGS)
		return -EINVAL;
	return gp_syncobj_wait_common(file, user, &a);
}

int gp_syncobj_timeline_wait_plan(const struct gp_device *dev, const void *arg,
					 struct gp_user_plan *plan)
{
	const struct gpu_proto_syncobj_timeline_wait *req = arg;

	if (req->flags & ~GP_SYNCOBJ_TIMELINE_WAIT_FLAGS)
		return 0;
	return gp_syncobj_plan_arrays(dev, GP_DRIVER_SYNCOBJ_TIMELINE, req->count_handles,
				      req->handles, req->points, GP_USER_IN, 0, plan);
}

int gp_syncobj_timeline_wait_ioctl(const struct gp_registered_device *rdev, void *data,
					  void *arg, struct gp_file *file,
					  const struct gp_user *user)
{
	struct gpu_proto_syncobj_timeline_wait *req = arg;
	struct gp_syncobj_wait_args a = {
		.handles = req->handles,
		.points = req->points,
		.timeout_nsec = req->timeout_nsec,
		.count = req->count_handles,
		.flags = req->flags,
		.first_signaled = &req->first_signaled,
	};

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ_TIMELINE))
		return -EOPNOTSUPP;
	if (req->flags & ~GP_SYNCOBJ_TIMELINE_WAIT_FLAGS)
		return -EINVAL;
	return gp_syncobj_wait_common(file, user, &a);
}

/* --- RESET, SIGNAL --- */

int gp_syncobj_array_plan(const struct gp_device *dev, const void *arg,
				 struct gp_user_plan *plan)
{
	const struct gpu_proto_syncobj_array *req = arg;

	if (req->pad)
		return 0;
	return gp_syncobj_plan_arrays(dev, GP_DRIVER_SYNCOBJ, req->count_handles, req->handles, 0,
				      0, 0, plan);
}

static int gp_syncobj_array_set(const struct gp_registered_device *rdev, void *arg,
				struct gp_file *file, const struct gp_user *user,
				struct gp_fence *fence)
{
	const struct gpu_proto_syncobj_array *req = arg;
	struct gp_syncobj **objs;
	int r;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ))
		return -EOPNOTSUPP;
	if (req->pad)
		return -EINVAL;
	if (req->count_handles == 0)
		return -EINVAL;
	if (req->count_handles > GPU_PROTO_SYNCOBJ_MAX_COUNT)
		return -E2BIG;
	r = gp_syncobj_array_find(file, user, req->handles, req->count_handles, &objs);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < req->count_handles; i++)
		gp_syncobj_replace_fence(objs[i], fence);
	gp_syncobj_put_array(objs, req->count_handles);
	return 0;
}

int gp_syncobj_reset_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
				  struct gp_file *file, const struct gp_user *user)
{
	return gp_syncobj_array_set(rdev, arg, file, user, NULL);
}

/* As drm_syncobj_assign_null_handle(): an already signalled fence. */
int gp_syncobj_signal_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
				   struct gp_file *file, const struct gp_user *user)
{
	return gp_syncobj_array_set(rdev, arg, file, user, gp_fence_get_stub());
}

/* --- TIMELINE_SIGNAL, QUERY --- */

int gp_syncobj_timeline_signal_plan(const struct gp_device *dev, const void *arg,
					   struct gp_user_plan *plan)
{
	const struct gpu_proto_syncobj_timeline_array *req = arg;

	if (req->flags)
		return 0;
	return gp_syncobj_plan_arrays(dev, GP_DRIVER_SYNCOBJ_TIMELINE, req->count_handles,
				      req->handles, req->points, GP_USER_IN, 0, plan);
}

int gp_syncobj_timeline_signal_ioctl(const struct gp_registered_device *rdev, void *data,
					    void *arg, struct gp_file *file,
					    const struct gp_user *user)
{
	const struct gpu_proto_syncobj_timeline_array *req = arg;
	struct gp_syncobj_point **chains = NULL;
	struct gp_syncobj **objs;
	uint64_t *points = NULL;
	uint32_t n = req->count_handles;
	int r;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ_TIMELINE))
		return -EOPNOTSUPP;
	if (req->flags)
		return -EINVAL;
	if (n == 0)
		return -EINVAL;
	if (n > GPU_PROTO_SYNCOBJ_MAX_COUNT)
		return -E2BIG;
	r = gp_syncobj_array_find(file, user, req->handles, n, &objs);
	if (r < 0)
		return r;
	r = gp_syncobj_points_in(user, req->points, n, &points);
	if (r < 0)
		goto out;
	/* Everything that can fail, before anything changes. */
	chains = calloc(n, sizeof(*chains));
	if (!chains) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		r = gp_syncobj_point_alloc(&chains[i]);
		if (r < 0)
			goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		gp_syncobj_add_point(objs[i], &chains[i], gp_fence_get_stub(), points[i]);
out:
	if (chains) {
		for (uint32_t i = 0; i < n; i++)
			gp_syncobj_point_free(&chains[i]);
		free(chains);
	}
	free(points);
	gp_syncobj_put_array(objs, n);
	return r;
}

int gp_syncobj_query_plan(const struct gp_device *dev, const void *arg,
				 struct gp_user_plan *plan)
{
	const struct gpu_proto_syncobj_timeline_array *req = arg;

	if (req->flags & ~GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED)
		return 0;
	/* IN too: on ENOENT the points go back as they were, not zeroed (user.h). */
	return gp_syncobj_plan_arrays(dev, GP_DRIVER_SYNCOBJ_TIMELINE, req->count_handles,
				      req->handles, req->points, GP_USER_IN | GP_USER_OUT, 0, plan);
}

int gp_syncobj_query_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
				  struct gp_file *file, const struct gp_user *user)
{
	const struct gpu_proto_syncobj_timeline_array *req = arg;
	struct gp_syncobj **objs;
	uint64_t *points;
	uint32_t n = req->count_handles;
	int r;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ_TIMELINE))
		return -EOPNOTSUPP;
	if (req->flags & ~GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED)
		return -EINVAL;
	if (n == 0)
		return -EINVAL;
	if (n > GPU_PROTO_SYNCOBJ_MAX_COUNT)
		return -E2BIG;
	r = gp_syncobj_array_find(file, user, req->handles, n, &objs);
	if (r < 0)
		return r;
	points = malloc(n * sizeof(*points));
	if (!points) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		points[i] = gp_syncobj_query(objs[i],
					     req->flags & GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED);
	if (gp_copy_to_user(user, req->points, points, n * sizeof(*points)) < 0)
		r = -EFAULT;
	free(points);
out:
	gp_syncobj_put_array(objs, n);
	return r;
}

/* --- TRANSFER --- */

/*
 * The source fence, as drm_syncobj_find_fence(): with WAIT_FOR_SUBMIT a
 * point not submitted yet is waited for (parked) up to five seconds after
 * the request first ran, then ETIME.  The re-runs find that deadline by
 * the request's waiter, which stays the same across them.
 * Return: 0 with *@out, or -errno, or -EINPROGRESS.
 */
static int gp_syncobj_transfer_source(struct gp_file *file, const struct gp_user *user,
				      const struct gpu_proto_syncobj_transfer *req,
				      struct gp_fence **out)
{
	struct gp_syncobj *src = gp_syncobj_find(file, req->src_handle);
	int64_t now, deadline;
	int r;

	if (!src)
		return -ENOENT;
	if (req->flags & ~GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT) {
		r = -EINVAL;
		goto out;
	}
	r = gp_syncobj_get_fence(src, req->src_point, out);
	if (!(req->flags & GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT))
		goto out;
	if (r == 0)
		goto done;
	now = gp_wait_now_ns();
	deadline = gp_syncobj_request_deadline(file, user->waiter, now,
					       GP_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT_NS);
	if (now >= deadline) {
		r = -ETIME;
		goto done;
	}
	r = gp_wait_watch_syncobj(user, src);
	if (r < 0)
		goto done;
	r = gp_syncobj_get_fence(src, req->src_point, out);
	if (r == 0) {
		gp_wait_cancel(user);
		goto done;
	}
	r = gp_wait_park(user, file, deadline);
	if (r == -EINPROGRESS)
		goto out;
done:
	gp_syncobj_request_done(file, user->waiter);
out:
	gp_syncobj_put(&src);
	return r;
}

int gp_syncobj_transfer_ioctl(const struct gp_registered_device *rdev, void *data,
				     void *arg, struct gp_file *file, const struct gp_user *user)
{
	const struct gpu_proto_syncobj_transfer *req = arg;
	struct gp_syncobj_point *chain = NULL;
	struct gp_fence *fence = NULL;
	struct gp_syncobj *dst;
	int r;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ_TIMELINE))
		return -EOPNOTSUPP;
	if (req->pad)
		return -EINVAL;
	dst = gp_syncobj_find(file, req->dst_handle);
	if (!dst)
		return -ENOENT;
	r = gp_syncobj_transfer_source(file, user, req, &fence);
	if (r < 0)
		goto out;
	if (req->dst_point) {
		r = gp_syncobj_point_alloc(&chain);
		if (r < 0)
			goto out;
		gp_syncobj_add_point(dst, &chain, fence, req->dst_point);
	} else {
		gp_syncobj_replace_fence(dst, fence);
	}
out:
	gp_fence_put(&fence);
	gp_syncobj_put(&dst);
	return r;
}

/* --- gpu-proto: SYNCOBJ_STATUS --- */

int gp_syncobj_status_plan(const struct gp_device *dev, const void *arg,
				  struct gp_user_plan *plan)
{
	const struct gpu_proto_syncobj_status *req = arg;

	if (req->flags)
		return 0;
	/*
	 * plan_arrays() plans @status IN|OUT: a call failing after the plan
	 * (a handle with no fence) leaves the caller's array as it was.
	 */
	if ((dev->driver->features & GP_DRIVER_SYNCOBJ) &&
	    req->count_handles > GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT)
		return -E2BIG;
	return gp_syncobj_plan_arrays(dev, GP_DRIVER_SYNCOBJ, req->count_handles, req->handles,
				      req->points, GP_USER_IN, req->status, plan);
}

int gp_syncobj_status_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
				   struct gp_file *file, const struct gp_user *user)
{
	const struct gpu_proto_syncobj_status *req = arg;
	struct gp_syncobj **objs;
	uint64_t *points = NULL;
	int32_t *status = NULL;
	uint32_t n = req->count_handles;
	int r;

	if (!(gp_syncobj_features(rdev) & GP_DRIVER_SYNCOBJ))
		return -EOPNOTSUPP;
	if (req->flags)
		return -EINVAL;
	if (n == 0)
		return -EINVAL;
	if (n > GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT)
		return -E2BIG;
	r = gp_syncobj_array_find(file, user, req->handles, n, &objs);
	if (r < 0)
		return r;
	r = gp_syncobj_points_in(user, req->points, n, &points);
	if (r < 0)
		goto out;
	status = malloc(n * sizeof(*status));
	if (!status) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		int st;

		r = gp_syncobj_status(objs[i], points[i], &st);
		if (r < 0)
			goto out;
		status[i] = st;
	}
	if (gp_copy_to_user(user, req->status, status, n * sizeof(*status)) < 0)
		r = -EFAULT;
out:
	free(status);
	free(points);
	gp_syncobj_put_array(objs, n);
	return r;
}
