// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h"
#include "registration.h"
#include "fake_driver.h"
#include "file.h"
#include "fence.h"
#include "gem.h"
#include "wait.h"

struct fake_record fake_record;
struct gp_fence *_Atomic fake_wait_fences[FAKE_WAIT_FENCES];

void fake_driver_reset(void)
{
	memset(&fake_record, 0, sizeof(fake_record));
}

static void fake_enter(struct fake_data *d)
{
	atomic_fetch_add(&fake_record.handlers_entered, 1);
	atomic_fetch_add(&d->in_flight, 1);
	if (d->magic != FAKE_DATA_MAGIC)
		atomic_store(&fake_record.handler_saw_dead_data, true);
}

static void fake_exit(struct fake_data *d)
{
	if (d->magic != FAKE_DATA_MAGIC)
		atomic_store(&fake_record.handler_saw_dead_data, true);
	atomic_fetch_sub(&d->in_flight, 1);
	atomic_fetch_add(&fake_record.handlers_exited, 1);
}

static int fake_echo(const struct gp_registered_device *rdev, void *data, void *arg,
		     struct gp_file *file, const struct gp_user *user)
{
	struct fake_echo *e = arg;

	fake_enter(data);
	e->out = e->in + 1;
	e->seen_size_marker = 0;
	fake_exit(data);
	return e->fail_with;
}

static int fake_sleep(const struct gp_registered_device *rdev, void *data, void *arg,
		      struct gp_file *file, const struct gp_user *user)
{
	const struct fake_sleep *s = arg;
	struct timespec ts = { .tv_sec = s->usec / 1000000, .tv_nsec = (s->usec % 1000000) * 1000L };

	fake_enter(data);
	nanosleep(&ts, NULL);
	fake_exit(data);
	return 0;
}

static int fake_follow_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan)
{
	const struct fake_follow *f = arg;

	return gp_user_plan_add(plan, f->ptr, f->len, GP_USER_OUT);
}

static int fake_follow(const struct gp_registered_device *rdev, void *data, void *arg,
		       struct gp_file *file, const struct gp_user *user)
{
	const struct fake_follow *f = arg;
	char buf[256];
	int r;

	if (f->len > sizeof(buf))
		return -EINVAL;
	for (uint32_t i = 0; i < f->len; i++)
		buf[i] = (char)('A' + i % 26);
	fake_enter(data);
	r = gp_copy_to_user(user, f->ptr, buf, f->len);
	fake_exit(data);
	return r;
}

static int fake_inout_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan)
{
	const struct fake_follow *f = arg;

	return gp_user_plan_add(plan, f->ptr, f->len, GP_USER_IN | GP_USER_OUT);
}

static int fake_inout(const struct gp_registered_device *rdev, void *data, void *arg,
		      struct gp_file *file, const struct gp_user *user)
{
	const struct fake_follow *f = arg;
	unsigned char buf[256];
	int r;

	if (f->len > sizeof(buf))
		return -EINVAL;
	r = gp_copy_from_user(user, buf, f->ptr, f->len);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < f->len; i++)
		buf[i]++;
	return gp_copy_to_user(user, f->ptr, buf, f->len);
}

static int fake_big(const struct gp_registered_device *rdev, void *data, void *arg,
		    struct gp_file *file, const struct gp_user *user)
{
	struct fake_big *b = arg;

	for (size_t i = 0; i < sizeof(b->bytes); i++)
		b->bytes[i] = (uint8_t)(b->bytes[i] + 1);
	return 0;
}

static int fake_noarg(const struct gp_registered_device *rdev, void *data, void *arg,
		      struct gp_file *file, const struct gp_user *user)
{
	return 7;
}

static int fake_stray(const struct gp_registered_device *rdev, void *data, void *arg,
		      struct gp_file *file, const struct gp_user *user)
{
	const struct fake_follow *f = arg;
	const char c = 'S';

	return gp_copy_to_user(user, f->ptr + f->len, &c, 1);
}

static int fake_unsettled_plan(const struct gp_device *dev, const void *arg,
			       struct gp_user_plan *plan)
{
	const struct fake_follow *f = arg;
	int n = atomic_fetch_add(&fake_record.plans, 1);

