// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the ioctl dispatch path through the in-process transport.
 *
 * Each input is a small program (fuzz_dispatch.h): map parts of an arena
 * into the caller's address space with some protection, write bytes and
 * pointers into it, and issue ioctls with random commands, sizes and
 * argument pointers, in direct or retry mode, on one of three devices that
 * stay bound across inputs:
 *
 *   - mali-csf on the mock Mali-G610 (zero delays, so a probe is cheap):
 *     the core ioctls, DEV_QUERY, FLUSH_CACHES and its events, and
 *     panthor's BO and VM ioctls (objects, VMs, binds through the mock MMU);
 *   - "fuzz", a personality defined here whose ioctls exercise each
 *     dispatch rule and report what they saw (see fz_ioctls[]), with
 *     buffer objects: its BO_CREATE, the core's GEM_CLOSE and the raw
 *     PRIME ioctls;
 *   - qemu-edu, the production driver, on the fake edu device of
 *     tests/lib/fake_edu.h (its registers and DMA engine, the backend's
 *     DMA mappings as its IOMMU): INFO, RAISE_IRQ and its events,
 *     BO_CREATE, DMA both ways, GEM_CLOSE, FD_TOKEN.
 *
 * Programs can also read and poll events, service the device interrupt,
 * revoke and rebind the device (qemu-edu: also while a transfer runs), and
 * make the mock vanish from the bus.
 *
 * EDU_DMA waits for its completion interrupt, which the control plane
 * handles; so while one runs, a second thread of the harness (fz_cp) plays
 * the control plane: it services the interrupt the fake raises when the
 * transfer is started (or, with FZ_F_ON_DMA, revokes the device while the
 * fake holds the transfer).  Pending interrupts are serviced before the
 * ioctl, so the outcome does not depend on scheduling.
 *
 * Besides the sanitizers, every ioctl is checked against the documented
 * contract (docs/architecture.md, "Ioctl dispatch"):
 *   - the result is 0 or an errno the path can produce; -ENODEV on a
 *     revoked device, -ENOTTY for another type, -EINVAL without a handler;
 *   - direct mode takes one round trip, retry mode at most three;
 *   - no byte of the arena outside a caller mapping with GP_USER_OUT
 *     changes (that covers guard bytes, partial and read-only mappings);
 *   - a handler's copies of ranges its plan named never fail, and read the
 *     caller's bytes as they were at the call;
 *   - the argument is copied out even when the handler fails, zero-extended
 *     when the caller's struct is shorter;
 *   - with FZ_F_DIFF, direct and retry mode give the same result;
 *   - handles: BO_CREATE gives the lowest free handle, GEM_CLOSE drops
 *     exactly the handle named (EINVAL for one the file lacks), nothing
 *     else changes a file's handles; raw PRIME is EOPNOTSUPP and
 *     HANDLE_TO_FD answers fd -1;
 *   - sync objects (mali-csf has them; the others answer EOPNOTSUPP):
 *     the kernel's errors plus ETIME, E2BIG and ENOSPC; waits are made to
 *     poll (timeout 0, no wait for a submit) so that no input blocks;
 *   - EDU_DMA: never ETIMEDOUT; ENODEV only when revoked mid-transfer; on
 *     success the object's bytes and the device buffer's agree over the
 *     range, no mapping is left and the fake's IOMMU saw no fault;
 *     RAISE_IRQ's events arrive once, in order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "driver.h"
#include "drivers.h"
#include "drm_ioctls.h"
#include "fake_edu.h"
#include "fdtoken.h"
#include "file.h"
#include "fuzz_dispatch.h"
#include "gem.h"
#include "inproc.h"
#include "log.h"
#include "mali_csf.h"
#include "mock.h"
#include "registration.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own checks are no coverage worth keeping inputs for. */
#define FZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))

#define fz_assert(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_dispatch: %s:%d: ", __FILE__, __LINE__);	\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

/* --- input --- */

struct fz_input {
	const uint8_t *p;
	size_t n;
};

