// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sync objects (daemon/core/syncobj.c, syncobj_ioctl.c) against
 * drm_syncobj.c's documented semantics and errors, every ioctl through real
 * dispatch (the in-process transport) on the fake driver with the sync
 * object features.  The in-process caller has no waiter of its own, so
 * gp_ioctl() blocks in the waits exactly where a CUSE request would park;
 * "driver" fences (a job's) are made here with fence.h and installed with
 * the driver interface of syncobj.h.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "device_priv.h"
#include "fake_driver.h"
#include "fence.h"
#include "file.h"
#include "inproc.h"
#include "ioctl.h"
#include "registration.h"
#include "syncobj.h"
#include "syncobj_priv.h"
#include "wait.h"
#include "check_run.h"

#define MS	1000000ll

static struct gp_driver sync_driver;		/* fake_driver with the sync object features */
static struct gp_registration *reg;
static struct gp_device *dev;
static struct gp_inproc_caller *caller;
static struct gp_file *file;

static const struct gp_caller user = { .uid = 1000, .gid = 1000, .pid = 4242 };

/*
 * The caller's memory: arguments and arrays all live here, mapped once.
 * Each thread of a test uses its own slot.
 */
#define SLOTS 8
#define SLOT_MAX (GPU_PROTO_SYNCOBJ_MAX_COUNT + 1)
struct slot {
	union {
		struct gpu_proto_syncobj_create create;
		struct gpu_proto_syncobj_destroy destroy;
		struct gpu_proto_syncobj_handle handle;
		struct gpu_proto_syncobj_transfer transfer;
		struct gpu_proto_syncobj_wait wait;
		struct gpu_proto_syncobj_timeline_wait twait;
		struct gpu_proto_syncobj_eventfd eventfd;
		struct gpu_proto_syncobj_array array;
		struct gpu_proto_syncobj_timeline_array tarray;
		struct gpu_proto_syncobj_status status;
		struct gpu_proto_get_cap cap;
	} arg;
	uint32_t handles[SLOT_MAX];
	uint64_t points[SLOT_MAX];
	int32_t status[SLOT_MAX];
};
static struct slot *arena;

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static struct gp_registration *bind_features(struct gp_driver *drv, uint32_t features,
					     const char *unique)
{
	struct gp_registration *r = NULL;
	struct gp_backend *be = NULL;

	*drv = fake_driver;
	drv->features = features;
	ck_assert_int_eq(gp_driver_bind(drv, &be, unique, &r), 0);
	return r;
}

static void setup(void)
{
	fake_driver_reset();
	reg = bind_features(&sync_driver,
			    GP_DRIVER_GEM | GP_DRIVER_SYNCOBJ | GP_DRIVER_SYNCOBJ_TIMELINE, "fake:0");
	dev = gp_device_get(gp_registration_device(reg));
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &caller), 0);
	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &file), 0);
	arena = calloc(SLOTS, sizeof(*arena));
	ck_assert_ptr_nonnull(arena);
	ck_assert_int_eq(gp_inproc_caller_map(caller, arena, SLOTS * sizeof(*arena),
					      GP_USER_IN | GP_USER_OUT), 0);
}

static void teardown(void)
{
	gp_file_close(&file);
	ck_assert_int_eq(gp_inproc_caller_unmap(caller, arena), 0);
	gp_inproc_caller_free(&caller);
	free(arena);
	gp_registration_free(&reg);
	ck_assert_int_eq((int)dev->ref.refcount, 1);
	gp_device_put(&dev);
}

/* A caller's transport state is per request: each thread of a test has its own caller. */
static _Thread_local struct gp_inproc_caller *thread_caller;

static void thread_caller_begin(void)
{
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &thread_caller), 0);
	ck_assert_int_eq(gp_inproc_caller_map(thread_caller, arena, SLOTS * sizeof(*arena),
					      GP_USER_IN | GP_USER_OUT), 0);
}

static void thread_caller_end(void)
{
	ck_assert_int_eq(gp_inproc_caller_unmap(thread_caller, arena), 0);
	gp_inproc_caller_free(&thread_caller);
}

static int io(struct gp_file *f, unsigned int cmd, struct slot *s)
{
	return gp_inproc_ioctl(thread_caller ? thread_caller : caller, f, cmd, addr(&s->arg));
}

/*
 * The arrays into the slot: up to 64 entries from the caller's array; a
 * larger @count (the limit cases) repeats its first entry.
 */
static void fill(struct slot *s, const uint32_t *handles, const uint64_t *points, uint32_t count)
{
	for (uint32_t i = 0; i < count && i < SLOT_MAX; i++) {
		s->handles[i] = handles[count <= 64 ? i : 0];
		if (points)
			s->points[i] = points[count <= 64 ? i : 0];
	}
}

/* --- small wrappers, each on slot @s --- */

static int create_on(struct gp_file *f, struct slot *s, uint32_t flags, uint32_t *handle)
{
	int r;

	s->arg.create = (struct gpu_proto_syncobj_create){ .flags = flags };
	r = io(f, GPU_PROTO_IOCTL_SYNCOBJ_CREATE, s);
	if (r == 0 && handle)
		*handle = s->arg.create.handle;
	return r;
}

static uint32_t create(uint32_t flags)
{
	uint32_t h = 0;

	ck_assert_int_eq(create_on(file, &arena[0], flags, &h), 0);
	return h;
}

static int destroy(uint32_t handle, uint32_t pad)
{
	arena[0].arg.destroy = (struct gpu_proto_syncobj_destroy){ .handle = handle, .pad = pad };
	return io(file, GPU_PROTO_IOCTL_SYNCOBJ_DESTROY, &arena[0]);
}

static int array_op(unsigned int cmd, const uint32_t *handles, uint32_t count)
{
	struct slot *s = &arena[0];

	fill(s, handles, NULL, count);
	s->arg.array = (struct gpu_proto_syncobj_array){ .handles = addr(s->handles),
							 .count_handles = count };
	return io(file, cmd, s);
}

static int wait_on(struct gp_file *f, struct slot *s, const uint32_t *handles, uint32_t count,
		   uint32_t flags, int64_t timeout, uint32_t *first)
{
	int r;

	fill(s, handles, NULL, count);
	s->arg.wait = (struct gpu_proto_syncobj_wait){
		.handles = addr(s->handles), .count_handles = count, .flags = flags,
		.timeout_nsec = timeout, .first_signaled = 0xdead,
	};
	r = io(f, GPU_PROTO_IOCTL_SYNCOBJ_WAIT, s);
	if (first)
		*first = s->arg.wait.first_signaled;
	return r;
}

static int twait_on(struct gp_file *f, struct slot *s, const uint32_t *handles,
		    const uint64_t *points, uint32_t count, uint32_t flags, int64_t timeout,
		    uint32_t *first)
{
	int r;

	fill(s, handles, points, count);
	s->arg.twait = (struct gpu_proto_syncobj_timeline_wait){
		.handles = addr(s->handles), .points = addr(s->points), .count_handles = count,
		.flags = flags, .timeout_nsec = timeout, .first_signaled = 0xdead,
	};
	r = io(f, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT, s);
	if (first)
		*first = s->arg.twait.first_signaled;
	return r;
}

static int tsignal(const uint32_t *handles, const uint64_t *points, uint32_t count)
{
	struct slot *s = &arena[0];

	fill(s, handles, points, count);
	s->arg.tarray = (struct gpu_proto_syncobj_timeline_array){
		.handles = addr(s->handles), .points = addr(s->points), .count_handles = count,
	};
	return io(file, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, s);
}

