/* SPDX-License-Identifier: MIT */
/*
 * gpu_proto_fdsock.h - wire format of gpu-protod's fd socket.
 *
 * Copyright (c) the gpu-proto authors
 *
 * Buffer memory reaches a client as the object's memfd, passed with
 * SCM_RIGHTS: a CUSE device cannot mmap, and a daemon cannot install a file
 * descriptor in another process.  A client mints a one-time token with
 * GPU_PROTO_IOCTL_FD_TOKEN on its device file, then redeems it here:
 *
 *   socket(AF_UNIX, SOCK_SEQPACKET), connect to the fd socket
 *   (default /run/gpu-protod/<devname>.fd.sock), send one struct
 *   gpfd_request (IMPORT: with the memfd to import as SCM_RIGHTS), receive
 *   one struct gpfd_reply (EXPORT: with the memfd as SCM_RIGHTS), close.
 *
 * One request per connection; the daemon closes the connection after its
 * reply.  Errors and limits: docs/uapi.md, "The fd socket".  Not installed:
 * libgpuproto and the LD_PRELOAD shim speak it for clients.
 */
#ifndef GPU_PROTO_FDSOCK_H
#define GPU_PROTO_FDSOCK_H

#include <linux/types.h>

/* "gpfd", the first word of every request: anything else is EPROTO. */
#define GPFD_MAGIC		0x64667067u

/**
 * struct gpfd_request - the one packet a client sends
 * @magic: GPFD_MAGIC
 * @op: GPU_PROTO_FD_TOKEN_EXPORT or _IMPORT: the op the token was minted for
 * @token: the token from GPU_PROTO_IOCTL_FD_TOKEN
 */
struct gpfd_request {
	__u32 magic;
	__u32 op;
	__u8 token[32];
};

/**
 * struct gpfd_reply - the one packet the daemon answers with
 * @error: 0, or a positive errno (docs/uapi.md lists them)
 * @op: the request's op (0 when the request could not be parsed)
 * @handle: IMPORT: the handle in the token's file
 * @pad: zero
 * @size: EXPORT: the object's size in bytes
 * @offset: EXPORT: the object's fake mmap offset (its base)
 */
struct gpfd_reply {
	__s32 error;
	__u32 op;
	__u32 handle;
	__u32 pad;
	__u64 size;
	__u64 offset;
};

#endif /* GPU_PROTO_FDSOCK_H */