static uint8_t fz_u8(struct fz_input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t fz_u16(struct fz_input *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

static uint32_t fz_u32(struct fz_input *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

static uint64_t fz_u64(struct fz_input *in)
{
	uint64_t lo = fz_u32(in);

	return lo | (uint64_t)fz_u32(in) << 32;
}

/* --- the caller's memory --- */

/* FZ_TRACE=1 in the environment: print every ioctl and its result (reproducing). */
static bool fz_trace;

static unsigned char *fz_arena;			/* FZ_ARENA_SIZE bytes on the heap: redzones around */
static unsigned char fz_before[FZ_ARENA_SIZE];	/* the arena when the ioctl started */
static unsigned char fz_saved[FZ_ARENA_SIZE];	/* FZ_F_DIFF: the arena before the first run */
static unsigned char fz_writable[FZ_ARENA_SIZE];
static unsigned char fz_fills[8][FZ_ARENA_SIZE];	/* initial contents, by FZ_H_FILL() */

static uint64_t fz_arena_addr(void)
{
	return (uint64_t)(uintptr_t)fz_arena;
}

/* Whether [addr, addr + len) lies in the arena; its offset in *@off. */
FZ_NO_COVERAGE
static bool fz_in_arena(uint64_t addr, uint64_t len, size_t *off)
{
	uint64_t base = fz_arena_addr();

	if (addr < base || len > FZ_ARENA_SIZE || addr - base > FZ_ARENA_SIZE - len)
		return false;
	*off = (size_t)(addr - base);
	return true;
}

FZ_NO_COVERAGE
static bool fz_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* The caller's map table, mirrored as gp_inproc_caller_map/unmap() keep it. */
struct fz_map {
	uint64_t base;
	uint64_t len;
	uint32_t prot;
};

#define FZ_MAPS_MAX 64

/* --- the "fuzz" personality --- */

#define FZ_DATA_MAGIC 0x667a2d64726976ull	/* "fz-driv" */

struct fz_data {
	uint64_t magic;
};

/* What the FOLLOW handler did, for the checks after the ioctl. */
struct fz_access {
	uint64_t addr;
	uint32_t len;
	uint32_t index;		/* which range of the argument */
	uint64_t sum;		/* reads: checksum of the bytes */
};

static struct {
	bool ran;
	uint32_t seed;
	unsigned int nreads, nwrites;
	struct fz_access reads[FZ_FOLLOW_MAX], writes[FZ_FOLLOW_MAX];
} fz_seen;

static void fz_check_data(void *data)
{
	const struct fz_data *d = data;

	fz_assert(d && d->magic == FZ_DATA_MAGIC, "a handler ran with dead registration data");
}

FZ_NO_COVERAGE
static uint64_t fz_sum(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

FZ_NO_COVERAGE
static unsigned char fz_pattern(uint32_t seed, uint32_t index, size_t i)
{
	return (unsigned char)(seed * 31u + index * 131u + i * 7u + 1u);
}

static uint32_t fz_follow_dir(const struct fz_follow_range *r)
{
	uint32_t dir = r->dir & (GP_USER_IN | GP_USER_OUT);

	return dir;
}

static int fz_echo(const struct gp_registered_device *rdev, void *data, void *arg,
		   struct gp_file *file, const struct gp_user *user)
{
	struct fz_echo *e = arg;

	fz_check_data(data);
	e->out = e->in + 1;
	return e->in == FZ_ECHO_FAIL ? -EBADMSG : 0;
}

static int fz_noarg(const struct gp_registered_device *rdev, void *data, void *arg,
		    struct gp_file *file, const struct gp_user *user)
{
	fz_check_data(data);
	return 0;
}

static int fz_big(const struct gp_registered_device *rdev, void *data, void *arg,
		  struct gp_file *file, const struct gp_user *user)
{
	struct fz_big *b = arg;

	fz_check_data(data);
	for (size_t i = 0; i < sizeof(b->bytes); i++)
		b->bytes[i]++;
	return 0;
}

static int fz_follow_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan)
{
	const struct fz_follow *f = arg;

	if (f->count > FZ_FOLLOW_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < f->count; i++) {
		const struct fz_follow_range *r = &f->r[i];
		uint32_t dir = fz_follow_dir(r);
		int ret;

		if (!dir)
			continue;
		ret = gp_user_plan_add(plan, r->ptr, r->len & FZ_FOLLOW_LEN_MASK, dir);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * Read every IN range, then write a pattern to every OUT range: all reads
 * come first, so in both modes they see the caller's memory as it was at
 * the call.  The plan named each range, so no copy may fail.
 */
static int fz_follow(const struct gp_registered_device *rdev, void *data, void *arg,
		     struct gp_file *file, const struct gp_user *user)
{
	static unsigned char buf[FZ_FOLLOW_LEN_MASK + 1];
	const struct fz_follow *f = arg;

	fz_check_data(data);
	if (f->count > FZ_FOLLOW_MAX)
		return -EINVAL;
	fz_seen.ran = true;
	fz_seen.seed = f->seed;
	for (uint32_t i = 0; i < f->count; i++) {
		const struct fz_follow_range *r = &f->r[i];
		uint32_t len = r->len & FZ_FOLLOW_LEN_MASK;
		int ret;

		if (!(fz_follow_dir(r) & GP_USER_IN) || !len)
			continue;
		ret = gp_copy_from_user(user, buf, r->ptr, len);
		fz_assert(ret == 0, "copy from planned range %u (%#llx+%u) failed: %d", i,
			  (unsigned long long)r->ptr, len, ret);
		fz_seen.reads[fz_seen.nreads++] = (struct fz_access){
			.addr = r->ptr, .len = len, .index = i, .sum = fz_sum(buf, len),
		};
	}
	for (uint32_t i = 0; i < f->count; i++) {
		const struct fz_follow_range *r = &f->r[i];
		uint32_t len = r->len & FZ_FOLLOW_LEN_MASK;
		int ret;

		if (!(fz_follow_dir(r) & GP_USER_OUT) || !len)
			continue;
		for (uint32_t j = 0; j < len; j++)
			buf[j] = fz_pattern(f->seed, i, j);
		ret = gp_copy_to_user(user, r->ptr, buf, len);
		fz_assert(ret == 0, "copy to planned range %u (%#llx+%u) failed: %d", i,
			  (unsigned long long)r->ptr, len, ret);
		fz_seen.writes[fz_seen.nwrites++] = (struct fz_access){
			.addr = r->ptr, .len = len, .index = i,
		};
	}
	return 0;
}

static int fz_bo_create(const struct gp_registered_device *rdev, void *data, void *arg,
			struct gp_file *file, const struct gp_user *user)
{
	struct fz_bo_create *c = arg;
	struct gp_gem_object *obj = NULL;
	int r;

	fz_check_data(data);
	r = gp_gem_object_create(gp_registered_to_device(rdev), c->size, &obj);
	if (r < 0)
		return r;
	r = gp_gem_handle_create(file, obj, &c->handle);
	if (r == 0) {
		c->size = obj->size;
		c->offset = obj->mmap_offset;
	}
	gp_gem_object_put(&obj);
	return r;
}

#define RA GP_DRM_RENDER_ALLOW
static const struct gp_ioctl_desc fz_ioctls[FZ_IOCTL_COUNT] = {
	GP_IOCTL_DEF_DRV(FZ_IOCTL_ECHO, fz_echo, NULL, RA),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_ROOT_ONLY, fz_echo, NULL, RA | GP_DRM_ROOT_ONLY),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_NOT_RENDER, fz_echo, NULL, 0),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_AUTH, fz_echo, NULL, GP_DRM_AUTH),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_MASTER, fz_echo, NULL, RA | GP_DRM_MASTER),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_IN_ONLY, fz_echo, NULL, RA),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_OUT_ONLY, fz_echo, NULL, RA),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_NOARG, fz_noarg, NULL, RA),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_FOLLOW, fz_follow, fz_follow_plan, RA),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_BIG, fz_big, NULL, RA),
	GP_IOCTL_DEF_DRV(FZ_IOCTL_BO_CREATE, fz_bo_create, NULL, RA),
};

static int fz_probe(struct gp_unregistered_device *udev, void *data, struct gp_backend **backend)
{
	((struct fz_data *)data)->magic = FZ_DATA_MAGIC;
	return 0;
}

static void fz_release(void *data)
{
	((struct fz_data *)data)->magic = 0;
}

static const struct gp_driver fz_driver = {
	.name = "fuzz",
	.desc = "gpu-proto dispatch fuzzing personality",
	.date = "0",
	.major = 1,
	.features = GP_DRIVER_GEM,
	.ioctls = fz_ioctls,
	.num_ioctls = FZ_IOCTL_COUNT,
	.data_size = sizeof(struct fz_data),
	.probe = fz_probe,
	.release = fz_release,
};

/* --- devices and files --- */

struct fz_device {
	const struct gp_driver *driver;
	const char *unique;
	struct gp_registration *reg;	/* NULL while revoked */
	struct gp_backend *be;		/* mali: the mock binding, borrowed while bound */
	struct fake_edu *edu;		/* qemu-edu: the fake, borrowed while bound */
	int irq_fd;			/* the serviced IRQ eventfd while bound, else -1 */
	unsigned int irq_line;		/* and its line */
	bool removed;			/* mali: gp_mock_simulate_removal() */
	unsigned int gen;		/* bumped by every bind */
};

static struct fz_device fz_mali = { .driver = &gp_mali_csf_driver, .unique = "mock", .irq_fd = -1 };
static struct fz_device fz_fuzzdev = { .driver = &fz_driver, .unique = "fuzz:0", .irq_fd = -1 };
static struct fz_device fz_edu = { .driver = &gp_qemu_edu_driver, .unique = FAKE_EDU_BUS_ID, .irq_fd = -1 };
static struct gp_mock_config fz_mock_cfg;

/* FLUSH_CACHES (EDU_RAISE_IRQ) user_data a file is owed, in request order. */
#define FZ_EVENTS_MAX (GP_FILE_EVENT_SPACE / sizeof(struct gpu_proto_mali_event_flush_done) + 1)

struct fz_file {
	struct gp_file *file;
	unsigned int gen;		/* the device generation it was opened on */
	unsigned int head, tail;	/* owed[head..tail) */
	uint64_t owed[FZ_EVENTS_MAX];
};

struct fz_ctx {
	struct fz_input in;
	struct fz_device *dev;
	struct gp_caller who;
	enum gp_node_type node;
	struct gp_inproc_caller *caller[2];	/* [0] direct, [1] retry */
	unsigned int nmaps;
	struct fz_map maps[FZ_MAPS_MAX];
	struct fz_file files[2];
	bool edu_revoke_on_dma;			/* FZ_F_ON_DMA armed */
	bool edu_revoked_mid;			/* the last EDU_DMA was revoked under it */
};

static void fz_bind(struct fz_device *d)
{
	struct gp_backend *be = NULL;
	int r;

	if (d->driver == &gp_mali_csf_driver) {
		r = gp_mock_open(&fz_mock_cfg, &be);
		fz_assert(r == 0, "gp_mock_open: %d", r);
		d->be = be;
		d->irq_fd = gp_backend_irq_fd(be, GP_MOCK_IRQ_GPU);
		d->irq_line = GP_MOCK_IRQ_GPU;
	} else if (d->driver == &gp_qemu_edu_driver) {
		d->edu = fake_edu_new_dma();
		d->edu->free_on_release = true;	/* the registration owns it */
		/* Not zeros, as objects start: a transfer's bytes can be told apart. */
		for (size_t i = 0; i < sizeof(d->edu->dma_buf); i++)
			d->edu->dma_buf[i] = (uint8_t)(i * 13u + 7u);
		be = &d->edu->be;
		d->irq_fd = d->edu->irq_fd;
		d->irq_line = 0;
	}
	r = gp_driver_bind(d->driver, &be, d->unique, &d->reg);
	fz_assert(r == 0, "binding %s: %d", d->driver->name, r);
	fz_assert(!be, "the binding was not moved into the registration");
	d->removed = false;
	d->gen++;
}

