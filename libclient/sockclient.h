/* SPDX-License-Identifier: MIT */
/*
 * sockclient.h - the client side of gpu-protod's socket transport.
 *
 * Copyright (c) the gpu-proto authors
 *
 * Internal: compiled into libgpuproto (its fallback when the device node
 * is absent) and into the LD_PRELOAD shim (libgpuproto-shim.so).  A
 * connection stands in for an open file of the device: ioctl, read and
 * poll behave as over CUSE.  Caller memory is reached with
 * process_vm_readv/writev on our own process, so a bad pointer gives
 * EFAULT, never SIGSEGV.  Every function returns -errno on failure and
 * leaves errno as it found it on success.
 *
 * Requests on one connection are serialised by the connection's lock
 * (see docs/socket-transport.md, "Limits").
 */
#ifndef GPU_PROTO_SOCKCLIENT_H
#define GPU_PROTO_SOCKCLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct gpsc_conn {
	int fd;
	pthread_mutex_t lock;	/* one request/reply exchange at a time */
};

/**
 * gpsc_socket_path() - the socket serving device node @device: $GPU_PROTO_SOCKET,
 * else /run/gpu-protod/<basename of @device>.sock.
 */
void gpsc_socket_path(const char *device, char *buf, size_t len);

/**
 * gpsc_connect() - open the device through the socket at @path.
 * @flags: O_CLOEXEC and O_NONBLOCK are honoured (set on the socket)
 *
 * Return: a new connection, or NULL with *@err = -errno: the daemon's
 * answer to the open (ENODEV when nothing is bound), or connect()'s.
 */
struct gpsc_conn *gpsc_connect(const char *path, int flags, int *err);

/** gpsc_conn_new() - wrap an already connected and opened socket. */
struct gpsc_conn *gpsc_conn_new(int fd);

/** gpsc_conn_free() - free the connection; does not close the fd. */
void gpsc_conn_free(struct gpsc_conn *c);

/** gpsc_ioctl() - ioctl(2): the result (>= 0), or -errno. */
int gpsc_ioctl(struct gpsc_conn *c, unsigned long cmd, void *arg);

/**
 * gpsc_read() - read(2) of events.  Blocks unless @nonblock; an interrupted
 * wait (EINTR from a signal handler) cancels the read and gives -EINTR.
 */
ssize_t gpsc_read(struct gpsc_conn *c, void *buf, size_t size, bool nonblock);

/**
 * gpsc_poll_query() - the file's poll mask now (POLLIN, POLLERR|POLLHUP),
 * or -errno.  With @arm, the daemon sends a WAKE message once the file
 * becomes readable or dead, which makes the socket readable.
 */
int gpsc_poll_query(struct gpsc_conn *c, bool arm);

/** gpsc_drain_wakes() - discard WAKE messages waiting on the socket. */
void gpsc_drain_wakes(struct gpsc_conn *c);

/**
 * gpsc_poll() - poll(2) of this one file for POLLIN: revents, 0 on timeout,
 * or -errno.  @timeout_ms < 0 waits forever.
 */
int gpsc_poll(struct gpsc_conn *c, int timeout_ms);

/** gpsc_is_nonblock() - whether the socket's file is O_NONBLOCK. */
bool gpsc_is_nonblock(int fd);

#endif /* GPU_PROTO_SOCKCLIENT_H */
