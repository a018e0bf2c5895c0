/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd socket: where clients redeem FD_TOKEN tokens for memfds (EXPORT)
 * or hand memfds in for handles (IMPORT), with SCM_RIGHTS.  The wire
 * format is <gpu-proto/gpu_proto_fdsock.h>; docs/uapi.md ("The fd
 * socket") has the rules.
 *
 * One thread serves every connection from one poll() loop: every socket is
 * non-blocking, a connection lives for one request and one reply, and one
 * that has not sent its request within the timeout is answered ETIMEDOUT
 * and closed.  Nothing a client does makes the thread wait, and the thread
 * holds nothing that the control plane, a guard, revoke or the IRQ path
 * waits for.
 */
#ifndef GP_FRONTEND_FDSOCK_H
#define GP_FRONTEND_FDSOCK_H

#include <stdint.h>

#include "nodeperm.h"

/* Connections at once / per uid: as the socket transport's (socket.h). */
#define GP_FDSOCK_DEFAULT_MAX_CONNECTIONS 1024
#define GP_FDSOCK_DEFAULT_MAX_PER_UID 128
/* A connection must send its request within this long. */
#define GP_FDSOCK_DEFAULT_TIMEOUT_MS 1000

struct gp_fdsock;

struct gp_fdsock_config {
	const char *path;
	struct gp_node_perm perm;	/* the node's: the socket's mode and every peer's check */
	/* 0: the defaults above. */
	unsigned int max_connections;
	unsigned int max_per_uid;
	unsigned int timeout_ms;
};

struct gp_fdsock_stats {
	uint64_t exports, imports, refused, failed, timed_out;
};

/**
 * gp_fdsock_new() - bind and listen at cfg->path with the node's owner,
 * group and mode (as gp_socket_new(): directory made, a stale socket
 * replaced, anything else -EEXIST).  Return: 0 or -errno (logged).
 */
int gp_fdsock_new(const struct gp_fdsock_config *cfg, struct gp_fdsock **out);

/** gp_fdsock_start() - serve on a thread of its own. */
int gp_fdsock_start(struct gp_fdsock *s);

/**
 * gp_fdsock_free() - stop serving, close every connection, unlink the
 * socket.  NULL is a no-op.  Context: the control plane.
 */
void gp_fdsock_free(struct gp_fdsock **ps);

void gp_fdsock_get_stats(struct gp_fdsock *s, struct gp_fdsock_stats *st);

#endif /* GP_FRONTEND_FDSOCK_H */