	return gp_user_plan_add(plan, f->ptr, (uint32_t)n + 1, GP_USER_IN);
}

static int fake_mixed_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan)
{
	const struct fake_mixed *m = arg;
	int r;

	r = gp_user_plan_add(plan, m->both, m->len, GP_USER_IN | GP_USER_OUT);
	if (r == 0)
		r = gp_user_plan_add(plan, m->src, m->len, GP_USER_IN);
	if (r == 0)
		r = gp_user_plan_add(plan, m->dst, m->len, GP_USER_OUT);
	return r;
}

static int fake_mixed(const struct gp_registered_device *rdev, void *data, void *arg,
		      struct gp_file *file, const struct gp_user *user)
{
	const struct fake_mixed *m = arg;
	unsigned char both[64], src[64], dst[64];
	int r;

	if (m->len > sizeof(both))
		return -EINVAL;
	r = gp_copy_from_user(user, both, m->both, m->len);
	if (r == 0)
		r = gp_copy_from_user(user, src, m->src, m->len);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < m->len; i++) {
		dst[i] = (unsigned char)(src[i] + both[i]);
		both[i] ^= 0xff;
	}
	r = gp_copy_to_user(user, m->dst, dst, m->len);
	if (r == 0)
		r = gp_copy_to_user(user, m->both, both, m->len);
	return r;
}

static int fake_bo_create(const struct gp_registered_device *rdev, void *data, void *arg,
			  struct gp_file *file, const struct gp_user *user)
{
	struct fake_bo_create *c = arg;
	struct gp_gem_object *obj = NULL;
	int r;

	r = gp_gem_object_create(gp_registered_to_device(rdev), c->size, &obj);
	if (r < 0)
		return r;
	r = gp_gem_handle_create(file, obj, &c->handle);
	if (r == 0) {
		c->size = obj->size;
		c->offset = obj->mmap_offset;
	}
	/* The handle holds the object now (or nothing does, and it goes). */
	gp_gem_object_put(&obj);
	return r;
}

/* As a driver's wait: watch, re-check, then park (wait.h). */
static int fake_wait(const struct gp_registered_device *rdev, void *data, void *arg,
		     struct gp_file *file, const struct gp_user *user)
{
	struct fake_wait *w = arg;
	int64_t deadline = w->deadline_ns ? w->deadline_ns : GP_WAIT_FOREVER;
	int error = 0, st, r;
	bool pending = false;

	atomic_fetch_add(&fake_record.waits_run, 1);
	if (w->count < 1 || w->count > 2)
		return -EINVAL;
	for (uint32_t i = 0; i < w->count; i++)
		if (w->fences[i] >= FAKE_WAIT_FENCES || !atomic_load(&fake_wait_fences[w->fences[i]]))
			return -EINVAL;
	for (uint32_t i = 0; i < w->count; i++) {
		struct gp_fence *f = atomic_load(&fake_wait_fences[w->fences[i]]);

		st = gp_fence_get_status(f);
		if (st == 0) {
			r = gp_wait_watch_fence(user, f);
			if (r < 0)
				return r;
			st = gp_fence_get_status(f);
		}
		if (st == 0)
			pending = true;
		else if (st < 0 && !error)
			error = st;
	}
	if (!pending) {
		gp_wait_cancel(user);
		w->status = error ? error : 1;
		return 0;
	}
	if (deadline <= gp_wait_now_ns()) {
		gp_wait_cancel(user);
		return -ETIME;
	}
	r = gp_wait_park(user, file, deadline);
	if (r == -EINPROGRESS)
		atomic_fetch_add(&fake_record.parks, 1);
	return r;
}

