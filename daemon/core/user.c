// SPDX-License-Identifier: GPL-2.0-or-later
#include <assert.h>
#include <errno.h>

#include "user.h"

int gp_user_plan_add(struct gp_user_plan *plan, uint64_t addr, uint32_t len, uint32_t dir)
{
	if (!len)
		return 0;
	if (plan->count >= GP_USER_RANGES_MAX) {
		assert(!"ioctl plan exceeds GP_USER_RANGES_MAX");
		return -E2BIG;
	}
	plan->ranges[plan->count++] = (struct gp_user_range){ .addr = addr, .len = len, .dir = dir };
	return 0;
}

int gp_user_prepare_more(const struct gp_user *u, const struct gp_user_range *ranges,
			 unsigned int n)
{
	struct gp_user_plan *plan = u->plan;
	unsigned int needed = 0;
	int r;

	if (!plan)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		needed += ranges[i].len != 0;
	/* A client's array count must not trip the debug assert: check first. */
	if (needed > GP_USER_RANGES_MAX - plan->count)
		return -E2BIG;
	for (unsigned int i = 0; i < n; i++)
		gp_user_plan_add(plan, ranges[i].addr, ranges[i].len, ranges[i].dir);
	r = u->ops->prepare(u->ctx, plan);
	if (r == -EAGAIN)
		plan->retry = true;
	return r;
}

int gp_copy_struct_to_user(const struct gp_user *u, uint64_t addr, size_t usize, const void *src,
			   size_t ksize)
{
	static const unsigned char zeros[256];
	size_t n = usize < ksize ? usize : ksize;
	int r;

	r = gp_copy_to_user(u, addr, src, n);
	while (r == 0 && n < usize) {
		size_t chunk = usize - n < sizeof(zeros) ? usize - n : sizeof(zeros);

		r = gp_copy_to_user(u, addr + n, zeros, chunk);
		n += chunk;
	}
	return r;
}