static void fz_revoke(struct fz_device *d)
{
	int r = gp_registration_revoke(d->reg);

	fz_assert(r == 0, "revoke: %d", r);
	r = gp_registration_revoke(d->reg);
	fz_assert(r == -EALREADY, "second revoke: %d, not -EALREADY", r);
	gp_registration_free(&d->reg);
	d->be = NULL;
	d->edu = NULL;
	d->irq_fd = -1;
}

static bool fz_file_dead(const struct fz_ctx *ctx, const struct fz_file *f)
{
	return !ctx->dev->reg || f->gen != ctx->dev->gen;
}

static void fz_file_open(struct fz_ctx *ctx, struct fz_file *f)
{
	int r;

	gp_file_close(&f->file);
	f->head = f->tail = 0;
	if (!ctx->dev->reg)
		return;
	r = gp_file_open(gp_registration_device(ctx->dev->reg), &ctx->who, ctx->node, &f->file);
	fz_assert(r == 0, "gp_file_open: %d", r);
	f->gen = ctx->dev->gen;
}

/* The control plane's part: drain the IRQ eventfd and run the handler. */
static bool fz_service_irq(struct fz_device *d, int timeout_ms)
{
	struct pollfd pfd = { .fd = d->irq_fd, .events = POLLIN };
	uint64_t count;
	int r;

	if (!d->reg || d->irq_fd < 0 || poll(&pfd, 1, timeout_ms) != 1)
		return false;
	fz_assert(read(d->irq_fd, &count, sizeof(count)) == sizeof(count), "reading the IRQ eventfd");
	r = gp_device_handle_irq(gp_registration_device(d->reg), d->irq_line);
	fz_assert(r == 0, "gp_device_handle_irq on a bound device: %d", r);
	return true;
}

static bool fz_mali_flush_busy(struct fz_device *d)
{
	struct mali_csf_data *mali;
	struct gp_guard guard;
	bool busy;

	if (d->driver != &gp_mali_csf_driver || !d->reg ||
	    !gp_dev_enter(gp_registration_device(d->reg), &guard))
		return false;
	mali = gp_guard_data(&guard);
	pthread_mutex_lock(&mali->flush_lock);
	busy = mali->flush_in_progress;
	pthread_mutex_unlock(&mali->flush_lock);
	gp_dev_exit(&guard);
	return busy;
}

/* --- qemu-edu's control plane while an EDU_DMA waits --- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct fz_device *d;
	bool armed;		/* the main thread is in an EDU_DMA */
	bool revoke;		/* revoke once a transfer has started */
	unsigned int starts;	/* the fake's dma_starts when armed */
	bool revoked;		/* done: the registration is for the main thread to free */
	int revoke_r;
	bool idle;		/* the thread saw the disarm */
} fz_cp = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .idle = true };

/*
 * Service interrupts while armed, as the daemon's control plane would
 * while the ioctl thread waits; or revoke the device once the transfer
 * runs.  Never both at once, and nothing once revoked (release closes the
 * eventfd).
 */
static void *fz_cp_main(void *unused)
{
	pthread_mutex_lock(&fz_cp.lock);
	for (;;) {
		while (!fz_cp.armed)
			pthread_cond_wait(&fz_cp.cond, &fz_cp.lock);
		fz_cp.idle = false;
		while (fz_cp.armed) {
			struct fz_device *d = fz_cp.d;
			bool revoke = fz_cp.revoke && !fz_cp.revoked &&
				      atomic_load(&d->edu->dma_starts) != fz_cp.starts;

			if (fz_cp.revoked) {
				pthread_cond_wait(&fz_cp.cond, &fz_cp.lock);
				continue;
			}
			pthread_mutex_unlock(&fz_cp.lock);
			if (revoke) {
				int r = gp_registration_revoke(d->reg);

				pthread_mutex_lock(&fz_cp.lock);
				fz_cp.revoked = true;
				fz_cp.revoke_r = r;
				continue;
			}
			fz_service_irq(d, 1);
			pthread_mutex_lock(&fz_cp.lock);
		}
		fz_cp.idle = true;
		pthread_cond_broadcast(&fz_cp.cond);
	}
	return NULL;
}

static void fz_cp_arm(struct fz_ctx *ctx)
{
	struct fz_device *d = ctx->dev;

	/* What is pending now is serviced now: the thread sees only this transfer's. */
	while (fz_service_irq(d, 0))
		;
	if (ctx->edu_revoke_on_dma) {
		d->edu->hold_dma = true;
		d->edu->complete_after_cmd_reads = 2;
	}
	pthread_mutex_lock(&fz_cp.lock);
	fz_cp.d = d;
	fz_cp.revoke = ctx->edu_revoke_on_dma;
	fz_cp.starts = atomic_load(&d->edu->dma_starts);
	fz_cp.revoked = false;
	fz_cp.armed = true;
	pthread_cond_broadcast(&fz_cp.cond);
	pthread_mutex_unlock(&fz_cp.lock);
}

/* Stop the thread; if it revoked the device, finish the unbind here. */
static void fz_cp_disarm(struct fz_ctx *ctx)
{
	struct fz_device *d = ctx->dev;
	bool revoked;
	int r;

	pthread_mutex_lock(&fz_cp.lock);
	fz_cp.armed = false;
	pthread_cond_broadcast(&fz_cp.cond);
	while (!fz_cp.idle)
		pthread_cond_wait(&fz_cp.cond, &fz_cp.lock);
	revoked = fz_cp.revoked;
	r = fz_cp.revoke_r;
	pthread_mutex_unlock(&fz_cp.lock);
	ctx->edu_revoked_mid = revoked;
	if (!revoked)
		return;
	fz_assert(r == 0, "revoke during EDU_DMA: %d", r);
	ctx->edu_revoke_on_dma = false;
	r = gp_registration_revoke(d->reg);
	fz_assert(r == -EALREADY, "second revoke: %d, not -EALREADY", r);
	gp_registration_free(&d->reg);
	d->edu = NULL;
	d->irq_fd = -1;
}

/* --- the ioctl and its checks --- */

static const struct gp_ioctl_desc *fz_lookup(const struct gp_driver *drv, unsigned int nr)
{
	const struct gp_ioctl_desc *desc;

	if (nr >= GP_DRM_COMMAND_BASE && nr < GP_DRM_COMMAND_END) {
		if (nr - GP_DRM_COMMAND_BASE >= drv->num_ioctls)
			return NULL;
		desc = &drv->ioctls[nr - GP_DRM_COMMAND_BASE];
	} else {
		if (nr >= gp_drm_core_ioctls_count)
			return NULL;
		desc = &gp_drm_core_ioctls[nr];
	}
	return desc->handler ? desc : NULL;
}

/* drm_ioctl_permit() as docs/architecture.md states it. */
static bool fz_permitted(unsigned int flags, const struct fz_ctx *ctx)
{
	bool render = ctx->node == GP_NODE_RENDER;
	bool authenticated = ctx->node == GP_NODE_PRIMARY && ctx->who.cap_sys_admin;

	if ((flags & GP_DRM_ROOT_ONLY) && !ctx->who.cap_sys_admin)
		return false;
	if ((flags & GP_DRM_AUTH) && !render && !authenticated)
		return false;
	if (flags & GP_DRM_MASTER)
		return false;
	return render ? !!(flags & GP_DRM_RENDER_ALLOW) : true;
}

/* The argument as the handler sees it: the caller's in_size bytes, zero-extended. */
FZ_NO_COVERAGE
static unsigned char fz_kbyte(uint64_t arg, uint32_t in_size, size_t i)
{
	size_t off;

	if (i >= in_size || !fz_in_arena(arg, in_size, &off))
		return 0;
	return fz_before[off + i];
}

