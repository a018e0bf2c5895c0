// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libgpuproto's sync-object calls against the daemon's real sync objects
 * (daemon/core/syncobj.c) through real dispatch: each library handle's
 * ioctls go through its test seam to the in-process transport, on the fake
 * driver with the sync-object features.  The in-process caller has no
 * waiter of its own, so a wait blocks the calling thread where a CUSE
 * request would park.  Jobs' fences are installed the way a driver does
 * at submit (syncobj.h's driver interface).
 *
 * What this shows beyond test_libclient (a fake daemon): the library's
 * arguments are the ones the core understands (arrays, points, absolute
 * deadlines), its errors are the core's, and a job's error reaches the
 * client through gpc_syncobj_status() while the wait itself succeeds.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpuproto.h>
#include "gpuproto-private.h"

#include "check_run.h"
#include "device_priv.h"
#include "fake_driver.h"
#include "fence.h"
#include "file.h"
#include "inproc.h"
#include "registration.h"
#include "syncobj.h"

#define MS 1000000ll

static struct gp_driver sync_driver;
static struct gp_registration *reg;
static struct gp_device *gdev;

static const struct gp_caller user = { .uid = 1000, .gid = 1000, .pid = 4242 };

/* One library handle on one daemon file. */
struct seam {
	struct gp_file *file;
	struct gpc_device *dev;
};

static struct seam a, b;

/*
 * A caller per request (the transport's state is per request), whose
 * address space is the whole user half: the arrays the library points at
 * are reached as a transport reaches them.
 */
static int seam_ioctl(void *data, int fd, unsigned long request, void *arg)
{
	struct seam *s = data;
	struct gp_inproc_caller *c = NULL;
	int r;

	(void)fd;
	r = gp_inproc_caller_new(GP_INPROC_DIRECT, &c);
	if (r == 0)
		r = gp_inproc_caller_map(c, (const void *)(uintptr_t)4096,
					 ((size_t)1 << 47) - 4096, GP_USER_IN | GP_USER_OUT);
	if (r == 0)
		r = gp_inproc_ioctl(c, s->file, (unsigned int)request, (uintptr_t)arg);
	gp_inproc_caller_free(&c);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static const struct gpc_sys_ops seam_ops = { .ioctl = seam_ioctl };

static void seam_open(struct seam *s)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(gp_file_open(gdev, &user, GP_NODE_RENDER, &s->file), 0);
	ck_assert_int_eq(gpc_open_fd(fd, 0, &s->dev), 0);
	close(fd);
	gpc_private_set_sys_ops(s->dev, &seam_ops, s);
}

static void seam_close(struct seam *s)
{
	gpc_close(s->dev);
	s->dev = NULL;
	gp_file_close(&s->file);
}

static void setup(void)
{
	struct gp_backend *be = NULL;

	fake_driver_reset();
	sync_driver = fake_driver;
	sync_driver.features = GP_DRIVER_GEM | GP_DRIVER_SYNCOBJ | GP_DRIVER_SYNCOBJ_TIMELINE;
	ck_assert_int_eq(gp_driver_bind(&sync_driver, &be, "fake:0", &reg), 0);
	gdev = gp_device_get(gp_registration_device(reg));
	seam_open(&a);
	seam_open(&b);
}

static void teardown(void)
{
	seam_close(&a);
	seam_close(&b);
	gp_registration_free(&reg);
	ck_assert_int_eq((int)gdev->ref.refcount, 1);
	gp_device_put(&gdev);
}

/* A job's fence on a timeline point, as a driver installs it at submit. */
static struct gp_fence *submit_point(struct seam *s, uint32_t handle, uint64_t point)
{
	struct gp_syncobj *so = gp_syncobj_find(s->file, handle);
	struct gp_syncobj_point *p = NULL;
	struct gp_fence *f = NULL;

	ck_assert_ptr_nonnull(so);
	ck_assert_int_eq(gp_fence_create(&f), 0);
	ck_assert_int_eq(gp_syncobj_point_alloc(&p), 0);
	gp_syncobj_add_point(so, &p, f, point);
	gp_syncobj_put(&so);
	return f;
}

START_TEST(binary_create_signal_wait_reset_destroy)
{
	uint32_t h[2] = { 0, 0 }, first = 99, gone;

	ck_assert_int_eq(gpc_syncobj_create(a.dev, 0, &h[0]), 0);
	ck_assert_int_eq(gpc_syncobj_create(a.dev, 0, &h[1]), 0);
	ck_assert_uint_ne(h[0], h[1]);
	/* No fence and no WAIT_FOR_SUBMIT: EINVAL, as drm_syncobj_array_wait. */
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, h, 2, gpc_timeout_abs(0), 0, NULL), -EINVAL);
	ck_assert_int_eq(errno, EINVAL);
	/* Waiting for a submit that never comes: the deadline. */
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, h, 2, gpc_timeout_abs(20 * MS),
					  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL), -ETIME);
	ck_assert_int_eq(errno, ETIME);

	ck_assert_int_eq(gpc_syncobj_signal(a.dev, &h[1], 1), 0);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, h, 2, gpc_timeout_abs(1000 * MS),
					  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, &first), 0);
	ck_assert_uint_eq(first, 1);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, h, 2, gpc_timeout_abs(20 * MS),
					  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
					  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL), -ETIME);
	ck_assert_int_eq(gpc_syncobj_signal(a.dev, h, 2), 0);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, h, 2, gpc_timeout_abs(0),
					  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL), 0);

	ck_assert_int_eq(gpc_syncobj_reset(a.dev, h, 2), 0);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, h, 1, gpc_timeout_abs(0), 0, NULL), -EINVAL);

	ck_assert_int_eq(gpc_syncobj_create(a.dev, GPU_PROTO_SYNCOBJ_CREATE_SIGNALED, &gone), 0);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, &gone, 1, gpc_timeout_abs(0), 0, NULL), 0);
	ck_assert_int_eq(gpc_syncobj_destroy(a.dev, gone), 0);
	ck_assert_int_eq(gpc_syncobj_destroy(a.dev, gone), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, &gone, 1, gpc_timeout_abs(0), 0, NULL), -ENOENT);
	ck_assert_int_eq(gpc_syncobj_create(a.dev, 0x80, &gone), -EINVAL);
}
END_TEST