static int query(const uint32_t *handles, uint32_t count, uint32_t flags, uint64_t *out)
{
	struct slot *s = &arena[0];
	int r;

	fill(s, handles, NULL, count);
	memset(s->points, 0xff, (count < SLOT_MAX ? count : SLOT_MAX) * sizeof(*s->points));
	s->arg.tarray = (struct gpu_proto_syncobj_timeline_array){
		.handles = addr(s->handles), .points = addr(s->points), .count_handles = count,
		.flags = flags,
	};
	r = io(file, GPU_PROTO_IOCTL_SYNCOBJ_QUERY, s);
	if (r == 0)
		memcpy(out, s->points, (count < 64 ? count : 64) * sizeof(*out));
	return r;
}

static uint64_t query1(uint32_t h, uint32_t flags)
{
	uint64_t p = 0;

	ck_assert_int_eq(query(&h, 1, flags, &p), 0);
	return p;
}

static int transfer(uint32_t src, uint64_t src_point, uint32_t dst, uint64_t dst_point,
		    uint32_t flags)
{
	arena[0].arg.transfer = (struct gpu_proto_syncobj_transfer){
		.src_handle = src, .src_point = src_point, .dst_handle = dst,
		.dst_point = dst_point, .flags = flags,
	};
	return io(file, GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER, &arena[0]);
}

static int status(const uint32_t *handles, const uint64_t *points, uint32_t count, int32_t *out)
{
	struct slot *s = &arena[0];
	int r;

	fill(s, handles, points, count);
	s->arg.status = (struct gpu_proto_syncobj_status){
		.handles = addr(s->handles), .points = points ? addr(s->points) : 0,
		.status = addr(s->status), .count_handles = count,
	};
	r = io(file, GPU_PROTO_IOCTL_SYNCOBJ_STATUS, s);
	if (r == 0)
		memcpy(out, s->status, (count < 64 ? count : 64) * sizeof(*out));
	return r;
}

static int32_t status1(uint32_t h, uint64_t point)
{
	int32_t st = 99;

	ck_assert_int_eq(status(&h, &point, 1, &st), 0);
	return st;
}

/* A job's fence installed the way a driver does at submit. */
static struct gp_fence *submit_binary(uint32_t handle)
{
	struct gp_syncobj *s = gp_syncobj_find(file, handle);
	struct gp_fence *f = NULL;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(gp_fence_create(&f), 0);
	gp_syncobj_replace_fence(s, f);
	gp_syncobj_put(&s);
	return f;
}

static struct gp_fence *submit_point(uint32_t handle, uint64_t point)
{
	struct gp_syncobj *s = gp_syncobj_find(file, handle);
	struct gp_syncobj_point *p = NULL;
	struct gp_fence *f = NULL;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(gp_fence_create(&f), 0);
	ck_assert_int_eq(gp_syncobj_point_alloc(&p), 0);
	gp_syncobj_add_point(s, &p, f, point);
	ck_assert_ptr_null(p);
	gp_syncobj_put(&s);
	return f;
}

static void signal_put(struct gp_fence **f, int st)
{
	ck_assert_int_eq(gp_fence_signal(*f, st), 0);
	gp_fence_put(f);
}

static int64_t in_ms(int64_t ms)
{
	return gp_wait_now_ns() + ms * MS;
}

/* --- objects and handles --- */

START_TEST(handles_start_at_one_and_reuse_the_lowest_free)
{
	ck_assert_uint_eq(create(0), 1);
	ck_assert_uint_eq(create(0), 2);
	ck_assert_uint_eq(create(0), 3);
	ck_assert_int_eq(destroy(2, 0), 0);
	ck_assert_uint_eq(create(0), 2);
	ck_assert_uint_eq(create(0), 4);
	ck_assert_uint_eq(gp_syncobj_handle_count(file), 4);
}
END_TEST

START_TEST(create_and_destroy_errors_are_the_kernels)
{
	uint32_t h = create(0);

	ck_assert_int_eq(create_on(file, &arena[0], 2, NULL), -EINVAL);
	ck_assert_int_eq(create_on(file, &arena[0], 1u << 31, NULL), -EINVAL);
	ck_assert_int_eq(destroy(h, 1), -EINVAL);	/* pad */
	ck_assert_int_eq(destroy(h + 1, 0), -EINVAL);	/* unknown: idr_remove() found nothing */
	ck_assert_int_eq(destroy(0, 0), -EINVAL);
	ck_assert_int_eq(destroy(h, 0), 0);
	ck_assert_int_eq(destroy(h, 0), -EINVAL);	/* twice */
}
END_TEST

START_TEST(another_files_handle_is_enoent)
{
	struct gp_file *other = NULL;
	uint32_t h = create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED), first;

	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &other), 0);
	ck_assert_int_eq(wait_on(other, &arena[1], &h, 1, 0, 0, &first), -ENOENT);
	ck_assert_int_eq(wait_on(file, &arena[1], &h, 1, 0, 0, &first), 0);
	gp_file_close(&other);
}
END_TEST

START_TEST(handle_limit_is_enospc)
{
	uint32_t h = 0;
	int r = 0;

	for (unsigned int i = 0; i < GP_SYNCOBJ_DEFAULT_MAX_HANDLES; i++) {
		r = create_on(file, &arena[0], 0, &h);
		if (r)
			break;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(h, GP_SYNCOBJ_DEFAULT_MAX_HANDLES);
	ck_assert_int_eq(create_on(file, &arena[0], 0, &h), -ENOSPC);
	ck_assert_int_eq(destroy(77, 0), 0);
	ck_assert_int_eq(create_on(file, &arena[0], 0, &h), 0);
	ck_assert_uint_eq(h, 77);
}
END_TEST

START_TEST(file_close_drops_handles_objects_live_on_in_their_users)
{
	struct gp_file *other = NULL;
	struct gp_syncobj *s;
	struct gp_fence *f = NULL;
	uint32_t h;

	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &other), 0);
	ck_assert_int_eq(create_on(other, &arena[0], GPU_PROTO_SYNCOBJ_CREATE_SIGNALED, &h), 0);
	s = gp_syncobj_find(other, h);
	ck_assert_ptr_nonnull(s);
	gp_file_close(&other);
	/* The driver's reference keeps the object usable. */
	ck_assert_int_eq(gp_syncobj_get_fence(s, 0, &f), 0);
	ck_assert_int_eq(gp_fence_get_status(f), 1);
	gp_fence_put(&f);
	gp_syncobj_put(&s);
}
END_TEST

/* --- features and GET_CAP --- */

static int cap(struct gp_file *f, uint64_t capability, uint64_t *value)
{
	int r;

	arena[0].arg.cap = (struct gpu_proto_get_cap){ .capability = capability, .value = 99 };
	r = io(f, GPU_PROTO_IOCTL_GET_CAP, &arena[0]);
	*value = arena[0].arg.cap.value;
	return r;
}

