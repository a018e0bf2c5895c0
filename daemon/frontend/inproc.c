// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inproc.h"
#include "ioctl.h"

#define GP_INPROC_MAPS_MAX 32

struct gp_inproc_map {
	uint64_t base;
	uint64_t len;
	uint32_t prot;
};

/* A range the "kernel" fetched for the current round, with its bytes. */
struct gp_inproc_staged {
	struct gp_user_range range;
	unsigned char *bytes;
};

struct gp_inproc_caller {
	enum gp_inproc_mode mode;
	unsigned int nmaps;
	struct gp_inproc_map maps[GP_INPROC_MAPS_MAX];

	/* The plan of the current round (direct mode: checked ranges). */
	struct gp_user_plan prepared;
	/* Retry mode: what the dispatcher asked for last; fetched before resending. */
	struct gp_user_plan wanted;
	unsigned int nstaged;
	struct gp_inproc_staged staged[GP_USER_RANGES_MAX];

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

static void gp_inproc_unstage(struct gp_inproc_caller *c)
{
	for (unsigned int i = 0; i < c->nstaged; i++)
		free(c->staged[i].bytes);
	c->nstaged = 0;
}

void gp_inproc_caller_free(struct gp_inproc_caller **pc)
{
	if (!*pc)
		return;
	gp_inproc_unstage(*pc);
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

static int gp_inproc_prepare(void *ctx, const struct gp_user_plan *plan)
{
	struct gp_inproc_caller *c = ctx;

	if (c->mode == GP_INPROC_RETRY) {
		size_t in = 0, out = 0;

		/* The kernel's limits for one CUSE ioctl, checked before asking, as cuse.c does. */
		for (unsigned int i = 0; i < plan->count; i++) {
			if (plan->ranges[i].dir & GP_USER_IN)
				in += plan->ranges[i].len;
			if (plan->ranges[i].dir & GP_USER_OUT)
				out += plan->ranges[i].len;
		}
		if (in > GP_INPROC_RETRY_MAX_XFER || out > GP_INPROC_RETRY_MAX_XFER)
			return -ENOMEM;
		for (unsigned int i = 0; i < plan->count; i++) {
			const struct gp_user_range *r = &plan->ranges[i];
			bool fetched = false;

			for (unsigned int j = 0; j < c->nstaged && !fetched; j++) {
				const struct gp_user_range *s = &c->staged[j].range;

				fetched = s->dir == r->dir && s->addr == r->addr && s->len == r->len;
			}
			if (!fetched) {
				/* Ask for the whole plan again: every CUSE retry resends everything. */
				c->wanted = *plan;
				return -EAGAIN;
			}
		}
	} else {
		for (unsigned int i = 0; i < plan->count; i++) {
			const struct gp_user_range *r = &plan->ranges[i];

			if (!gp_inproc_accessible(c, r->addr, r->len, r->dir))
				return -EFAULT;
		}
	}
	c->prepared = *plan;
	return 0;
}

static struct gp_inproc_staged *gp_inproc_find_staged(struct gp_inproc_caller *c, uint64_t addr,
						      size_t len, uint32_t dir)
{
	for (unsigned int i = 0; i < c->nstaged; i++) {
		struct gp_inproc_staged *s = &c->staged[i];

		if ((s->range.dir & dir) && gp_range_within(addr, len, s->range.addr, s->range.len))
			return s;
	}
	return NULL;
}

static int gp_inproc_copy_from(void *ctx, void *dst, uint64_t addr, size_t len)
{
	struct gp_inproc_caller *c = ctx;
	struct gp_inproc_staged *s;

	/* Only what the plan named is reachable, exactly as over CUSE. */
	if (!gp_plan_covers(&c->prepared, addr, len, GP_USER_IN))
		return -EFAULT;
	if (c->mode == GP_INPROC_DIRECT) {
		memcpy(dst, (const void *)(uintptr_t)addr, len);
		return 0;
	}
	s = gp_inproc_find_staged(c, addr, len, GP_USER_IN);
	if (!s)
		return -EFAULT;
	memcpy(dst, s->bytes + (addr - s->range.addr), len);
	return 0;
}

static int gp_inproc_copy_to(void *ctx, uint64_t addr, const void *src, size_t len)
{
	struct gp_inproc_caller *c = ctx;
	struct gp_inproc_staged *s;

	if (!gp_plan_covers(&c->prepared, addr, len, GP_USER_OUT))
		return -EFAULT;
	if (c->mode == GP_INPROC_DIRECT) {
		memcpy((void *)(uintptr_t)addr, src, len);
		return 0;
	}
	s = gp_inproc_find_staged(c, addr, len, GP_USER_OUT);
	if (!s)
		return -EFAULT;
	memcpy(s->bytes + (addr - s->range.addr), src, len);
	return 0;
}

static const struct gp_user_ops gp_inproc_user_ops = {
	.prepare = gp_inproc_prepare,
	.copy_from = gp_inproc_copy_from,
	.copy_to = gp_inproc_copy_to,
};

/*
 * The kernel's side of a retry: snapshot every input range (a bad one fails
 * the ioctl with -EFAULT before the server sees it) and give every output
 * range a staging buffer.
 */
static int gp_inproc_fetch(struct gp_inproc_caller *c)
{
	gp_inproc_unstage(c);
	for (unsigned int i = 0; i < c->wanted.count; i++) {
		const struct gp_user_range *r = &c->wanted.ranges[i];
		struct gp_inproc_staged *s = &c->staged[c->nstaged];

		if ((r->dir & GP_USER_IN) && !gp_inproc_accessible(c, r->addr, r->len, GP_USER_IN))
			return -EFAULT;
		s->bytes = calloc(1, r->len);
		if (!s->bytes)
			return -ENOMEM;
		s->range = *r;
		c->nstaged++;
		if (r->dir & GP_USER_IN)
			memcpy(s->bytes, (const void *)(uintptr_t)r->addr, r->len);
	}
	return 0;
}

/* After the final reply: scatter the output ranges back, in order. */
static int gp_inproc_scatter(struct gp_inproc_caller *c)
{
	for (unsigned int i = 0; i < c->nstaged; i++) {
		const struct gp_inproc_staged *s = &c->staged[i];

		if (!(s->range.dir & GP_USER_OUT))
			continue;
		if (!gp_inproc_accessible(c, s->range.addr, s->range.len, GP_USER_OUT))
			return -EFAULT;
		memcpy((void *)(uintptr_t)s->range.addr, s->bytes, s->range.len);
	}
	return 0;
}

int gp_inproc_ioctl(struct gp_inproc_caller *c, struct gp_file *file, unsigned int cmd,
		    uint64_t arg)
{
	const struct gp_user user = { .ops = &gp_inproc_user_ops, .ctx = c };
	int r, result;

	c->round_trips = 0;
	c->prepared.count = 0;
	gp_inproc_unstage(c);

	for (;;) {
		c->round_trips++;
		r = gp_ioctl(file, cmd, arg, &user, &result);
		if (r != -EAGAIN)
			break;
		if (c->round_trips >= GP_INPROC_MAX_ROUND_TRIPS) {
			gp_inproc_unstage(c);
			return -EIO;
		}
		r = gp_inproc_fetch(c);
		if (r < 0) {
			gp_inproc_unstage(c);
			return r;
		}
	}

	if (c->mode == GP_INPROC_RETRY) {
		r = gp_inproc_scatter(c);
		if (r < 0)
			result = r;
		gp_inproc_unstage(c);
	}
	return result;
}

unsigned int gp_inproc_round_trips(const struct gp_inproc_caller *c)
{
	return c->round_trips;
}