#define RA GP_DRM_RENDER_ALLOW
static const struct gp_ioctl_desc fake_ioctls[FAKE_IOCTL_COUNT] = {
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_ECHO, fake_echo, NULL, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_ROOT_ONLY, fake_echo, NULL, RA | GP_DRM_ROOT_ONLY),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_NOT_RENDER, fake_echo, NULL, 0),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_SLEEP, fake_sleep, NULL, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_IN_ONLY, fake_echo, NULL, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_OUT_ONLY, fake_echo, NULL, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_MASTER, fake_echo, NULL, RA | GP_DRM_MASTER),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_AUTH, fake_echo, NULL, GP_DRM_AUTH),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_FOLLOW, fake_follow, fake_follow_plan, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_BIG, fake_big, NULL, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_NOARG, fake_noarg, NULL, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_INOUT, fake_inout, fake_inout_plan, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_STRAY, fake_stray, fake_follow_plan, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_UNSETTLED, fake_noarg, fake_unsettled_plan, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_MIXED, fake_mixed, fake_mixed_plan, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_BO_CREATE, fake_bo_create, NULL, RA),
	GP_IOCTL_DEF_DRV(FAKE_IOCTL_WAIT, fake_wait, NULL, RA),
};

static int fake_open(const struct gp_registered_device *rdev, void *data, struct gp_file *file)
{
	struct fake_file_priv *p;
	int r = atomic_load(&fake_record.open_result);

	if (!gp_guard_held() || ((struct fake_data *)data)->magic != FAKE_DATA_MAGIC)
		atomic_store(&fake_record.handler_saw_dead_data, true);
	if (r < 0)
		return r;
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->magic = FAKE_DATA_MAGIC;
	file->driver_priv = p;
	atomic_fetch_add(&fake_record.opens, 1);
	return 0;
}

/* Records where it ran; frees the per-file state (ASan reports a missed call). */
static void fake_postclose(const struct gp_registered_device *rdev, void *data,
			   struct gp_file *file)
{
	struct fake_file_priv *p = file->driver_priv;

	if (rdev) {
		if (!data || !gp_guard_held() || ((struct fake_data *)data)->magic != FAKE_DATA_MAGIC)
			atomic_store(&fake_record.postclose_misplaced, true);
		else
			atomic_fetch_add(&fake_record.postcloses_in_guard, 1);
	} else {
		/* Unplugged: release() must have returned already. */
		if (data || atomic_load(&fake_record.releases) == 0)
			atomic_store(&fake_record.postclose_misplaced, true);
		else
			atomic_fetch_add(&fake_record.postcloses_unplugged, 1);
	}
	if (!p || p->magic != FAKE_DATA_MAGIC)
		atomic_store(&fake_record.postclose_misplaced, true);
	atomic_fetch_add(&fake_record.postcloses, 1);
	free(p);
	file->driver_priv = NULL;
}

static int fake_probe(struct gp_unregistered_device *udev, void *data, struct gp_backend **backend)
{
	struct fake_data *d = data;
	int r = atomic_load(&fake_record.probe_result);

	atomic_fetch_add(&fake_record.probes, 1);
	if (r < 0)
		return r;
	d->magic = FAKE_DATA_MAGIC;
	atomic_init(&d->in_flight, 0);
	return 0;
}

static void fake_release(void *data)
{
	struct fake_data *d = data;

	int delay = atomic_load(&fake_record.release_delay_us);

	atomic_store(&fake_record.release_started, true);
	if (delay > 0) {
		struct timespec ts = { .tv_sec = delay / 1000000, .tv_nsec = (delay % 1000000) * 1000L };

		nanosleep(&ts, NULL);
	}
	if (atomic_load(&d->in_flight) != 0)
		atomic_store(&fake_record.release_while_in_flight, true);
	atomic_fetch_add(&fake_record.releases, 1);
	d->magic = 0;
}

const struct gp_driver fake_driver = {
	.name = "fake",
	.desc = "gpu-proto core test driver",
	.date = "0",
	.major = 3,
	.minor = 14,
	.patchlevel = 15,
	.features = GP_DRIVER_GEM,
	.ioctls = fake_ioctls,
	.num_ioctls = FAKE_IOCTL_COUNT,
	.data_size = sizeof(struct fake_data),
	.probe = fake_probe,
	.release = fake_release,
	.open = fake_open,
	.postclose = fake_postclose,
};

struct gp_registration *fake_bind(void)
{
	struct gp_registration *reg = NULL;
	struct gp_backend *be = NULL;
	int r;

	r = gp_driver_bind(&fake_driver, &be, "fake:0", &reg);
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_nonnull(reg);
	return reg;
}