START_TEST(get_cap_reports_the_drivers_features)
{
	uint64_t v;

	ck_assert_int_eq(cap(file, GPU_PROTO_CAP_SYNCOBJ, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(cap(file, GPU_PROTO_CAP_SYNCOBJ_TIMELINE, &v), 0);
	ck_assert_uint_eq(v, 1);
}
END_TEST

static struct gp_driver plain_driver;

/* Every call fails EOPNOTSUPP before looking at anything, as drm_core_check_feature(). */
START_TEST(without_the_features_every_call_is_eopnotsupp)
{
	static const unsigned int base_cmds[] = {
		GPU_PROTO_IOCTL_SYNCOBJ_CREATE, GPU_PROTO_IOCTL_SYNCOBJ_DESTROY,
		GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD, GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE,
		GPU_PROTO_IOCTL_SYNCOBJ_WAIT, GPU_PROTO_IOCTL_SYNCOBJ_RESET,
		GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, GPU_PROTO_IOCTL_SYNCOBJ_STATUS,
	};
	static const unsigned int timeline_cmds[] = {
		GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT, GPU_PROTO_IOCTL_SYNCOBJ_QUERY,
		GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
		GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD,
	};
	for (int variant = 0; variant < 2; variant++) {
		uint32_t features = variant ? GP_DRIVER_SYNCOBJ : 0;
		struct gp_registration *r2 = bind_features(&plain_driver, features, "fake:1");
		struct gp_file *f = NULL;
		uint64_t v;

		ck_assert_int_eq(gp_file_open(gp_registration_device(r2), &user, GP_NODE_RENDER, &f),
				 0);
		ck_assert_int_eq(cap(f, GPU_PROTO_CAP_SYNCOBJ, &v), 0);
		ck_assert_uint_eq(v, variant);
		ck_assert_int_eq(cap(f, GPU_PROTO_CAP_SYNCOBJ_TIMELINE, &v), 0);
		ck_assert_uint_eq(v, 0);
		for (unsigned int i = 0; !variant && i < sizeof(base_cmds) / sizeof(base_cmds[0]); i++) {
			/* Garbage everywhere, a huge count included: the feature comes first. */
			memset(&arena[0].arg, 0xff, sizeof(arena[0].arg));
			ck_assert_int_eq(io(f, base_cmds[i], &arena[0]), -EOPNOTSUPP);
		}
		for (unsigned int i = 0; i < sizeof(timeline_cmds) / sizeof(timeline_cmds[0]); i++) {
			memset(&arena[0].arg, 0xff, sizeof(arena[0].arg));
			ck_assert_int_eq(io(f, timeline_cmds[i], &arena[0]), -EOPNOTSUPP);
		}
		if (variant) {
			uint32_t h;

			ck_assert_int_eq(create_on(f, &arena[0], 0, &h), 0);
			ck_assert_uint_eq(h, 1);
		}
		gp_file_close(&f);
		gp_registration_free(&r2);
	}
}
END_TEST

/* --- WAIT --- */

START_TEST(wait_without_a_fence_is_einval_unless_wait_for_submit)
{
	uint32_t h[2] = { create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED), create(0) }, first;

	/* EINVAL even though the first is signalled: every entry is checked first. */
	ck_assert_int_eq(wait_on(file, &arena[0], h, 2, 0, 0, &first), -EINVAL);
	ck_assert_uint_eq(first, 0xdead);	/* not written on failure */
	ck_assert_int_eq(wait_on(file, &arena[0], h, 2, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
				 0, &first), 0);
	ck_assert_uint_eq(first, 0);
	ck_assert_int_eq(wait_on(file, &arena[0], h, 2,
				 GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				 GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0, &first), -ETIME);
}
END_TEST

START_TEST(wait_flags_pad_count_and_handles_are_checked)
{
	uint32_t h = create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED), bad = h + 5, first;

	/* WAIT_AVAILABLE belongs to TIMELINE_WAIT. */
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
				 0, &first), -EINVAL);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, 1u << 4, 0, &first), -EINVAL);
	/* WAIT_DEADLINE is accepted (a hint). */
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE,
				 0, &first), 0);
	ck_assert_int_eq(wait_on(file, &arena[0], &bad, 1, 0, 0, &first), -ENOENT);
	/* The kernel answers an empty wait with success. */
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 0, 0, 0, &first), 0);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, GPU_PROTO_SYNCOBJ_MAX_COUNT + 1, 0, 0,
				 &first), -E2BIG);
	/* Flags are checked before the count, as the kernel checks them before allocating. */
	ck_assert_int_eq(wait_on(file, &arena[0], &h, GPU_PROTO_SYNCOBJ_MAX_COUNT + 1, 1u << 4, 0,
				 &first), -EINVAL);
	/* A bad array pointer faults. */
	arena[0].arg.wait = (struct gpu_proto_syncobj_wait){ .handles = 8, .count_handles = 1 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_WAIT, &arena[0]), -EFAULT);
}
END_TEST

START_TEST(wait_any_reports_the_first_signalled_index)
{
	uint32_t h[3] = { create(0), create(0), create(0) }, first;
	struct gp_fence *f0 = submit_binary(h[0]), *f1 = submit_binary(h[1]), *f2 = submit_binary(h[2]);

	ck_assert_int_eq(wait_on(file, &arena[0], h, 3, 0, 0, &first), -ETIME);
	signal_put(&f2, 0);
	ck_assert_int_eq(wait_on(file, &arena[0], h, 3, 0, 0, &first), 0);
	ck_assert_uint_eq(first, 2);
	signal_put(&f1, 0);
	ck_assert_int_eq(wait_on(file, &arena[0], h, 3, 0, 0, &first), 0);
	ck_assert_uint_eq(first, 1);
	ck_assert_int_eq(wait_on(file, &arena[0], h, 3, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0,
				 &first), -ETIME);
	/* A failed job's fence is signalled: WAIT says so, STATUS tells how. */
	signal_put(&f0, -EIO);
	ck_assert_int_eq(wait_on(file, &arena[0], h, 3, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0,
				 &first), 0);
}
END_TEST

START_TEST(wait_times_out_at_the_absolute_deadline)
{
	uint32_t h = create(0), first;
	struct gp_fence *f = submit_binary(h);
	int64_t start = gp_wait_now_ns(), deadline = start + 50 * MS;

	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, 0, deadline, &first), -ETIME);
	ck_assert_int_ge(gp_wait_now_ns(), deadline);
	/* A deadline gone by, or negative, polls. */
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, 0, start, &first), -ETIME);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, 0, -1, &first), -ETIME);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, 0, INT64_MIN, &first), -ETIME);
	signal_put(&f, 0);
	/* An absurd deadline is fine once signalled. */
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, 0, INT64_MAX, &first), 0);
}
END_TEST

struct later {
	pthread_t thread;
	int64_t delay_ms;
	struct gp_fence *fence;		/* signal this ... */
	int status;
	uint32_t handle;		/* ... or do @op on this */
	uint64_t point;
	int op;
};

enum { LATER_SIGNAL, LATER_SUBMIT_BINARY, LATER_SUBMIT_POINT, LATER_IOCTL_SIGNAL };

static void *later_thread(void *arg)
{
	struct later *l = arg;
	struct timespec ts = { .tv_sec = l->delay_ms / 1000, .tv_nsec = (l->delay_ms % 1000) * MS };

	thread_caller_begin();
	nanosleep(&ts, NULL);
	switch (l->op) {
	case LATER_SIGNAL:
		ck_assert_int_eq(gp_fence_signal(l->fence, l->status), 0);
		break;
	case LATER_SUBMIT_BINARY:
		l->fence = submit_binary(l->handle);
		break;
	case LATER_SUBMIT_POINT:
		l->fence = submit_point(l->handle, l->point);
		break;
	case LATER_IOCTL_SIGNAL:
		arena[7].handles[0] = l->handle;
		arena[7].arg.array = (struct gpu_proto_syncobj_array){
			.handles = addr(arena[7].handles), .count_handles = 1 };
		ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, &arena[7]), 0);
		break;
	}
	thread_caller_end();
	return NULL;
}

