/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Caller ("user") memory, as the transport reaches it.
 *
 * The dispatcher never dereferences a caller's address.  It names the ranges
 * an ioctl needs, asks the transport to make them accessible, and then copies
 * through the transport.  Over CUSE, "make accessible" is the unrestricted
 * ioctl retry: the kernel resends the request with the ranges attached, and
 * the dispatcher runs again from the start with the same (deterministic)
 * plan.  The in-process transport checks the ranges against the caller's
 * mapped memory.  Because every transport goes through this one interface,
 * pointer-following ioctls behave the same everywhere.
 */
#ifndef GP_CORE_USER_H
#define GP_CORE_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gp_user_dir {
	GP_USER_IN = 1 << 0,	/* the handler reads it (copy from user) */
	GP_USER_OUT = 1 << 1,	/* the handler writes it (copy to user) */
};

struct gp_user_range {
	uint64_t addr;
	uint32_t len;
	uint32_t dir;		/* enum gp_user_dir bits */
};

/*
 * At most this many ranges per ioctl: the argument struct in and out, plus
 * what the handler follows.  VERSION needs five; nothing needs more than 8.
 */
#define GP_USER_RANGES_MAX 8

struct gp_user_plan {
	unsigned int count;
	struct gp_user_range ranges[GP_USER_RANGES_MAX];
	/* Set by gp_user_prepare_more() when the transport must fetch and rerun. */
	bool retry;
};

struct gp_user_ops {
	/*
	 * Make every range of @plan accessible.  0: copies may proceed;
	 * -EAGAIN: the transport will fetch the ranges and run the ioctl again
	 * (the dispatcher unwinds without side effects); other -errno
	 * (-EFAULT, -ENOMEM for transport limits) fail the ioctl.
	 */
	int (*prepare)(void *ctx, const struct gp_user_plan *plan);
	/* Copy from/to a prepared range; -EFAULT outside of one. */
	int (*copy_from)(void *ctx, void *dst, uint64_t addr, size_t len);
	int (*copy_to)(void *ctx, uint64_t addr, const void *src, size_t len);
};

struct gp_caller;
struct gp_waiter;

/**
 * struct gp_user - one request's view of its caller: its memory, and who
 * it is when the transport learns that per request (CUSE: fuse_req_ctx()).
 */
struct gp_user {
	const struct gp_user_ops *ops;
	void *ctx;
	const struct gp_caller *caller;	/* NULL: the file's opener (socket, in-process) */
	/*
	 * Where a handler that must wait parks the request (wait.h); NULL:
	 * the transport lets gp_ioctl() block the calling thread instead.
	 */
	struct gp_waiter *waiter;
	/*
	 * The dispatcher's plan for this request, set while the handler
	 * runs, for gp_user_prepare_more(); NULL outside the dispatcher.
	 */
	struct gp_user_plan *plan;
};

/**
 * gp_user_plan_add() - add a range to @plan.
 *
 * Zero-length ranges are skipped (they need no transfer).
 * Return: 0, or -E2BIG when the plan is full (a driver bug: assert in debug).
 */
int gp_user_plan_add(struct gp_user_plan *plan, uint64_t addr, uint32_t len, uint32_t dir);

/**
 * gp_user_prepare_more() - make more caller memory accessible from inside a
 * handler: ranges it learnt by reading planned memory (a nested array, as
 * GROUP_SUBMIT's per-job sync arrays), which a plan callback cannot know.
 * @ranges: @n ranges; zero-length ones are skipped
 *
 * The ranges are appended to the request's plan and the transport asked
 * again.  When it answers -EAGAIN the handler must return -EAGAIN at once,
 * before any side effect: the dispatcher then has the transport fetch the
 * whole plan and run the ioctl again from the start (the handler computes
 * the same ranges from the same memory, so the second run finds them).
 * Return: 0; -EAGAIN as above; -E2BIG when the plan would exceed
 * GP_USER_RANGES_MAX; -EINVAL outside the dispatcher; or the transport's
 * -EFAULT/-ENOMEM.
 */
int gp_user_prepare_more(const struct gp_user *u, const struct gp_user_range *ranges,
			 unsigned int n);

static inline int gp_copy_from_user(const struct gp_user *u, void *dst, uint64_t addr, size_t len)
{
	return len ? u->ops->copy_from(u->ctx, dst, addr, len) : 0;
}

static inline int gp_copy_to_user(const struct gp_user *u, uint64_t addr, const void *src, size_t len)
{
	return len ? u->ops->copy_to(u->ctx, addr, src, len) : 0;
}

/**
 * gp_copy_struct_to_user() - copy a struct to a caller buffer of another size,
 * as the kernel's copy_struct_to_user(): min(@usize, @ksize) bytes of @src,
 * then zeros up to @usize so a newer caller's extra fields read as 0.
 * Return: 0 or -EFAULT.
 */
int gp_copy_struct_to_user(const struct gp_user *u, uint64_t addr, size_t usize, const void *src,
			   size_t ksize);

#endif /* GP_CORE_USER_H */
