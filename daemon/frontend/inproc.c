// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inproc.h"
#include "ioctl.h"
#include "retry.h"

#define GP_INPROC_MAPS_MAX 32

struct gp_inproc_map {
	uint64_t base;
	uint64_t len;
	uint32_t prot;
};

struct gp_inproc_caller {
	enum gp_inproc_mode mode;
	unsigned int nmaps;
	struct gp_inproc_map maps[GP_INPROC_MAPS_MAX];

	/* Direct mode: the plan of the current ioctl, checked against the maps. */
	struct gp_user_plan prepared;

	/*
	 * Retry mode: what the "kernel" keeps between rounds.  @asked is the
	 * last RETRY's ranges; @in the bytes of its IN ranges, concatenated in
	 * order as the kernel snapshots them; @out_room the total of its OUT
	 * ranges.  Everything else is retry.c, the code CUSE and the socket run.
	 */
	struct gp_user_plan asked;
	unsigned char *in;
	size_t in_len, out_room;

	unsigned int round_trips;
};

int gp_inproc_caller_new(enum gp_inproc_mode mode, struct gp_inproc_caller **out)
{
	struct gp_inproc_caller *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->mode = mode;
	*out = c;
	return 0;
}

/* Forget the last RETRY, as the kernel does when an ioctl ends. */
static void gp_inproc_forget(struct gp_inproc_caller *c)
{
	free(c->in);
	c->in = NULL;
	c->in_len = 0;
	c->out_room = 0;
	c->asked.count = 0;
}

void gp_inproc_caller_free(struct gp_inproc_caller **pc)
{
	if (!*pc)
		return;
	gp_inproc_forget(*pc);
	free(*pc);
	*pc = NULL;
}

int gp_inproc_caller_map(struct gp_inproc_caller *c, const void *base, size_t len, uint32_t prot)
{
	if (c->nmaps >= GP_INPROC_MAPS_MAX)
		return -ENOMEM;
	c->maps[c->nmaps++] = (struct gp_inproc_map){
		.base = (uint64_t)(uintptr_t)base, .len = len, .prot = prot,
	};
	return 0;
}

int gp_inproc_caller_unmap(struct gp_inproc_caller *c, const void *base)
{
	for (unsigned int i = 0; i < c->nmaps; i++) {
		if (c->maps[i].base == (uint64_t)(uintptr_t)base) {
			c->maps[i] = c->maps[--c->nmaps];
			return 0;
		}
	}
	return -ENOENT;
}

static bool gp_range_within(uint64_t addr, uint64_t len, uint64_t base, uint64_t size)
{
	return addr >= base && len <= size && addr - base <= size - len;
}

/* The caller's memory check: one mapping must hold the whole range. */
static bool gp_inproc_accessible(const struct gp_inproc_caller *c, uint64_t addr, uint64_t len,
				 uint32_t prot)
{
	for (unsigned int i = 0; i < c->nmaps; i++) {
		const struct gp_inproc_map *m = &c->maps[i];

		if ((m->prot & prot) == prot && gp_range_within(addr, len, m->base, m->len))
			return true;
	}
	return false;
}

static bool gp_plan_covers(const struct gp_user_plan *plan, uint64_t addr, uint64_t len,
			   uint32_t dir)
{
	for (unsigned int i = 0; i < plan->count; i++) {
		const struct gp_user_range *r = &plan->ranges[i];

		if ((r->dir & dir) && gp_range_within(addr, len, r->addr, r->len))
			return true;
	}
	return false;
}

/* --- direct mode: the caller's memory is reachable; only the plan is checked --- */

static int gp_inproc_direct_prepare(void *ctx, const struct gp_user_plan *plan)
{
	struct gp_inproc_caller *c = ctx;

	for (unsigned int i = 0; i < plan->count; i++) {
		const struct gp_user_range *r = &plan->ranges[i];

		if (!gp_inproc_accessible(c, r->addr, r->len, r->dir))
			return -EFAULT;
	}
	c->prepared = *plan;
	return 0;
}

