/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Caller memory over a retry protocol, shared by every transport that
 * cannot reach the caller's address space itself (CUSE, the socket).
 *
 * One round of an ioctl sees the bytes of the IN ranges the transport
 * asked for last time, concatenated in order, and room for the OUT ranges.
 * The plan is a pure function of the argument, so each round rebuilds the
 * same ranges and finds their bytes by position; when the plan needs more
 * than the round has, prepare() records it in @want and answers -EAGAIN,
 * and the transport asks its caller for @want (a CUSE retry reply, a
 * socket RETRY message).  See docs/architecture.md.
 */
#ifndef GP_FRONTEND_RETRY_H
#define GP_FRONTEND_RETRY_H

#include <stdbool.h>
#include <stddef.h>

#include "user.h"

/* What one round of the transport can carry. */
struct gp_retry_limits {
	unsigned int max_ranges;	/* iovecs per direction and in total */
	size_t max_xfer;		/* bytes per direction */
};

/*
 * One CUSE ioctl's limits (FUSE_IOCTL_MAX_IOV iovecs, 128 KiB a direction):
 * what cuse.c and the in-process transport's retry mode run with.
 */
extern const struct gp_retry_limits gp_retry_cuse_limits;

/* One round of one ioctl. */
struct gp_retry_ioctl {
	const struct gp_retry_limits *limits;
	const unsigned char *in_buf;
	size_t in_bufsz, out_bufsz;
	struct gp_user_plan plan;	/* accepted: data present */
	struct gp_user_plan want;	/* to ask for in a retry */
	unsigned char *out;		/* @small, or the heap for large outputs */
	size_t out_len;
	bool planned;
	/*
	 * Most ioctls return a few dozen bytes: keep them off the heap, a
	 * measurable share of a round trip's cost (docs/performance.md).
	 */
	unsigned char small[256];
};

/**
 * gp_retry_ioctl_init() - start a round.
 * @in_buf, @in_bufsz: the IN bytes the caller supplied (may be empty)
 * @out_bufsz: the room the caller has for OUT bytes
 *
 * Return: the gp_user to pass to gp_ioctl() for this round.
 */
struct gp_user gp_retry_ioctl_init(struct gp_retry_ioctl *io, const struct gp_retry_limits *limits,
				   const void *in_buf, size_t in_bufsz, size_t out_bufsz);

/** gp_retry_ioctl_release() - free what the round allocated. */
void gp_retry_ioctl_release(struct gp_retry_ioctl *io);

#endif /* GP_FRONTEND_RETRY_H */
