/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One-time tokens for the fd socket: how a client proves, on a second
 * channel, that it holds a device file owning a buffer object.
 *
 * GPU_PROTO_IOCTL_FD_TOKEN (the handler below, in the core ioctl table)
 * mints a token: 32 random bytes bound to the minting file, the object
 * (EXPORT), and the minting caller's process, pinned by a pidfd.  The fd
 * socket (daemon/frontend/fdsock.c) redeems it for a peer: once, before it
 * expires, and only when the peer is that process.  The store is
 * process-wide and bounded per file (GP_FD_TOKEN_MAX_PER_FILE).
 *
 * Locking: one leaf mutex for the store, never held while calling out of
 * this file, so neither minting (inside a guard) nor redeeming can wait on
 * anything a client controls.  See docs/uapi.md, "FD_TOKEN".
 */
#ifndef GP_CORE_FDTOKEN_H
#define GP_CORE_FDTOKEN_H

#include <stdint.h>
#include <sys/types.h>

#include "driver.h"
#include "file.h"
#include "user.h"

struct gp_gem_object;

/* Outstanding tokens per file; one more gives -ENOSPC. */
#define GP_FD_TOKEN_MAX_PER_FILE	64
/* A token redeems within this long of its minting, else -ETIMEDOUT. */
#define GP_FD_TOKEN_DEFAULT_TTL_MS	5000
#define GP_FD_TOKEN_BYTES		32

/**
 * gp_fd_token_ioctl() - GPU_PROTO_IOCTL_FD_TOKEN.
 *
 * Context: inside the ioctl's guard.  Return: 0, -EOPNOTSUPP (the driver
 * has no buffer objects, GP_DRIVER_GEM), -EINVAL (unknown op,
 * non-zero fields IMPORT does not take, an offset in no object of the
 * file), -ENOENT (no such handle), -ENOSPC (GP_FD_TOKEN_MAX_PER_FILE
 * outstanding), -EACCES (the caller has no process id in the daemon's pid
 * namespace), -ESRCH (the caller is gone), -EAGAIN (no randomness yet,
 * early boot), -ENOMEM.
 */
int gp_fd_token_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
		      struct gp_file *file, const struct gp_user *user);

/**
 * struct gp_fd_token_peer - who presents a token on the fd socket
 * @pid: SO_PEERCRED's pid (a process id, in the daemon's pid namespace)
 * @pidfd: the peer pinned (SO_PEERPIDFD or pidfd_open()), or -1
 */
struct gp_fd_token_peer {
	pid_t pid;
	int pidfd;
};

/**
 * struct gp_fd_token_result - what a redeemed token gives
 * @obj: EXPORT: the object, a reference the caller puts after sending
 *	obj->memfd; NULL for IMPORT
 * @handle: IMPORT: the handle in the token's file
 * @size, @offset: EXPORT: the object's size and fake mmap offset
 */
struct gp_fd_token_result {
	struct gp_gem_object *obj;
	uint32_t handle;
	uint64_t size;
	uint64_t offset;
};

/**
 * gp_fd_token_redeem() - consume a token.
 * @token: GP_FD_TOKEN_BYTES bytes from the peer
 * @op: the op the peer asks for
 * @peer: the peer
 * @import_fd: IMPORT: the received fd (borrowed; the caller closes it);
 *	EXPORT: -1
 * @res: out
 *
 * Whatever the outcome, a token that was found is consumed.
 * Context: any thread outside a guard; takes one of its own.
 * Return: 0; -EACCES (unknown or used token, another op, another process);
 * -ETIMEDOUT (expired); -ENODEV (the device was unplugged); -ENOENT
 * (EXPORT: the file no longer holds a handle on the object, or is closed);
 * -EINVAL (IMPORT: @import_fd is not the memfd of an object of this
 * device, as dma_buf_get() for a file that is not a dma-buf); or the errno
 * of creating the handle (-ENOSPC, -ENOMEM, -ENODEV for a closed file).
 */
int gp_fd_token_redeem(const uint8_t *token, uint32_t op, const struct gp_fd_token_peer *peer,
		       int import_fd, struct gp_fd_token_result *res);

/**
 * gp_fd_tokens_sweep() - drop expired tokens (and the references they
 * hold).  Return: milliseconds until the next token expires, or -1 when
 * none is outstanding: the fd socket's poll timeout.
 */
int gp_fd_tokens_sweep(void);

/** gp_fd_tokens_clear() - drop every token: the daemon's shutdown, tests. */
void gp_fd_tokens_clear(void);

/** gp_fd_tokens_set_ttl_ms() - set the lifetime of tokens minted from now on (0: the default). */
void gp_fd_tokens_set_ttl_ms(unsigned int ttl_ms);

/** gp_fd_tokens_outstanding() - tokens in the store now (status, tests). */
unsigned int gp_fd_tokens_outstanding(void);

#endif /* GP_CORE_FDTOKEN_H */