static void later_start(struct later *l)
{
	ck_assert_int_eq(pthread_create(&l->thread, NULL, later_thread, l), 0);
}

START_TEST(wait_blocks_until_another_thread_signals)
{
	uint32_t h = create(0), first;
	struct later l = { .delay_ms = 50, .op = LATER_SIGNAL };

	l.fence = submit_binary(h);
	later_start(&l);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, 0, in_ms(10000), &first), 0);
	ck_assert_uint_eq(first, 0);
	ck_assert_int_eq(gp_fence_get_status(l.fence), 1);
	pthread_join(l.thread, NULL);
	gp_fence_put(&l.fence);
}
END_TEST

START_TEST(wait_for_submit_is_woken_by_a_later_submit)
{
	uint32_t h = create(0), first;
	struct later l = { .delay_ms = 50, .op = LATER_IOCTL_SIGNAL, .handle = h };

	later_start(&l);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
				 in_ms(10000), &first), 0);
	pthread_join(l.thread, NULL);
	/* Submitted but pending: the wait goes on to the fence. */
	l = (struct later){ .delay_ms = 50, .op = LATER_SUBMIT_BINARY, .handle = h };
	ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_RESET, &h, 1), 0);
	later_start(&l);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
				 in_ms(200), &first), -ETIME);
	pthread_join(l.thread, NULL);
	signal_put(&l.fence, 0);
	ck_assert_int_eq(wait_on(file, &arena[0], &h, 1, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
				 0, &first), 0);
}
END_TEST

/* Callers built against drm.h before Linux 6.4 (Debian 12's libdrm) send the 32-byte WAIT. */
START_TEST(pre_6_4_wait_without_deadline_nsec_works)
{
	const unsigned int old_wait = _IOWR('d', 0xC3, uint8_t[32]);
	const unsigned int old_twait = _IOWR('d', 0xCA, uint8_t[40]);
	uint32_t h[2] = { create(0), create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED) };
	struct slot *s = &arena[0];

	ck_assert_uint_eq(old_wait, 0xC02064C3u);	/* libdrm 2.4.114's DRM_IOCTL_SYNCOBJ_WAIT */
	fill(s, h, NULL, 2);
	memset(&s->arg, 0xee, sizeof(s->arg));	/* bytes past the old size must not count */
	s->arg.wait = (struct gpu_proto_syncobj_wait){
		.handles = addr(s->handles), .count_handles = 2,
		.flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT };
	memset((char *)&s->arg + 32, 0xee, 8);
	ck_assert_int_eq(io(file, old_wait, s), 0);
	ck_assert_uint_eq(s->arg.wait.first_signaled, 1);
	/* Nothing written past the caller's 32 bytes. */
	ck_assert_uint_eq(((unsigned char *)&s->arg)[32], 0xee);
	s->arg.twait = (struct gpu_proto_syncobj_timeline_wait){
		.handles = addr(s->handles), .count_handles = 2,
		.flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT };
	ck_assert_int_eq(io(file, old_twait, s), 0);
	ck_assert_uint_eq(s->arg.twait.first_signaled, 1);
}
END_TEST

/* --- RESET, SIGNAL --- */

START_TEST(reset_and_signal_replace_the_binary_fence)
{
	uint32_t h[2] = { create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED), create(0) }, first;

	ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_RESET, h, 2), 0);
	ck_assert_int_eq(wait_on(file, &arena[0], h, 1, 0, 0, &first), -EINVAL);
	ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, h, 2), 0);
	ck_assert_int_eq(wait_on(file, &arena[0], h, 2, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0,
				 &first), 0);
	ck_assert_int_eq(status1(h[0], 0), 1);
}
END_TEST

START_TEST(array_calls_check_pad_count_and_handles)
{
	static const unsigned int cmds[] = { GPU_PROTO_IOCTL_SYNCOBJ_RESET,
					     GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL };
	uint32_t h[2] = { create(0), 0 };

	h[1] = h[0] + 1;
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(array_op(cmds[i], h, 0), -EINVAL);
		ck_assert_int_eq(array_op(cmds[i], h, 2), -ENOENT);
		ck_assert_int_eq(array_op(cmds[i], h, GPU_PROTO_SYNCOBJ_MAX_COUNT + 1), -E2BIG);
		arena[0].arg.array.pad = 1;
		arena[0].arg.array.count_handles = 1;
		ck_assert_int_eq(io(file, cmds[i], &arena[0]), -EINVAL);
	}
	/* ENOENT on the second handle changed nothing on the first: still no fence. */
	{
		int32_t st;

		ck_assert_int_eq(status(h, NULL, 1, &st), -EINVAL);
	}
}
END_TEST

/* --- timelines --- */

START_TEST(timeline_signal_and_query_follow_the_points)
{
	uint32_t h[2] = { create(0), create(0) };
	uint64_t pts[2] = { 3, 7 }, out[2];

	ck_assert_int_eq(query(h, 2, 0, out), 0);
	ck_assert_uint_eq(out[0], 0);
	ck_assert_uint_eq(out[1], 0);
	ck_assert_int_eq(tsignal(h, pts, 2), 0);
	ck_assert_int_eq(query(h, 2, 0, out), 0);
	ck_assert_uint_eq(out[0], 3);
	ck_assert_uint_eq(out[1], 7);
	ck_assert_int_eq(query(h, 2, GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, out), 0);
	ck_assert_uint_eq(out[1], 7);
	/* A binary object queries 0. */
	ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, h, 1), 0);
	ck_assert_uint_eq(query1(h[0], 0), 0);
	ck_assert_uint_eq(query1(h[0], GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 0);
}
END_TEST

START_TEST(a_point_waits_for_every_point_below_it)
{
	uint32_t h = create(0), first;
	uint64_t p2 = 2, p1 = 1, p3 = 3;
	struct gp_fence *f1 = submit_point(h, 1), *f;

	ck_assert_int_eq(tsignal(&h, &p2, 1), 0);
	/* Point 2 signalled, point 1 not: the timeline stands at 0. */
	ck_assert_uint_eq(query1(h, 0), 0);
	ck_assert_uint_eq(query1(h, GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 2);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p2, 1, 0, 0, &first), -ETIME);
	ck_assert_int_eq(status1(h, 2), 0);
	/* Beyond the last point: EINVAL without WAIT_FOR_SUBMIT, as find_seqno(). */
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p3, 1, 0, 0, &first), -EINVAL);
	/* ... and for the driver interface. */
	{
		struct gp_syncobj *s = gp_syncobj_find(file, h);

		ck_assert_int_eq(gp_syncobj_get_fence(s, 3, &f), -EINVAL);
		ck_assert_int_eq(gp_syncobj_get_fence(s, 2, &f), 0);
		ck_assert(!gp_fence_is_signaled(f));
		signal_put(&f1, 0);
		ck_assert_int_eq(gp_fence_get_status(f), 1);
		gp_fence_put(&f);
		gp_syncobj_put(&s);
	}
	ck_assert_uint_eq(query1(h, 0), 2);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p2, 1, 0, 0, &first), 0);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p1, 1, 0, 0, &first), 0);
}
END_TEST

