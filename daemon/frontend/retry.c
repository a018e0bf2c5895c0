// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Caller memory over a retry protocol.  See retry.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cuse.h"
#include "retry.h"

const struct gp_retry_limits gp_retry_cuse_limits = {
	.max_ranges = GP_CUSE_MAX_IOV,
	.max_xfer = GP_CUSE_MAX_XFER,
};

/*
 * An IN|OUT range starts as the caller's bytes: what the handler does not
 * write (an error after planning, as SYNCOBJ_QUERY's ENOENT) goes back
 * unchanged, as the kernel leaves memory it does not write.  OUT-only
 * ranges start as zeros.  The caller of prepare() checked that the IN
 * bytes are all there.
 */
static void gp_retry_prefill(const struct gp_user_plan *plan, const unsigned char *in,
			     unsigned char *out)
{
	size_t in_pos = 0, out_pos = 0;

	for (unsigned int i = 0; i < plan->count; i++) {
		const struct gp_user_range *r = &plan->ranges[i];

		if ((r->dir & GP_USER_IN) && (r->dir & GP_USER_OUT))
			memcpy(out + out_pos, in + in_pos, r->len);
		if (r->dir & GP_USER_IN)
			in_pos += r->len;
		if (r->dir & GP_USER_OUT)
			out_pos += r->len;
	}
}

static int gp_retry_user_prepare(void *ctx, const struct gp_user_plan *plan)
{
	struct gp_retry_ioctl *io = ctx;
	size_t in = 0, out = 0;
	unsigned char *buf;

	for (unsigned int i = 0; i < plan->count; i++) {
		if (plan->ranges[i].dir & GP_USER_IN)
			in += plan->ranges[i].len;
		if (plan->ranges[i].dir & GP_USER_OUT)
			out += plan->ranges[i].len;
	}
	/* The transport would refuse the retry: say so before asking. */
	if (plan->count > io->limits->max_ranges || in > io->limits->max_xfer ||
	    out > io->limits->max_xfer)
		return -ENOMEM;
	if (in > io->in_bufsz || out > io->out_bufsz) {
		io->want = *plan;
		return -EAGAIN;
	}
	if (io->out != io->small)
		free(io->out);
	io->out = NULL;
	buf = out <= sizeof(io->small) ? io->small : malloc(out);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0, out);
	gp_retry_prefill(plan, io->in_buf, buf);
	io->out = buf;
	io->out_len = out;
	io->plan = *plan;
	io->planned = true;
	return 0;
}

/* Where [addr, addr+len) of direction @dir lies in the concatenated buffer. */
static long gp_retry_user_offset(const struct gp_user_plan *plan, uint64_t addr, size_t len,
				 uint32_t dir)
{
	size_t pos = 0;

	for (unsigned int i = 0; i < plan->count; i++) {
		const struct gp_user_range *r = &plan->ranges[i];

		if (!(r->dir & dir))
			continue;
		if (addr >= r->addr && len <= r->len && addr - r->addr <= r->len - len)
			return (long)(pos + (addr - r->addr));
		pos += r->len;
	}
	return -1;
}

static int gp_retry_user_copy_from(void *ctx, void *dst, uint64_t addr, size_t len)
{
	struct gp_retry_ioctl *io = ctx;
	long off = io->planned ? gp_retry_user_offset(&io->plan, addr, len, GP_USER_IN) : -1;

	if (off < 0 || (size_t)off + len > io->in_bufsz)
		return -EFAULT;
	memcpy(dst, io->in_buf + off, len);
	return 0;
}

static int gp_retry_user_copy_to(void *ctx, uint64_t addr, const void *src, size_t len)
{
	struct gp_retry_ioctl *io = ctx;
	long off = io->planned ? gp_retry_user_offset(&io->plan, addr, len, GP_USER_OUT) : -1;

	if (off < 0 || (size_t)off + len > io->out_len)
		return -EFAULT;
	memcpy(io->out + off, src, len);
	return 0;
}

static const struct gp_user_ops gp_retry_user_ops = {
	.prepare = gp_retry_user_prepare,
	.copy_from = gp_retry_user_copy_from,
	.copy_to = gp_retry_user_copy_to,
};

struct gp_user gp_retry_ioctl_init(struct gp_retry_ioctl *io, const struct gp_retry_limits *limits,
				   const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	io->limits = limits;
	io->in_buf = in_buf;
	io->in_bufsz = in_bufsz;
	io->out_bufsz = out_bufsz;
	io->plan.count = 0;
	io->want.count = 0;
	io->out = NULL;
	io->out_len = 0;
	io->planned = false;
	return (struct gp_user){ .ops = &gp_retry_user_ops, .ctx = io };
}

void gp_retry_ioctl_release(struct gp_retry_ioctl *io)
{
	if (io->out != io->small)
		free(io->out);
	io->out = NULL;
}
