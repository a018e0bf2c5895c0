/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-process transport: issue ioctls to the dispatcher from the same
 * process, with the caller's memory modelled explicitly.
 *
 * Host tests and benchmarks use it in place of the kernel.  The caller's
 * address space is what the test maps into it (anything else is a bad
 * address: -EFAULT, never a crash).
 *
 * GP_INPROC_RETRY runs the server's half of the CUSE unrestricted-ioctl
 * retry protocol with retry.c, the code cuse.c and socket.c run, under
 * CUSE's limits (gp_retry_cuse_limits); only the kernel's half is modelled
 * here: the first round carries nothing, each RETRY's IN ranges are
 * snapshotted into one concatenated buffer and the request resent, and
 * after the final reply the output bytes are scattered over the last
 * RETRY's OUT ranges.  Round trips are counted.
 */
#ifndef GP_FRONTEND_INPROC_H
#define GP_FRONTEND_INPROC_H

#include <stddef.h>
#include <stdint.h>

#include "file.h"
#include "user.h"

enum gp_inproc_mode {
	GP_INPROC_DIRECT,	/* ranges checked, then copied directly: one round trip */
	GP_INPROC_RETRY,	/* the CUSE retry protocol, round trip by round trip */
};

/* Resends before the transport gives up, as a guard against a plan that never settles. */
#define GP_INPROC_MAX_ROUND_TRIPS 8

struct gp_inproc_caller;

/** gp_inproc_caller_new() - a caller with an empty address space. 0 or -ENOMEM. */
int gp_inproc_caller_new(enum gp_inproc_mode mode, struct gp_inproc_caller **out);

/** gp_inproc_caller_free() - free a caller; clears *@pc; NULL is a no-op. */
void gp_inproc_caller_free(struct gp_inproc_caller **pc);

/**
 * gp_inproc_caller_map() - make [@base, @base + @len) part of the caller's
 * address space, readable (GP_USER_IN) and/or writable (GP_USER_OUT) by the
 * dispatcher.  Return: 0, -ENOMEM when the map table is full.
 */
int gp_inproc_caller_map(struct gp_inproc_caller *c, const void *base, size_t len, uint32_t prot);

/** gp_inproc_caller_unmap() - remove the mapping at @base; 0 or -ENOENT. */
int gp_inproc_caller_unmap(struct gp_inproc_caller *c, const void *base);

/**
 * gp_inproc_ioctl() - issue an ioctl as @c through @file.
 * @arg: the argument address in the caller's address space (may be bad)
 *
 * Return: the ioctl's result: 0 or -errno.  Retry mode, as the kernel
 * answers: -EFAULT when a range the server asked for is not readable (IN)
 * or writable (OUT) in the caller's maps; -EIO when the protocol did not
 * settle within GP_INPROC_MAX_ROUND_TRIPS, or the server asked for more
 * than the limits it was given or answered more bytes than it asked room for.
 */
int gp_inproc_ioctl(struct gp_inproc_caller *c, struct gp_file *file, unsigned int cmd,
		    uint64_t arg);

/** gp_inproc_round_trips() - round trips the last gp_inproc_ioctl() took. */
unsigned int gp_inproc_round_trips(const struct gp_inproc_caller *c);

#endif /* GP_FRONTEND_INPROC_H */