START_TEST(timeline_wait_available_and_for_submit_wake_on_a_later_point)
{
	uint32_t h = create(0), first;
	uint64_t p5 = 5;
	struct later l = { .delay_ms = 50, .op = LATER_SUBMIT_POINT, .handle = h, .point = 5 };

	/* Not there yet: both flags wait for it to appear. */
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p5, 1,
				  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, 0, &first), -ETIME);
	later_start(&l);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p5, 1,
				  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, in_ms(10000), &first),
			 0);
	pthread_join(l.thread, NULL);
	/* Available, not signalled. */
	ck_assert_int_eq(gp_fence_get_status(l.fence), 0);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p5, 1,
				  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0, &first), -ETIME);
	/* WAIT_FOR_SUBMIT waits on, for the fence. */
	{
		struct later s = { .delay_ms = 50, .op = LATER_SIGNAL, .fence = l.fence };

		later_start(&s);
		ck_assert_int_eq(twait_on(file, &arena[0], &h, &p5, 1,
					  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
					  in_ms(10000), &first), 0);
		pthread_join(s.thread, NULL);
	}
	gp_fence_put(&l.fence);
	ck_assert_uint_eq(query1(h, 0), 5);
}
END_TEST

START_TEST(timeline_wait_checks_its_flags)
{
	uint32_t h = create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED), first;
	uint64_t p0 = 0;

	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p0, 1, 1u << 4, 0, &first), -EINVAL);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p0, GPU_PROTO_SYNCOBJ_MAX_COUNT + 1, 1u << 4,
				  0, &first), -EINVAL);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p0, 1,
				  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE |
				  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0, &first), 0);
	ck_assert_uint_eq(first, 0);
	ck_assert_int_eq(twait_on(file, &arena[0], &h, &p0, 0, 0, 0, &first), 0);
}
END_TEST

START_TEST(timeline_signal_and_query_check_their_arguments)
{
	uint32_t h = create(0), bad = h + 1;
	uint64_t p = 1, out;

	ck_assert_int_eq(tsignal(&h, &p, 0), -EINVAL);
	ck_assert_int_eq(tsignal(&bad, &p, 1), -ENOENT);
	arena[0].arg.tarray.flags = 1;
	arena[0].arg.tarray.count_handles = 1;
	arena[0].handles[0] = h;
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &arena[0]), -EINVAL);
	ck_assert_int_eq(query(&h, 0, 0, &out), -EINVAL);
	ck_assert_int_eq(query(&h, 1, 2, &out), -EINVAL);
	ck_assert_int_eq(query(&bad, 1, 0, &out), -ENOENT);
	ck_assert_int_eq(query(&h, GPU_PROTO_SYNCOBJ_MAX_COUNT + 1, 0, &out), -E2BIG);
	/* A NULL points array signals point 0, as the kernel. */
	arena[0].arg.tarray = (struct gpu_proto_syncobj_timeline_array){
		.handles = addr(arena[0].handles), .count_handles = 1 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &arena[0]), 0);
	ck_assert_int_eq(status1(h, 0), 1);
}
END_TEST