FZ_NO_COVERAGE
static uint64_t fz_kfield(uint64_t arg, uint32_t in_size, size_t at, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++)
		v |= (uint64_t)fz_kbyte(arg, in_size, at + i) << (8 * i);
	return v;
}

struct fz_call {
	uint32_t cmd;
	uint64_t arg;
	const struct gp_ioctl_desc *desc;	/* NULL: no handler */
	uint32_t in_size, out_size;
	bool dead;				/* the file's device is revoked */
};

static void fz_call_plan(struct fz_ctx *ctx, const struct fz_file *f, struct fz_call *c)
{
	c->dead = fz_file_dead(ctx, f);
	c->desc = _IOC_TYPE(c->cmd) == 'd' ? fz_lookup(ctx->dev->driver, _IOC_NR(c->cmd)) : NULL;
	c->in_size = c->out_size = 0;
	if (c->desc) {
		if (c->cmd & c->desc->cmd & IOC_IN)
			c->in_size = _IOC_SIZE(c->cmd);
		if (c->cmd & c->desc->cmd & IOC_OUT)
			c->out_size = _IOC_SIZE(c->cmd);
	}
}

static bool fz_is(const struct fz_ctx *ctx, const struct fz_call *c, const struct gp_driver *drv,
		  uint32_t cmd)
{
	return c->desc && ctx->dev->driver == drv && c->desc->cmd == cmd;
}

/*
 * panthor's BO, VM, group, submission and tiler-heap ioctls: each has side
 * effects, so never run twice (FZ_F_DIFF).
 */
static bool fz_mali_memory(const struct fz_ctx *ctx, uint32_t cmd)
{
	return ctx->dev->driver == &gp_mali_csf_driver && _IOC_TYPE(cmd) == 'd' &&
	       _IOC_NR(cmd) >= _IOC_NR(GPU_PROTO_IOCTL_MALI_VM_CREATE) &&
	       _IOC_NR(cmd) <= _IOC_NR(GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY);
}

/* qemu-edu's RAISE_IRQ, BO_CREATE and DMA: side effects, never run twice. */
static bool fz_edu_effects(const struct fz_ctx *ctx, uint32_t cmd)
{
	return ctx->dev->driver == &gp_qemu_edu_driver && _IOC_TYPE(cmd) == 'd' &&
	       _IOC_NR(cmd) >= _IOC_NR(GPU_PROTO_IOCTL_EDU_RAISE_IRQ) &&
	       _IOC_NR(cmd) <= _IOC_NR(GPU_PROTO_IOCTL_EDU_DMA);
}

/* The sync object ioctls, by number in the core range (gp_drm_core_ioctls). */
static bool fz_syncobj_nr(uint32_t cmd)
{
	uint32_t nr = _IOC_NR(cmd);

	return _IOC_TYPE(cmd) == 'd' &&
	       ((nr >= _IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_CREATE) &&
		 nr <= _IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD)) ||
		nr == _IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_STATUS));
}

/*
 * A wait with a deadline or for a submit would block the harness (the
 * in-process caller has no waiter, so gp_ioctl() sleeps): make every wait
 * poll by clearing the deadline and the WAIT_FOR_SUBMIT of TRANSFER where
 * the argument lies in the arena.  Blocking waits are test_syncobj's.
 */
static void fz_syncobj_no_block(uint32_t cmd, uint64_t arg)
{
	size_t off, at, width;

	if (_IOC_TYPE(cmd) != 'd')
		return;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_WAIT):
		at = offsetof(struct gpu_proto_syncobj_wait, timeout_nsec);
		width = 8;
		break;
	case _IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		at = offsetof(struct gpu_proto_syncobj_timeline_wait, timeout_nsec);
		width = 8;
		break;
	case _IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER):
		if (fz_in_arena(arg, offsetof(struct gpu_proto_syncobj_transfer, pad), &off))
			fz_arena[off + offsetof(struct gpu_proto_syncobj_transfer, flags)] &=
				(uint8_t)~GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
		return;
	default:
		return;
	}
	if (fz_in_arena(arg, at + width, &off))
		memset(fz_arena + off + at, 0, width);
}

static bool fz_errno_expected(const struct fz_ctx *ctx, const struct fz_call *c, int r)
{
	/* docs/uapi.md, sync objects: the kernel's errors, ETIME for a poll, the count and handle limits. */
	if (c->desc && fz_syncobj_nr(c->desc->cmd) &&
	    (r == -ENOENT || r == -ETIME || r == -E2BIG || r == -ENOSPC || r == -EOPNOTSUPP))
		return true;
	/* Their documented errors (docs/uapi.md) beyond the common ones. */
	if (c->desc && fz_mali_memory(ctx, c->desc->cmd) &&
	    (r == -ENOENT || r == -EPERM || r == -EBUSY || r == -E2BIG || r == -ENOSPC))
		return true;
	/* docs/uapi.md, section 4c; never ETIMEDOUT: the harness services every completion. */
	if ((fz_is(ctx, c, &gp_qemu_edu_driver, GPU_PROTO_IOCTL_EDU_RAISE_IRQ) ||
	     fz_is(ctx, c, &gp_qemu_edu_driver, GPU_PROTO_IOCTL_EDU_BO_CREATE)) && r == -ENOSPC)
		return true;
	if (fz_is(ctx, c, &gp_qemu_edu_driver, GPU_PROTO_IOCTL_EDU_DMA) &&
	    (r == -ENOENT || r == -ENOSPC || (r == -ENODEV && ctx->edu_revoked_mid)))
		return true;
	switch (r) {
	case 0:
	case -EFAULT:
	case -EACCES:
	case -EINVAL:
		return true;
	case -ENOMEM:	/* retry mode models CUSE's 128 KiB per direction */
		return true;
	case -ENOTTY:
		return _IOC_TYPE(c->cmd) != 'd';
	case -ENODEV:	/* also TIMESTAMP_INFO on a device gone from the bus */
		return c->dead || ctx->dev->removed;
	case -EOPNOTSUPP:
		/* GEM_CLOSE without buffer objects; raw PRIME always (the fd path serves it). */
		return fz_is(ctx, c, ctx->dev->driver, GPU_PROTO_IOCTL_GET_CAP) ||
		       (fz_is(ctx, c, ctx->dev->driver, GPU_PROTO_IOCTL_GEM_CLOSE) &&
			!(ctx->dev->driver->features & GP_DRIVER_GEM)) ||
		       fz_is(ctx, c, ctx->dev->driver, GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD) ||
		       fz_is(ctx, c, ctx->dev->driver, GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE);
	case -ENOSPC:	/* event space; a file's handle limit */
		return fz_is(ctx, c, &gp_mali_csf_driver, GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES) ||
		       fz_is(ctx, c, &fz_driver, FZ_IOCTL_BO_CREATE);
	case -EBADMSG:
		return ctx->dev->driver == &fz_driver && c->desc && c->desc->handler == fz_echo;
	}
	/*
	 * FD_TOKEN (fdtoken.h): no such handle, the per-file token limit,
	 * the caller's process gone (the fuzzer's caller pid names none), no
	 * buffer objects in the driver, no randomness yet.
	 */
	if (fz_is(ctx, c, ctx->dev->driver, GPU_PROTO_IOCTL_FD_TOKEN))
		return r == -ENOENT || r == -ENOSPC || r == -ESRCH || r == -EOPNOTSUPP ||
		       r == -EAGAIN;
	return false;
}

/* Nothing outside a caller mapping with GP_USER_OUT may change. */
FZ_NO_COVERAGE
static void fz_check_untouched(const struct fz_ctx *ctx, const struct fz_call *c, int r)
{
	if (!memcmp(fz_arena, fz_before, FZ_ARENA_SIZE))
		return;
	memset(fz_writable, 0, sizeof(fz_writable));
	for (unsigned int i = 0; i < ctx->nmaps; i++) {
		const struct fz_map *m = &ctx->maps[i];

		if (m->prot & GP_USER_OUT)
			memset(fz_writable + (m->base - fz_arena_addr()), 1, m->len);
	}
	for (size_t i = 0; i < FZ_ARENA_SIZE; i++)
		fz_assert(fz_writable[i] || fz_arena[i] == fz_before[i],
			  "cmd %#x arg %#llx (r %d): arena byte %zu changed outside every writable mapping (%#x -> %#x)",
			  c->cmd, (unsigned long long)c->arg, r, i, fz_before[i], fz_arena[i]);
}

