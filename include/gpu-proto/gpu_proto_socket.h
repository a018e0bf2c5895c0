/* SPDX-License-Identifier: MIT */
/*
 * gpu_proto_socket.h - the wire protocol of gpu-protod's socket transport.
 *
 * Copyright (c) the gpu-proto authors
 *
 * Not installed: shared by the daemon (daemon/frontend/socket.c) and the
 * client side (libclient/sockclient.c, compiled into libgpuproto and the
 * LD_PRELOAD shim).  See docs/socket-transport.md.
 *
 * One AF_UNIX SOCK_SEQPACKET connection is one open file.  Every message
 * is one packet: a fixed header, then a payload.  Integers are in host
 * order (both ends are on one machine).  The client sends requests and
 * waits for exactly one reply each; the daemon may in addition send WAKE
 * at any time (after POLL with GPSOCK_POLL_ARM), which the client skips
 * while waiting for a reply.
 */
#ifndef GPU_PROTO_SOCKET_H
#define GPU_PROTO_SOCKET_H

#include <stdint.h>

#define GPSOCK_VERSION 1

enum gpsock_op {
	/* daemon -> client, first message on a connection: result of the open */
	GPSOCK_OPENED = 1,	/* hdr.value: 0 or errno (ENODEV, ENOMEM, ...) */

	/* client -> daemon */
	GPSOCK_IOCTL = 2,	/* struct gpsock_ioctl + in bytes */
	GPSOCK_READ = 3,	/* hdr.value: size (< 0: EINVAL); hdr.flags: GPSOCK_READ_NONBLOCK */
	GPSOCK_CANCEL = 4,	/* cancel the parked READ (the caller was interrupted) */
	GPSOCK_POLL = 5,	/* hdr.flags: GPSOCK_POLL_ARM */

	/* daemon -> client, replies */
	GPSOCK_RETRY = 16,	/* hdr.value: range count; struct gpsock_range[] */
	GPSOCK_DONE = 17,	/* hdr.value: result (0 or -errno); out bytes */
	GPSOCK_DATA = 18,	/* read: event bytes */
	GPSOCK_ERR = 19,	/* hdr.value: errno (read, cancel, bad request) */
	GPSOCK_MASK = 20,	/* poll: hdr.value: poll mask (POLLIN... bits) */

	/* daemon -> client, asynchronous */
	GPSOCK_WAKE = 32,	/* an armed poll fired: the file may be readable or dead */
};

#define GPSOCK_READ_NONBLOCK	(1u << 0)
#define GPSOCK_POLL_ARM		(1u << 0)

struct gpsock_hdr {
	uint32_t op;
	uint32_t flags;
	int64_t value;
};

/*
 * IOCTL: the request, then in_len bytes: the IN ranges of the last RETRY,
 * concatenated in order (nothing in the first round).  out_len is the total
 * length of the last RETRY's OUT ranges: the daemon may answer DONE with at
 * most that many bytes, which the client scatters over those ranges.
 */
struct gpsock_ioctl {
	struct gpsock_hdr hdr;	/* op = GPSOCK_IOCTL */
	uint64_t arg;
	uint32_t cmd;
	uint32_t in_len;
	uint32_t out_len;
	uint32_t pad;
};

/* RETRY: ranges the client must supply (IN) or accept (OUT) next round. */
struct gpsock_range {
	uint64_t addr;
	uint32_t len;
	uint32_t dir;		/* GPSOCK_DIR_IN | GPSOCK_DIR_OUT */
};

#define GPSOCK_DIR_IN	(1u << 0)
#define GPSOCK_DIR_OUT	(1u << 1)

/*
 * The most ranges in one RETRY, and bytes per direction in one ioctl: the
 * same 128 KiB as CUSE, because one packet must fit the default AF_UNIX
 * send buffer (net.core.wmem_default, 208 KiB), which an unprivileged
 * client cannot raise past net.core.wmem_max.
 */
#define GPSOCK_MAX_RANGES	8
#define GPSOCK_MAX_XFER		(128u << 10)

/* The largest packet either side sends. */
#define GPSOCK_MSG_MAX		(sizeof(struct gpsock_ioctl) + GPSOCK_MAX_XFER)

#endif /* GPU_PROTO_SOCKET_H */