START_TEST(unordered_points_are_accepted_and_never_go_back)
{
	uint32_t h = create(0);
	uint64_t p = 10;

	ck_assert_int_eq(tsignal(&h, &p, 1), 0);
	p = 4;
	ck_assert_int_eq(tsignal(&h, &p, 1), 0);
	/* As dma_fence_chain_init(): the point is raised to the last one. */
	ck_assert_uint_eq(query1(h, GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 10);
	ck_assert_uint_eq(query1(h, 0), 10);
}
END_TEST

/*
 * Completing a long run of points never recurses per point: without the
 * per-thread completion queue, 100000 points overflow the stack (ASan).
 */
START_TEST(a_long_timeline_completes_without_recursing)
{
	const uint64_t n = 100000;
	uint32_t h = create(0);
	struct gp_fence *f1 = submit_point(h, 1);

	for (uint64_t p = 2; p <= n; p++) {
		uint64_t pt = p;

		ck_assert_int_eq(tsignal(&h, &pt, 1), 0);
	}
	ck_assert_uint_eq(query1(h, 0), 0);
	signal_put(&f1, 0);
	ck_assert_uint_eq(query1(h, 0), n);
	ck_assert_int_eq(status1(h, n / 2), 1);
}
END_TEST

/* --- TRANSFER --- */

START_TEST(transfer_moves_fences_between_binary_and_timeline)
{
	uint32_t bin = create(0), tl = create(0), bin2 = create(0), first;
	struct gp_fence *f = submit_binary(bin);
	uint64_t p = 4;

	/* Binary to timeline point 4. */
	ck_assert_int_eq(transfer(bin, 0, tl, 4, 0), 0);
	ck_assert_uint_eq(query1(tl, GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 4);
	ck_assert_uint_eq(query1(tl, 0), 0);
	/* Timeline point 4 back to another binary object. */
	ck_assert_int_eq(transfer(tl, 4, bin2, 0, 0), 0);
	ck_assert_int_eq(wait_on(file, &arena[0], &bin2, 1, 0, 0, &first), -ETIME);
	signal_put(&f, 0);
	ck_assert_int_eq(wait_on(file, &arena[0], &bin2, 1, 0, 0, &first), 0);
	ck_assert_int_eq(twait_on(file, &arena[0], &tl, &p, 1, 0, 0, &first), 0);
	ck_assert_uint_eq(query1(tl, 0), 4);
}
END_TEST

START_TEST(transfer_errors_are_the_kernels)
{
	uint32_t src = create(0), dst = create(0), bad = dst + 1;

	ck_assert_int_eq(transfer(src, 0, bad, 1, 0), -ENOENT);	/* dst first */
	ck_assert_int_eq(transfer(bad, 0, dst, 1, 0), -ENOENT);
	ck_assert_int_eq(transfer(src, 0, dst, 1, 4), -EINVAL);	/* flags */
	ck_assert_int_eq(transfer(src, 0, dst, 1, 0), -EINVAL);	/* no fence */
	ck_assert_int_eq(transfer(src, 3, dst, 0, 0), -EINVAL);	/* no point */
	arena[0].arg.transfer = (struct gpu_proto_syncobj_transfer){ .src_handle = src,
								     .dst_handle = dst, .pad = 1 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER, &arena[0]), -EINVAL);
}
END_TEST

START_TEST(transfer_wait_for_submit_waits_for_the_source)
{
	uint32_t src = create(0), dst = create(0);
	struct later l = { .delay_ms = 50, .op = LATER_IOCTL_SIGNAL, .handle = src };

	later_start(&l);
	ck_assert_int_eq(transfer(src, 0, dst, 2, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT), 0);
	pthread_join(l.thread, NULL);
	ck_assert_uint_eq(query1(dst, 0), 2);
}
END_TEST

/* As DRM_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT: a source never submitted gives up after 5 s. */
START_TEST(transfer_wait_for_submit_gives_up_after_five_seconds)
{
	uint32_t src = create(0), dst = create(0);
	int64_t start = gp_wait_now_ns();

	ck_assert_int_eq(transfer(src, 0, dst, 2, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT),
			 -ETIME);
	ck_assert_int_ge(gp_wait_now_ns() - start, 5000 * MS);
	ck_assert_uint_eq(query1(dst, GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 0);
}
END_TEST

/* --- SYNCOBJ_STATUS --- */

START_TEST(status_reports_pending_success_and_the_jobs_error)
{
	uint32_t h[3] = { create(0), create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED), create(0) };
	struct gp_fence *fb = submit_binary(h[0]), *f1 = submit_point(h[2], 1), *f2;
	uint64_t pts[3] = { 0, 0, 1 };
	int32_t st[3];

	f2 = submit_point(h[2], 2);
	ck_assert_int_eq(status(h, pts, 3, st), 0);
	ck_assert_int_eq(st[0], 0);
	ck_assert_int_eq(st[1], 1);
	ck_assert_int_eq(st[2], 0);
	signal_put(&fb, -EIO);
	ck_assert_int_eq(status(h, NULL, 2, st), 0);
	ck_assert_int_eq(st[0], -EIO);
	/* A failed point fails every point above it; the one below is fine. */
	signal_put(&f2, -ECANCELED);
	ck_assert_int_eq(status1(h[2], 2), 0);	/* point 1 still runs */
	signal_put(&f1, 0);
	ck_assert_int_eq(status1(h[2], 1), 1);
	ck_assert_int_eq(status1(h[2], 2), -ECANCELED);
	ck_assert_int_eq(status1(h[2], 0), -ECANCELED);
}
END_TEST

/*
 * A timeline point carries the first error at or below it: the point of a
 * failed job reports the error, so does every point above it, also once
 * later points signalled and the failed one was collected (the lookup then
 * lands below it); points below it report success.
 */
START_TEST(status_of_a_failed_point_survives_later_points_and_collection)
{
	uint32_t h = create(0), lo = create(0), bin = create(0);
	struct gp_fence *f1 = submit_point(h, 1), *f2 = submit_point(h, 2),
			*f3 = submit_point(h, 3), *f4, *g1, *g2, *g3, *g4, *fb;

	signal_put(&f1, -EIO);
	ck_assert_int_eq(status1(h, 1), -EIO);
	ck_assert_int_eq(status1(h, 2), 0);
	signal_put(&f2, 0);
	ck_assert_int_eq(status1(h, 1), -EIO);
	ck_assert_int_eq(status1(h, 2), -EIO);
	ck_assert_int_eq(status1(h, 3), 0);
	signal_put(&f3, 0);
	for (uint64_t pt = 0; pt <= 3; pt++)
		ck_assert_int_eq(status1(h, pt), -EIO);
	/* A later point collects 1 to 3 (drm_syncobj_add_point() walks). */
	f4 = submit_point(h, 4);
	for (uint64_t pt = 1; pt <= 3; pt++)
		ck_assert_int_eq(status1(h, pt), -EIO);
	ck_assert_int_eq(status1(h, 4), 0);
	signal_put(&f4, 0);
	for (uint64_t pt = 0; pt <= 4; pt++)
		ck_assert_int_eq(status1(h, pt), -EIO);

	/* The error starts at the failed point: the one below stays a success. */
	g1 = submit_point(lo, 1);
	g2 = submit_point(lo, 2);
	g3 = submit_point(lo, 3);
	signal_put(&g2, -ETIMEDOUT);
	signal_put(&g3, 0);
	g4 = submit_point(lo, 4);	/* collects 2 and 3 while 1 still runs */
	ck_assert_int_eq(status1(lo, 2), 0);
	ck_assert_int_eq(status1(lo, 3), 0);
	signal_put(&g1, 0);
	ck_assert_int_eq(status1(lo, 1), 1);
	ck_assert_int_eq(status1(lo, 2), -ETIMEDOUT);
	ck_assert_int_eq(status1(lo, 3), -ETIMEDOUT);
	signal_put(&g4, 0);
	g4 = submit_point(lo, 5);	/* collects everything */
	ck_assert_int_eq(status1(lo, 1), 1);
	ck_assert_int_eq(status1(lo, 2), -ETIMEDOUT);
	ck_assert_int_eq(status1(lo, 4), -ETIMEDOUT);
	signal_put(&g4, 0);
	ck_assert_int_eq(status1(lo, 5), -ETIMEDOUT);

	/* A binary object reports its fence's error, unchanged. */
	fb = submit_binary(bin);
	signal_put(&fb, -EIO);
	ck_assert_int_eq(status1(bin, 0), -EIO);
}
END_TEST

/*
 * STATUS plans its array IN|OUT: a call that fails after the plan (the
 * second handle has no fence) leaves the caller's array as it was, over
 * the CUSE retry protocol too.
 */
START_TEST(a_failing_status_leaves_the_callers_array_unchanged)
{
	struct gp_inproc_caller *retry = NULL;
	struct slot *s = &arena[1];

	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &retry), 0);
	ck_assert_int_eq(gp_inproc_caller_map(retry, arena, SLOTS * sizeof(*arena),
					      GP_USER_IN | GP_USER_OUT), 0);
	s->handles[0] = create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);
	s->handles[1] = create(0);
	s->points[0] = s->points[1] = 0;
	s->status[0] = s->status[1] = 0x5a5a5a5a;
	s->arg.status = (struct gpu_proto_syncobj_status){
		.handles = addr(s->handles), .points = addr(s->points), .status = addr(s->status),
		.count_handles = 2 };
	ck_assert_int_eq(gp_inproc_ioctl(retry, file, GPU_PROTO_IOCTL_SYNCOBJ_STATUS,
					 addr(&s->arg)), -EINVAL);
	ck_assert_int_eq(s->status[0], 0x5a5a5a5a);
	ck_assert_int_eq(s->status[1], 0x5a5a5a5a);
	ck_assert_int_eq(gp_inproc_caller_unmap(retry, arena), 0);
	gp_inproc_caller_free(&retry);
}
END_TEST

START_TEST(status_checks_its_arguments)
{
	uint32_t h = create(0), bad = h + 1;
	uint64_t p = 0;
	int32_t st;

	ck_assert_int_eq(status(&h, &p, 1, &st), -EINVAL);	/* no fence */
	ck_assert_int_eq(status(&bad, &p, 1, &st), -ENOENT);
	ck_assert_int_eq(status(&h, &p, 0, &st), -EINVAL);
	ck_assert_int_eq(status(&h, &p, GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT + 1, &st), -E2BIG);
	arena[0].arg.status.flags = 1;
	arena[0].arg.status.count_handles = 1;
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_STATUS, &arena[0]), -EINVAL);
}
END_TEST

/* --- refused calls --- */

START_TEST(fd_export_import_and_eventfd_are_refused)
{
	uint32_t h = create(0);
	struct gpu_proto_syncobj_handle *hd = &arena[0].arg.handle;
	struct gpu_proto_syncobj_eventfd *ev = &arena[0].arg.eventfd;

	*hd = (struct gpu_proto_syncobj_handle){ .handle = h, .fd = 5 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD, &arena[0]), -EOPNOTSUPP);
	ck_assert_int_eq(hd->fd, -1);
	*hd = (struct gpu_proto_syncobj_handle){ .handle = h,
		.flags = GPU_PROTO_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD, &arena[0]), -EOPNOTSUPP);
	*hd = (struct gpu_proto_syncobj_handle){ .handle = h, .flags = 2 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD, &arena[0]), -EINVAL);
	*hd = (struct gpu_proto_syncobj_handle){ .handle = h, .pad = 1 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE, &arena[0]), -EINVAL);
	*hd = (struct gpu_proto_syncobj_handle){ .fd = 0 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE, &arena[0]), -EOPNOTSUPP);
	ck_assert_uint_eq(gp_syncobj_handle_count(file), 1);

	*ev = (struct gpu_proto_syncobj_eventfd){ .handle = h, .fd = 0 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD, &arena[0]), -EOPNOTSUPP);
	*ev = (struct gpu_proto_syncobj_eventfd){ .handle = h + 1 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD, &arena[0]), -ENOENT);
	*ev = (struct gpu_proto_syncobj_eventfd){ .handle = h, .flags = 1 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD, &arena[0]), -EINVAL);
	*ev = (struct gpu_proto_syncobj_eventfd){ .handle = h, .pad = 1 };
	ck_assert_int_eq(io(file, GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD, &arena[0]), -EINVAL);
}
END_TEST