/*
 * The argument went back as the handler left it (copied out even on
 * failure): @adjust turns the argument as the handler got it (the caller's
 * in_size bytes, zero-extended) into what the handler made of it.
 */
FZ_NO_COVERAGE
static void fz_check_arg_out(const struct fz_call *c, int r, void (*adjust)(unsigned char *k))
{
	static unsigned char k[_IOC_SIZEMASK + 1];
	size_t off, in_off, n;

	if (!c->out_size || r == -EFAULT || r == -EACCES)
		return;
	fz_assert(fz_in_arena(c->arg, c->out_size, &off), "copied out to an address outside the arena");
	memset(k, 0, sizeof(k));
	if (c->in_size && fz_in_arena(c->arg, c->in_size, &in_off))
		memcpy(k, fz_before + in_off, c->in_size);
	if (adjust)
		adjust(k);
	if (!memcmp(fz_arena + off, k, c->out_size))
		return;
	for (n = 0; fz_arena[off + n] == k[n]; n++)
		;
	fz_assert(false, "cmd %#x (r %d): argument byte %zu copied out as %#x, expected %#x", c->cmd, r,
		  n, fz_arena[off + n], k[n]);
}

FZ_NO_COVERAGE
static void fz_adjust_echo(unsigned char *k)
{
	uint32_t v;

	memcpy(&v, k, 4);
	v++;
	memcpy(k + 4, &v, 4);
}

FZ_NO_COVERAGE
static void fz_adjust_big(unsigned char *k)
{
	for (size_t i = 0; i < sizeof(struct fz_big); i++)
		k[i]++;
}

FZ_NO_COVERAGE
static void fz_check_follow(const struct fz_call *c, int r)
{
	bool arg_alone = true;

	for (unsigned int i = 0; i < fz_seen.nreads; i++) {
		const struct fz_access *a = &fz_seen.reads[i];
		size_t off;

		fz_assert(fz_in_arena(a->addr, a->len, &off), "read range %u outside the arena", a->index);
		fz_assert(a->sum == fz_sum(fz_before + off, a->len),
			  "range %u (%u bytes): the handler read other bytes than the caller had",
			  a->index, a->len);
	}
	for (unsigned int i = 0; i < fz_seen.nwrites; i++)
		if (fz_overlap(fz_seen.writes[i].addr, fz_seen.writes[i].len, c->arg, c->out_size))
			arg_alone = false;
	/* Where outputs overlap, which lands last is the transport's business. */
	if (arg_alone)
		fz_check_arg_out(c, r, NULL);
	if (r != 0)
		return;
	for (unsigned int i = 0; i < fz_seen.nwrites; i++) {
		const struct fz_access *a = &fz_seen.writes[i];
		bool alone = !fz_overlap(a->addr, a->len, c->arg, c->out_size);
		size_t off;

		for (unsigned int j = 0; j < fz_seen.nwrites && alone; j++)
			alone = j == i || !fz_overlap(a->addr, a->len, fz_seen.writes[j].addr,
						      fz_seen.writes[j].len);
		if (!alone)
			continue;
		fz_assert(fz_in_arena(a->addr, a->len, &off), "written range %u outside the arena", a->index);
		for (uint32_t j = 0; j < a->len; j++)
			fz_assert(fz_arena[off + j] == fz_pattern(fz_seen.seed, a->index, j),
				  "range %u byte %u: the handler's output did not reach the caller", a->index, j);
	}
}

/* Which handles 1..FZ_GEM_MAX_HANDLES + 1 the file holds, as a bit set. */
FZ_NO_COVERAGE
static uint32_t fz_handles(struct gp_file *file)
{
	uint32_t set = 0;

	for (uint32_t h = 1; h <= FZ_GEM_MAX_HANDLES + 1; h++) {
		struct gp_gem_object *obj = gp_gem_object_lookup(file, h);

		if (obj)
			set |= 1u << (h - 1);
		gp_gem_object_put(&obj);
	}
	return set;
}

/*
 * Handles follow the kernel's idr: BO_CREATE adds the lowest free number,
 * GEM_CLOSE removes exactly the one named, failures change nothing.  In
 * retry mode a failed copy-out (-EFAULT) may follow a create that ran, as
 * in the kernel.
 */
FZ_NO_COVERAGE
static void fz_check_handles(const struct fz_ctx *ctx, const struct fz_call *c, int r,
			     uint32_t before, uint32_t after)
{
	uint32_t lowest = (uint32_t)__builtin_ctz(~before);	/* index of the lowest free */
	size_t off;

	bool mali_bo = fz_is(ctx, c, &gp_mali_csf_driver, GPU_PROTO_IOCTL_MALI_BO_CREATE);
	bool edu_bo = fz_is(ctx, c, &gp_qemu_edu_driver, GPU_PROTO_IOCTL_EDU_BO_CREATE);

	/* The fuzz driver's BO_CREATE, panthor's and qemu-edu's make one handle each. */
	if (fz_is(ctx, c, &fz_driver, FZ_IOCTL_BO_CREATE) || mali_bo || edu_bo) {
		size_t handle_at = mali_bo ? offsetof(struct gpu_proto_mali_bo_create, handle)
				   : edu_bo ? offsetof(struct gpu_proto_edu_bo_create, handle)
					    : offsetof(struct fz_bo_create, handle);

		if (r == 0) {
			fz_assert(after == (before | 1u << lowest),
				  "BO_CREATE: handles %#x -> %#x, expected handle %u added", before, after,
				  lowest + 1);
			if (c->out_size >= handle_at + 4 && fz_in_arena(c->arg, c->out_size, &off)) {
				uint32_t h;

				memcpy(&h, fz_arena + off + handle_at, 4);
				fz_assert(h == lowest + 1, "BO_CREATE returned handle %u, not %u", h,
					  lowest + 1);
			}
		} else if (r == -EFAULT) {
			fz_assert(after == before || after == (before | 1u << lowest),
				  "BO_CREATE -EFAULT: handles %#x -> %#x", before, after);
		} else {
			fz_assert(after == before, "failed BO_CREATE (%d) changed handles %#x -> %#x", r,
				  before, after);
		}
	} else if (fz_is(ctx, c, ctx->dev->driver, GPU_PROTO_IOCTL_GEM_CLOSE)) {
		uint32_t h = (uint32_t)fz_kfield(c->arg, c->in_size, 0, 4);
		bool held = h >= 1 && h <= FZ_GEM_MAX_HANDLES + 1 && (before & 1u << (h - 1));

		if (r == 0)
			fz_assert(held && after == (before & ~(1u << (h - 1))),
				  "GEM_CLOSE %u: handles %#x -> %#x", h, before, after);
		else
			fz_assert(after == before && (r != -EINVAL || !held),
				  "GEM_CLOSE %u: %d with handles %#x -> %#x", h, r, before, after);
	} else {
		fz_assert(after == before, "cmd %#x (r %d) changed handles %#x -> %#x", c->cmd, r, before,
			  after);
	}
}

FZ_NO_COVERAGE
static void fz_adjust_prime_export(unsigned char *k)
{
	int32_t fd = -1;

	memcpy(k + offsetof(struct gpu_proto_prime_handle, fd), &fd, sizeof(fd));
}

/* The ioctl that owes its file an event (its user_data first in the argument), and its size. */
static bool fz_event_cmd(const struct fz_ctx *ctx, const struct fz_call *c)
{
	return fz_is(ctx, c, &gp_mali_csf_driver, GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES) ||
	       fz_is(ctx, c, &gp_qemu_edu_driver, GPU_PROTO_IOCTL_EDU_RAISE_IRQ);
}

