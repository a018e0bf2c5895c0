/* SPDX-License-Identifier: MIT */
/*
 * fdclient.h - the client side of gpu-protod's fd socket, shared by
 * libgpuproto and the LD_PRELOAD shim (not installed).
 *
 * Copyright (c) the gpu-proto authors
 *
 * Each call mints a token with GPU_PROTO_IOCTL_FD_TOKEN through @ioctl
 * (whatever transport the device file uses), then redeems it on the fd
 * socket (<gpu-proto/gpu_proto_fdsock.h>).  All return 0 or -errno.
 */
#ifndef GPU_PROTO_FDCLIENT_H
#define GPU_PROTO_FDCLIENT_H

#include <stddef.h>
#include <stdint.h>

/* An ioctl on the device file: 0 (or >= 0) on success, -errno on failure. */
typedef int (*gpfc_ioctl_t)(void *ctx, unsigned long request, void *arg);

/**
 * gpfc_socket_path() - the fd socket for @device: $GPU_PROTO_FD_SOCKET;
 * else the socket transport's path ($GPU_PROTO_SOCKET, or
 * /run/gpu-protod/<name>.sock) with ".sock" replaced by ".fd.sock", as the
 * daemon derives it.
 */
void gpfc_socket_path(const char *device, char *buf, size_t len);

/**
 * gpfc_export() - the memfd of an object (O_RDWR, O_CLOEXEC).
 * @handle: the handle, or 0 to name the object by @offset
 * @offset: a fake mmap offset inside the object (with @handle 0)
 * @fd: out: the memfd
 * @size, @base: out (may be NULL): the object's size and fake mmap offset
 */
int gpfc_export(gpfc_ioctl_t ioctl_fn, void *ctx, const char *sock, uint32_t handle,
		uint64_t offset, int *fd, uint64_t *size, uint64_t *base);

/**
 * gpfc_import() - the handle of the object whose memfd is @fd, in the file
 * behind @ioctl_fn (the same handle when it already has one).
 */
int gpfc_import(gpfc_ioctl_t ioctl_fn, void *ctx, const char *sock, int fd, uint32_t *handle);

/**
 * gpfc_prime_export() - PRIME_HANDLE_TO_FD: the object's memfd with
 * @flags (GPU_PROTO_CLOEXEC, GPU_PROTO_RDWR; without RDWR a read-only
 * reopening of it).  -EINVAL for other flags.
 */
int gpfc_prime_export(gpfc_ioctl_t ioctl_fn, void *ctx, const char *sock, uint32_t handle,
		      uint32_t flags, int *fd);

#endif /* GPU_PROTO_FDCLIENT_H */