/* --- the CUSE-sized path: the most a call may name fits one round of the retry protocol --- */

START_TEST(the_largest_array_fits_one_cuse_ioctl)
{
	struct gp_inproc_caller *retry = NULL;
	struct slot *s = &arena[1];
	uint32_t h = create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);

	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &retry), 0);
	ck_assert_int_eq(gp_inproc_caller_map(retry, arena, SLOTS * sizeof(*arena),
					      GP_USER_IN | GP_USER_OUT), 0);
	for (uint32_t i = 0; i < GPU_PROTO_SYNCOBJ_MAX_COUNT; i++) {
		s->handles[i] = h;
		s->points[i] = 0;
	}
	s->arg.twait = (struct gpu_proto_syncobj_timeline_wait){
		.handles = addr(s->handles), .points = addr(s->points),
		.count_handles = GPU_PROTO_SYNCOBJ_MAX_COUNT,
		.flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL };
	ck_assert_int_eq(gp_inproc_ioctl(retry, file, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT,
					 addr(&s->arg)), 0);
	s->arg.status = (struct gpu_proto_syncobj_status){
		.handles = addr(s->handles), .points = addr(s->points), .status = addr(s->status),
		.count_handles = GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT };
	ck_assert_int_eq(gp_inproc_ioctl(retry, file, GPU_PROTO_IOCTL_SYNCOBJ_STATUS,
					 addr(&s->arg)), 0);
	ck_assert_int_eq(s->status[GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT - 1], 1);
	/* One more is E2BIG, before any transfer. */
	s->arg.twait.count_handles = GPU_PROTO_SYNCOBJ_MAX_COUNT + 1;
	s->arg.twait.handles = addr(s->handles);
	s->arg.twait.points = addr(s->points);
	s->arg.twait.flags = 0;
	ck_assert_int_eq(gp_inproc_ioctl(retry, file, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT,
					 addr(&s->arg)), -E2BIG);
	ck_assert_int_eq(gp_inproc_caller_unmap(retry, arena), 0);
	gp_inproc_caller_free(&retry);
}
END_TEST

/* --- a transport with its own waiter (as CUSE and the socket): waits park, nothing blocks --- */

static int flat_prepare(void *ctx, const struct gp_user_plan *plan)
{
	return 0;
}

static int flat_copy_from(void *ctx, void *dst, uint64_t a, size_t len)
{
	memcpy(dst, (const void *)(uintptr_t)a, len);
	return 0;
}

static int flat_copy_to(void *ctx, uint64_t a, const void *src, size_t len)
{
	memcpy((void *)(uintptr_t)a, src, len);
	return 0;
}

static const struct gp_user_ops flat_ops = {
	.prepare = flat_prepare, .copy_from = flat_copy_from, .copy_to = flat_copy_to,
};

struct parked {
	struct gp_waiter waiter;
	struct gp_file *file;
	struct gpu_proto_syncobj_wait arg;
	uint32_t handle;
	atomic_int answered;
	int result;
};

static int parked_run(struct parked *p)
{
	struct gp_user u = { .ops = &flat_ops, .waiter = &p->waiter };
	int result = 0, r;

	p->arg = (struct gpu_proto_syncobj_wait){
		.handles = addr(&p->handle), .count_handles = 1, .timeout_nsec = INT64_MAX,
		.flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT };
	r = gp_ioctl(p->file, GPU_PROTO_IOCTL_SYNCOBJ_WAIT, addr(&p->arg), &u, &result);
	if (r == 0) {
		p->result = result;
		atomic_store(&p->answered, 1);
	}
	return r;
}

static void parked_wake(struct gp_waiter *waiter)
{
	parked_run(caa_container_of(waiter, struct parked, waiter));
}

static const struct gp_waiter_ops parked_ops = { .wake = parked_wake };

static void await_answer(struct parked *p)
{
	while (!atomic_load(&p->answered))
		usleep(1000);
}

START_TEST(a_hundred_parked_waits_hold_no_thread_and_revoke_answers_them)
{
	enum { N = 100 };
	struct parked *p = calloc(N, sizeof(*p));
	uint32_t h[N], extra;
	uint64_t v;

	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < N; i++) {
		h[i] = create(0);
		gp_waiter_init(&p[i].waiter, &parked_ops);
		p[i].file = file;
		p[i].handle = h[i];
		/* Answered at once with -EINPROGRESS: the calling thread is free. */
		ck_assert_int_eq(parked_run(&p[i]), -EINPROGRESS);
	}
	/* This thread, and the device, serve other calls meanwhile. */
	ck_assert_int_eq(cap(file, GPU_PROTO_CAP_SYNCOBJ, &v), 0);
	extra = create(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);
	ck_assert_uint_eq(extra, N + 1);
	/* A submit to one object answers its wait only. */
	ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, &h[7], 1), 0);
	await_answer(&p[7]);
	ck_assert_int_eq(p[7].result, 0);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(atomic_load(&p[i].answered), i == 7);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int i = 0; i < N; i++) {
		await_answer(&p[i]);
		ck_assert_int_eq(p[i].result, i == 7 ? 0 : -ENODEV);
		gp_waiter_disarm(&p[i].waiter);
	}
	free(p);
}
END_TEST

/* --- waiters and the device going away --- */

struct waiter_thread {
	pthread_t thread;
	struct gp_file *file;
	struct slot *slot;
	uint32_t handle;
	uint64_t point;
	uint32_t flags;
	int result;
	atomic_bool done;
};

static void *waiter_main(void *arg)
{
	struct waiter_thread *w = arg;
	uint32_t first;

	thread_caller_begin();
	w->result = twait_on(w->file, w->slot, &w->handle, &w->point, 1, w->flags, INT64_MAX,
			     &first);
	atomic_store(&w->done, true);
	thread_caller_end();
	return NULL;
}

START_TEST(revoke_wakes_every_waiter_with_enodev)
{
	struct waiter_thread w[4];
	uint32_t h = create(0);
	struct gp_fence *f = submit_point(h, 1);

	for (int i = 0; i < 4; i++) {
		w[i] = (struct waiter_thread){ .file = gp_file_get(file), .slot = &arena[i + 1],
					       .handle = h, .point = i < 2 ? 1 : 9,
					       .flags = i < 2 ? 0 :
						 GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT };
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, waiter_main, &w[i]), 0);
	}
	usleep(50 * 1000);
	for (int i = 0; i < 4; i++)
		ck_assert(!atomic_load(&w[i].done));
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].thread, NULL);
		ck_assert_int_eq(w[i].result, -ENODEV);
		gp_file_put(&w[i].file);
	}
	/* The object outlives revoke; its fence is the driver's to signal. */
	signal_put(&f, -ENODEV);
}
END_TEST

