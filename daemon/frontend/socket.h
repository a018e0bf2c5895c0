/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket frontend: the dispatcher served over an AF_UNIX SOCK_SEQPACKET
 * socket, for machines without /dev/cuse.  One connection is one open file;
 * the protocol is in <gpu-proto/gpu_proto_socket.h> and
 * docs/socket-transport.md.  Caller memory moves by the same retry
 * protocol as over CUSE (retry.c), so both transports dispatch alike.
 *
 * Threads: one accepting thread, and one thread per connection (a small
 * stack) that reads its requests and alone writes to its socket, never
 * blocking: replies the socket cannot take wait in a bounded queue, and a
 * client that leaves them there is disconnected.  A parked read is state,
 * not a blocked thread: the file's notify hook only wakes the
 * connection's thread (an eventfd), which answers it.
 */
#ifndef GP_FRONTEND_SOCKET_H
#define GP_FRONTEND_SOCKET_H

#include <stdint.h>

#include "transport.h"
#include "device.h"
#include "file.h"
#include "nodeperm.h"

/* Connections served at once; more get ENFILE in OPENED. */
#define GP_SOCKET_DEFAULT_MAX_CONNECTIONS 1024
/* Connections of one uid; more get EMFILE in OPENED. */
#define GP_SOCKET_DEFAULT_MAX_PER_UID 128
/* A connection thread's stack (measured need: bench/socket-idle.c, docs/socket-transport.md). */
#define GP_SOCKET_DEFAULT_STACK_SIZE (128u << 10)
/* A client whose replies fill its socket and the daemon's queue gets this long to read. */
#define GP_SOCKET_DEFAULT_STALL_TIMEOUT_MS 1000

struct gp_socket;

struct gp_socket_config {
	const char *path;		/* where to listen */
	struct gp_node_perm perm;	/* the node's owner, group and mode: the socket's, and every peer's check */
	enum gp_node_type node;
	/* As gp_cuse_config's: the device new opens attach to, or NULL. */
	struct gp_device *(*current_device)(void *ctx);
	void *ctx;
	/* 0: the defaults above. */
	unsigned int max_connections;
	unsigned int max_per_uid;
	size_t stack_size;
	unsigned int stall_timeout_ms;
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