static size_t fz_event_size(const struct fz_ctx *ctx)
{
	return ctx->dev->driver == &gp_qemu_edu_driver ? sizeof(struct gpu_proto_edu_event_irq)
						       : sizeof(struct gpu_proto_mali_event_flush_done);
}

/*
 * An EDU_DMA that returned (not revoked under it): nothing left mapped,
 * no IOMMU fault, and after a success the object and the device buffer
 * agree over the range, whichever way it went.
 */
FZ_NO_COVERAGE
static void fz_check_edu_dma(const struct fz_ctx *ctx, const struct fz_file *f,
			     const struct fz_call *c, int r)
{
	struct fake_edu *e = ctx->dev->edu;
	uint32_t handle = (uint32_t)fz_kfield(c->arg, c->in_size, 0, 4);
	uint64_t bo_off = fz_kfield(c->arg, c->in_size, 8, 8);
	uint32_t dev_off = (uint32_t)fz_kfield(c->arg, c->in_size, 16, 4);
	uint32_t len = (uint32_t)fz_kfield(c->arg, c->in_size, 20, 4);
	struct gp_gem_object *obj;

	fz_assert(e->live_maps == 0, "EDU_DMA (r %d) left %u DMA mappings", r, e->live_maps);
	fz_assert(e->faults == 0, "EDU_DMA (r %d): the device faulted %u times", r, e->faults);
	fz_assert(!(e->dma_cmd & EDU_DMA_CMD_RUN), "EDU_DMA (r %d) returned with the engine running", r);
	if (r != 0)
		return;
	obj = gp_gem_object_lookup(f->file, handle);
	fz_assert(obj, "EDU_DMA succeeded on handle %u the file lacks", handle);
	fz_assert(bo_off <= obj->size && len <= obj->size - bo_off &&
			  dev_off + (uint64_t)len <= GPU_PROTO_EDU_DMA_USABLE,
		  "EDU_DMA succeeded outside the object or the buffer");
	fz_assert(!memcmp((const uint8_t *)obj->vaddr + bo_off, e->dma_buf + dev_off, len),
		  "EDU_DMA: object and device buffer differ after the transfer");
	gp_gem_object_put(&obj);
}

/* Issue one ioctl and check it.  Return: its result, or 1 when skipped. */
static int fz_ioctl(struct fz_ctx *ctx, bool retry, struct fz_file *f, uint32_t cmd, uint64_t arg)
{
	struct gp_inproc_caller *caller = ctx->caller[retry];
	struct fz_call c = { .cmd = cmd, .arg = arg };
	uint32_t handles_before;
	unsigned int rt;
	size_t space;
	bool edu_dma;
	int r;

	if (!f->file)
		return 1;
	fz_call_plan(ctx, f, &c);
	handles_before = fz_handles(f->file);
	memcpy(fz_before, fz_arena, FZ_ARENA_SIZE);
	memset(&fz_seen, 0, sizeof(fz_seen));
	/* Single-threaded here: only gp_device_handle_irq(), called by us, delivers events. */
	space = f->file->event_space;

	edu_dma = !c.dead && fz_is(ctx, &c, &gp_qemu_edu_driver, GPU_PROTO_IOCTL_EDU_DMA);
	ctx->edu_revoked_mid = false;
	if (edu_dma)
		fz_cp_arm(ctx);
	r = gp_inproc_ioctl(caller, f->file, cmd, arg);
	if (edu_dma)
		fz_cp_disarm(ctx);
	rt = gp_inproc_round_trips(caller);
	if (fz_trace)
		fprintf(stderr, "fuzz_dispatch: %s file%d cmd %#010x arg %#llx (arena%+lld): %d %s, %u round trips\n",
			retry ? "retry " : "direct", f == &ctx->files[1], cmd, (unsigned long long)arg,
			(long long)(arg - fz_arena_addr()), r,
			strerrorname_np(-r) ? strerrorname_np(-r) : "", rt);

	fz_assert(fz_errno_expected(ctx, &c, r), "cmd %#x arg %#llx: unexpected result %d (%s)", cmd,
		  (unsigned long long)arg, r, strerrorname_np(-r) ? strerrorname_np(-r) : "?");
	/* GROUP_SUBMIT's sync arrays hang off its queue_submits: one round trip more. */
	fz_assert(retry ? rt >= 1 && rt <= (fz_is(ctx, &c, &gp_mali_csf_driver,
						 GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT) ? 4u : 3u)
			: rt == 1, "cmd %#x: %u round trips in %s mode", cmd, rt,
		  retry ? "retry" : "direct");
	if (c.dead)
		fz_assert(r == -ENODEV && rt == 1, "cmd %#x on a revoked device: %d, not -ENODEV", cmd, r);
	else if (_IOC_TYPE(cmd) != 'd')
		fz_assert(r == -ENOTTY && rt == 1, "cmd %#x of type %#x: %d, not -ENOTTY", cmd,
			  _IOC_TYPE(cmd), r);
	else if (!c.desc)
		fz_assert(r == -EINVAL && rt == 1, "cmd %#x without a handler: %d, not -EINVAL", cmd, r);
	else if (!fz_permitted(c.desc->flags, ctx))
		fz_assert(r == -EACCES || r == -EFAULT, "cmd %#x not permitted: %d", cmd, r);
	else
		fz_assert(r != -EACCES, "cmd %#x permitted, yet -EACCES", cmd);

	/* Retry mode: the handler's ENODEV may be followed by a failed copy-out, as in the kernel. */
	if (ctx->edu_revoked_mid)
		fz_assert(r == -ENODEV || (retry && r == -EFAULT),
			  "EDU_DMA revoked while its transfer ran: %d, not -ENODEV", r);
	else if (edu_dma)
		fz_check_edu_dma(ctx, f, &c, r);

	fz_check_untouched(ctx, &c, r);
	fz_check_handles(ctx, &c, r, handles_before, fz_handles(f->file));
	if (!c.dead && fz_is(ctx, &c, ctx->dev->driver, GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD) &&
	    fz_permitted(c.desc->flags, ctx) && r == -EOPNOTSUPP)
		fz_check_arg_out(&c, r, fz_adjust_prime_export);

	if (!c.dead && c.desc && ctx->dev->driver == &fz_driver && fz_permitted(c.desc->flags, ctx)) {
		if (c.desc->handler == fz_echo) {
			uint32_t kin = (uint32_t)fz_kfield(arg, c.in_size, 0, 4);

			if (r == 0 || r == -EBADMSG)
				fz_assert((kin == FZ_ECHO_FAIL) == (r == -EBADMSG), "echo: %d for in %#x", r,
					  kin);
			fz_check_arg_out(&c, r, fz_adjust_echo);
		} else if (c.desc->handler == fz_big) {
			fz_check_arg_out(&c, r, fz_adjust_big);
		} else if (c.desc->handler == fz_follow) {
			fz_check_follow(&c, r);
		}
	}

	/*
	 * A FLUSH_CACHES that reserved event space owes the file an event with
	 * its user_data.  That is every success, and in retry mode also a
	 * failure to copy the argument back: the handler had run, as when the
	 * kernel's final copy to user space fails.
	 */
	if (f->file->event_space < space) {
		fz_assert(fz_event_cmd(ctx, &c) && space - f->file->event_space == fz_event_size(ctx) &&
				  (r == 0 || (retry && r == -EFAULT)),
			  "cmd %#x (r %d) took %zu bytes of event space", cmd, r,
			  space - f->file->event_space);
		fz_assert(f->tail - f->head < FZ_EVENTS_MAX, "more flushes queued than the event space holds");
		f->owed[f->tail++ % FZ_EVENTS_MAX] = fz_kfield(arg, c.in_size, 0, 8);
	} else {
		fz_assert(r != 0 || !fz_event_cmd(ctx, &c),
			  "cmd %#x succeeded without reserving its event", cmd);
	}
	return r;
}