START_TEST(file_close_wakes_its_waiters)
{
	struct gp_file *other = NULL;
	struct waiter_thread w;
	uint32_t h;

	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &other), 0);
	ck_assert_int_eq(create_on(other, &arena[0], 0, &h), 0);
	w = (struct waiter_thread){ .file = gp_file_get(other), .slot = &arena[1], .handle = h,
				    .point = 1, .flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT };
	ck_assert_int_eq(pthread_create(&w.thread, NULL, waiter_main, &w), 0);
	usleep(50 * 1000);
	ck_assert(!atomic_load(&w.done));
	gp_file_close(&other);
	pthread_join(w.thread, NULL);
	/* Woken, and the re-run finds the file closed: never a success, never a hang. */
	ck_assert(w.result == -ENODEV || w.result == -ENOENT);
	gp_file_put(&w.file);
}
END_TEST

/* --- concurrency (also run under TSan) --- */

#define RACE_ROUNDS 200

struct racer {
	pthread_t thread;
	struct slot *slot;
	uint32_t handle;
	atomic_int *stop;
	int waits, errors;
};

/* Waits with WAIT_FOR_SUBMIT on a binary object others signal and reset. */
static void *race_waiter(void *arg)
{
	struct racer *r = arg;
	uint32_t first;

	thread_caller_begin();
	while (!atomic_load(r->stop)) {
		int e = wait_on(file, r->slot, &r->handle, 1,
				GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, in_ms(20), &first);

		if (e == 0)
			r->waits++;
		else if (e != -ETIME)
			r->errors++;
	}
	thread_caller_end();
	return NULL;
}

START_TEST(waits_race_signal_and_reset)
{
	atomic_int stop = 0;
	struct racer w[3];
	uint32_t h = create(0);

	for (int i = 0; i < 3; i++) {
		w[i] = (struct racer){ .slot = &arena[i + 1], .handle = h, .stop = &stop };
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, race_waiter, &w[i]), 0);
	}
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct gp_fence *f = submit_binary(h);

		signal_put(&f, i % 7 ? 0 : -EIO);
		ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_RESET, &h, 1), 0);
		ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, &h, 1), 0);
		ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_RESET, &h, 1), 0);
	}
	atomic_store(&stop, 1);
	ck_assert_int_eq(array_op(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, &h, 1), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(w[i].thread, NULL);
		ck_assert_int_eq(w[i].errors, 0);
	}
}
END_TEST

struct point_waiter {
	pthread_t thread;
	struct slot *slot;
	uint32_t handle;
	uint64_t upto;
	int errors;
};

/* Waits for each point in turn, as a client's timeline semaphore would. */
static void *point_waiter_main(void *arg)
{
	struct point_waiter *w = arg;
	uint32_t first;

	thread_caller_begin();
	for (uint64_t p = 1; p <= w->upto; p++) {
		if (twait_on(file, w->slot, &w->handle, &p, 1,
			     GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, in_ms(10000), &first))
			w->errors++;
	}
	thread_caller_end();
	return NULL;
}

static void *point_signaller_main(void *arg)
{
	struct point_waiter *w = arg;

	/* Jobs submitted in order, completing from this thread. */
	for (uint64_t p = 1; p <= w->upto; p++) {
		struct gp_fence *f = submit_point(w->handle, p);

		ck_assert_int_eq(gp_fence_signal(f, 0), 0);
		gp_fence_put(&f);
	}
	return NULL;
}

START_TEST(timeline_waiters_race_submits_and_signals)
{
	uint32_t h = create(0);
	struct point_waiter w[2], sig = { .handle = h, .upto = RACE_ROUNDS };

	for (int i = 0; i < 2; i++) {
		w[i] = (struct point_waiter){ .slot = &arena[i + 1], .handle = h, .upto = RACE_ROUNDS };
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, point_waiter_main, &w[i]), 0);
	}
	ck_assert_int_eq(pthread_create(&sig.thread, NULL, point_signaller_main, &sig), 0);
	pthread_join(sig.thread, NULL);
	for (int i = 0; i < 2; i++) {
		pthread_join(w[i].thread, NULL);
		ck_assert_int_eq(w[i].errors, 0);
	}
	ck_assert_uint_eq(query1(h, 0), RACE_ROUNDS);
}
END_TEST

static Suite *syncobj_suite(void)
{
	Suite *s = suite_create("syncobj");
	TCase *tc = tcase_create("syncobj");
	TCase *tr = tcase_create("concurrency");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, handles_start_at_one_and_reuse_the_lowest_free);
	tcase_add_test(tc, create_and_destroy_errors_are_the_kernels);
	tcase_add_test(tc, another_files_handle_is_enoent);
	tcase_add_test(tc, handle_limit_is_enospc);
	tcase_add_test(tc, file_close_drops_handles_objects_live_on_in_their_users);
	tcase_add_test(tc, get_cap_reports_the_drivers_features);
	tcase_add_test(tc, without_the_features_every_call_is_eopnotsupp);
	tcase_add_test(tc, wait_without_a_fence_is_einval_unless_wait_for_submit);
	tcase_add_test(tc, wait_flags_pad_count_and_handles_are_checked);
	tcase_add_test(tc, wait_any_reports_the_first_signalled_index);
	tcase_add_test(tc, wait_times_out_at_the_absolute_deadline);
	tcase_add_test(tc, wait_blocks_until_another_thread_signals);
	tcase_add_test(tc, wait_for_submit_is_woken_by_a_later_submit);
	tcase_add_test(tc, pre_6_4_wait_without_deadline_nsec_works);
	tcase_add_test(tc, reset_and_signal_replace_the_binary_fence);
	tcase_add_test(tc, array_calls_check_pad_count_and_handles);
	tcase_add_test(tc, timeline_signal_and_query_follow_the_points);
	tcase_add_test(tc, a_point_waits_for_every_point_below_it);
	tcase_add_test(tc, timeline_wait_available_and_for_submit_wake_on_a_later_point);
	tcase_add_test(tc, timeline_wait_checks_its_flags);
	tcase_add_test(tc, timeline_signal_and_query_check_their_arguments);
	tcase_add_test(tc, unordered_points_are_accepted_and_never_go_back);
	tcase_add_test(tc, a_long_timeline_completes_without_recursing);
	tcase_add_test(tc, transfer_moves_fences_between_binary_and_timeline);
	tcase_add_test(tc, transfer_errors_are_the_kernels);
	tcase_add_test(tc, transfer_wait_for_submit_waits_for_the_source);
	tcase_add_test(tc, transfer_wait_for_submit_gives_up_after_five_seconds);
	tcase_add_test(tc, status_reports_pending_success_and_the_jobs_error);
	tcase_add_test(tc, status_checks_its_arguments);
	tcase_add_test(tc, status_of_a_failed_point_survives_later_points_and_collection);
	tcase_add_test(tc, a_failing_status_leaves_the_callers_array_unchanged);
	tcase_add_test(tc, fd_export_import_and_eventfd_are_refused);
	tcase_add_test(tc, the_largest_array_fits_one_cuse_ioctl);
	tcase_add_test(tc, a_hundred_parked_waits_hold_no_thread_and_revoke_answers_them);
	tcase_add_test(tc, revoke_wakes_every_waiter_with_enodev);
	tcase_add_test(tc, file_close_wakes_its_waiters);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, waits_race_signal_and_reset);
	tcase_add_test(tr, timeline_waiters_race_submits_and_signals);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	return gp_check_run(syncobj_suite());
}