START_TEST(timeline_signal_query_wait_transfer)
{
	uint32_t t = 0, bin = 0, h2[2];
	uint64_t p3 = 3, p5 = 5, got[2] = { 77, 77 }, pts[2];

	ck_assert_int_eq(gpc_syncobj_create(a.dev, 0, &t), 0);
	ck_assert_int_eq(gpc_syncobj_create(a.dev, 0, &bin), 0);
	ck_assert_int_eq(gpc_syncobj_timeline_signal(a.dev, &t, &p3, 1), 0);
	h2[0] = t;
	h2[1] = t;
	ck_assert_int_eq(gpc_syncobj_query(a.dev, h2, got, 2, 0), 0);
	ck_assert_uint_eq(got[0], 3);
	ck_assert_uint_eq(got[1], 3);
	ck_assert_int_eq(gpc_syncobj_timeline_wait(a.dev, &t, &p3, 1, gpc_timeout_abs(0), 0,
						   NULL), 0);
	/* Point 5 has no fence: not even available by the deadline. */
	ck_assert_int_eq(gpc_syncobj_timeline_wait(a.dev, &t, &p5, 1, gpc_timeout_abs(20 * MS),
						   GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
						   GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
						   NULL), -ETIME);
	/* Any of (3, 5): point 3 is signalled, so index 0. */
	pts[0] = 3;
	pts[1] = 5;
	{
		uint32_t first = 99;

		ck_assert_int_eq(gpc_syncobj_timeline_wait(a.dev, h2, pts, 2, gpc_timeout_abs(0),
							   GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
							   &first), 0);
		ck_assert_uint_eq(first, 0);
	}
	/* The fence of point 3 into the binary object, then point 3 into point 7. */
	ck_assert_int_eq(gpc_syncobj_transfer(a.dev, bin, 0, t, 3, 0), 0);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, &bin, 1, gpc_timeout_abs(0), 0, NULL), 0);
	ck_assert_int_eq(gpc_syncobj_transfer(a.dev, t, 7, t, 3, 0), 0);
	ck_assert_int_eq(gpc_syncobj_query(a.dev, &t, got, 1, 0), 0);
	ck_assert_uint_eq(got[0], 7);
	/* A handle that does not exist: ENOENT, and the output untouched. */
	got[0] = 77;
	h2[1] = 999;
	ck_assert_int_eq(gpc_syncobj_query(a.dev, h2, got, 2, 0), -ENOENT);
	ck_assert_uint_eq(got[0], 77);
}
END_TEST

struct waiter_arg {
	struct gpc_device *dev;
	uint32_t handle;
	uint64_t point;
	int64_t deadline;
	int result;
};