/* Run the ioctl in both modes from the same memory: the results must agree. */
static void fz_ioctl_diff(struct fz_ctx *ctx, struct fz_file *f, uint32_t cmd, uint64_t arg)
{
	int direct, retry;

	memcpy(fz_saved, fz_arena, FZ_ARENA_SIZE);
	direct = fz_ioctl(ctx, false, f, cmd, arg);
	memcpy(fz_arena, fz_saved, FZ_ARENA_SIZE);
	retry = fz_ioctl(ctx, true, f, cmd, arg);
	/*
	 * They agree, except that retry mode, which models CUSE, refuses a
	 * transfer over the kernel's 128 KiB per direction before asking for it.
	 */
	if (direct != 1 && retry != 1 && retry != -ENOMEM)
		fz_assert(direct == retry, "cmd %#x arg %#llx: %d in direct mode, %d in retry mode", cmd,
			  (unsigned long long)arg, direct, retry);
}

/* --- operations --- */

static uint64_t fz_ptr(struct fz_input *in)
{
	uint64_t base = fz_arena_addr();

	switch (fz_u8(in) & 7) {
	case FZ_PTR_ARENA_RAW:
		return base + fz_u16(in);
	case FZ_PTR_WILD:
		return fz_wild_ptrs[fz_u8(in) % FZ_WILD_PTRS];
	case FZ_PTR_RAW:
		return fz_u64(in);
	case FZ_PTR_BEFORE:
		return base - 1 - fz_u8(in);
	case FZ_PTR_NULL:
		return 0;
	default:
		return base + fz_u16(in) % (FZ_ARENA_SIZE + 64);
	}
}