static int gp_inproc_direct_copy_from(void *ctx, void *dst, uint64_t addr, size_t len)
{
	struct gp_inproc_caller *c = ctx;

	/* Only what the plan named is reachable, exactly as over CUSE. */
	if (!gp_plan_covers(&c->prepared, addr, len, GP_USER_IN))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

static int gp_inproc_direct_copy_to(void *ctx, uint64_t addr, const void *src, size_t len)
{
	struct gp_inproc_caller *c = ctx;

	if (!gp_plan_covers(&c->prepared, addr, len, GP_USER_OUT))
		return -EFAULT;
	memcpy((void *)(uintptr_t)addr, src, len);
	return 0;
}

static const struct gp_user_ops gp_inproc_direct_ops = {
	.prepare = gp_inproc_direct_prepare,
	.copy_from = gp_inproc_direct_copy_from,
	.copy_to = gp_inproc_direct_copy_to,
};

static int gp_inproc_direct_ioctl(struct gp_inproc_caller *c, struct gp_file *file,
				  unsigned int cmd, uint64_t arg)
{
	const struct gp_user user = { .ops = &gp_inproc_direct_ops, .ctx = c };
	int r, result;

	c->prepared.count = 0;
	c->round_trips = 1;
	/* Direct prepare never answers -EAGAIN, so this completes. */
	r = gp_ioctl(file, cmd, arg, &user, &result);
	return r < 0 ? r : result;
}

/* --- retry mode: the kernel's half of the CUSE protocol; the server's is retry.c --- */

/*
 * The kernel's side of a RETRY: refuse what the server was told it may not
 * ask for (a server bug here, so -EIO rather than the -ENOMEM retry.c gives
 * first), snapshot every IN range into one buffer (an unreadable one fails
 * the ioctl with -EFAULT before the server sees it), and note the room the
 * OUT ranges give.
 */
static int gp_inproc_fetch(struct gp_inproc_caller *c, const struct gp_user_plan *want)
{
	size_t in = 0, out = 0, pos = 0;

	gp_inproc_forget(c);
	if (want->count > gp_retry_cuse_limits.max_ranges)
		return -EIO;
	for (unsigned int i = 0; i < want->count; i++) {
		const struct gp_user_range *r = &want->ranges[i];

		if (r->dir & GP_USER_IN) {
			if (!gp_inproc_accessible(c, r->addr, r->len, GP_USER_IN))
				return -EFAULT;
			in += r->len;
		}
		if (r->dir & GP_USER_OUT)
			out += r->len;
	}
	if (in > gp_retry_cuse_limits.max_xfer || out > gp_retry_cuse_limits.max_xfer)
		return -EIO;
	if (in) {
		c->in = malloc(in);
		if (!c->in)
			return -ENOMEM;
	}
	for (unsigned int i = 0; i < want->count; i++) {
		const struct gp_user_range *r = &want->ranges[i];

		if (!(r->dir & GP_USER_IN))
			continue;
		memcpy(c->in + pos, (const void *)(uintptr_t)r->addr, r->len);
		pos += r->len;
	}
	c->asked = *want;
	c->in_len = in;
	c->out_room = out;
	return 0;
}

/*
 * After the final reply: the server's output bytes go over the last RETRY's
 * OUT ranges in order, as far as they reach (more than the room is -EIO, as
 * fuse_do_ioctl() answers).
 */
static int gp_inproc_scatter(struct gp_inproc_caller *c, const unsigned char *bytes, size_t len)
{
	size_t pos = 0;

	if (len > c->out_room)
		return -EIO;
	for (unsigned int i = 0; i < c->asked.count && pos < len; i++) {
		const struct gp_user_range *r = &c->asked.ranges[i];
		size_t n;

		if (!(r->dir & GP_USER_OUT))
			continue;
		n = len - pos < r->len ? len - pos : r->len;
		if (!gp_inproc_accessible(c, r->addr, n, GP_USER_OUT))
			return -EFAULT;
		memcpy((void *)(uintptr_t)r->addr, bytes + pos, n);
		pos += n;
	}
	return 0;
}

static int gp_inproc_retry_ioctl(struct gp_inproc_caller *c, struct gp_file *file,
				 unsigned int cmd, uint64_t arg)
{
	struct gp_retry_ioctl io;
	struct gp_user user;
	int r, result;

	/* The first round carries nothing: the kernel cannot know the plan. */
	gp_inproc_forget(c);
	c->round_trips = 0;
	for (;;) {
		c->round_trips++;
		user = gp_retry_ioctl_init(&io, &gp_retry_cuse_limits, c->in, c->in_len, c->out_room);
		r = gp_ioctl(file, cmd, arg, &user, &result);
		if (r != -EAGAIN)
			break;
		if (c->round_trips >= GP_INPROC_MAX_ROUND_TRIPS)
			r = -EIO;
		else
			r = gp_inproc_fetch(c, &io.want);
		gp_retry_ioctl_release(&io);
		if (r < 0) {
			gp_inproc_forget(c);
			return r;
		}
	}
	/* The output goes back even with an error result, as cuse.c replies it. */
	if (io.planned && io.out_len) {
		r = gp_inproc_scatter(c, io.out, io.out_len);
		if (r < 0)
			result = r;
	}
	gp_retry_ioctl_release(&io);
	gp_inproc_forget(c);
	return result;
}

int gp_inproc_ioctl(struct gp_inproc_caller *c, struct gp_file *file, unsigned int cmd,
		    uint64_t arg)
{
	if (c->mode == GP_INPROC_RETRY)
		return gp_inproc_retry_ioctl(c, file, cmd, arg);
	return gp_inproc_direct_ioctl(c, file, cmd, arg);
}

unsigned int gp_inproc_round_trips(const struct gp_inproc_caller *c)
{
	return c->round_trips;
}