static void *waiter(void *p)
{
	struct waiter_arg *w = p;

	w->result = gpc_syncobj_timeline_wait(w->dev, &w->handle, &w->point, 1, w->deadline,
					      GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
	return NULL;
}

START_TEST(a_wait_is_woken_by_a_job_that_failed_and_status_reports_its_error)
{
	struct waiter_arg w = { .dev = a.dev, .point = 2 };
	uint64_t points[3] = { 1, 2, 3 };
	uint32_t h3[3];
	int32_t st[3] = { 77, 77, 77 };
	struct gp_fence *job1, *job2, *job3;
	pthread_t th;

	ck_assert_int_eq(gpc_syncobj_create(a.dev, 0, &w.handle), 0);
	job1 = submit_point(&a, w.handle, 1);
	job2 = submit_point(&a, w.handle, 2);
	job3 = submit_point(&a, w.handle, 3);
	/* A generous deadline: the signal below, not the clock, must end the wait. */
	w.deadline = gpc_timeout_abs(30000 * MS);
	ck_assert_int_eq(pthread_create(&th, NULL, waiter, &w), 0);
	usleep(20000);
	ck_assert_int_eq(gp_fence_signal(job1, 0), 0);
	/* The job of point 2 faulted: its fence signals with the error. */
	ck_assert_int_eq(gp_fence_signal(job2, -EIO), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(w.result, 0);	/* as the kernel: the wait succeeds */

	/*
	 * Points 1 and 2 have signalled, point 3 is pending.  A timeline
	 * point carries the first error at or below it: point 2 reports its
	 * job's error, also though the wait's lookup collected it (SYNCOBJ_STATUS
	 * keeps the error of collected points, docs/uapi.md 3c); point 3,
	 * once its own job failed differently, still reports the first one.
	 */
	h3[0] = h3[1] = h3[2] = w.handle;
	ck_assert_int_eq(gpc_syncobj_status(a.dev, h3, points, st, 3), 0);
	ck_assert_int_eq(st[0], 1);
	ck_assert_int_eq(st[1], -EIO);
	ck_assert_int_eq(st[2], 0);	/* still running */
	ck_assert_int_eq(gp_fence_signal(job3, -ENODEV), 0);
	ck_assert_int_eq(gpc_syncobj_status(a.dev, h3, points, st, 3), 0);
	ck_assert_int_eq(st[0], 1);
	ck_assert_int_eq(st[1], -EIO);
	ck_assert_int_eq(st[2], -EIO);
	gp_fence_put(&job1);
	gp_fence_put(&job2);
	gp_fence_put(&job3);
}
END_TEST

/* A binary object holds the job's own fence: its error is the status. */
START_TEST(status_of_a_binary_object_is_its_jobs_error)
{
	struct gp_syncobj *so;
	struct gp_fence *job = NULL;
	uint32_t h = 0;
	int32_t st = 77;

	ck_assert_int_eq(gpc_syncobj_create(a.dev, 0, &h), 0);
	ck_assert_int_eq(gpc_syncobj_status(a.dev, &h, NULL, &st, 1), -EINVAL);	/* no fence */
	ck_assert_int_eq(st, 77);
	so = gp_syncobj_find(a.file, h);
	ck_assert_ptr_nonnull(so);
	ck_assert_int_eq(gp_fence_create(&job), 0);
	gp_syncobj_replace_fence(so, job);
	gp_syncobj_put(&so);
	ck_assert_int_eq(gpc_syncobj_status(a.dev, &h, NULL, &st, 1), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(gp_fence_signal(job, -EFAULT), 0);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, &h, 1, gpc_timeout_abs(1000 * MS), 0, NULL), 0);
	ck_assert_int_eq(gpc_syncobj_status(a.dev, &h, NULL, &st, 1), 0);
	ck_assert_int_eq(st, -EFAULT);
	gp_fence_put(&job);
}
END_TEST

START_TEST(handles_are_per_file)
{
	uint32_t h = 0, first;
	int32_t st = 77;

	ck_assert_int_eq(gpc_syncobj_create(a.dev, GPU_PROTO_SYNCOBJ_CREATE_SIGNALED, &h), 0);
	ck_assert_int_eq(gpc_syncobj_wait(a.dev, &h, 1, gpc_timeout_abs(0), 0, &first), 0);
	/* The same number on another file names nothing there. */
	ck_assert_int_eq(gpc_syncobj_wait(b.dev, &h, 1, gpc_timeout_abs(0), 0, NULL), -ENOENT);
	ck_assert_int_eq(gpc_syncobj_signal(b.dev, &h, 1), -ENOENT);
	ck_assert_int_eq(gpc_syncobj_status(b.dev, &h, NULL, &st, 1), -ENOENT);
	ck_assert_int_eq(st, 77);
	ck_assert_int_eq(gpc_syncobj_destroy(b.dev, h), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_status(a.dev, &h, NULL, &st, 1), 0);
	ck_assert_int_eq(st, 1);
}
END_TEST

START_TEST(get_cap_reports_sync_objects)
{
	uint64_t v = 0;

	ck_assert_int_eq(gpc_get_cap(a.dev, GPU_PROTO_CAP_SYNCOBJ, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(gpc_get_cap(a.dev, GPU_PROTO_CAP_SYNCOBJ_TIMELINE, &v), 0);
	ck_assert_uint_eq(v, 1);
}
END_TEST

static Suite *libclient_sync_suite(void)
{
	Suite *s = suite_create("libclient-sync");
	TCase *tc = tcase_create("sync objects through real dispatch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, binary_create_signal_wait_reset_destroy);
	tcase_add_test(tc, timeline_signal_query_wait_transfer);
	tcase_add_test(tc, a_wait_is_woken_by_a_job_that_failed_and_status_reports_its_error);
	tcase_add_test(tc, status_of_a_binary_object_is_its_jobs_error);
	tcase_add_test(tc, handles_are_per_file);
	tcase_add_test(tc, get_cap_reports_sync_objects);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(libclient_sync_suite());
}
