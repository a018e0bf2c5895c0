// SPDX-License-Identifier: MIT
/*
 * fdclient.c - the client side of gpu-protod's fd socket.  See fdclient.h.
 *
 * Copyright (c) the gpu-proto authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_fdsock.h>

#include "fdclient.h"
#include "sockclient.h"

void gpfc_socket_path(const char *device, char *buf, size_t len)
{
	const char *env = getenv("GPU_PROTO_FD_SOCKET");
	char sock[108];
	size_t n;

	if (env && env[0]) {
		snprintf(buf, len, "%s", env);
		return;
	}
	gpsc_socket_path(device, sock, sizeof(sock));
	n = strlen(sock);
	if (n >= 5 && strcmp(sock + n - 5, ".sock") == 0)
		snprintf(buf, len, "%.*s.fd.sock", (int)(n - 5), sock);
	else
		snprintf(buf, len, "%s.fd", sock);
}

static void gpfc_close_fds(struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

/*
 * One exchange on a fresh connection: the request (with @send_fd when >= 0),
 * then the reply (with *@recv_fd when the reply carries one).  The daemon
 * answers within its own bounded time; a blocking wait is the client's.
 */
static int gpfc_exchange(const char *path, const struct gpfd_request *req, int send_fd,
			 struct gpfd_reply *reply, int *recv_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)req, .iov_len = sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	bool reset = false;
	ssize_t n;
	int s, r;

	if (recv_fd)
		*recv_fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		goto out;
	}
	memset(&ctl, 0, sizeof(ctl));
	if (send_fd >= 0) {
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &send_fd, sizeof(int));
	}
	do {
		n = sendmsg(s, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* Refused at accept (limits, permissions): the reply says why. */
		if (errno != EPIPE && errno != ECONNRESET) {
			r = -errno;
			goto out;
		}
	}

	memset(&ctl, 0, sizeof(ctl));
	memset(reply, 0, sizeof(*reply));
	iov = (struct iovec){ .iov_base = reply, .iov_len = sizeof(*reply) };
	msg = (struct msghdr){
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	do {
		n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
		/*
		 * A daemon that refused us at accept and closed (our request
		 * still unread in its socket) leaves ECONNRESET pending, which
		 * the kernel reports once, before the reply it queued: read on.
		 */
		if (n < 0 && errno == ECONNRESET && !reset) {
			reset = true;
			errno = EINTR;
		}
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	if (n != (ssize_t)sizeof(*reply) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		gpfc_close_fds(&msg);
		r = n == 0 ? -ECONNRESET : -EPROTO;
		goto out;
	}
	if (reply->error) {
		gpfc_close_fds(&msg);
		r = reply->error > 0 ? -reply->error : -EPROTO;
		goto out;
	}
	r = 0;
	cm = CMSG_FIRSTHDR(&msg);
	if (recv_fd && cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(recv_fd, CMSG_DATA(cm), sizeof(int));
	else
		gpfc_close_fds(&msg);
	if (recv_fd && *recv_fd < 0)
		r = -EPROTO;
out:
	close(s);
	return r;
}

int gpfc_export(gpfc_ioctl_t ioctl_fn, void *ctx, const char *sock, uint32_t handle,
		uint64_t offset, int *fd, uint64_t *size, uint64_t *base)
{
	struct gpu_proto_fd_token t = {
		.op = GPU_PROTO_FD_TOKEN_EXPORT, .handle = handle, .offset = handle ? 0 : offset,
	};
	struct gpfd_request req = { .magic = GPFD_MAGIC, .op = GPU_PROTO_FD_TOKEN_EXPORT };
	struct gpfd_reply reply;
	int r;

	r = ioctl_fn(ctx, GPU_PROTO_IOCTL_FD_TOKEN, &t);
	if (r < 0)
		return r;
	memcpy(req.token, t.token, sizeof(req.token));
	r = gpfc_exchange(sock, &req, -1, &reply, fd);
	explicit_bzero(&req, sizeof(req));
	if (r < 0)
		return r;
	if (size)
		*size = reply.size;
	if (base)
		*base = reply.offset;
	return 0;
}

int gpfc_import(gpfc_ioctl_t ioctl_fn, void *ctx, const char *sock, int fd, uint32_t *handle)
{
	struct gpu_proto_fd_token t = { .op = GPU_PROTO_FD_TOKEN_IMPORT };
	struct gpfd_request req = { .magic = GPFD_MAGIC, .op = GPU_PROTO_FD_TOKEN_IMPORT };
	struct gpfd_reply reply;
	int r;

	/* As the kernel's dma_buf_get(): not an open fd is EBADF, before any round trip. */
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	r = ioctl_fn(ctx, GPU_PROTO_IOCTL_FD_TOKEN, &t);
	if (r < 0)
		return r;
	memcpy(req.token, t.token, sizeof(req.token));
	r = gpfc_exchange(sock, &req, fd, &reply, NULL);
	explicit_bzero(&req, sizeof(req));
	if (r < 0)
		return r;
	*handle = reply.handle;
	return 0;
}

int gpfc_prime_export(gpfc_ioctl_t ioctl_fn, void *ctx, const char *sock, uint32_t handle,
		      uint32_t flags, int *fd)
{
	char path[64];
	int memfd, r, ro;

	if (flags & ~(uint32_t)(GPU_PROTO_CLOEXEC | GPU_PROTO_RDWR))
		return -EINVAL;
	r = gpfc_export(ioctl_fn, ctx, sock, handle, 0, &memfd, NULL, NULL);
	if (r < 0)
		return r;
	if (!(flags & GPU_PROTO_RDWR)) {
		/* A read-only open file of the same memory, as a dma-buf opened O_RDONLY. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
		ro = open(path, O_RDONLY | ((flags & GPU_PROTO_CLOEXEC) ? O_CLOEXEC : 0));
		r = ro < 0 ? -errno : 0;
		close(memfd);
		if (r < 0)
			return r;
		*fd = ro;
		return 0;
	}
	if (!(flags & GPU_PROTO_CLOEXEC) && fcntl(memfd, F_SETFD, 0) < 0) {
		r = -errno;
		close(memfd);
		return r;
	}
	*fd = memfd;
	return 0;
}
