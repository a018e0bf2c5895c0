/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket frontend: the dispatcher served over an AF_UNIX SOCK_SEQPACKET
 * socket, for machines without /dev/cuse.  One connection is one open file;
 * the protocol is in <gpu-proto/gpu_proto_socket.h> and
 * docs/socket-transport.md.  Caller memory moves by the same retry
 * protocol as over CUSE (retry.c), so both transports dispatch alike.
 *
 * Threads: one accepting thread, and one thread per connection that reads
 * its requests; a parked read is state, not a blocked thread, and is
 * answered from the file's notify callback.
 */
#ifndef GP_FRONTEND_SOCKET_H
#define GP_FRONTEND_SOCKET_H

#include <stdint.h>

#include "transport.h"
#include "device.h"
#include "file.h"
#include "nodeperm.h"

/* Connections served at once; more get ENFILE at open. */
#define GP_SOCKET_MAX_CONNECTIONS 1024

struct gp_socket;

struct gp_socket_config {
	const char *path;		/* where to listen */
	struct gp_node_perm perm;	/* the node's owner, group and mode: the socket's, and every peer's check */
	enum gp_node_type node;
	/* As gp_cuse_config's: the device new opens attach to, or NULL. */
	struct gp_device *(*current_device)(void *ctx);
	void *ctx;
};

/**
 * gp_socket_new() - bind and listen at cfg->path (its directory is made
 * if missing; a stale socket is replaced, anything else is -EEXIST).
 * Return: 0 or -errno (logged).
 */
int gp_socket_new(const struct gp_socket_config *cfg, struct gp_socket **out);

/** gp_socket_start() - start accepting on a thread of its own. */
int gp_socket_start(struct gp_socket *s);

/**
 * gp_socket_free() - stop accepting, end every connection (their files are
 * closed), wait for their threads, unlink the socket.  NULL is a no-op.
 * Context: the control plane; revoke first, so parked reads get ENODEV.
 */
void gp_socket_free(struct gp_socket **ps);

void gp_socket_get_stats(struct gp_socket *s, struct gp_transport_stats *stats);

#endif /* GP_FRONTEND_SOCKET_H */
