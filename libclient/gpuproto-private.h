/* SPDX-License-Identifier: MIT */
/*
 * gpuproto-private.h - libgpuproto's test seam.  NOT part of the API.
 *
 * Copyright (c) the gpu-proto authors
 *
 * Not installed.  The one symbol here is exported only so the unit tests,
 * which link the shared library, can reach it; it lives in the symbol
 * version GPUPROTO_PRIVATE, may change or vanish in any release, and no
 * client may use it.
 */
#ifndef GPU_PROTO_GPUPROTO_PRIVATE_H
#define GPU_PROTO_GPUPROTO_PRIVATE_H

#include <poll.h>
#include <sys/types.h>

#include "gpuproto.h"

/**
 * struct gpc_sys_ops - the system calls a handle makes, replaceable by tests
 * @ioctl: as ioctl(2): -1 with errno set on failure.
 * @read: as read(2).
 * @poll: as poll(2).
 *
 * Each member receives the @data given to gpc_private_set_sys_ops() first.
 * A NULL member means the real system call.
 */
struct gpc_sys_ops {
	int (*ioctl)(void *data, int fd, unsigned long request, void *arg);
	ssize_t (*read)(void *data, int fd, void *buf, size_t count);
	int (*poll)(void *data, struct pollfd *fds, nfds_t nfds, int timeout);
};

/**
 * gpc_private_set_sys_ops() - TEST ONLY: route a handle's system calls
 * @dev: the handle, not yet in use by any other thread.
 * @ops: the replacements, or NULL to restore the real calls; must outlive
 *	@dev (it is not copied).
 * @data: passed to each replacement.
 *
 * Context: call right after gpc_open()/gpc_open_fd(), before the handle is
 * shared; it is not synchronised with calls in progress.
 */
void gpc_private_set_sys_ops(struct gpc_device *dev, const struct gpc_sys_ops *ops, void *data);

#endif /* GPU_PROTO_GPUPROTO_PRIVATE_H */