static uint32_t fz_cmd(struct fz_input *in)
{
	uint8_t sel = fz_u8(in);
	uint32_t cmd;

	if (!(sel & 3))
		return fz_u32(in);
	cmd = fz_known_cmds[fz_u8(in) % FZ_KNOWN_CMDS];
	if (sel & FZ_CMD_SIZE)
		cmd = (cmd & ~((uint32_t)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      (uint32_t)(fz_u16(in) & _IOC_SIZEMASK) << _IOC_SIZESHIFT;
	if (sel & FZ_CMD_DIR)
		cmd = (cmd & ~((uint32_t)_IOC_DIRMASK << _IOC_DIRSHIFT)) |
		      (uint32_t)((sel >> 4) & 3) << _IOC_DIRSHIFT;
	if (sel & FZ_CMD_NR)
		cmd = (cmd & ~((uint32_t)_IOC_NRMASK << _IOC_NRSHIFT)) | (uint32_t)fz_u8(in) << _IOC_NRSHIFT;
	if (sel & FZ_CMD_TYPE)
		cmd = (cmd & ~((uint32_t)_IOC_TYPEMASK << _IOC_TYPESHIFT)) |
		      (uint32_t)fz_u8(in) << _IOC_TYPESHIFT;
	return cmd;
}

static void fz_op_map(struct fz_ctx *ctx)
{
	uint32_t off = fz_u16(&ctx->in) % FZ_ARENA_SIZE;
	uint32_t len = fz_u16(&ctx->in) % (FZ_ARENA_SIZE - off + 1);
	uint32_t prot = fz_u8(&ctx->in) & (GP_USER_IN | GP_USER_OUT);
	int r0 = gp_inproc_caller_map(ctx->caller[0], fz_arena + off, len, prot);
	int r1 = gp_inproc_caller_map(ctx->caller[1], fz_arena + off, len, prot);

	fz_assert(r0 == r1 && (r0 == 0 || r0 == -ENOMEM), "gp_inproc_caller_map: %d, %d", r0, r1);
	if (r0 == 0) {
		fz_assert(ctx->nmaps < FZ_MAPS_MAX, "the map table grew past %d", FZ_MAPS_MAX);
		ctx->maps[ctx->nmaps++] = (struct fz_map){
			.base = fz_arena_addr() + off, .len = len, .prot = prot,
		};
	}
}

static void fz_op_unmap(struct fz_ctx *ctx)
{
	uint8_t which = fz_u8(&ctx->in);
	uint64_t base;
	int r0, r1;

	if (!ctx->nmaps)
		base = fz_arena_addr() + which;	/* most likely not mapped: -ENOENT */
	else
		base = ctx->maps[which % ctx->nmaps].base;
	r0 = gp_inproc_caller_unmap(ctx->caller[0], (const void *)(uintptr_t)base);
	r1 = gp_inproc_caller_unmap(ctx->caller[1], (const void *)(uintptr_t)base);
	fz_assert(r0 == r1, "gp_inproc_caller_unmap: %d, %d", r0, r1);
	/* As the transport does: the first mapping at @base goes, the last takes its place. */
	for (unsigned int i = 0; i < ctx->nmaps; i++) {
		if (ctx->maps[i].base == base) {
			fz_assert(r0 == 0, "unmapping a mapped base: %d", r0);
			ctx->maps[i] = ctx->maps[--ctx->nmaps];
			return;
		}
	}
	fz_assert(r0 == -ENOENT, "unmapping an unmapped base: %d", r0);
}

static void fz_op_poke(struct fz_ctx *ctx)
{
	uint32_t off = fz_u16(&ctx->in) % FZ_ARENA_SIZE;
	uint32_t n = fz_u8(&ctx->in);

	for (uint32_t i = 0; i < n && off + i < FZ_ARENA_SIZE; i++)
		fz_arena[off + i] = fz_u8(&ctx->in);
}

static void fz_op_store(struct fz_ctx *ctx, size_t width)
{
	uint32_t off = fz_u16(&ctx->in) % (FZ_ARENA_SIZE - width + 1);
	uint64_t v = width == 8 ? fz_ptr(&ctx->in) : fz_u32(&ctx->in);

	memcpy(fz_arena + off, &v, width);	/* little endian */
}

static void fz_op_ioctl(struct fz_ctx *ctx, uint8_t op)
{
	struct fz_file *f = &ctx->files[!!(op & FZ_F_FILE1)];
	uint32_t cmd = fz_cmd(&ctx->in);
	uint64_t arg = fz_ptr(&ctx->in);
	bool side_effects = (ctx->dev->driver == &gp_mali_csf_driver && _IOC_TYPE(cmd) == 'd' &&
			     _IOC_NR(cmd) == _IOC_NR(GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES)) ||
			    (_IOC_TYPE(cmd) == 'd' && _IOC_NR(cmd) == _IOC_NR(GPU_PROTO_IOCTL_GEM_CLOSE)) ||
			    (ctx->dev->driver == &fz_driver && _IOC_TYPE(cmd) == 'd' &&
			     _IOC_NR(cmd) == _IOC_NR(FZ_IOCTL_BO_CREATE)) ||
			    fz_mali_memory(ctx, cmd) || fz_edu_effects(ctx, cmd) ||
			    fz_syncobj_nr(cmd);

	fz_syncobj_no_block(cmd, arg);
	if ((op & FZ_F_DIFF) && !side_effects)
		fz_ioctl_diff(ctx, f, cmd, arg);
	else
		fz_ioctl(ctx, op & FZ_F_RETRY, f, cmd, arg);
}

static void fz_op_read(struct fz_ctx *ctx, uint8_t op)
{
	struct fz_file *f = &ctx->files[!!(op & FZ_F_FILE1)];
	size_t size = fz_u16(&ctx->in) % 1024;
	bool edu = ctx->dev->driver == &gp_qemu_edu_driver;
	uint32_t type = edu ? GPU_PROTO_EDU_EVENT_IRQ : GPU_PROTO_MALI_EVENT_FLUSH_DONE;
	size_t evsize = fz_event_size(ctx);
	/* Both begin with the header and user_data. */
	struct gpu_proto_mali_event_flush_done ev;
	unsigned char *buf;
	ssize_t r;

	if (!f->file)
		return;
	buf = malloc(size ? size : 1);
	fz_assert(buf, "out of memory");
	r = gp_file_read_events(f->file, buf, size);
	if (fz_file_dead(ctx, f)) {
		fz_assert(r == -ENODEV, "reading a revoked device's file: %zd", r);
	} else if (r < 0) {
		fz_assert(r == -EAGAIN || r == -EINVAL, "reading events: %zd", r);
		fz_assert(r == -EAGAIN || size < evsize, "-EINVAL for a buffer of %zu bytes", size);
	} else {
		fz_assert(r > 0 && (size_t)r <= size && r % (ssize_t)evsize == 0,
			  "read %zd bytes of events into %zu", r, size);
		for (ssize_t at = 0; at < r; at += (ssize_t)evsize) {
			memcpy(&ev, buf + at, sizeof(ev));
			fz_assert(ev.base.type == type && ev.base.length == evsize,
				  "event type %#x length %u", ev.base.type, ev.base.length);
			fz_assert(f->head != f->tail, "an event nobody asked for");
			fz_assert(ev.user_data == f->owed[f->head % FZ_EVENTS_MAX],
				  "event user_data %#llx, expected %#llx (order)",
				  (unsigned long long)ev.user_data,
				  (unsigned long long)f->owed[f->head % FZ_EVENTS_MAX]);
			f->head++;
		}
	}
	free(buf);
}

static void fz_op_poll(struct fz_ctx *ctx, uint8_t op)
{
	struct fz_file *f = &ctx->files[!!(op & FZ_F_FILE1)];
	unsigned int mask;

	if (!f->file)
		return;
	mask = gp_file_poll(f->file);
	if (fz_file_dead(ctx, f))
		fz_assert(mask == (POLLERR | POLLHUP), "poll on a revoked device's file: %#x", mask);
	else
		fz_assert(mask == 0 || (mask == (POLLIN | POLLRDNORM) && f->head != f->tail),
			  "poll: %#x with %u events owed", mask, f->tail - f->head);
}

static void fz_op_revoke(struct fz_ctx *ctx, uint8_t op)
{
	if (!ctx->dev->reg)
		return;
	if ((op & FZ_F_ON_DMA) && ctx->dev->driver == &gp_qemu_edu_driver)
		ctx->edu_revoke_on_dma = true;
	else
		fz_revoke(ctx->dev);
}

static void fz_op_rebind(struct fz_ctx *ctx)
{
	if (ctx->dev->reg)
		return;
	fz_bind(ctx->dev);
	fz_file_open(ctx, &ctx->files[1]);
}

static void fz_op_remove(struct fz_ctx *ctx)
{
	if (ctx->dev->be && !ctx->dev->removed) {
		gp_mock_simulate_removal(ctx->dev->be);
		ctx->dev->removed = true;
	}
}

/* --- the harness --- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pthread_t cp;
	char err[256];
	int r;

	fz_trace = getenv("FZ_TRACE") && *getenv("FZ_TRACE") == '1';
	gp_log_set_max_level(LOG_CRIT);	/* probe failures would log; there are none */
	gp_gem_set_file_limits(FZ_GEM_MAX_HANDLES, FZ_GEM_MAX_BYTES);
	fz_arena = malloc(FZ_ARENA_SIZE);
	fz_assert(fz_arena, "out of memory");
	for (unsigned int f = 1; f < 8; f++)
		for (size_t i = 0; i < FZ_ARENA_SIZE; i++)
			fz_fills[f][i] = (unsigned char)(i * 0x9du + f * 0x3bu);
	gp_mock_config_init(&fz_mock_cfg);
	r = gp_mock_config_parse(&fz_mock_cfg, "reset-delay-us=0,l2-power-delay-us=0,flush-delay-us=0",
				 err, sizeof(err));
	fz_assert(r == 0, "mock options: %s", err);
	fz_bind(&fz_mali);
	fz_bind(&fz_fuzzdev);
	fz_bind(&fz_edu);
	r = pthread_create(&cp, NULL, fz_cp_main, NULL);
	fz_assert(r == 0, "starting the control plane thread: %d", r);
	pthread_detach(cp);
	return 0;
}

/* Leave the device as the next input expects it: bound, no flush running. */
static void fz_finish(struct fz_ctx *ctx)
{
	struct fz_device *d = ctx->dev;

	for (int i = 0; d->reg && !d->removed && fz_mali_flush_busy(d); i++) {
		fz_assert(i < 100, "a FLUSH_CACHES never completed");
		fz_assert(fz_service_irq(d, 1000), "no interrupt for a running FLUSH_CACHES");
	}
	fz_service_irq(d, 0);
	/* A revoke armed for a transfer that never came: the fake completes again by itself. */
	if (d->edu) {
		d->edu->hold_dma = false;
		d->edu->complete_after_cmd_reads = 0;
	}
	gp_file_close(&ctx->files[0].file);
	gp_file_close(&ctx->files[1].file);
	/* Tokens minted by this input hold its files and objects: none outlives it. */
	gp_fd_tokens_clear();
	gp_inproc_caller_free(&ctx->caller[0]);
	gp_inproc_caller_free(&ctx->caller[1]);
	if (d->reg && d->removed)
		fz_revoke(d);
	if (!d->reg)
		fz_bind(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_ctx *ctx;
	uint8_t h;
	int r;

	/* The context is large (owed events): keep it off the stack. */
	ctx = calloc(1, sizeof(*ctx));
	fz_assert(ctx, "out of memory");
	ctx->in = (struct fz_input){ .p = data, .n = size };
	h = fz_u8(&ctx->in);
	ctx->dev = h & FZ_H_EDU ? &fz_edu : h & FZ_H_FUZZ_DRV ? &fz_fuzzdev : &fz_mali;
	ctx->node = h & FZ_H_PRIMARY ? GP_NODE_PRIMARY : GP_NODE_RENDER;
	ctx->who = (struct gp_caller){
		.uid = 1000, .gid = 1000, .pid = 4242,
		.cap_sys_admin = h & FZ_H_SYS_ADMIN, .cap_sys_nice = h & FZ_H_SYS_NICE,
	};
	/* The arena starts zeroed (NULL pointers, zero sizes) or with a pattern. */
	memcpy(fz_arena, fz_fills[FZ_H_FILL(h)], FZ_ARENA_SIZE);

	r = gp_inproc_caller_new(GP_INPROC_DIRECT, &ctx->caller[0]);
	fz_assert(r == 0, "gp_inproc_caller_new: %d", r);
	r = gp_inproc_caller_new(GP_INPROC_RETRY, &ctx->caller[1]);
	fz_assert(r == 0, "gp_inproc_caller_new: %d", r);
	fz_file_open(ctx, &ctx->files[0]);
	fz_file_open(ctx, &ctx->files[1]);

	for (unsigned int n = 0; ctx->in.n && n < FZ_MAX_OPS; n++) {
		uint8_t op = fz_u8(&ctx->in);

		switch (op & 0x0f) {
		case FZ_OP_MAP:
			fz_op_map(ctx);
			break;
		case FZ_OP_UNMAP:
			fz_op_unmap(ctx);
			break;
		case FZ_OP_POKE:
			fz_op_poke(ctx);
			break;
		case FZ_OP_PTR:
			fz_op_store(ctx, 8);
			break;
		case FZ_OP_U32:
			fz_op_store(ctx, 4);
			break;
		case FZ_OP_READ:
			fz_op_read(ctx, op);
			break;
		case FZ_OP_POLL:
			fz_op_poll(ctx, op);
			break;
		case FZ_OP_IRQ:
			fz_service_irq(ctx->dev, 0);
			break;
		case FZ_OP_REVOKE:
			fz_op_revoke(ctx, op);
			break;
		case FZ_OP_REBIND:
			fz_op_rebind(ctx);
			break;
		case FZ_OP_REMOVE:
			fz_op_remove(ctx);
			break;
		case FZ_OP_REOPEN:
			fz_file_open(ctx, &ctx->files[!!(op & FZ_F_FILE1)]);
			break;
		default:
			fz_op_ioctl(ctx, op);
			break;
		}
	}

	fz_finish(ctx);
	free(ctx);
	return 0;
}
